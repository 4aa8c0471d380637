import { get } from '../lib/api';
import { OPS } from '../lib/ops.js';
import { session } from '../lib/session';
import { location, setQuery } from '../lib/router';
import { useStore } from '../lib/store';
import { useData } from '../lib/useData';
import { liveJobs } from '../lib/live';
import { duration, kindLabel } from '../lib/format.js';
import { Ago, Empty, ErrorBox, Link, Loading, PageHeader, Pager, StateBadge, Table, Card } from '../components/ui';
import { pickLive, useJobChanges } from './Overview';
import type { ListJobsResponseT } from '../../http/routes/console/schemas.js';

export function JobsPage() {
  const s = useStore(session)!;
  const loc = useStore(location);
  const jobs = useStore(liveJobs);
  const state = loc.query.get('state') ?? '';
  const service = loc.query.get('service') ?? '';
  const offset = Number(loc.query.get('offset') ?? 0) || 0;
  const limit = 50;
  const d = useData(
    (signal) => get<ListJobsResponseT>({ op: OPS.ListConsoleJobs, query: { state: state || undefined, service: service || undefined, offset, limit } }, { signal }),
    [state, service, offset],
  );
  useJobChanges(() => d.reload(), 600);
  const rows = (d.data?.jobs ?? []).map((j) => ({ ...j, ...(jobs.get(j.id) ? pickLive(jobs.get(j.id)!) : {}) }));
  return (
    <div>
      <PageHeader
        title="Jobs"
        meta={s.role === 'admin' ? 'Every project' : 'This project'}
        actions={
          <div class="filters">
            <label class="inline">
              <span>State</span>
              <select value={state} onChange={(e) => setQuery({ state: (e.target as HTMLSelectElement).value, offset: null })}>
                <option value="">Any</option>
                <option value="ACTIVE">Queued or running</option>
                <option value="FAILED">Failed</option>
                <option value="SUCCEEDED">Succeeded</option>
              </select>
            </label>
            <label class="inline">
              <span>Service</span>
              <select value={service} onChange={(e) => setQuery({ service: (e.target as HTMLSelectElement).value, offset: null })}>
                <option value="">All</option>
                <option value="css">CSS</option>
                <option value="dcs">DCS</option>
                <option value="cce">CCE</option>
                <option value="dws">DWS</option>
              </select>
            </label>
          </div>
        }
      />
      <Card>
        <ErrorBox error={d.error} />
        {!d.data ? <Loading /> : rows.length === 0 ? <Empty>No jobs match.</Empty> : (
          <>
            <Table label="Jobs" head={['Job', 'Cluster', 'State', 'Created', 'Duration', 'Started by', 'Message']} num={[4]}>
              {rows.map((j) => (
                <tr key={j.id} data-job={j.id}>
                  <td><Link to={`/jobs/${j.id}`}>{kindLabel(j.kind)}</Link></td>
                  <td>{j.cluster_id ? <Link to={`/clusters/${j.cluster_id}`}>{j.cluster_name ?? j.cluster_id}</Link> : '—'}</td>
                  <td><StateBadge state={j.state} progress={j.progress} /></td>
                  <td class="nowrap"><Ago t={j.created_at} /></td>
                  <td class="num">{j.started_at && j.finished_at ? duration(j.finished_at - j.started_at) : '—'}</td>
                  <td><code class="small">{j.created_by ?? '—'}</code></td>
                  <td class="msg">{j.error ? <span class="fail-text">{j.error}</span> : null}</td>
                </tr>
              ))}
            </Table>
            <Pager offset={offset} limit={limit} total={d.data.total} onChange={(o) => setQuery({ offset: o || null })} label="Job pages" />
          </>
        )}
      </Card>
    </div>
  );
}
