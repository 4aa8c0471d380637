import { useState } from 'preact/hooks';
import { call } from '../../lib/api';
import { OPS } from '../../lib/ops.js';
import { useData } from '../../lib/useData';
import { useLiveJob } from '../../lib/live';
import { short } from '../../lib/format.js';
import { ActionButton, ActionForm } from '../../components/Action';
import { toast } from '../../components/toast';
import { Bytes, Button, Card, Empty, ErrorBox, Field, Link, Loading, Modal, Notice, Pager, Progress, StateBadge, Table } from '../../components/ui';
import { Charts, ClusterTabs, Connection, type PanelProps } from '../ClusterPage';
import { DownloadArtifact } from '../JobPage';
import type { JobDetailT } from '../../../http/routes/console/schemas.js';

interface Snapshot {
  id: string; name: string; description: string; started: string; finished: string | null; size_bytes: number; status: string; type: string;
  sha256: string | null; failure_reason?: string; job_id?: string;
}
interface Strategy { policy_id: string; policy_name: string; backup_strategy: string; backup_type: string; next_fire_time: string | null; update_time: string }
interface Policy { keep_day: number; auto_backup: boolean; backup_strategies: Strategy[]; backup_strategy_cluster_type_limit_num: number }

const NAME_RE = /^[A-Za-z][A-Za-z0-9_-]{3,63}$/;
const nameHint = '4–64 characters: a letter first, then letters, digits, - or _.';

function CreateSnapshot(props: PanelProps) {
  const c = props.cluster;
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  return (
    <Card title="Take a snapshot" id="create-snapshot">
      <ActionForm
        label="Take a snapshot"
        call={{ op: OPS.CreateSnapshot, path: { project_id: c.project_id }, body: { snapshot: { name, cluster_id: c.id, ...(description ? { description } : {}) } } }}
        submitLabel="Take snapshot"
        validate={() => (NAME_RE.test(name) ? null : `Snapshot name: ${nameHint}`)}
        onDone={(r) => {
          toast(<>Snapshot {name} started. <Link to={`/jobs/${r.jobId}`}>Follow the job</Link></>, 'ok');
          setName('');
          setDescription('');
          props.started(r.jobId);
        }}
      >
        <div class="form-grid">
          <Field label="Name" hint={`${nameHint} Unique in the project.`}>
            {(id, db) => <input id={id} name="snapshot-name" aria-describedby={db} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} placeholder="nightly-2025-01-31" />}
          </Field>
          <Field label="Description" optional>
            {(id, db) => <input id={id} aria-describedby={db} value={description} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />}
          </Field>
        </div>
      </ActionForm>
    </Card>
  );
}

/** Follows a restore job live until the new cluster is AVAILABLE (or the job failed). */
function RestoreProgress(props: { jobId: string; clusterId: string; name: string }) {
  const live = useLiveJob(props.jobId);
  const fallback = useData(async (signal) => (await call<JobDetailT>({ op: OPS.ShowConsoleJob, path: { job_id: props.jobId } }, { signal })).data, [props.jobId, live?.state]);
  const state = live?.state ?? fallback.data?.state ?? 'QUEUED';
  const progress = live?.progress ?? fallback.data?.progress ?? 0;
  const error = live?.error ?? fallback.data?.error;
  return (
    <div class="restore-progress" data-state={state} aria-live="polite">
      <p>
        Restoring into the new cluster <strong>{props.name}</strong>: <StateBadge state={state} progress={progress} />
      </p>
      {state === 'RUNNING' || state === 'QUEUED' ? <Progress value={progress} label="restore progress" /> : null}
      {state === 'SUCCEEDED' ? (
        <Notice tone="ok">
          Restored. <Link to={`/clusters/${props.clusterId}`}>Open {props.name}</Link>
        </Notice>
      ) : null}
      {state === 'FAILED' ? <div class="alert error" role="alert">{error ?? 'The restore failed.'}</div> : null}
      <p class="small"><Link to={`/jobs/${props.jobId}`}>Restore job details</Link></p>
    </div>
  );
}

function RestoreDialog(props: { snapshot: Snapshot; projectId: string; onClose(): void }) {
  const [name, setName] = useState('');
  const [started, setStarted] = useState<{ jobId: string; clusterId: string; name: string } | null>(null);
  return (
    <Modal open title={`Restore ${props.snapshot.name}`} onClose={props.onClose}>
      {started ? <RestoreProgress {...started} /> : (
        <>
          <p>logsnap restores the snapshot with <code>pg_restore</code> into a new database on the source cluster's PostgreSQL server and registers it as a new DWS cluster.</p>
          <ActionForm
            label="Restore into a new cluster"
            call={{ op: OPS.RestoreCluster, path: { project_id: props.projectId, snapshot_id: props.snapshot.id }, body: { restore: { name } } }}
            submitLabel="Restore"
            validate={() => (NAME_RE.test(name) ? null : `New cluster name: ${nameHint}`)}
            onDone={(r) => setStarted({ jobId: r.data.job_id, clusterId: r.data.cluster.id, name })}
          >
            <Field label="New cluster name" hint={`${nameHint} The database is named after it.`}>
              {(id, db) => <input id={id} name="restore-name" aria-describedby={db} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} autoFocus />}
            </Field>
          </ActionForm>
        </>
      )}
    </Modal>
  );
}

