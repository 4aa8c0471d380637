import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { href, navigate } from '../lib/router';
import { ago, bytes as fmtBytes, percent, when } from '../lib/format.js';
import { describeError } from '../lib/api';
import { useNow } from '../lib/live';

/** A client-side link (keeps modifier-click and middle-click behaviour). */
export function Link(props: { to: string; children: ComponentChildren; class?: string; title?: string; 'aria-label'?: string }) {
  return (
    <a
      href={href(props.to)}
      class={props.class}
      title={props.title}
      aria-label={props['aria-label']}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

type Tone = 'ok' | 'fail' | 'run' | 'queue' | 'warn' | 'neutral';

const STATE_TONE: Record<string, Tone> = {
  SUCCEEDED: 'ok', SUCCESS: 'ok', Success: 'ok', succeed: 'ok', AVAILABLE: 'ok',
  FAILED: 'fail', FAIL: 'fail', Failed: 'fail', failed: 'fail', UNAVAILABLE: 'fail',
  RUNNING: 'run', Running: 'run', collecting: 'run', CREATING: 'run',
  QUEUED: 'queue',
};
const STATE_TEXT: Record<string, string> = {
  SUCCEEDED: 'Succeeded', SUCCESS: 'Success', FAILED: 'Failed', FAIL: 'Failed', RUNNING: 'Running', QUEUED: 'Queued',
  succeed: 'Succeeded', failed: 'Failed', collecting: 'Collecting', CREATING: 'Creating', AVAILABLE: 'Available', UNAVAILABLE: 'Unavailable',
};

/** A status pill: colour and a dot, always with the word (colour is never the only signal). */
export function StateBadge(props: { state: string | null | undefined; progress?: number; tone?: Tone; label?: string }) {
  if (!props.state) return <span class="badge neutral">—</span>;
  const tone = props.tone ?? STATE_TONE[props.state] ?? 'neutral';
  const text = props.label ?? STATE_TEXT[props.state] ?? props.state;
  const running = tone === 'run' && props.progress !== undefined && props.progress > 0;
  return (
    <span class={`badge ${tone}`} data-state={props.state}>
      {text}
      {running ? ` ${percent(props.progress!)}` : ''}
    </span>
  );
}

export function Progress(props: { value: number; label?: string }) {
  const v = Math.max(0, Math.min(100, props.value));
  return (
    <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.floor(v)} aria-label={props.label ?? 'progress'}>
      <span style={{ width: `${v}%` }} />
    </div>
  );
}

/** A time as "3 min ago", with the exact local time on hover and for screen readers. */
export function Ago(props: { t: number | null | undefined }) {
  const now = useNow(5000);
  if (props.t === null || props.t === undefined) return <span class="muted">—</span>;
  return (
    <time dateTime={new Date(props.t).toISOString()} title={when(props.t)}>
      {ago(props.t, now)}
    </time>
  );
}

export function Bytes(props: { n: number | null | undefined }) {
  return <span class="num" title={props.n === null || props.n === undefined ? undefined : `${props.n.toLocaleString('en-US')} bytes`}>{fmtBytes(props.n)}</span>;
}

export function ErrorBox(props: { error: unknown; title?: string }) {
  if (!props.error) return null;
  return (
    <div class="alert error" role="alert">
      {props.title ? <strong>{props.title} </strong> : null}
      {describeError(props.error)}
    </div>
  );
}

export function Notice(props: { children: ComponentChildren; tone?: 'info' | 'warn' | 'ok' }) {
  return <div class={`alert ${props.tone ?? 'info'}`}>{props.children}</div>;
}

export function Loading(props: { what?: string }) {
  return <p class="loading" aria-live="polite">Loading{props.what ? ` ${props.what}` : ''}…</p>;
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

export function Card(props: { title?: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren; id?: string; class?: string }) {
  return (
    <section class={`card ${props.class ?? ''}`} id={props.id} aria-labelledby={props.id && props.title ? `${props.id}-title` : undefined}>
      {props.title || props.actions ? (
        <header class="card-head">
          {props.title ? <h2 id={props.id ? `${props.id}-title` : undefined}>{props.title}</h2> : <span />}
          {props.actions ? <div class="card-actions">{props.actions}</div> : null}
        </header>
      ) : null}
      {props.children}
    </section>
  );
}

/** Page title (focused after navigation, so screen readers announce the new page). */
export function PageHeader(props: { title: ComponentChildren; crumbs?: { to: string; label: string }[]; meta?: ComponentChildren; actions?: ComponentChildren }) {
  const h = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (document.activeElement === document.body || document.activeElement?.closest('nav.primary, .crumbs, table')) h.current?.focus({ preventScroll: true });
  }, []);
  return (
    <header class="page-head">
      {props.crumbs?.length ? (
        <nav class="crumbs" aria-label="Breadcrumb">
          {props.crumbs.map((c) => (
            <span key={c.to}>
              <Link to={c.to}>{c.label}</Link>
              <span aria-hidden="true" class="sep">/</span>
            </span>
          ))}
        </nav>
      ) : null}
      <div class="page-title">
        <h1 tabIndex={-1} ref={h}>{props.title}</h1>
        {props.actions ? <div class="page-actions">{props.actions}</div> : null}
      </div>
      {props.meta ? <div class="page-meta">{props.meta}</div> : null}
    </header>
  );
}

