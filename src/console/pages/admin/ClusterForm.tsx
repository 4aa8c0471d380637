import { useEffect, useMemo, useState } from 'preact/hooks';
import { call, get } from '../../lib/api';
import { OPS, type Call } from '../../lib/ops.js';
import { navigate } from '../../lib/router';
import { useData } from '../../lib/useData';
import { checkSchema, type JsonSchema } from '../../lib/schemaCheck.js';
import { SERVICE_LABEL } from '../../lib/format.js';
import { ActionButton } from '../../components/Action';
import { RequestPreview } from '../../components/Preview';
import { SchemaForm, cleanValue, emptyOf } from '../../components/SchemaForm';
import { toast } from '../../components/toast';
import { Button, Card, ErrorBox, Field, Link, Loading, Notice, PageHeader, StateBadge } from '../../components/ui';
import type { ClusterDetailT, ProbeResponseT } from '../../../http/routes/console/schemas.js';

interface EngineSchemas {
  services: { service: string; title: string; default_status: string; schema: JsonSchema }[];
}

const STARTERS: Record<string, unknown> = {
  css: { nodes: [{ name: 'es-node-1', logDir: '' }] },
  dcs: { nodes: [{ replicationId: 'replica-0', ip: '127.0.0.1', url: 'redis://127.0.0.1:6379' }] },
  cce: { endpoints: ['http://127.0.0.1:2379'] },
  dws: { url: 'postgres://user:password@127.0.0.1:5432/database' },
};