function SnapshotRow(props: { s: Snapshot; projectId: string; onRestore(s: Snapshot): void; onDeleted(): void }) {
  const s = props.s;
  const live = useLiveJob(s.job_id);
  const status = live && s.status === 'CREATING' ? (live.state === 'SUCCEEDED' ? 'AVAILABLE' : live.state === 'FAILED' ? 'UNAVAILABLE' : 'CREATING') : s.status;
  return (
    <tr data-snapshot={s.name} data-status={status}>
      <td class="name">{s.job_id ? <Link to={`/jobs/${s.job_id}`}>{s.name}</Link> : s.name}{s.description ? <div class="muted small">{s.description}</div> : null}</td>
      <td>{s.type === 'AUTO' ? 'Automated' : 'Manual'}</td>
      <td><StateBadge state={status} progress={status === 'CREATING' ? live?.progress : undefined} />{s.failure_reason ? <div class="fail-text small">{s.failure_reason}</div> : null}</td>
      <td class="nowrap small">{s.started.replace('T', ' ').replace('Z', ' UTC')}</td>
      <td class="num"><Bytes n={status === 'AVAILABLE' ? s.size_bytes : null} /></td>
      <td><code class="small" title={s.sha256 ?? undefined}>{short(s.sha256, 8, 4)}</code></td>
      <td class="row-actions">
        {status === 'AVAILABLE' ? <Button size="sm" onClick={() => props.onRestore(s)}>Restore</Button> : null}
        {status === 'AVAILABLE' && s.job_id ? <DownloadArtifact jobId={s.job_id} label="Download" /> : null}
        {s.type === 'MANUAL' && status !== 'CREATING' ? (
          <ActionButton compact call={{ op: OPS.DeleteSnapshot, path: { project_id: props.projectId, snapshot_id: s.id } }} label="Delete" confirm={`Delete snapshot ${s.name} and its archive?`} onDone={() => { toast(`Snapshot ${s.name} deleted.`, 'ok'); props.onDeleted(); }} />
        ) : null}
      </td>
    </tr>
  );
}

function Snapshots(props: PanelProps) {
  const c = props.cluster;
  const [page, setPage] = useState(0);
  const [tick, setTick] = useState(0);
  const [restoring, setRestoring] = useState<Snapshot | null>(null);
  const limit = 10;
  const d = useData(
    (signal) => call<{ snapshots: Snapshot[]; count: number }>({ op: OPS.ListClusterSnapshots, path: { project_id: c.project_id, cluster_id: c.id }, query: { limit, offset: page, sort_key: 'started', sort_dir: 'desc' } }, { signal }),
    [c.id, page, props.version, tick],
  );
  const rows = d.data?.data.snapshots ?? [];
  return (
    <Card title="Snapshots" id="snapshots">
      <ErrorBox error={d.error} />
      {!d.data ? <Loading /> : rows.length === 0 ? <Empty>No snapshots yet.</Empty> : (
        <>
          <Table label="Snapshots" head={['Name', 'Type', 'Status', 'Started', 'Size', 'sha256', '']} num={[4]}>
            {rows.map((s) => <SnapshotRow key={s.id} s={s} projectId={c.project_id} onRestore={setRestoring} onDeleted={() => setTick((t) => t + 1)} />)}
          </Table>
          <Pager offset={page * limit} limit={limit} total={d.data.data.count} onChange={(o) => setPage(Math.floor(o / limit))} label="Snapshot pages" />
        </>
      )}
      {restoring ? <RestoreDialog snapshot={restoring} projectId={c.project_id} onClose={() => setRestoring(null)} /> : null}
    </Card>
  );
}

