import { useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../lib/api';
import { OPS } from '../lib/ops.js';
import { session, serverNow } from '../lib/session';
import { location, setQuery } from '../lib/router';
import { useStore } from '../lib/store';
import { useData } from '../lib/useData';
import { liveJobs, onJobEvent, type JobEvent } from '../lib/live';
import { bytes, duration, kindLabel, SERVICE_LABEL, SERVICE_THINGS } from '../lib/format.js';
import { Ago, Bytes, Card, Empty, ErrorBox, Link, Loading, PageHeader, Pager, Progress, StateBadge, Table } from '../components/ui';
import type { ClusterSummaryT, JobSummaryT, ListClustersResponseT, ListJobsResponseT, OverviewResponseT, StorageResponseT } from '../../http/routes/console/schemas.js';

const PAGE = 50;

export function serviceOfKind(kind: string): string | null {
  if (kind.startsWith('css')) return 'css';
  if (kind.startsWith('dcs')) return 'dcs';
  if (kind.startsWith('cce')) return 'cce';
  if (kind.startsWith('dws')) return 'dws';
  return null;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A cluster's own status (not its last run's), in words. */
export function ClusterStatus(props: { status: string; service: string }) {
  const s = props.status;
  if (s === 'CREATING') return <StateBadge state={s} tone="run" label="Creating" />;
  if (/^(UNAVAILABLE|FAILED|ERROR|ABNORMAL)$/i.test(s)) return <StateBadge state={s} tone="fail" label={capital(s.toLowerCase())} />;
  if (/^(AVAILABLE|RUNNING|200)$/i.test(s)) return <StateBadge state={s} tone="ok" label={s === 'RUNNING' ? 'Running' : 'Available'} />;
  return <StateBadge state={s} tone="neutral" label={s} />;
}

/**
 * Re-run `fn` (debounced) when jobs change in a way lists show: one appears, or changes state.
 * Progress ticks alone are drawn from the live store and need no reload. `fn` gets the jobs that
 * changed (to reload only what they touch).
 */
export function useJobChanges(fn: (changed: JobEvent[]) => void, delay = 400): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const seen = new Map<string, string>();
    let timer: number | undefined;
    let pending: JobEvent[] = [];
    const off = onJobEvent((e) => {
      const before = seen.get(e.id);
      seen.set(e.id, e.state);
      if (before === e.state) return;
      pending.push(e);
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        const batch = pending;
        pending = [];
        ref.current(batch);
      }, delay);
    });
    return () => {
      off();
      window.clearTimeout(timer);
    };
  }, [delay]);
}

function StatTiles(props: { stats: OverviewResponseT | undefined }) {
  const s = useStore(session)!;
  if (!props.stats) return null;
  return (
    <div class="tiles" role="list" aria-label="Services">
      {props.stats.services.map((x) => {
        const svc = s.services.find((v) => v.service === x.service);
        return (
          <div class="tile" role="listitem" key={x.service} data-service={x.service}>
            <div class="tile-head">
              <span class={`svc svc-${x.service}`}>{SERVICE_LABEL[x.service]}</span>
              <span class="muted small">{svc?.noun}s</span>
            </div>
            <div class="tile-main">
              <span class="tile-num">{x.clusters}</span> <span class="muted">{x.clusters === 1 ? SERVICE_THINGS[x.service].replace(/s$/, '') : SERVICE_THINGS[x.service]}</span>
            </div>
            <div class="tile-foot">
              <span title="succeeded in the last 24 hours"><span class="dot ok" aria-hidden="true" />{x.succeeded_24h} ok</span>
              <span title="failed in the last 24 hours" class={x.failed_24h ? 'fail-text' : ''}><span class="dot fail" aria-hidden="true" />{x.failed_24h} failed</span>
              <span title="running and queued now"><span class="dot run" aria-hidden="true" />{x.running + x.queued} active</span>
              <span class="muted" title="kept in the object store">{bytes(x.stored_bytes)}</span>
            </div>
          </div>
        );
      })}
    </div>
  );
}