function ProbeResult(props: { result: ProbeResponseT }) {
  const r = props.result;
  return (
    <div class={`probe ${r.ok ? 'ok' : 'fail'}`} data-probe={r.ok ? 'ok' : 'fail'} aria-live="polite">
      <p>
        <StateBadge state={r.ok ? 'ok' : 'fail'} tone={r.ok ? 'ok' : 'fail'} label={r.ok ? 'Connected' : 'Problem'} />{' '}
        <span class="muted small">tested in {r.took_ms} ms</span>
      </p>
      <ul class="checks">
        {r.checks.map((c, i) => (
          <li key={i} class={c.ok ? 'ok' : 'fail'}>
            <div>
              <span class={`dot ${c.ok ? 'ok' : 'fail'}`} aria-hidden="true" />
              <strong>{c.target}</strong>
              <span class="sr-only">{c.ok ? ' (reached)' : ' (failed)'}</span>
            </div>
            <div class={c.ok ? '' : 'fail-text'}>{c.message}</div>
            {c.details.length ? (
              <ul class="details">
                {c.details.map((d, j) => <li key={j}><code>{d}</code></li>)}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Register a cluster (new) or edit one (name, status, engine), with a real connection test. */
export function ClusterForm(props: { projectId: string; clusterId?: string }) {
  const editing = !!props.clusterId;
  const schemas = useData((signal) => get<EngineSchemas>({ op: OPS.AdminListEngineSchemas }, { signal }), []);
  const existing = useData(async (signal) => (props.clusterId ? get<ClusterDetailT>({ op: OPS.ShowConsoleCluster, path: { cluster_id: props.clusterId } }, { signal }) : null), [props.clusterId]);
  const [service, setService] = useState('css');
  const [name, setName] = useState('');
  const [status, setStatus] = useState('');
  const [engine, setEngine] = useState<unknown>(STARTERS.css);
  const [touched, setTouched] = useState(false);
  const [probe, setProbe] = useState<ProbeResponseT | null>(null);
  const [probeError, setProbeError] = useState<unknown>(null);
  const [probing, setProbing] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    const c = existing.data;
    if (!c) return;
    setService(c.service);
    setName(c.name);
    setStatus(c.status);
    setEngine(c.engine);
  }, [existing.data]);

  const spec = schemas.data?.services.find((s) => s.service === service);
  const cleaned = spec ? cleanValue(spec.schema, engine) : engine;
  const problems = useMemo(() => (spec ? checkSchema(spec.schema, cleaned) : []), [spec, JSON.stringify(cleaned)]);
  const shown = touched ? problems : problems.filter((p) => !/is required|must not be empty/.test(p.message));

  const saveCall: Call = editing
    ? { op: OPS.AdminUpdateCluster, path: { project_id: props.projectId, cluster_id: props.clusterId! }, body: { name, ...(status && status !== existing.data?.status ? { status } : {}), engine: cleaned } }
    : { op: OPS.AdminCreateCluster, path: { project_id: props.projectId }, body: { service, name, engine: cleaned } };
  const probeCall: Call = {
    op: OPS.AdminProbeCluster, path: { project_id: props.projectId },
    body: editing ? { cluster_id: props.clusterId, engine: cleaned } : { service, engine: cleaned },
  };

  if (schemas.error) return <ErrorBox error={schemas.error} />;
  if (!schemas.data || (editing && !existing.data && !existing.error)) return <Loading what="form" />;
  if (existing.error) return <ErrorBox error={existing.error} />;

  return (
    <div class="cluster-form">
      <PageHeader
        crumbs={[{ to: '/admin', label: 'Administration' }, { to: `/admin/projects/${props.projectId}`, label: existing.data ? `Project ${existing.data.project_name}` : 'Project' }]}
        title={editing ? `Edit ${existing.data!.name}` : 'Register a cluster'}
        actions={editing ? <Link to={`/clusters/${props.clusterId}`} class="btn">Open cluster page</Link> : null}
      />
      <Card>
        <form
          aria-label={editing ? 'Edit cluster' : 'Register a cluster'}
          onSubmit={async (e) => {
            e.preventDefault();
            setTouched(true);
            if (!name.trim()) return setSaveError(new Error('Give the cluster a name.'));
            if (problems.length) return setSaveError(new Error(`Fix the engine fields first: ${problems.map((p) => `${p.path || 'engine'} ${p.message}`).join('; ')}.`));
            setSaving(true);
            setSaveError(null);
            try {
              const r = await call<{ id: string }>(saveCall);
              toast(editing ? 'Cluster saved.' : `Cluster ${name} registered.`, 'ok');
              navigate(`/clusters/${r.data.id}`);
            } catch (err) {
              setSaveError(err);
            } finally {
              setSaving(false);
            }
          }}
        >
          <div class="form-grid">
            <Field label="Service">
              {(id) => (
                <select id={id} name="service" value={service} disabled={editing} onChange={(e) => {
                  const s = (e.target as HTMLSelectElement).value;
                  setService(s);
                  setEngine(STARTERS[s] ?? emptyOf(schemas.data!.services.find((x) => x.service === s)!.schema));
                  setProbe(null);
                  setTouched(false);
                }}>
                  {schemas.data!.services.map((s) => <option key={s.service} value={s.service}>{SERVICE_LABEL[s.service] ?? s.service} — {s.title.replace(/^\w+ /, '')}</option>)}
                </select>
              )}
            </Field>
            <Field label="Name" hint="Shown in listings; 1–64 characters, any text.">
              {(id, db) => <input id={id} name="name" aria-describedby={db} value={name} maxLength={64} onInput={(e) => setName((e.target as HTMLInputElement).value)} />}
            </Field>
            {editing ? (
              <Field label="Status" hint={`What ListClusters shows; ${spec?.default_status ?? ''} is the service's normal value.`}>
                {(id, db) => <input id={id} name="status" aria-describedby={db} value={status} maxLength={32} onInput={(e) => setStatus((e.target as HTMLInputElement).value)} />}
              </Field>
            ) : null}
          </div>
          <h3>Engine connection</h3>
          {editing ? <Notice>Secrets show as <code>***</code>: leave them to keep the stored values, or type new ones.</Notice> : null}
          {spec ? <SchemaForm key={service} schema={spec.schema} value={engine} onChange={(v) => { setEngine(v); setProbe(null); }} problems={shown} service={service} /> : null}
          <div class="form-actions">
            <Button type="submit" variant="primary" busy={saving}>{editing ? 'Save changes' : 'Register cluster'}</Button>
            <Button
              busy={probing}
              onClick={async () => {
                setTouched(true);
                setProbing(true);
                setProbeError(null);
                setProbe(null);
                try {
                  setProbe((await call<ProbeResponseT>(probeCall)).data);
                } catch (err) {
                  setProbeError(err);
                } finally {
                  setProbing(false);
                }
              }}
            >
              Test connection
            </Button>
          </div>
          <ErrorBox error={saveError} />
          <ErrorBox error={probeError} title="Test connection:" />
          {probe ? <ProbeResult result={probe} /> : null}
          <RequestPreview call={saveCall} />
          <RequestPreview call={probeCall} />
        </form>
      </Card>
      {editing ? (
        <Card title="Unregister">
          <p class="muted">The cluster leaves logsnap; its stored backups stay in the object store.</p>
          <ActionButton
            call={{ op: OPS.AdminDeleteCluster, path: { project_id: props.projectId, cluster_id: props.clusterId! } }}
            label="Unregister this cluster"
            variant="danger"
            confirm={`Unregister ${existing.data!.name}?`}
            onDone={() => {
              toast('Cluster unregistered.', 'ok');
              navigate(`/admin/projects/${props.projectId}`);
            }}
          />
        </Card>
      ) : null}
    </div>
  );
}
