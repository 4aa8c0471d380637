import { useState } from 'preact/hooks';
import { signIn, signOutReason } from '../lib/session';
import { useStore } from '../lib/store';
import { Button, Field } from '../components/ui';

export function SignIn() {
  const reason = useStore(signOutReason);
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main class="signin" id="main">
      <div class="signin-card">
        <div class="brand big" aria-hidden="true">
          <span class="brand-mark" />
          <span class="brand-name">logsnap</span>
          <span class="brand-sub">console</span>
        </div>
        <h1>Sign in</h1>
        <p class="muted">
          Paste the <strong>admin token</strong> to see and manage every project, or a <strong>project token</strong> to see one project.
        </p>
        {reason && !error ? <div class="alert warn" role="status">{reason}</div> : null}
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError(null);
            try {
              setError(await signIn(token));
            } catch (err) {
              setError(`The server could not be reached: ${(err as Error).message}`);
            } finally {
              setBusy(false);
            }
          }}
        >
          <Field
            label="Token"
            error={error}
            hint={
              <>
                The first start printed the admin token; it is kept in <code>data/admin-token</code>. Project tokens come from
                Administration → project → Tokens (or <code>POST /admin/v1/projects/&#123;id&#125;/tokens</code>).
              </>
            }
          >
            {(id, describedBy) => (
              <input
                id={id}
                name="token"
                type="password"
                autoComplete="off"
                spellcheck={false}
                required
                aria-describedby={describedBy}
                aria-invalid={error ? 'true' : undefined}
                value={token}
                onInput={(e) => setToken((e.target as HTMLInputElement).value)}
                autoFocus
              />
            )}
          </Field>
          <Button type="submit" variant="primary" busy={busy} class="wide">
            Sign in
          </Button>
        </form>
        <p class="signin-foot muted small">
          The token stays in this browser tab only. API reference: <a href="/docs">/docs</a>
        </p>
      </div>
    </main>
  );
}
