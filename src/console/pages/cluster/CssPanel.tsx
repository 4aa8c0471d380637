import { useState } from 'preact/hooks';
import { call } from '../../lib/api';
import { OPS, type Call } from '../../lib/ops.js';
import { useData } from '../../lib/useData';
import { useLiveJob } from '../../lib/live';
import { duration, when } from '../../lib/format.js';
import { ActionButton, ActionForm } from '../../components/Action';
import { toast } from '../../components/toast';
import { Ago, Card, Empty, ErrorBox, Field, Link, Loading, Notice, Pager, StateBadge, Table } from '../../components/ui';
import { Charts, ClusterTabs, Connection, type PanelProps } from '../ClusterPage';

interface LogSetting {
  logConfiguration: { obsBucket: string; basePath: string; agency: string; autoEnable: boolean; period: string | null; logSwitch: boolean; updateAt: number } | null;
}
interface LogRecord {
  id: string; clusterId: string; createAt: number; logPath: string; status: string; finishedAt: number | null; jobTypes: string; failedMsg: string | null; jobId: string;
}

function RecordRow(props: { r: LogRecord }) {
  const r = props.r;
  const live = useLiveJob(r.jobId);
  const status = live && r.status === 'RUNNING' ? (live.state === 'SUCCEEDED' ? 'SUCCESS' : live.state === 'FAILED' ? 'FAIL' : 'RUNNING') : r.status;
  return (
    <tr data-job={r.jobId} data-status={status}>
      <td><Link to={`/jobs/${r.jobId}`} title={r.jobId}>{r.jobId.slice(0, 8)}…</Link></td>
      <td>{r.jobTypes}</td>
      <td><StateBadge state={status} progress={status === 'RUNNING' ? live?.progress : undefined} /></td>
      <td class="nowrap"><time title={when(r.createAt)}>{when(r.createAt)}</time></td>
      <td class="num">{r.finishedAt ? duration(r.finishedAt - r.createAt) : '—'}</td>
      <td><code class="small">{r.logPath}</code></td>
      <td class="msg">{r.failedMsg ? <span class="fail-text">{r.failedMsg}</span> : status === 'SUCCESS' ? <Link to={`/jobs/${r.jobId}#artifacts`}>Manifest</Link> : null}</td>
    </tr>
  );
}

function Records(props: PanelProps) {
  const c = props.cluster;
  const [status, setStatus] = useState('');
  const [offset, setOffset] = useState(0);
  const limit = 10;
  const listCall: Call = { op: OPS.ListLogsJob, path: { project_id: c.project_id, cluster_id: c.id }, query: { offset: offset + 1, limit, status: status || undefined } };
  const d = useData((signal) => call<{ clusterLogRecord: LogRecord[]; totalSize: number }>(listCall, { signal }), [c.id, offset, status, props.version]);
  const rows = d.data?.data.clusterLogRecord ?? [];
  return (
    <Card
      title="Backups"
      id="records"
      actions={
        <label class="inline">
          <span>Status</span>
          <select value={status} onChange={(e) => { setStatus((e.target as HTMLSelectElement).value); setOffset(0); }}>
            <option value="">All</option>
            <option value="FAIL">Failed</option>
            <option value="NOT_FAIL">Not failed</option>
          </select>
        </label>
      }
    >
      <ErrorBox error={d.error} />
      {!d.data ? <Loading /> : rows.length === 0 ? <Empty>{status ? 'No backups with this status.' : 'No backups yet.'}</Empty> : (
        <>
          <Table label="Log backup records" head={['Job', 'Type', 'Status', 'Started', 'Duration', 'Log path', '']} num={[4]}>
            {rows.map((r) => <RecordRow key={r.id} r={r} />)}
          </Table>
          <Pager offset={offset} limit={limit} total={d.data.data.totalSize} onChange={setOffset} label="Backup pages" />
        </>
      )}
    </Card>
  );
}