function Policies(props: PanelProps) {
  const c = props.cluster;
  const path = { project_id: c.project_id, cluster_id: c.id };
  const [tick, setTick] = useState(0);
  const d = useData((signal) => call<Policy>({ op: OPS.ListSnapshotPolicy, path }, { signal }), [c.id, tick]);
  const p = d.data?.data;
  const [policyName, setPolicyName] = useState('nightly');
  const [cron, setCron] = useState('0 0 2 * * ?');
  const [keepDay, setKeepDay] = useState('');
  const [auto, setAuto] = useState<boolean | null>(null);
  const reload = () => setTick((t) => t + 1);
  const keep = keepDay === '' ? p?.keep_day ?? 7 : Number(keepDay);
  // a first schedule turns automated snapshots on unless unticked
  const autoOn = auto ?? (p ? p.backup_strategies.length === 0 || p.auto_backup : true);
  return (
    <Card title="Snapshot policy" id="policy">
      <ErrorBox error={d.error} />
      {!p ? <Loading /> : (
        <>
          <p class="status-line">
            {p.backup_strategies.length === 0 ? <StateBadge state="none" tone="neutral" label="Manual only" /> : p.auto_backup ? <StateBadge state="on" tone="ok" label="Automated" /> : <StateBadge state="off" tone="warn" label="Paused" />}
            <span>
              {p.backup_strategies.length === 0 ? 'No schedule yet: snapshots are taken by hand. ' : ''}Automated snapshots are kept <strong>{p.keep_day}</strong> day{p.keep_day === 1 ? '' : 's'}; schedules are Quartz cron expressions in UTC.
            </span>
          </p>
          {p.backup_strategies.length === 0 ? <Empty>No backup strategy yet.</Empty> : (
            <Table label="Backup strategies" head={['Name', 'Schedule (UTC)', 'Next run', 'Type', '']}>
              {p.backup_strategies.map((s) => (
                <tr key={s.policy_id} data-policy={s.policy_name}>
                  <td>{s.policy_name}</td>
                  <td><code>{s.backup_strategy}</code></td>
                  <td class="nowrap small">{s.next_fire_time?.replace('T', ' ').replace('Z', ' UTC') ?? '—'}</td>
                  <td>{s.backup_type}</td>
                  <td>
                    <ActionButton compact call={{ op: OPS.DeleteSnapshotPolicy, path: { ...path, id: s.policy_id } }} label="Delete" confirm={`Delete the strategy ${s.policy_name}?`} onDone={() => { toast('Strategy deleted.', 'ok'); reload(); }} />
                  </td>
                </tr>
              ))}
            </Table>
          )}
          <h3>Add a strategy, change retention</h3>
          <ActionForm
            label="Snapshot policy"
            call={{
              op: OPS.CreateSnapshotPolicy, path,
              body: { keep_day: keep, auto_backup: autoOn, ...(cron.trim() ? { backup_strategies: [{ policy_name: policyName, backup_strategy: cron.trim() }] } : {}) },
            }}
            submitLabel="Save policy"
            validate={() => (!Number.isInteger(keep) || keep < 1 || keep > 31 ? 'Keep days: a whole number from 1 to 31.' : null)}
            onDone={() => { toast('Snapshot policy saved.', 'ok'); setKeepDay(''); reload(); }}
          >
            <div class="form-grid">
              <Field label="Strategy name" optional hint="Leave the schedule empty to change only retention.">
                {(id, db) => <input id={id} aria-describedby={db} value={policyName} onInput={(e) => setPolicyName((e.target as HTMLInputElement).value)} />}
              </Field>
              <Field label="Schedule" hint={'Quartz cron in UTC: seconds minutes hours day month weekday, e.g. "0 0 2 * * ?" = daily at 02:00.'}>
                {(id, db) => <input id={id} aria-describedby={db} value={cron} onInput={(e) => setCron((e.target as HTMLInputElement).value)} />}
              </Field>
              <Field label="Keep automated snapshots (days)" hint="1 to 31.">
                {(id, db) => <input id={id} aria-describedby={db} type="number" min={1} max={31} value={keepDay === '' ? String(p.keep_day) : keepDay} onInput={(e) => setKeepDay((e.target as HTMLInputElement).value)} />}
              </Field>
              <div class="field checkbox">
                <label>
                  <input type="checkbox" checked={autoOn} onChange={(e) => setAuto((e.target as HTMLInputElement).checked)} /> Automated snapshots on
                </label>
              </div>
            </div>
          </ActionForm>
        </>
      )}
    </Card>
  );
}

export function DwsPanel(props: PanelProps) {
  const c = props.cluster;
  return (
    <>
      {c.status !== 'AVAILABLE' ? <Notice tone="warn">This cluster is {c.status}: snapshots need an AVAILABLE cluster.</Notice> : null}
      <ClusterTabs tabs={[{ id: 'snapshots', label: 'Snapshots' }, { id: 'policy', label: 'Policy' }, { id: 'charts', label: 'Charts' }, { id: 'connection', label: 'Connection' }]} tab={props.tab} setTab={props.setTab}>
        {(tab) =>
          tab === 'snapshots' ? (
            <>
              <CreateSnapshot {...props} />
              <Snapshots {...props} />
            </>
          ) : tab === 'policy' ? <Policies {...props} />
            : tab === 'charts' ? <Charts clusterId={c.id} noun={c.noun} version={props.version} />
              : <Connection cluster={c} />
        }
      </ClusterTabs>
    </>
  );
}
