import type { ComponentChildren } from 'preact';
import { Store, useStore } from '../lib/store';

interface Toast {
  id: number;
  tone: 'ok' | 'fail' | 'info';
  text: ComponentChildren;
}

const toasts = new Store<Toast[]>([]);
let seq = 0;

/** Tell the user something happened (announced politely to screen readers). */
export function toast(text: ComponentChildren, tone: Toast['tone'] = 'info'): void {
  const t = { id: ++seq, tone, text };
  toasts.set([...toasts.get(), t].slice(-4));
  window.setTimeout(() => toasts.set(toasts.get().filter((x) => x.id !== t.id)), tone === 'fail' ? 9000 : 5000);
}

export function Toasts() {
  const list = useStore(toasts);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} class={`toast ${t.tone}`}>
          {t.text}
          <button type="button" class="toast-x" aria-label="Dismiss" onClick={() => toasts.set(toasts.get().filter((x) => x.id !== t.id))}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
