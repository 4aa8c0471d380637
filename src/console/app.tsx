import { useEffect } from 'preact/hooks';
import { location, match, navigate } from './lib/router';
import { session, signOut } from './lib/session';
import { liveStatus } from './lib/live';
import { useStore } from './lib/store';
import { Link } from './components/ui';
import { Toasts } from './components/toast';
import { SignIn } from './pages/SignIn';
import { Overview } from './pages/Overview';
import { ClusterPage } from './pages/ClusterPage';
import { JobPage } from './pages/JobPage';
import { JobsPage } from './pages/JobsPage';
import { AdminProjects } from './pages/admin/AdminProjects';
import { AdminProject } from './pages/admin/AdminProject';
import { ClusterForm } from './pages/admin/ClusterForm';

function NotFound() {
  return (
    <div class="page-narrow">
      <h1 tabIndex={-1}>Page not found</h1>
      <p>There is nothing at this address. <Link to="/">Go to the overview</Link>.</p>
    </div>
  );
}

function Routes(props: { path: string }) {
  const p = props.path;
  let m: Record<string, string> | null;
  if (p === '/') return <Overview />;
  if ((m = match('/clusters/:id', p))) return <ClusterPage key={m.id} id={m.id} />;
  if (p === '/jobs') return <JobsPage />;
  if ((m = match('/jobs/:id', p))) return <JobPage key={m.id} id={m.id} />;
  const s = session.get();
  if (s?.role === 'admin') {
    if (p === '/admin') return <AdminProjects />;
    if ((m = match('/admin/projects/:id', p))) return <AdminProject key={m.id} id={m.id} />;
    if ((m = match('/admin/projects/:id/clusters/new', p))) return <ClusterForm key={`new-${m.id}`} projectId={m.id} />;
    if ((m = match('/admin/projects/:id/clusters/:cid', p))) return <ClusterForm key={m.cid} projectId={m.id} clusterId={m.cid} />;
  }
  return <NotFound />;
}

function Nav(props: { path: string; admin: boolean }) {
  const item = (to: string, label: string, active: boolean) => (
    <Link to={to} class={`nav-link ${active ? 'active' : ''}`}>
      <span aria-current={active ? 'page' : undefined}>{label}</span>
    </Link>
  );
  return (
    <nav class="primary" aria-label="Main">
      {item('/', 'Overview', props.path === '/' || props.path.startsWith('/clusters'))}
      {item('/jobs', 'Jobs', props.path.startsWith('/jobs'))}
      {props.admin ? item('/admin', 'Administration', props.path.startsWith('/admin')) : null}
    </nav>
  );
}

export function App() {
  const loc = useStore(location);
  const s = useStore(session);
  const live = useStore(liveStatus);
  useEffect(() => {
    if (!s && loc.path !== '/sign-in') navigate('/sign-in', { replace: true });
    if (s && loc.path === '/sign-in') navigate('/', { replace: true });
  }, [s, loc.path]);
  useEffect(() => {
    document.title = 'logsnap console';
  }, [loc.path]);
  if (!s || loc.path === '/sign-in') {
    return (
      <>
        <SignIn />
        <Toasts />
      </>
    );
  }
  const project = s.role === 'project' ? s.projects.find((p) => p.id === s.project_id) : undefined;
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <Link to="/" class="brand" aria-label="logsnap console, overview">
          <span class="brand-mark" aria-hidden="true" />
          <span class="brand-name">logsnap</span>
          <span class="brand-sub">console</span>
        </Link>
        <Nav path={loc.path} admin={s.role === 'admin'} />
        <div class="topbar-right">
          <span class={`live-status ${live}`} title={live === 'live' ? 'Live updates are on' : 'Live updates are reconnecting'}>
            <span class="live-dot" aria-hidden="true" />
            {live === 'live' ? 'Live' : live === 'off' ? 'Offline' : 'Connecting'}
          </span>
          <span class="who" title={s.caller}>
            {s.role === 'admin' ? 'Admin' : `Project ${project?.name ?? s.project_id}`}
          </span>
          <button type="button" class="btn ghost sm on-dark" onClick={() => signOut(null)}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" class="page">
        <Routes path={loc.path} />
      </main>
      <Toasts />
    </>
  );
}
