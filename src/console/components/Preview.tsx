import { useMemo, useState } from 'preact/hooks';
import { buildPreview } from '../lib/preview.js';
import type { Call } from '../lib/ops.js';
import { CopyButton } from './ui';

/**
 * "Request": the exact HTTP request an action makes, the equivalent `logsnap call` line (curl for
 * the admin API) and a Node snippet with the official SDK client, each with a copy button.
 * Secrets are placeholders (lib/preview.ts).
 */
export function RequestPreview(props: { call: Call; open?: boolean }) {
  const [tab, setTab] = useState<'http' | 'cli' | 'node'>('http');
  const p = useMemo(() => {
    try {
      return buildPreview(props.call, { origin: window.location.origin });
    } catch (e) {
      return { http: String((e as Error).message), cli: '', cliLabel: 'logsnap call', node: '' };
    }
  }, [JSON.stringify(props.call.path), JSON.stringify(props.call.query), JSON.stringify(props.call.body), props.call.op]);
  const text = tab === 'http' ? p.http : tab === 'cli' ? p.cli : p.node;
  const tabs: [typeof tab, string][] = [['http', 'HTTP'], ['cli', p.cliLabel], ['node', 'Node SDK']];
  return (
    <details class="preview" open={props.open}>
      <summary>
        Request <span class="muted">· {props.call.op.method} {props.call.op.operationId}</span>
      </summary>
      <div class="preview-body">
        <div class="preview-bar">
          <div class="seg" role="group" aria-label="Request format">
            {tabs.map(([id, label]) => (
              <button key={id} type="button" class="seg-btn" aria-pressed={tab === id} onClick={() => setTab(id)}>
                {label}
              </button>
            ))}
          </div>
          <CopyButton text={text} label={tabs.find((t) => t[0] === tab)![1]} />
        </div>
        <pre class="code" data-preview={tab} tabIndex={0}>{text}</pre>
      </div>
    </details>
  );
}
