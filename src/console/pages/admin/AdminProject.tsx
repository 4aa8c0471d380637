import { useState } from 'preact/hooks';
import { get } from '../../lib/api';
import { OPS } from '../../lib/ops.js';
import { navigate } from '../../lib/router';
import { serverNow } from '../../lib/session';
import { useData } from '../../lib/useData';
import { SERVICE_LABEL, when } from '../../lib/format.js';
import { ActionButton, ActionForm } from '../../components/Action';
import { toast } from '../../components/toast';
import { Ago, Card, Empty, ErrorBox, Field, Id, Link, Loading, Modal, PageHeader, StateBadge, Table } from '../../components/ui';
import { ClusterStatus } from '../Overview';
import { ShownOnce } from './Secret';
import { refreshSessionProjects } from './refresh';

interface Project { id: string; name: string; created_at: number }
interface Cluster { id: string; service: string; name: string; status: string; created_at: number }
interface Credential { ak: string; description: string | null; created_at: number }
interface Token { id: string; description: string | null; created_at: number; expires_at: number | null }

function Clusters(props: { projectId: string }) {
  const d = useData((signal) => get<{ clusters: Cluster[] }>({ op: OPS.AdminListClusters, path: { project_id: props.projectId } }, { signal }), [props.projectId]);
  return (
    <Card title="Clusters" id="clusters" actions={<Link to={`/admin/projects/${props.projectId}/clusters/new`} class="btn primary sm">Register a cluster</Link>}>
      <ErrorBox error={d.error} />
      {!d.data ? <Loading /> : d.data.clusters.length === 0 ? <Empty>No clusters in this project yet.</Empty> : (
        <Table label="Clusters of the project" head={['Name', 'Service', 'Status', 'Registered', '']}>
          {d.data.clusters.map((c) => (
            <tr key={c.id} data-cluster={c.id}>
              <td class="name"><Link to={`/clusters/${c.id}`}>{c.name}</Link></td>
              <td><span class={`svc svc-${c.service}`}>{SERVICE_LABEL[c.service] ?? c.service}</span></td>
              <td><ClusterStatus status={c.status} service={c.service} /></td>
              <td class="nowrap"><Ago t={c.created_at} /></td>
              <td><Link to={`/admin/projects/${props.projectId}/clusters/${c.id}`} class="btn sm">Edit / test</Link></td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

function Credentials(props: { projectId: string }) {
  const d = useData((signal) => get<{ credentials: Credential[] }>({ op: OPS.AdminListCredentials, path: { project_id: props.projectId } }, { signal }), [props.projectId]);
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState<{ ak: string; sk: string } | null>(null);
  return (
    <Card title="Access keys (AK/SK)" id="credentials">
      <p class="muted small">For the Huawei SDKs and <code>logsnap call</code>. A secret key is shown once, when it is created.</p>
      <ErrorBox error={d.error} />
      {!d.data ? <Loading /> : d.data.credentials.length === 0 ? <Empty>No access keys.</Empty> : (
        <Table label="Access keys" head={['Access key', 'Description', 'Created', '']}>
          {d.data.credentials.map((c) => (
            <tr key={c.ak} data-ak={c.ak}>
              <td><code>{c.ak}</code></td>
              <td>{c.description ?? <span class="muted">—</span>}</td>
              <td class="nowrap">{when(c.created_at)}</td>
              <td>
                <ActionButton compact call={{ op: OPS.AdminDeleteCredential, path: { project_id: props.projectId, ak: c.ak } }} label="Revoke" variant="danger" confirm={`Revoke access key ${c.ak}? Clients using it stop working.`} onDone={() => { toast('Access key revoked.', 'ok'); d.reload(); }} />
              </td>
            </tr>
          ))}
        </Table>
      )}
      <ActionForm
        label="New access key"
        call={{ op: OPS.AdminCreateCredential, path: { project_id: props.projectId }, body: description ? { description } : {} }}
        submitLabel="Create an access key"
        variant="default"
        onDone={(r) => { setCreated(r.data); setDescription(''); d.reload(); }}
      >
        <Field label="Description" optional>
          {(id, db) => <input id={id} aria-describedby={db} value={description} maxLength={255} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />}
        </Field>
      </ActionForm>
      <Modal open={!!created} title="Access key created" onClose={() => setCreated(null)}>
        {created ? <ShownOnce what="secret key" items={[['Access key (AK)', created.ak], ['Secret key (SK)', created.sk]]} /> : null}
      </Modal>
    </Card>
  );
}

function Tokens(props: { projectId: string }) {
  const d = useData((signal) => get<{ tokens: Token[] }>({ op: OPS.AdminListTokens, path: { project_id: props.projectId } }, { signal }), [props.projectId]);
  const [description, setDescription] = useState('');
  const [ttl, setTtl] = useState('86400');
  const [created, setCreated] = useState<{ token: string; expires_at: number | null } | null>(null);
  const now = serverNow();
  return (
    <Card title="Project tokens" id="tokens">
      <p class="muted small">
        <code>X-Auth-Token</code> for curl and scripts, and to sign in to this console for this project only. Tokens marked “console” are the short-lived ones the console issues for itself.
      </p>
      <ErrorBox error={d.error} />
      {!d.data ? <Loading /> : d.data.tokens.length === 0 ? <Empty>No tokens.</Empty> : (
        <Table label="Tokens" head={['Id', 'Description', 'Created', 'Expires', '']}>
          {d.data.tokens.map((t) => {
            const expired = t.expires_at !== null && t.expires_at <= now;
            return (
              <tr key={t.id} data-token={t.id}>
                <td><code title="first 12 hex of its sha256 (what job origins show as token:…)">{t.id}</code></td>
                <td>{t.description ?? <span class="muted">—</span>}</td>
                <td class="nowrap"><Ago t={t.created_at} /></td>
                <td class="nowrap">{t.expires_at === null ? 'never' : expired ? <StateBadge state="expired" tone="neutral" label="Expired" /> : <Ago t={t.expires_at} />}</td>
                <td>
                  <ActionButton compact call={{ op: OPS.AdminRevokeToken, path: { project_id: props.projectId, token_id: t.id } }} label="Revoke" variant="danger" confirm="Revoke this token?" onDone={() => { toast('Token revoked.', 'ok'); d.reload(); }} />
                </td>
              </tr>
            );
          })}
        </Table>
      )}
      <ActionForm
        label="Issue a token"
        call={{ op: OPS.AdminIssueToken, path: { project_id: props.projectId }, body: { ttl_seconds: Number(ttl), ...(description ? { description } : {}) } }}
        submitLabel="Issue a token"
        variant="default"
        onDone={(r) => { setCreated(r.data); setDescription(''); d.reload(); }}
      >
        <div class="form-grid">
          <Field label="Description" optional>
            {(id, db) => <input id={id} aria-describedby={db} value={description} maxLength={255} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />}
          </Field>
          <Field label="Valid for">
            {(id, db) => (
              <select id={id} aria-describedby={db} value={ttl} onChange={(e) => setTtl((e.target as HTMLSelectElement).value)}>
                <option value="3600">1 hour</option>
                <option value="86400">1 day</option>
                <option value="604800">7 days</option>
                <option value="2592000">30 days</option>
                <option value="31536000">1 year</option>
              </select>
            )}
          </Field>
        </div>
      </ActionForm>
      <Modal open={!!created} title="Token issued" onClose={() => setCreated(null)}>
        {created ? (
          <>
            <ShownOnce what="token" items={[['Token', created.token]]} />
            <p class="muted small">Expires {created.expires_at ? when(created.expires_at) : 'never'}.</p>
          </>
        ) : null}
      </Modal>
    </Card>
  );
}

export function AdminProject(props: { id: string }) {
  const d = useData((signal) => get<{ projects: Project[] }>({ op: OPS.AdminListProjects }, { signal }), [props.id]);
  const p = d.data?.projects.find((x) => x.id === props.id);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [typed, setTyped] = useState('');
  if (d.error) return <ErrorBox error={d.error} />;
  if (!d.data) return <Loading what="project" />;
  if (!p) {
    return (
      <div>
        <PageHeader title="Project not found" crumbs={[{ to: '/admin', label: 'Administration' }]} />
        <p>No project {props.id}.</p>
      </div>
    );
  }
  return (
    <div data-project={p.id}>
      <PageHeader
        crumbs={[{ to: '/admin', label: 'Administration' }]}
        title={`Project ${p.name}`}
        meta={<>Project id <Id value={p.id} full label="project id" /> · created {when(p.created_at)} · <Link to={`/?project=${p.id}`}>Its overview</Link></>}
      />
      <Clusters projectId={p.id} />
      <div class="grid-2">
        <Credentials projectId={p.id} />
        <Tokens projectId={p.id} />
      </div>
      <Card title="Delete the project">
        <p class="muted">Deletes the project with its credentials, tokens and clusters. Stored backups stay in the object store.</p>
        <button type="button" class="btn danger" onClick={() => setConfirmDelete(true)}>Delete project…</button>
        <Modal open={confirmDelete} title={`Delete project ${p.name}?`} onClose={() => setConfirmDelete(false)}>
          <ActionForm
            label="Delete project"
            call={{ op: OPS.AdminDeleteProject, path: { project_id: p.id } }}
            submitLabel="Delete project"
            variant="danger"
            validate={() => (typed === p.name ? null : `Type the project name (${p.name}) to confirm.`)}
            onDone={() => {
              toast(`Project ${p.name} deleted.`, 'ok');
              void refreshSessionProjects();
              navigate('/admin');
            }}
          >
            <Field label={`Type ${p.name} to confirm`}>
              {(id) => <input id={id} value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} autoComplete="off" />}
            </Field>
          </ActionForm>
        </Modal>
      </Card>
    </div>
  );
}
