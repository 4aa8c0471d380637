import { useState } from 'preact/hooks';
import type { JsonSchema, SchemaProblem } from '../lib/schemaCheck.js';
import { Button } from './ui';

/**
 * A form generated from a service's engine JSON Schema (served by AdminListEngineSchemas, the same
 * schema the API validates with): objects → field groups, lists → repeatable rows, strings →
 * inputs (passwords hidden, PEM text in text areas), booleans → check boxes. A JSON mode edits
 * the engine as text.
 */

const LABELS: Record<string, [string, string?]> = {
  nodes: ['Nodes'],
  name: ['Node name'],
  ip: ['IP address', 'Shown as the node address.'],
  logDir: ['Log folder', 'Where this node writes its logs, as the logsnap server sees it (a local or mounted path).'],
  datastore: ['Datastore'],
  type: ['Type', 'e.g. elasticsearch'],
  version: ['Version', 'e.g. 7.10.2'],
  replicationId: ['Replica id', 'The replication_id callers pass to CreateRedislog.'],
  url: ['URL'],
  logFile: ['Log file', 'Default: what Redis reports (CONFIG GET logfile and dir).'],
  groupName: ['Shard name', 'Default: group-0.'],
  timeZone: ['Time zone', 'IANA zone of the log timestamps, e.g. UTC or Asia/Shanghai.'],
  endpoints: ['etcd endpoints', 'http(s)://host:2379 of each master, tried in order.'],
  tls: ['TLS', 'PEM text of the CA, client certificate and key (only for https endpoints).'],
  ca: ['CA certificate (PEM)'],
  cert: ['Client certificate (PEM)'],
  key: ['Client key (PEM)'],
  username: ['etcd user'],
  password: ['Password'],
  autopilot: ['CCE Autopilot cluster', 'Served by the /autopilot/v3.1 operations only.'],
};
const URL_HINT: Record<string, string> = {
  dcs: 'redis://[:password@]host:port (rediss:// for TLS).',
  dws: 'postgres://user:password@host:5432/database: the database to snapshot.',
};

const human = (k: string) => LABELS[k]?.[0] ?? k.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
const hintOf = (k: string, service: string) => (k === 'url' ? URL_HINT[service] : LABELS[k]?.[1]);
const singular = (k: string) => (k === 'nodes' ? 'node' : k === 'endpoints' ? 'endpoint' : 'item');

/** Defaults a new item of `schema` starts with. */
export function emptyOf(schema: JsonSchema): unknown {
  if (schema.type === 'object') {
    const o: Record<string, unknown> = {};
    for (const r of schema.required ?? []) o[r] = emptyOf(schema.properties![r]);
    return o;
  }
  if (schema.type === 'array') return schema.minItems ? [emptyOf(schema.items!)] : [];
  if (schema.type === 'boolean') return false;
  return '';
}

/** The value to send: optional empty strings, false booleans and empty optional groups left out. */
export function cleanValue(schema: JsonSchema, v: unknown, required = true): unknown {
  if (schema.type === 'object' && v && typeof v === 'object' && !Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const s = schema.properties?.[k];
      if (!s) {
        out[k] = x;
        continue;
      }
      const c = cleanValue(s, x, (schema.required ?? []).includes(k));
      if (c !== undefined) out[k] = c;
    }
    return !required && Object.keys(out).length === 0 ? undefined : out;
  }
  if (schema.type === 'array' && Array.isArray(v)) return v.map((x) => cleanValue(schema.items!, x, true));
  if (!required && (v === '' || v === false || v === undefined)) return undefined;
  return v;
}

interface NodeProps {
  name: string;
  path: string;
  schema: JsonSchema;
  value: unknown;
  required: boolean;
  service: string;
  problems: SchemaProblem[];
  onChange(v: unknown): void;
}

function problemAt(problems: SchemaProblem[], path: string): string | null {
  const p = problems.filter((x) => x.path === path);
  return p.length ? p.map((x) => x.message).join('; ') : null;
}

