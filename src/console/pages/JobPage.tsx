import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { call, describeError, get } from '../lib/api';
import { OPS } from '../lib/ops.js';
import { session } from '../lib/session';
import { useStore } from '../lib/store';
import { useData } from '../lib/useData';
import { onJobEvent, useLiveJob, useNow } from '../lib/live';
import { ago, bytes, duration, kindLabel, when } from '../lib/format.js';
import { toast } from '../components/toast';
import { Bytes, Button, Card, CopyButton, Empty, ErrorBox, Facts, Id, Link, Loading, PageHeader, Pager, Progress, StateBadge, Table } from '../components/ui';
import { RequestPreview } from '../components/Preview';
import type { ArtifactT, ArtifactsResponseT, JobDetailT } from '../../http/routes/console/schemas.js';

/** Start a browser download of a signed link (same tab; the page stays). */
export function startDownload(link: string, fileName: string): void {
  if (!/^https?:\/\//.test(link)) throw new Error('The server answered with a link that is not http(s).');
  const a = document.createElement('a');
  a.href = link;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

async function downloadArtifact(jobId: string, a: { bucket: string; key: string; name: string }): Promise<void> {
  const r = await call<{ link: string }>({ op: OPS.CreateArtifactLink, path: { job_id: jobId }, body: { bucket: a.bucket, key: a.key } });
  startDownload(r.data.link, a.name.split('/').pop() ?? a.name);
}

/**
 * A Download button: for the given artifact of a job, or (without `a`) for the job's first one
 * (a CCE snapshot, a DWS archive), looked up when clicked.
 */
export function DownloadArtifact(props: { jobId: string; a?: { bucket: string | null; key: string | null; name: string }; label?: string }) {
  const [busy, setBusy] = useState(false);
  if (props.a && (!props.a.bucket || !props.a.key)) return <span class="muted small">not stored</span>;
  return (
    <Button
      size="sm"
      busy={busy}
      aria-label={props.a ? `Download ${props.a.name}` : undefined}
      onClick={async () => {
        setBusy(true);
        try {
          let a = props.a;
          if (!a) {
            a = (await get<ArtifactsResponseT>({ op: OPS.ListJobArtifacts, path: { job_id: props.jobId }, query: { limit: 1 } })).items[0];
            if (!a?.bucket || !a.key) throw new Error('This job has nothing stored any more.');
          }
          await downloadArtifact(props.jobId, a as { bucket: string; key: string; name: string });
        } catch (e) {
          toast(describeError(e), 'fail');
        } finally {
          setBusy(false);
        }
      }}
    >
      {props.label ?? 'Download'}
    </Button>
  );
}

interface Step {
  key: string;
  label: string;
  at: number | null;
  detail?: ComponentChildren;
  tone: 'done' | 'now' | 'pending' | 'fail';
}

function timeline(j: JobDetailT, now: number): Step[] {
  const steps: Step[] = [];
  steps.push({ key: 'queued', label: 'Queued', at: j.created_at, tone: 'done', detail: j.created_by ? <>by <code>{j.created_by}</code>{j.created_by_label ? ` (${j.created_by_label})` : ''}</> : null });
  if (j.run_at > j.created_at + 1000 && j.state === 'QUEUED') steps.push({ key: 'due', label: 'Due', at: j.run_at, tone: 'pending', detail: j.error?.startsWith('retrying:') ? j.error : 'waiting for its turn' });
  if (j.started_at !== null) {
    steps.push({ key: 'running', label: 'Running', at: j.started_at, tone: j.state === 'RUNNING' ? 'now' : 'done', detail: <>attempt {j.attempts} of {j.max_attempts}{j.lease_owner ? <> on worker <code>{j.lease_owner}</code></> : null}</> });
  } else steps.push({ key: 'running', label: 'Running', at: null, tone: 'pending', detail: 'not started yet' });
  if (j.heartbeat_at !== null && (j.state === 'RUNNING' || j.started_at !== null)) {
    steps.push({
      key: 'heartbeat', label: j.state === 'RUNNING' ? 'Heartbeat' : 'Last heartbeat', at: j.heartbeat_at, tone: j.state === 'RUNNING' ? 'now' : 'done',
      detail: j.state === 'RUNNING' && j.lease_expires_at ? <>{ago(j.heartbeat_at, now)}; lease held until {when(j.lease_expires_at)}</> : ago(j.heartbeat_at, now),
    });
  }
  if (j.finished_at !== null) {
    steps.push({
      key: 'finished', label: j.state === 'SUCCEEDED' ? 'Succeeded' : 'Failed', at: j.finished_at, tone: j.state === 'SUCCEEDED' ? 'done' : 'fail',
      detail: j.started_at ? `after ${duration(j.finished_at - j.started_at)}` : null,
    });
  } else steps.push({ key: 'finished', label: 'Finished', at: null, tone: 'pending', detail: 'not yet' });
  return steps;
}

function Timeline(props: { job: JobDetailT }) {
  const now = useNow(1000);
  return (
    <ol class="timeline" aria-label="Job timeline">
      {timeline(props.job, now).map((s) => (
        <li key={s.key} class={`step ${s.tone}`} data-step={s.key}>
          <span class="step-dot" aria-hidden="true" />
          <div class="step-body">
            <div class="step-line">
              <strong>{s.label}</strong>
              {s.at !== null ? <time class="muted" dateTime={new Date(s.at).toISOString()}>{when(s.at)}</time> : null}
            </div>
            {s.detail ? <div class="muted small">{s.detail}</div> : null}
          </div>
        </li>
      ))}
    </ol>
  );
}

function Summary(props: { service: string | null; kind: string; s: Record<string, any> | null; jobId: string }) {
  const s = props.s;
  if (!s) return null;
  if (props.service === 'css' && s.manifest) {
    const t = s.totals ?? {};
    return (
      <div class="artifact-summary">
        <p class="manifest-line" data-manifest={s.manifest.key}>
          <strong>Manifest</strong> <code class="small">{s.manifest.bucket}/{s.manifest.key}</code>{' '}
          {s.manifest.available ? <DownloadArtifact jobId={props.jobId} a={{ bucket: s.manifest.bucket, key: s.manifest.key, name: 'manifest.json' }} label="Download manifest" /> : <span class="fail-text">the manifest can no longer be read</span>}
        </p>
        {s.totals ? (
          <Facts
            items={[
              ['Files', `${t.files} (${t.uploadedFiles} copied, ${t.reusedFiles} unchanged since the last backup)`],
              ['Log bytes', bytes(t.bytes)],
              ['Stored by this backup', bytes(t.storedBytes)],
              ['Nodes', (s.nodes ?? []).map((n: { name: string; logDir: string }) => `${n.name} (${n.logDir})`).join(', ')],
            ]}
          />
        ) : null}
        {s.skipped?.length ? <p class="muted small">Skipped: {s.skipped.map((x: { node: string; path: string; reason: string }) => `${x.node}:${x.path} (${x.reason})`).join('; ')}</p> : null}
      </div>
    );
  }
  if (s.restored_cluster_id) {
    return <p>Restored into the new cluster <Link to={`/clusters/${s.restored_cluster_id}`}>{s.restored_cluster_id}</Link> (database <code>{s.database}</code>).</p>;
  }
  const facts = Object.entries(s).filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object');
  return facts.length ? <Facts items={facts.map(([k, v]) => [k.replace(/_/g, ' '), String(v)])} /> : null;
}

function Artifacts(props: { job: JobDetailT; version: number }) {
  const [offset, setOffset] = useState(0);
  const limit = 50;
  const d = useData((signal) => call<ArtifactsResponseT>({ op: OPS.ListJobArtifacts, path: { job_id: props.job.id }, query: { offset, limit } }, { signal }), [props.job.id, offset, props.version]);
  const items: ArtifactT[] = d.data?.data.items ?? [];
  const css = props.job.service === 'css';
  return (
    <Card title={css ? 'Manifest' : 'Artifacts'} id="artifacts">
      <ErrorBox error={d.error} />
      {!d.data ? <Loading /> : (
        <>
          <Summary service={props.job.service} kind={props.job.kind} s={d.data.data.summary as Record<string, any> | null} jobId={props.job.id} />
          {items.length === 0 ? (
            <Empty>{props.job.state === 'SUCCEEDED' ? 'This job stored nothing that is still kept.' : props.job.state === 'FAILED' ? 'A failed job keeps nothing.' : 'Artifacts appear when the job has finished.'}</Empty>
          ) : (
            <>
              <Table label="Artifacts" head={[css ? 'Node / file' : 'File', 'Size', 'sha256', css ? 'Stored' : 'Status', '']} num={[1]} class="artifacts">
                {items.map((a, i) => (
                  <tr key={`${a.key ?? a.name}-${i}`} data-artifact={a.name}>
                    <td>
                      {a.node ? <span class="muted small">{a.node} · </span> : null}
                      <code title={a.path ?? a.key ?? undefined}>{a.name}</code>
                      {a.day ? <span class="muted small"> · {a.day}</span> : null}
                      {a.note ? <div class="muted small">{a.note}</div> : null}
                    </td>
                    <td class="num"><Bytes n={a.size} /></td>
                    <td class="hash">{a.sha256 ? <><code title={a.sha256} data-sha256={a.sha256}>{a.sha256.slice(0, 12)}…</code><CopyButton text={a.sha256} label="sha256" /></> : '—'}</td>
                    <td class="small">
                      {css ? <>{bytes(a.stored_size ?? null)} {a.encoding === 'gzip' ? 'gzip' : 'as is'}{a.reused ? ' · unchanged, kept from an earlier backup' : ''}</> : a.status ? <StateBadge state={a.status} /> : '—'}
                    </td>
                    <td><DownloadArtifact jobId={props.job.id} a={a} /></td>
                  </tr>
                ))}
              </Table>
              <Pager offset={offset} limit={limit} total={d.data.data.total} onChange={setOffset} label="Artifact pages" />
              {items[0]?.bucket && items[0].key ? <RequestPreview call={{ op: OPS.CreateArtifactLink, path: { job_id: props.job.id }, body: { bucket: items[0].bucket, key: items[0].key } }} /> : null}
            </>
          )}
        </>
      )}
    </Card>
  );
}

export function JobPage(props: { id: string }) {
  const s = useStore(session)!;
  const [version, setVersion] = useState(0);
  const d = useData(async (signal) => (await call<JobDetailT>({ op: OPS.ShowConsoleJob, path: { job_id: props.id } }, { signal })).data, [props.id, version]);
  const live = useLiveJob(props.id);
  useEffect(() => onJobEvent((e) => {
    if (e.id === props.id && (e.state === 'SUCCEEDED' || e.state === 'FAILED')) setVersion((v) => v + 1);
  }), [props.id]);
  if (d.error && !d.data) {
    return (
      <div>
        <PageHeader title="Job not found" crumbs={[{ to: '/jobs', label: 'Jobs' }]} />
        <ErrorBox error={d.error} />
      </div>
    );
  }
  if (!d.data) return <Loading what="job" />;
  const j: JobDetailT = live && live.updated_at >= d.data.updated_at ? { ...d.data, ...live, cluster_name: d.data.cluster_name } : d.data;
  const active = j.state === 'QUEUED' || j.state === 'RUNNING';
  return (
    <div class="job-page" data-job={j.id} data-state={j.state}>
      <PageHeader
        crumbs={[{ to: '/jobs', label: 'Jobs' }, ...(j.cluster_id ? [{ to: `/clusters/${j.cluster_id}`, label: j.cluster_name ?? j.cluster_id }] : [])]}
        title={<>{kindLabel(j.kind)} <StateBadge state={j.state} progress={j.progress} /></>}
        meta={active ? <div class="job-progress"><Progress value={j.progress} label="job progress" /><span class="num">{Math.floor(j.progress)}%</span></div> : null}
      />
      {j.state === 'FAILED' ? (
        <div class="alert error job-error" role="alert">
          <strong>Failed: </strong>
          <span data-error>{j.error ?? 'no message'}</span>
        </div>
      ) : null}
      <div class="grid-2 job-grid">
        <Card title="Details">
          <Facts
            items={[
              ['Job id', <Id value={j.id} full label="job id" />],
              ['Cluster', j.cluster_id ? <Link to={`/clusters/${j.cluster_id}`}>{j.cluster_name ?? j.cluster_id}</Link> : '—'],
              ...(s.role === 'admin' ? [['Project', j.project_name ?? j.project_id ?? '—'] as [string, string]] : []),
              ['Started by', j.created_by ? <><code>{j.created_by}</code>{j.created_by_label ? <span class="muted"> ({j.created_by_label})</span> : null}</> : '—'],
              ['Request id', j.request_id ? <Id value={j.request_id} full label="request id" /> : <span class="muted">none (scheduled or internal)</span>],
              ['Attempts', `${j.attempts} of ${j.max_attempts}`],
              ['Created', when(j.created_at)],
              ['Duration', j.started_at ? duration((j.finished_at ?? Date.now() + (s.offset_ms ?? 0)) - j.started_at) : '—'],
              ...(j.lease_owner ? [['Worker (lease)', <><code>{j.lease_owner}</code>{j.lease_expires_at ? <span class="muted"> until {when(j.lease_expires_at)}</span> : null}</>] as [string, ComponentChildren]] : []),
            ]}
          />
        </Card>
        <Card title="Timeline">
          <Timeline job={j} />
        </Card>
      </div>
      <Artifacts job={j} version={version} />
      {j.result ? (
        <details class="raw">
          <summary>Result (JSON)</summary>
          <pre class="code" tabIndex={0}>{JSON.stringify(j.result, null, 2)}</pre>
        </details>
      ) : null}
      <RequestPreview call={{ op: OPS.ShowConsoleJob, path: { job_id: j.id } }} />
    </div>
  );
}
