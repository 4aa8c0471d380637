import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { call, type Result } from '../lib/api';
import type { Call } from '../lib/ops.js';
import { Button, ErrorBox, Modal } from './ui';
import { RequestPreview } from './Preview';

/**
 * A button that makes one API call, with its request preview beside it. Errors are shown under
 * it in the operation's own words; `onDone` gets the result (and the job id it started).
 */
export function ActionButton(props: {
  call: Call;
  label: ComponentChildren;
  variant?: 'primary' | 'danger' | 'default';
  disabled?: boolean;
  disabledReason?: string;
  confirm?: string;
  onDone?(r: Result<any>): void;
  id?: string;
  /** in table rows: a small button, the preview in a dialog */
  compact?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [showPreview, setShowPreview] = useState(false);
  const run = async () => {
    if (props.confirm && !window.confirm(props.confirm)) return;
    setBusy(true);
    setError(null);
    try {
      props.onDone?.(await call(props.call));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (props.compact) {
    return (
      <span class="action compact">
        <Button
          size="sm"
          variant={props.variant ?? 'default'}
          busy={busy}
          disabled={props.disabled}
          onClick={run}
        >
          {props.label}
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setShowPreview(true)} aria-label="Show the request" title={`Show the request (${props.call.op.operationId})`}>
          {'</>'}
        </Button>
        {error ? <ErrorBox error={error} /> : null}
        <Modal open={showPreview} title={`Request: ${props.call.op.operationId}`} onClose={() => setShowPreview(false)} wide>
          <RequestPreview call={props.call} open />
        </Modal>
      </span>
    );
  }
  return (
    <div class="action">
      <div class="action-row">
        <Button
          id={props.id}
          variant={props.variant ?? 'default'}
          busy={busy}
          disabled={props.disabled}
          title={props.disabled ? props.disabledReason : undefined}
          onClick={run}
        >
          {props.label}
        </Button>
        {props.disabled && props.disabledReason ? <span class="muted small">{props.disabledReason}</span> : null}
      </div>
      <ErrorBox error={error} />
      <RequestPreview call={props.call} />
    </div>
  );
}

/**
 * A form whose submit makes one API call; the preview follows the fields as they are typed.
 * `validate` returns a message to stop the call.
 */
export function ActionForm(props: {
  call: Call;
  submitLabel: ComponentChildren;
  children: ComponentChildren;
  validate?(): string | null;
  onDone?(r: Result<any>): void;
  variant?: 'primary' | 'default' | 'danger';
  extraButtons?: ComponentChildren;
  label: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      class="action-form"
      aria-label={props.label}
      onSubmit={async (e) => {
        e.preventDefault();
        const problem = props.validate?.() ?? null;
        if (problem) {
          setError(new Error(problem));
          return;
        }
        setBusy(true);
        setError(null);
        try {
          const r = await call(props.call);
          props.onDone?.(r);
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      {props.children}
      <div class="form-actions">
        <Button type="submit" variant={props.variant ?? 'primary'} busy={busy}>
          {props.submitLabel}
        </Button>
        {props.extraButtons}
      </div>
      <ErrorBox error={error} />
      <RequestPreview call={props.call} />
    </form>
  );
}
