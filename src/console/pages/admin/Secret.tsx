import { CopyButton } from '../../components/ui';

/** A secret shown once (an SK, a token): copy it now, it is never shown again. */
export function ShownOnce(props: { items: [string, string][]; what: string }) {
  return (
    <div class="shown-once" role="alert">
      <p><strong>Copy the {props.what} now.</strong> logsnap keeps only {props.what.includes('token') ? 'a hash of it' : 'an encrypted copy'} and will not show it again.</p>
      <dl class="facts">
        {props.items.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd class="secret-value">
              <code data-secret={k}>{v}</code> <CopyButton text={v} label={k} />
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