function LogSettings(props: PanelProps & { setting: LogSetting['logConfiguration']; reload(): void }) {
  const c = props.cluster;
  const s = props.setting;
  const on = !!s?.logSwitch;
  const [bucket, setBucket] = useState(s?.obsBucket ?? '');
  const [basePath, setBasePath] = useState(s?.basePath ?? '');
  const [agency, setAgency] = useState(s?.agency ?? '');
  const [period, setPeriod] = useState(s?.period ?? '00:00 GMT+08:00');
  const path = { project_id: c.project_id, cluster_id: c.id };
  const body = { agency, log_bucket: bucket, log_base_path: basePath };
  const done = (msg: string) => () => {
    toast(msg, 'ok');
    props.reload();
  };
  return (
    <>
      <Card title="Log backup" id="log-switch">
        <p class="status-line" data-log-switch={on ? 'on' : 'off'}>
          {on ? <StateBadge state="on" tone="ok" label="On" /> : <StateBadge state="off" tone="neutral" label="Off" />}
          <span>{on ? <>Backs up to <code>{s!.obsBucket}/{s!.basePath}</code> with agency <code>{s!.agency}</code>, updated <Ago t={s!.updateAt} />.</> : 'Turn it on to back up this cluster\'s logs.'}</span>
        </p>
        <ActionForm
          label="Log backup settings"
          call={{ op: on ? OPS.UpdateLogSetting : OPS.StartLogs, path, body }}
          submitLabel={on ? 'Save settings' : 'Turn log backup on'}
          validate={() => (!bucket || !basePath || !agency ? 'Fill in the bucket, the base path and the agency.' : null)}
          onDone={done(on ? 'Log backup settings saved.' : 'Log backup is on.')}
        >
          <div class="form-grid">
            <Field label="Bucket" hint="Where the logs go (a bucket of logsnap's object store).">
              {(id, db) => <input id={id} aria-describedby={db} value={bucket} onInput={(e) => setBucket((e.target as HTMLInputElement).value)} placeholder="demo-logs" />}
            </Field>
            <Field label="Base path" hint="Folder inside the bucket.">
              {(id, db) => <input id={id} aria-describedby={db} value={basePath} onInput={(e) => setBasePath((e.target as HTMLInputElement).value)} placeholder="css/log" />}
            </Field>
            <Field label="Agency" hint="IAM agency name (letters, digits, - and _).">
              {(id, db) => <input id={id} aria-describedby={db} value={agency} onInput={(e) => setAgency((e.target as HTMLInputElement).value)} placeholder="css_obs_agency" />}
            </Field>
          </div>
        </ActionForm>
        {on ? (
          <div class="sub-action">
            <ActionButton call={{ op: OPS.StopLogs, path }} label="Turn log backup off" variant="danger" confirm="Turn log backup off? The automatic policy stops too." onDone={done('Log backup is off.')} />
          </div>
        ) : null}
      </Card>
      <Card title="Automatic backup" id="policy">
        <p class="status-line">
          {s?.autoEnable ? <><StateBadge state="on" tone="ok" label="On" /><span>One backup a day at <strong>{s.period}</strong>.</span></> : <><StateBadge state="off" tone="neutral" label="Off" /><span>No automatic backup.</span></>}
        </p>
        {!on ? <Notice>Turn log backup on first.</Notice> : (
          <>
            <ActionForm
              label="Automatic backup policy"
              call={{ op: OPS.StartLogAutoBackupPolicy, path, body: { period } }}
              submitLabel={s?.autoEnable ? 'Change the time' : 'Turn automatic backup on'}
              validate={() => (/^\d{2}:\d{2} GMT[+-]\d{2}:\d{2}$/.test(period) ? null : 'Write the time as HH:MM GMT+hh:mm, e.g. 02:00 GMT+08:00.')}
              onDone={done('Automatic backup policy saved.')}
            >
              <Field label="Daily at" hint="HH:MM GMT±hh:mm, for example 02:00 GMT+08:00 (whole hours).">
                {(id, db) => <input id={id} aria-describedby={db} value={period} onInput={(e) => setPeriod((e.target as HTMLInputElement).value)} />}
              </Field>
            </ActionForm>
            {s?.autoEnable ? (
              <div class="sub-action">
                <ActionButton call={{ op: OPS.StopLogAutoBackupPolicy, path }} label="Turn automatic backup off" onDone={done('Automatic backup is off.')} />
              </div>
            ) : null}
          </>
        )}
      </Card>
    </>
  );
}

export function CssPanel(props: PanelProps) {
  const c = props.cluster;
  const path = { project_id: c.project_id, cluster_id: c.id };
  const st = useData((signal) => call<LogSetting>({ op: OPS.ShowGetLogSetting, path }, { signal }), [c.id, props.version]);
  const setting = st.data?.data.logConfiguration ?? null;
  const on = !!setting?.logSwitch;
  const busy = c.running !== null;
  return (
    <>
      <div class="primary-actions">
        <ActionButton
          id="backup-now"
          call={{ op: OPS.CreateLogBackup, path }}
          label="Back up now"
          variant="primary"
          disabled={!st.data || !on}
          disabledReason={!st.data ? undefined : !on ? 'Log backup is off: turn it on under Settings.' : undefined}
          onDone={(r) => {
            toast(<>Backup started. <Link to={`/jobs/${r.jobId}`}>Follow the job</Link></>, 'ok');
            props.started(r.jobId);
          }}
        />
        {busy ? <span class="muted small">A backup is running; a second one is refused until it ends.</span> : null}
      </div>
      <ErrorBox error={st.error} />
      <ClusterTabs tabs={[{ id: 'backups', label: 'Backups' }, { id: 'settings', label: 'Settings' }, { id: 'charts', label: 'Charts' }, { id: 'connection', label: 'Connection' }]} tab={props.tab} setTab={props.setTab}>
        {(tab) =>
          tab === 'backups' ? <Records {...props} />
            : tab === 'settings' ? (st.data ? <LogSettings key={st.data ? JSON.stringify(setting) : 'x'} {...props} setting={setting} reload={st.reload} /> : <Loading />)
              : tab === 'charts' ? <Charts clusterId={c.id} noun={c.noun} version={props.version} />
                : <Connection cluster={c} />
        }
      </ClusterTabs>
    </>
  );
}