export function Button(props: JSX.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'primary' | 'danger' | 'ghost' | 'default'; size?: 'sm'; busy?: boolean }) {
  const { variant = 'default', size, busy, class: cls, children, ...rest } = props;
  return (
    <button type="button" {...rest} class={`btn ${variant} ${size === 'sm' ? 'sm' : ''} ${cls ?? ''}`} aria-busy={busy ? 'true' : undefined} disabled={rest.disabled || busy}>
      {children}
    </button>
  );
}

/** Copy text to the clipboard (falls back to a selection copy where the Clipboard API is not offered). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall back */
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.className = 'offscreen';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

export function CopyButton(props: { text: string; label?: string; size?: 'sm' }) {
  const [state, setState] = useState<'idle' | 'done' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = window.setTimeout(() => setState('idle'), 1600);
    return () => window.clearTimeout(t);
  }, [state]);
  return (
    <Button size={props.size ?? 'sm'} variant="ghost" onClick={async () => setState((await copyText(props.text)) ? 'done' : 'failed')} aria-label={props.label ? `Copy ${props.label}` : 'Copy'}>
      {state === 'done' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
    </Button>
  );
}

/** An id in monospace, shortened, with a copy button. */
export function Id(props: { value: string | null | undefined; full?: boolean; label?: string }) {
  if (!props.value) return <span class="muted">—</span>;
  return (
    <span class="id">
      <code title={props.value}>{props.full ? props.value : props.value.length > 14 ? `${props.value.slice(0, 8)}…${props.value.slice(-4)}` : props.value}</code>
      <CopyButton text={props.value} label={props.label ?? 'id'} />
    </span>
  );
}

export interface TabDef {
  id: string;
  label: ComponentChildren;
}

/** Accessible tabs: arrow keys move between them. */
export function Tabs(props: { tabs: TabDef[]; current: string; onSelect(id: string): void; label: string }) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const idx = props.tabs.findIndex((t) => t.id === props.current);
  return (
    <div class="tabs" role="tablist" aria-label={props.label}>
      {props.tabs.map((t, i) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          id={`tab-${t.id}`}
          aria-selected={t.id === props.current}
          aria-controls={`panel-${t.id}`}
          tabIndex={t.id === props.current ? 0 : -1}
          class="tab"
          ref={(el) => {
            refs.current[i] = el;
          }}
          onClick={() => props.onSelect(t.id)}
          onKeyDown={(e) => {
            const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
            if (!d) return;
            e.preventDefault();
            const n = (idx + d + props.tabs.length) % props.tabs.length;
            props.onSelect(props.tabs[n].id);
            refs.current[n]?.focus();
          }}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

export function TabPanel(props: { id: string; children: ComponentChildren }) {
  return (
    <div role="tabpanel" id={`panel-${props.id}`} aria-labelledby={`tab-${props.id}`} class="tabpanel">
      {props.children}
    </div>
  );
}

/** Previous / next paging with the range shown ("21–40 of 312"). */
export function Pager(props: { offset: number; limit: number; total: number; onChange(offset: number): void; label?: string }) {
  const { offset, limit, total } = props;
  if (total <= limit && offset === 0) return null;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(total, offset + limit);
  return (
    <nav class="pager" aria-label={props.label ?? 'Pages'}>
      <span class="muted">{from}–{to} of {total.toLocaleString('en-US')}</span>
      <Button size="sm" disabled={offset === 0} onClick={() => props.onChange(Math.max(0, offset - limit))}>Previous</Button>
      <Button size="sm" disabled={offset + limit >= total} onClick={() => props.onChange(offset + limit)}>Next</Button>
    </nav>
  );
}

let fieldSeq = 0;
/** A labelled form field: the label is tied to the control, hints and errors are announced with it. */
export function Field(props: { label: ComponentChildren; hint?: ComponentChildren; error?: string | null; children: (id: string, describedBy: string | undefined) => ComponentChildren; optional?: boolean }) {
  const [id] = useState(() => `f${++fieldSeq}`);
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field ${props.error ? 'invalid' : ''}`}>
      <label for={id}>
        {props.label}
        {props.optional ? <span class="optional"> (optional)</span> : null}
      </label>
      {props.children(id, describedBy)}
      {props.hint ? <p class="hint" id={`${id}-hint`}>{props.hint}</p> : null}
      {props.error ? <p class="field-error" id={`${id}-err`}>{props.error}</p> : null}
    </div>
  );
}

/** A native modal dialog: focus stays inside, Escape closes it. */
export function Modal(props: { open: boolean; title: ComponentChildren; onClose(): void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} class={`modal ${props.wide ? 'wide' : ''}`} onClose={props.onClose} aria-labelledby="modal-title">
      {props.open ? (
        <div class="modal-body">
          <header class="modal-head">
            <h2 id="modal-title">{props.title}</h2>
            <Button variant="ghost" size="sm" onClick={props.onClose} aria-label="Close">Close</Button>
          </header>
          {props.children}
        </div>
      ) : null}
    </dialog>
  );
}

/** Facts as a definition list. */
export function Facts(props: { items: [ComponentChildren, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {props.items.map(([k, v], i) => (
        <div key={i}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A table with a labelled scroll region; `num` lists the right-aligned (numeric) columns. */
export function Table(props: { label: string; head: ComponentChildren[]; children: ComponentChildren; class?: string; num?: number[] }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={props.label}>
      <table class={`table ${props.class ?? ''}`}>
        <thead>
          <tr>
            {props.head.map((h, i) => (
              <th key={i} scope="col" class={props.num?.includes(i) ? 'num' : undefined}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
