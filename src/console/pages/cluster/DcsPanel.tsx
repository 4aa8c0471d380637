import { useState } from 'preact/hooks';
import { call, describeError } from '../../lib/api';
import { OPS } from '../../lib/ops.js';
import { useData } from '../../lib/useData';
import { ActionForm } from '../../components/Action';
import { RequestPreview } from '../../components/Preview';
import { toast } from '../../components/toast';
import { Button, Card, Empty, ErrorBox, Field, Link, Loading, Pager, StateBadge, Table } from '../../components/ui';
import { Charts, ClusterTabs, Connection, type PanelProps } from '../ClusterPage';
import { startDownload } from '../JobPage';

interface RunlogItem { id: string; file_name: string; group_name: string; replication_ip: string; status: string; time: string; backup_id: string }
interface DcsEngine { nodes: { replicationId: string; ip: string; groupName?: string }[] }

function Collect(props: PanelProps) {
  const c = props.cluster;
  const nodes = (c.engine as DcsEngine).nodes ?? [];
  const [days, setDays] = useState('0');
  const [replica, setReplica] = useState(nodes[0]?.replicationId ?? '');
  const query = { log_type: 'run', query_time: Number(days), replication_id: nodes.length > 1 ? replica : undefined };
  return (
    <Card title="Collect run logs" id="collect">
      <ActionForm
        label="Collect run logs"
        call={{ op: OPS.CreateRedislog, path: { project_id: c.project_id, instance_id: c.id }, query }}
        submitLabel="Collect run logs"
        onDone={(r) => {
          toast(<>Collection started. <Link to={`/jobs/${r.jobId}`}>Follow the job</Link></>, 'ok');
          props.started(r.jobId);
        }}
      >
        <div class="form-grid">
          <Field label="Window" hint="Days of the Redis log to split into one file per day.">
            {(id, db) => (
              <select id={id} aria-describedby={db} value={days} onChange={(e) => setDays((e.target as HTMLSelectElement).value)}>
                <option value="0">Today</option>
                <option value="1">Today and yesterday (1 day back)</option>
                <option value="3">The last 3 days</option>
                <option value="7">The last 7 days</option>
              </select>
            )}
          </Field>
          <Field label="Replica" hint={nodes.length > 1 ? 'The node whose log is collected.' : 'A single-node instance: its only replica.'}>
            {(id, db) => (
              <select id={id} aria-describedby={db} value={replica} disabled={nodes.length <= 1} onChange={(e) => setReplica((e.target as HTMLSelectElement).value)}>
                {nodes.map((n) => <option key={n.replicationId} value={n.replicationId}>{n.replicationId} ({n.ip})</option>)}
              </select>
            )}
          </Field>
        </div>
      </ActionForm>
    </Card>
  );
}

function Files(props: PanelProps) {
  const c = props.cluster;
  const [offset, setOffset] = useState(0);
  const [linkError, setLinkError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const limit = 20;
  const path = { project_id: c.project_id, instance_id: c.id };
  const d = useData(
    (signal) => call<{ total_num: number; file_list: RunlogItem[] } | null>({ op: OPS.ListRedislog, path, query: { log_type: 'run', offset, limit } }, { signal }),
    [c.id, offset, props.version],
  );
  const data = d.data?.data ?? { total_num: 0, file_list: [] };
  const [previewId, setPreviewId] = useState<string | null>(null);
  return (
    <Card title="Run-log files" id="files">
      <p class="muted small">One file per replica and day; collected files are kept 7 days. Download links are valid 24 h.</p>
      <ErrorBox error={d.error ?? linkError} />
      {!d.data ? <Loading /> : data.file_list.length === 0 ? <Empty>No run logs collected yet.</Empty> : (
        <>
          <Table label="Run-log files" head={['File', 'Day', 'Replica', 'Shard', 'Status', '']}>
            {data.file_list.map((f) => (
              <tr key={f.id} data-file={f.file_name} data-status={f.status}>
                <td><code>{f.file_name}</code></td>
                <td class="nowrap">{f.time}</td>
                <td>{f.replication_ip}</td>
                <td>{f.group_name}</td>
                <td><StateBadge state={f.status} /></td>
                <td class="nowrap">
                  <Button
                    size="sm"
                    disabled={f.status !== 'succeed'}
                    busy={busy === f.id}
                    onClick={async () => {
                      setBusy(f.id);
                      setLinkError(null);
                      try {
                        const r = await call<{ link: string }>({ op: OPS.CreateRedislogDownloadLink, path: { ...path, id: f.id } });
                        startDownload(r.data.link, f.file_name);
                      } catch (e) {
                        setLinkError(e);
                        toast(describeError(e), 'fail');
                      } finally {
                        setBusy(null);
                      }
                    }}
                  >
                    Download
                  </Button>{' '}
                  <Button size="sm" variant="ghost" aria-expanded={previewId === f.id} onClick={() => setPreviewId(previewId === f.id ? null : f.id)}>Request</Button>
                </td>
              </tr>
            ))}
          </Table>
          {previewId ? <RequestPreview open call={{ op: OPS.CreateRedislogDownloadLink, path: { ...path, id: previewId } }} /> : null}
          <Pager offset={offset} limit={limit} total={data.total_num} onChange={setOffset} label="File pages" />
        </>
      )}
    </Card>
  );
}

export function DcsPanel(props: PanelProps) {
  return (
    <ClusterTabs tabs={[{ id: 'files', label: 'Run logs' }, { id: 'charts', label: 'Charts' }, { id: 'connection', label: 'Connection' }]} tab={props.tab} setTab={props.setTab}>
      {(tab) =>
        tab === 'files' ? (
          <>
            <Collect {...props} />
            <Files {...props} />
          </>
        ) : tab === 'charts' ? <Charts clusterId={props.cluster.id} noun={props.cluster.noun} version={props.version} /> : <Connection cluster={props.cluster} />
      }
    </ClusterTabs>
  );
}
