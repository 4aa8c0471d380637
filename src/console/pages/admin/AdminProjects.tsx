import { useState } from 'preact/hooks';
import { get } from '../../lib/api';
import { OPS } from '../../lib/ops.js';
import { useData } from '../../lib/useData';
import { when } from '../../lib/format.js';
import { ActionForm } from '../../components/Action';
import { Card, Empty, ErrorBox, Field, Id, Link, Loading, Modal, PageHeader, Table } from '../../components/ui';
import { ShownOnce } from './Secret';
import { refreshSessionProjects } from './refresh';

interface Project { id: string; name: string; created_at: number }

export function AdminProjects() {
  const d = useData((signal) => get<{ projects: Project[] }>({ op: OPS.AdminListProjects }, { signal }), []);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ project: Project; credential: { ak: string; sk: string } } | null>(null);
  return (
    <div>
      <PageHeader title="Administration" meta="Projects, their credentials and tokens, and the clusters logsnap backs up." />
      <div class="grid-2 wide-left">
        <Card title="Projects" id="projects">
          <ErrorBox error={d.error} />
          {!d.data ? <Loading /> : d.data.projects.length === 0 ? <Empty>No projects.</Empty> : (
            <Table label="Projects" head={['Name', 'Project id', 'Created']}>
              {d.data.projects.map((p) => (
                <tr key={p.id} data-project={p.name}>
                  <td class="name"><Link to={`/admin/projects/${p.id}`}>{p.name}</Link></td>
                  <td><Id value={p.id} label="project id" /></td>
                  <td class="nowrap">{when(p.created_at)}</td>
                </tr>
              ))}
            </Table>
          )}
        </Card>
        <Card title="New project">
          <ActionForm
            label="New project"
            call={{ op: OPS.AdminCreateProject, body: { name } }}
            submitLabel="Create project"
            validate={() => (/^[A-Za-z0-9_.-]{1,64}$/.test(name) ? null : 'A project name is 1–64 letters, digits, ".", "-" or "_".')}
            onDone={(r) => {
              setCreated(r.data);
              setName('');
              d.reload();
              void refreshSessionProjects();
            }}
          >
            <Field label="Name" hint="Letters, digits, “.”, “-”, “_”. The project gets a first AK/SK.">
              {(id, db) => <input id={id} name="project-name" aria-describedby={db} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />}
            </Field>
          </ActionForm>
        </Card>
      </div>
      <Modal open={!!created} title={`Project ${created?.project.name ?? ''} created`} onClose={() => setCreated(null)}>
        {created ? (
          <>
            <ShownOnce what="secret key" items={[['Project id', created.project.id], ['Access key (AK)', created.credential.ak], ['Secret key (SK)', created.credential.sk]]} />
            <p><Link to={`/admin/projects/${created.project.id}`}>Open the project</Link> to register clusters.</p>
          </>
        ) : null}
      </Modal>
    </div>
  );
}