function RunningNow(props: { projectId?: string }) {
  const jobs = useStore(liveJobs);
  const fetched = useData((signal) => get<ListJobsResponseT>({ op: OPS.ListConsoleJobs, query: { state: 'ACTIVE', project_id: props.projectId, limit: 50 } }, { signal }), [props.projectId]);
  useJobChanges(() => fetched.reload());
  const list = (fetched.data?.jobs ?? [])
    .map((j) => ({ ...j, ...(jobs.get(j.id) ? pickLive(jobs.get(j.id)!) : {}) }))
    .filter((j) => j.state === 'QUEUED' || j.state === 'RUNNING');
  return (
    <Card title="Running now" id="running">
      {fetched.error ? <ErrorBox error={fetched.error} /> : null}
      {!fetched.data && fetched.loading ? <Loading /> : list.length === 0 ? (
        <Empty>Nothing is running.</Empty>
      ) : (
        <Table label="Jobs running now" head={['Job', 'Cluster', 'State', 'Progress', 'Started']}>
          {list.map((j) => (
            <tr key={j.id} data-job={j.id}>
              <td><Link to={`/jobs/${j.id}`}>{kindLabel(j.kind)}</Link></td>
              <td>{j.cluster_id ? <Link to={`/clusters/${j.cluster_id}`}>{j.cluster_name ?? j.cluster_id}</Link> : '—'}</td>
              <td><StateBadge state={j.state} /></td>
              <td class="w-progress"><Progress value={j.progress} label={`${kindLabel(j.kind)} progress`} /> <span class="num small">{Math.floor(j.progress)}%</span></td>
              <td><Ago t={j.started_at ?? j.created_at} /></td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

export function pickLive(e: { state: string; progress: number; error: string | null; started_at: number | null; finished_at: number | null; heartbeat_at: number | null; attempts: number }) {
  return { state: e.state, progress: e.progress, error: e.error, started_at: e.started_at, finished_at: e.finished_at, heartbeat_at: e.heartbeat_at, attempts: e.attempts };
}

function Failures(props: { projectId?: string }) {
  const [offset, setOffset] = useState(0);
  const [since] = useState(() => serverNow() - 86_400_000);
  const d = useData((signal) => get<ListJobsResponseT>({ op: OPS.ListConsoleJobs, query: { state: 'FAILED', since, project_id: props.projectId, offset, limit: 10 } }, { signal }), [props.projectId, offset]);
  useJobChanges(() => d.reload());
  const jobs = d.data?.jobs ?? [];
  return (
    <Card title="Failures in the last 24 hours" id="failures">
      <ErrorBox error={d.error} />
      {!d.data && d.loading ? <Loading /> : jobs.length === 0 ? (
        <Empty>No failures in the last 24 hours.</Empty>
      ) : (
        <>
          <Table label="Failed jobs of the last 24 hours" head={['When', 'Job', 'Cluster', 'Message']}>
            {jobs.map((j: JobSummaryT) => (
              <tr key={j.id} data-job={j.id}>
                <td class="nowrap"><Ago t={j.finished_at} /></td>
                <td><Link to={`/jobs/${j.id}`}>{kindLabel(j.kind)}</Link></td>
                <td>{j.cluster_id ? <Link to={`/clusters/${j.cluster_id}`}>{j.cluster_name ?? j.cluster_id}</Link> : '—'}</td>
                <td class="msg"><span class="fail-text">{j.error ?? 'failed'}</span></td>
              </tr>
            ))}
          </Table>
          <Pager offset={offset} limit={10} total={d.data?.total ?? 0} onChange={setOffset} label="Failure pages" />
        </>
      )}
    </Card>
  );
}

function ServiceClusters(props: { service: string; projectId?: string; q: string; admin: boolean; onLoaded(): void }) {
  const s = useStore(session)!;
  const svc = s.services.find((v) => v.service === props.service);
  const [offset, setOffset] = useState(0);
  useEffect(() => setOffset(0), [props.q, props.projectId]);
  const d = useData(
    (signal) => get<ListClustersResponseT>({ op: OPS.ListConsoleClusters, query: { service: props.service, project_id: props.projectId, q: props.q || undefined, offset, limit: PAGE } }, { signal }),
    [props.service, props.projectId, props.q, offset],
  );
  useJobChanges((changed) => {
    if (changed.some((e) => serviceOfKind(e.kind) === props.service)) d.reload();
  });
  const loaded = useRef(false);
  useEffect(() => {
    if (!loaded.current && (d.data || d.error)) {
      loaded.current = true;
      props.onLoaded();
    }
  }, [d.data, d.error]);
  const rows = d.data?.clusters ?? [];
  const noun = svc?.noun ?? 'run';
  return (
    <Card title={<>{SERVICE_LABEL[props.service]} <span class="muted">{svc ? svc.title.replace(/^\w+ /, '') : ''}</span></>} id={`svc-${props.service}`}>
      <ErrorBox error={d.error} />
      {!d.data && d.loading ? <Loading /> : rows.length === 0 ? (
        <Empty>
          {props.q ? `No ${SERVICE_LABEL[props.service]} ${SERVICE_THINGS[props.service]} match “${props.q}”.` : `No ${SERVICE_LABEL[props.service]} ${SERVICE_THINGS[props.service]} yet.`}{' '}
          {props.admin && !props.q ? <Link to="/admin">Register one</Link> : null}
        </Empty>
      ) : (
        <>
          <Table label={`${SERVICE_LABEL[props.service]} ${SERVICE_THINGS[props.service]}`} head={['Name', ...(props.admin ? ['Project'] : []), 'Status', `Last ${noun}`, 'When', 'Size', 'Duration']} num={props.admin ? [5, 6] : [4, 5]} class="clusters">
            {rows.map((c: ClusterSummaryT) => (
              <tr key={c.id} data-cluster={c.id}>
                <td class="name"><Link to={`/clusters/${c.id}`}>{c.name}</Link></td>
                {props.admin ? <td class="muted">{c.project_name}</td> : null}
                <td><ClusterStatus status={c.status} service={c.service} /></td>
                <td>{c.last_run ? <span title={c.last_run.error ?? undefined}><StateBadge state={c.last_run.state} progress={c.last_run.progress} /></span> : <span class="muted">never</span>}</td>
                <td class="nowrap">{c.last_run ? <Ago t={c.last_run.finished_at ?? c.last_run.started_at ?? c.last_run.created_at} /> : '—'}</td>
                <td class="num">{c.last_run ? <Bytes n={c.last_run.size} /> : '—'}</td>
                <td class="num">{c.last_run ? duration(c.last_run.duration_ms) : '—'}</td>
              </tr>
            ))}
          </Table>
          <Pager offset={offset} limit={PAGE} total={d.data?.total ?? 0} onChange={setOffset} label={`${SERVICE_LABEL[props.service]} pages`} />
        </>
      )}
    </Card>
  );
}

function Storage(props: { projectId?: string; admin: boolean }) {
  const d = useData((signal) => get<StorageResponseT>({ op: OPS.ShowStorageUsage, query: { project_id: props.projectId } }, { signal }), [props.projectId]);
  useJobChanges((changed) => changed.some((e) => e.state === 'SUCCEEDED') && d.reload(), 1500);
  const rows = d.data?.projects ?? [];
  return (
    <Card title="Storage used" id="storage">
      <ErrorBox error={d.error} />
      {!d.data ? <Loading /> : rows.length === 0 ? <Empty>No projects.</Empty> : (
        <Table label="Storage used per project" head={['Project', 'CSS', 'DCS', 'CCE', 'DWS', 'Total']} num={[1, 2, 3, 4, 5]}>
          {rows.map((p) => (
            <tr key={p.project_id}>
              <td>{p.project_name}</td>
              {p.services.map((x) => (
                <td key={x.service} class="num" title={`${x.items} stored ${x.items === 1 ? 'item' : 'items'}`}><Bytes n={x.bytes} /></td>
              ))}
              <td class="num strong"><Bytes n={p.bytes} /></td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

export function Overview() {
  const s = useStore(session)!;
  const loc = useStore(location);
  const admin = s.role === 'admin';
  const projectId = admin ? loc.query.get('project') || undefined : undefined;
  const q = loc.query.get('q') ?? '';
  const [filter, setFilter] = useState(q);
  const stats = useData((signal) => get<OverviewResponseT>({ op: OPS.ShowOverview, query: { project_id: projectId } }, { signal }), [projectId]);
  useJobChanges(() => stats.reload(), 800);
  const pending = useRef(new Set(['css', 'dcs', 'cce', 'dws']));
  const [ready, setReady] = useState(false);
  const loadedOne = (svc: string) => {
    pending.current.delete(svc);
    if (pending.current.size === 0 && !ready) setReady(true);
  };
  useEffect(() => {
    if (ready && stats.data) performance.mark('overview-ready');
  }, [ready, !!stats.data]);
  useEffect(() => {
    const t = window.setTimeout(() => filter !== q && setQuery({ q: filter }), 250);
    return () => window.clearTimeout(t);
  }, [filter]);
  const project = !admin ? s.projects.find((p) => p.id === s.project_id) : undefined;
  return (
    <div class="overview" data-ready={ready && stats.data ? 'true' : undefined}>
      <PageHeader
        title="Overview"
        meta={admin ? undefined : `Project ${project?.name ?? s.project_id}`}
        actions={
          <div class="filters">
            {admin ? (
              <label class="inline">
                <span>Project</span>
                <select value={projectId ?? ''} onChange={(e) => setQuery({ project: (e.target as HTMLSelectElement).value })}>
                  <option value="">All projects</option>
                  {s.projects.map((p) => (
                    <option key={p.id} value={p.id}>{p.name}</option>
                  ))}
                </select>
              </label>
            ) : null}
            <label class="inline">
              <span>Filter</span>
              <input type="search" placeholder="Cluster name" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
            </label>
          </div>
        }
      />
      <ErrorBox error={stats.error} />
      <StatTiles stats={stats.data} />
      <div class="grid-2">
        <RunningNow projectId={projectId} />
        <Failures projectId={projectId} />
      </div>
      {['css', 'dcs', 'cce', 'dws'].map((svc) => (
        <ServiceClusters key={svc} service={svc} projectId={projectId} q={q} admin={admin} onLoaded={() => loadedOne(svc)} />
      ))}
      <Storage projectId={projectId} admin={admin} />
    </div>
  );
}
