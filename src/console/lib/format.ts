/** Display formatting (pure). */

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : v < 100 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** "3 min ago", "in 2 h" relative to `now`. */
export function ago(t: number | null | undefined, now: number): string {
  if (t === null || t === undefined) return '—';
  const d = now - t;
  const abs = Math.abs(d);
  const text = abs < 45_000 ? `${Math.max(1, Math.round(abs / 1000))} s`
    : abs < 45 * 60_000 ? `${Math.round(abs / 60_000)} min`
      : abs < 36 * 3_600_000 ? `${Math.round(abs / 3_600_000)} h`
        : `${Math.round(abs / 86_400_000)} d`;
  if (abs < 5000) return 'just now';
  return d >= 0 ? `${text} ago` : `in ${text}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local date and time, `2025-01-31 14:05:09`. */
export function when(t: number | null | undefined): string {
  if (t === null || t === undefined) return '—';
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function percent(p: number): string {
  return `${Math.floor(Math.max(0, Math.min(100, p)))}%`;
}

/** `abcdef0123…89ab` for long hashes and ids. */
export function short(s: string | null | undefined, head = 10, tail = 4): string {
  if (!s) return '—';
  return s.length <= head + tail + 1 ? s : `${s.slice(0, head)}…${s.slice(-tail)}`;
}

const KIND_LABEL: Record<string, string> = {
  'css.log-backup': 'CSS log backup',
  'dcs.redislog.collect': 'DCS run-log collection',
  'cce-master-snapshot': 'CCE master snapshot',
  'dws-snapshot': 'DWS snapshot',
  'dws-restore': 'DWS restore',
};
export function kindLabel(kind: string): string {
  return KIND_LABEL[kind] ?? kind;
}

export const SERVICE_LABEL: Record<string, string> = { css: 'CSS', dcs: 'DCS', cce: 'CCE', dws: 'DWS' };
export const SERVICE_THINGS: Record<string, string> = { css: 'clusters', dcs: 'instances', cce: 'clusters', dws: 'clusters' };
