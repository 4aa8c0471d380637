import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { get } from '../lib/api';
import { OPS } from '../lib/ops.js';
import { session } from '../lib/session';
import { location, setQuery } from '../lib/router';
import { useStore } from '../lib/store';
import { useData } from '../lib/useData';
import { useLiveJob } from '../lib/live';
import { duration, kindLabel, SERVICE_LABEL } from '../lib/format.js';
import { Ago, Bytes, Card, Empty, ErrorBox, Facts, Id, Link, Loading, PageHeader, Progress, StateBadge, TabPanel, Tabs } from '../components/ui';
import { RunChart } from '../components/Chart';
import { ClusterStatus, useJobChanges } from './Overview';
import { CssPanel } from './cluster/CssPanel';
import { DcsPanel } from './cluster/DcsPanel';
import { CcePanel } from './cluster/CcePanel';
import { DwsPanel } from './cluster/DwsPanel';
import type { ClusterDetailT, ClusterRunsResponseT, RunViewT } from '../../http/routes/console/schemas.js';

export interface PanelProps {
  cluster: ClusterDetailT;
  /** tab chosen in the URL (?tab=) */
  tab: string;
  setTab(t: string): void;
  /** a job was started here: refresh the cluster's latest run */
  started(jobId: string | null): void;
  /** bumps when a job of this cluster starts or ends (lists reload on it) */
  version: number;
}

/** The cluster's latest run, live: state, progress, timing, a link to the job. */
function LatestRun(props: { run: RunViewT | null; noun: string }) {
  const live = useLiveJob(props.run?.job_id);
  if (!props.run) return <p class="muted latest-run" data-state="none">No {props.noun} yet.</p>;
  const r = { ...props.run, ...(live ? { state: live.state, progress: live.progress, error: live.error, started_at: live.started_at, finished_at: live.finished_at } : {}) };
  const active = r.state === 'QUEUED' || r.state === 'RUNNING';
  return (
    <div class={`latest-run ${active ? 'active' : ''}`} data-state={r.state} data-job={r.job_id} aria-live="polite">
      <div class="latest-line">
        <span class="latest-label">Latest {props.noun}</span>
        <StateBadge state={r.state} progress={r.progress} />
        {active ? <Progress value={r.progress} label={`${props.noun} progress`} /> : null}
        <span class="muted">
          {active ? <>started <Ago t={r.started_at ?? r.created_at} /></> : <>finished <Ago t={r.finished_at} /></>}
          {!active && r.finished_at && r.started_at ? ` · took ${duration(r.finished_at - r.started_at)}` : ''}
          {!active && props.run.size !== null && r.state === 'SUCCEEDED' ? <> · <Bytes n={props.run.size} /></> : null}
        </span>
        <Link to={`/jobs/${r.job_id}`} class="small">Job details</Link>
      </div>
      {r.state === 'FAILED' && r.error ? <p class="fail-text small latest-error">{r.error}</p> : null}
    </div>
  );
}

export function Charts(props: { clusterId: string; noun: string; version: number }) {
  const [n, setN] = useState(50);
  const d = useData((signal) => get<ClusterRunsResponseT>({ op: OPS.ListClusterRuns, path: { cluster_id: props.clusterId }, query: { limit: n } }, { signal }), [props.clusterId, n, props.version]);
  const runs = d.data?.runs ?? [];
  return (
    <Card
      title={`Last ${n} ${props.noun}s`}
      actions={
        <label class="inline">
          <span>Show</span>
          <select value={n} onChange={(e) => setN(Number((e.target as HTMLSelectElement).value))}>
            {[20, 50, 100, 200].map((x) => <option key={x} value={x}>{x}</option>)}
          </select>
        </label>
      }
    >
      <ErrorBox error={d.error} />
      {!d.data ? <Loading /> : runs.length === 0 ? <Empty>No {props.noun}s yet: charts appear after the first one.</Empty> : (
        <>
          <p class="chart-summary">
            <span><span class="dot ok" aria-hidden="true" />{d.data.succeeded} succeeded</span>
            <span><span class="dot fail" aria-hidden="true" />{d.data.failed} failed</span>
            <span class="muted">of the last {runs.length}</span>
          </p>
          <div class="charts">
            <RunChart runs={runs} metric="size" title="Size" />
            <RunChart runs={runs} metric="duration" title="Duration" />
          </div>
        </>
      )}
    </Card>
  );
}