function Leaf(props: NodeProps) {
  const id = `eng-${props.path.replace(/\./g, '-')}`;
  const err = problemAt(props.problems, props.path);
  const hint = hintOf(props.name, props.service);
  const label = (
    <>
      {human(props.name)}
      {!props.required ? <span class="optional"> (optional)</span> : null}
    </>
  );
  const describedBy = [hint ? `${id}-hint` : '', err ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  if (props.schema.type === 'boolean') {
    return (
      <div class="field checkbox">
        <label>
          <input type="checkbox" id={id} checked={props.value === true} onChange={(e) => props.onChange((e.target as HTMLInputElement).checked)} aria-describedby={describedBy} /> {label}
        </label>
        {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
      </div>
    );
  }
  const pem = ['ca', 'cert', 'key'].includes(props.name);
  const secret = /password/i.test(props.name);
  const common = {
    id, 'aria-describedby': describedBy, 'aria-invalid': err ? ('true' as const) : undefined, name: props.path,
    value: typeof props.value === 'string' ? props.value : props.value === undefined ? '' : String(props.value),
    spellcheck: false,
    onInput: (e: Event) => props.onChange((e.target as HTMLInputElement).value),
  };
  return (
    <div class={`field ${err ? 'invalid' : ''}`}>
      <label for={id}>{label}</label>
      {pem ? <textarea {...common} rows={4} class="mono" /> : <input {...common} type={secret ? 'password' : 'text'} autoComplete={secret ? 'new-password' : 'off'} />}
      {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
      {err ? <p class="field-error" id={`${id}-err`}>{err}</p> : null}
    </div>
  );
}

function SchemaNode(props: NodeProps) {
  const { schema } = props;
  const err = problemAt(props.problems, props.path);
  if (schema.type === 'object') {
    const o = (props.value && typeof props.value === 'object' ? props.value : {}) as Record<string, unknown>;
    const fields = Object.entries(schema.properties ?? {}).map(([k, s]) => (
      <SchemaNode
        key={k}
        name={k}
        path={props.path ? `${props.path}.${k}` : k}
        schema={s}
        value={o[k]}
        required={(schema.required ?? []).includes(k)}
        service={props.service}
        problems={props.problems}
        onChange={(v) => props.onChange({ ...o, [k]: v })}
      />
    ));
    if (!props.path) return <div class="schema-root">{fields}</div>;
    // an item of a list: its header (name, Remove) is drawn by the list
    if (!props.name) return <div class="form-grid">{fields}</div>;
    return (
      <fieldset class="group">
        <legend>
          {human(props.name)}
          {!props.required ? <span class="optional"> (optional)</span> : null}
        </legend>
        {hintOf(props.name, props.service) ? <p class="hint">{hintOf(props.name, props.service)}</p> : null}
        <div class="form-grid">{fields}</div>
        {err ? <p class="field-error">{err}</p> : null}
      </fieldset>
    );
  }
  if (schema.type === 'array') {
    const list = Array.isArray(props.value) ? props.value : [];
    const item = schema.items ?? { type: 'string' };
    const min = schema.minItems ?? 0;
    return (
      <fieldset class="group list">
        <legend>{human(props.name)}</legend>
        {hintOf(props.name, props.service) ? <p class="hint">{hintOf(props.name, props.service)}</p> : null}
        {list.map((v, i) => {
          const remove = (
            <Button size="sm" variant="ghost" disabled={list.length <= min} onClick={() => props.onChange(list.filter((_, j) => j !== i))} aria-label={`Remove ${singular(props.name)} ${i + 1}`}>
              Remove
            </Button>
          );
          return (
          <div class={`list-item ${item.type === 'object' ? 'boxed' : 'inline'}`} key={i}>
            {item.type === 'object' ? <div class="list-item-head"><span>{human(singular(props.name))} {i + 1}</span>{remove}</div> : null}
            <SchemaNode
              name={item.type === 'object' ? '' : `${singular(props.name)} ${i + 1}`}
              path={`${props.path}.${i}`}
              schema={item}
              value={v}
              required
              service={props.service}
              problems={props.problems}
              onChange={(x) => props.onChange(list.map((y, j) => (j === i ? x : y)))}
            />
            {item.type === 'object' ? null : remove}
          </div>
          );
        })}
        <Button size="sm" onClick={() => props.onChange([...list, emptyOf(item)])}>Add {singular(props.name)}</Button>
        {err ? <p class="field-error">{err}</p> : null}
      </fieldset>
    );
  }
  return <Leaf {...props} />;
}

export function SchemaForm(props: { schema: JsonSchema; value: unknown; onChange(v: unknown): void; problems: SchemaProblem[]; service: string }) {
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [text, setText] = useState('');
  const [jsonError, setJsonError] = useState<string | null>(null);
  return (
    <div class="schema-form">
      <div class="seg" role="group" aria-label="Engine editor">
        <button type="button" class="seg-btn" aria-pressed={mode === 'form'} onClick={() => {
          if (mode === 'json') {
            try {
              props.onChange(JSON.parse(text));
              setJsonError(null);
            } catch (e) {
              setJsonError(`Not valid JSON: ${(e as Error).message}`);
              return;
            }
          }
          setMode('form');
        }}>Form</button>
        <button type="button" class="seg-btn" aria-pressed={mode === 'json'} onClick={() => {
          setText(JSON.stringify(cleanValue(props.schema, props.value), null, 2));
          setMode('json');
        }}>JSON</button>
      </div>
      {mode === 'form' ? (
        <SchemaNode name="" path="" schema={props.schema} value={props.value} required service={props.service} problems={props.problems} onChange={props.onChange} />
      ) : (
        <div class="field">
          <label for="engine-json">Engine (JSON)</label>
          <textarea id="engine-json" class="mono" rows={12} value={text} spellcheck={false} onInput={(e) => {
            const t = (e.target as HTMLTextAreaElement).value;
            setText(t);
            try {
              props.onChange(JSON.parse(t));
              setJsonError(null);
            } catch (err) {
              setJsonError(`Not valid JSON: ${(err as Error).message}`);
            }
          }} />
          {jsonError ? <p class="field-error">{jsonError}</p> : null}
        </div>
      )}
    </div>
  );
}
