import { useState } from 'preact/hooks';
import { call } from '../../lib/api';
import { OPS } from '../../lib/ops.js';
import { useData } from '../../lib/useData';
import { useLiveJob } from '../../lib/live';
import { ActionButton } from '../../components/Action';
import { toast } from '../../components/toast';
import { Card, CopyButton, Empty, ErrorBox, Link, Loading, Pager, Progress, StateBadge, Table } from '../../components/ui';
import { Charts, ClusterTabs, Connection, type PanelProps } from '../ClusterPage';
import { DownloadArtifact } from '../JobPage';
import type { ArtifactsResponseT } from '../../../http/routes/console/schemas.js';

interface Task {
  metadata: { uid: string; creationTimestamp: string; updateTimestamp: string };
  spec: { items?: { message: string }[] };
  status: { phase: string; progress: string; completionTime: string };
}
interface TaskList { items: Task[]; status: { latestBackupTime: string } }

function TaskRow(props: { t: Task }) {
  const t = props.t;
  const live = useLiveJob(t.metadata.uid);
  const phase = live && t.status.phase === 'Running' ? (live.state === 'SUCCEEDED' ? 'Success' : live.state === 'FAILED' ? 'Failed' : 'Running') : t.status.phase;
  const progress = live && phase === 'Running' ? live.progress : Number(t.status.progress);
  const message = t.spec.items?.[0]?.message ?? (phase === 'Failed' ? live?.error : null);
  return (
    <tr data-task={t.metadata.uid} data-phase={phase}>
      <td><Link to={`/jobs/${t.metadata.uid}`} title={t.metadata.uid}>{t.metadata.uid.slice(0, 8)}…</Link></td>
      <td><StateBadge state={phase} /></td>
      <td class="w-progress"><Progress value={progress} label="snapshot progress" /> <span class="num small">{Math.floor(progress)}%</span></td>
      <td class="nowrap small">{t.metadata.creationTimestamp}</td>
      <td class="nowrap small">{phase === 'Running' ? '—' : t.status.completionTime}</td>
      <td class="msg">{phase === 'Success' ? <DownloadArtifact jobId={t.metadata.uid} /> : message ? <span class="fail-text">{message}</span> : null}</td>
    </tr>
  );
}

function Tasks(props: PanelProps & { list: ReturnType<typeof useData<{ data: TaskList }>> }) {
  const [offset, setOffset] = useState(0);
  const limit = 20;
  const d = props.list;
  const items = d.data?.data.items ?? [];
  return (
    <Card title="Snapshot tasks" id="tasks" actions={d.data?.data.status.latestBackupTime ? <span class="muted small">Latest backup {d.data.data.status.latestBackupTime}</span> : null}>
      <ErrorBox error={d.error} />
      {!d.data ? <Loading /> : items.length === 0 ? <Empty>No master snapshots yet.</Empty> : (
        <>
          <Table label="Master snapshot tasks" head={['Task', 'Phase', 'Progress', 'Created', 'Completed', '']}>
            {items.slice(offset, offset + limit).map((t) => <TaskRow key={t.metadata.uid} t={t} />)}
          </Table>
          <Pager offset={offset} limit={limit} total={items.length} onChange={setOffset} label="Task pages" />
        </>
      )}
    </Card>
  );
}

function Restore(props: { latest: Task | undefined }) {
  const uid = props.latest?.metadata.uid;
  const a = useData(async (signal) => (uid ? (await call<ArtifactsResponseT>({ op: OPS.ListJobArtifacts, path: { job_id: uid } }, { signal })).data : null), [uid]);
  const item = a.data?.items[0];
  const file = item?.name ?? '<task uid>.db';
  const sha = item?.sha256 ?? '<sha256 from the task>';
  const check = `echo "${sha}  ${file}" | sha256sum -c -`;
  const restore = `ETCDCTL_API=3 etcdctl snapshot restore ${file} \\\n  --name m1 --data-dir /var/lib/etcd-restored \\\n  --initial-cluster m1=https://10.0.0.11:2380 \\\n  --initial-advertise-peer-urls https://10.0.0.11:2380`;
  return (
    <Card title="How to restore" id="restore">
      <p>A master snapshot is etcd's own snapshot file: restore it with etcd's tools, one member at a time, into a fresh data folder.</p>
      <ol class="steps">
        <li>
          <strong>Download</strong> the snapshot of a successful task{uid ? <> (latest: <DownloadArtifact jobId={uid} />)</> : null}. The link is signed and expires.
        </li>
        <li>
          <strong>Check it</strong> against the sha256 logsnap recorded:
          <pre class="code">{check}</pre>
          <CopyButton text={check} label="check command" />
        </li>
        <li>
          <strong>Restore</strong> into a new data folder (etcd 3.4; on 3.5+ use <code>etcdutl snapshot restore</code> with the same flags), once per member with its own name and peer URL:
          <pre class="code">{restore}</pre>
          <CopyButton text={restore} label="restore command" />
        </li>
        <li>
          <strong>Start</strong> each member on its restored data folder (<code>--data-dir /var/lib/etcd-restored</code>), then point the cluster's API servers at it.
        </li>
      </ol>
      <p class="muted small">Details: docs/cce.md, "Restoring an etcd member from a stored snapshot".</p>
    </Card>
  );
}

export function CcePanel(props: PanelProps) {
  const c = props.cluster;
  const autopilot = (c.engine as { autopilot?: boolean }).autopilot === true;
  const path = { project_id: c.project_id, cluster_id: c.id };
  const list = useData((signal) => call<TaskList>({ op: autopilot ? OPS.ListAutopilotClusterMasterSnapshotTasks : OPS.ListClusterMasterSnapshotTasks, path }, { signal }), [c.id, props.version]);
  const latest = list.data?.data.items.find((t) => t.status.phase === 'Success');
  return (
    <>
      <div class="primary-actions">
        <ActionButton
          id="snapshot-now"
          call={{ op: autopilot ? OPS.CreateAutopilotClusterMasterSnapshot : OPS.CreateClusterMasterSnapshot, path }}
          label="Take a snapshot"
          variant="primary"
          onDone={(r) => {
            toast(<>Snapshot started. <Link to={`/jobs/${r.jobId}`}>Follow the task</Link></>, 'ok');
            props.started(r.jobId);
          }}
        />
        {autopilot ? <span class="badge neutral">Autopilot</span> : null}
      </div>
      <ClusterTabs tabs={[{ id: 'tasks', label: 'Tasks' }, { id: 'restore', label: 'How to restore' }, { id: 'charts', label: 'Charts' }, { id: 'connection', label: 'Connection' }]} tab={props.tab} setTab={props.setTab}>
        {(tab) =>
          tab === 'tasks' ? <Tasks {...props} list={list} />
            : tab === 'restore' ? <Restore latest={latest} />
              : tab === 'charts' ? <Charts clusterId={c.id} noun={c.noun} version={props.version} />
                : <Connection cluster={c} />
        }
      </ClusterTabs>
    </>
  );
}