export function Connection(props: { cluster: ClusterDetailT }) {
  const admin = useStore(session)?.role === 'admin';
  return (
    <Card title="Engine connection" actions={admin ? <Link to={`/admin/projects/${props.cluster.project_id}/clusters/${props.cluster.id}`} class="btn sm">Edit / test connection</Link> : null}>
      <p class="muted small">What logsnap reaches for this {SERVICE_LABEL[props.cluster.service]} {props.cluster.service === 'dcs' ? 'instance' : 'cluster'} (secrets masked).</p>
      <pre class="code" tabIndex={0}>{JSON.stringify(props.cluster.engine, null, 2)}</pre>
    </Card>
  );
}

export function ClusterPage(props: { id: string }) {
  const s = useStore(session)!;
  const loc = useStore(location);
  const [version, setVersion] = useState(0);
  const d = useData((signal) => get<ClusterDetailT>({ op: OPS.ShowConsoleCluster, path: { cluster_id: props.id } }, { signal }), [props.id, version]);
  useJobChanges((changed) => changed.some((e) => e.cluster_id === props.id) && setVersion((v) => v + 1), 300);
  const c = d.data;
  if (d.error && !c) {
    return (
      <div>
        <PageHeader title="Cluster not found" crumbs={[{ to: '/', label: 'Overview' }]} />
        <ErrorBox error={d.error} />
      </div>
    );
  }
  if (!c) return <Loading what="cluster" />;
  const tab = loc.query.get('tab') ?? '';
  const setTab = (t: string) => setQuery({ tab: t });
  const panel: PanelProps = { cluster: c, tab, setTab, started: () => setVersion((v) => v + 1), version };
  const latest = c.running ?? c.last_run;
  return (
    <div class="cluster-page" data-cluster={c.id} data-service={c.service}>
      <PageHeader
        crumbs={[{ to: '/', label: 'Overview' }]}
        title={<>{c.name} <span class={`svc svc-${c.service}`}>{SERVICE_LABEL[c.service]}</span></>}
        meta={
          <Facts
            items={[
              ['Status', <ClusterStatus status={c.status} service={c.service} />],
              ...(s.role === 'admin' ? [['Project', <Link to={`/admin/projects/${c.project_id}`}>{c.project_name}</Link>] as [string, ComponentChildren]] : []),
              ['Id', <Id value={c.id} label="cluster id" />],
              ['Registered', <Ago t={c.created_at} />],
            ]}
          />
        }
      />
      <LatestRun run={latest} noun={c.noun} />
      {latest && latest.kind && !latest.kind.startsWith(c.service) ? <p class="muted small">{kindLabel(latest.kind)}</p> : null}
      {c.service === 'css' ? <CssPanel {...panel} /> : c.service === 'dcs' ? <DcsPanel {...panel} /> : c.service === 'cce' ? <CcePanel {...panel} /> : <DwsPanel {...panel} />}
    </div>
  );
}

/** Tabs of a cluster page; the first is the default. */
export function ClusterTabs(props: { tabs: { id: string; label: string }[]; tab: string; setTab(t: string): void; children: (tab: string) => ComponentChildren }) {
  const current = props.tabs.some((t) => t.id === props.tab) ? props.tab : props.tabs[0].id;
  return (
    <>
      <Tabs tabs={props.tabs} current={current} onSelect={props.setTab} label="Cluster sections" />
      <TabPanel id={current}>{props.children(current)}</TabPanel>
    </>
  );
}
