import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { loadZone, type Zone } from './goTime.js';

/** Where Go's time package looks for tzdata on Unix (time/zoneinfo_unix.go), $ZONEINFO first. */
const ZONEINFO_DIRS = ['/usr/share/zoneinfo', '/usr/share/lib/zoneinfo', '/usr/lib/locale/TZ'];

export function readSystemZoneinfo(name: string, env: Record<string, string | undefined> = process.env): Buffer | null {
  if (name.includes('..') || name.startsWith('/')) return null;
  const dirs = env.ZONEINFO ? [env.ZONEINFO, ...ZONEINFO_DIRS] : ZONEINFO_DIRS;
  for (const dir of dirs) {
    try {
      return readFileSync(normalize(join(dir, name)));
    } catch {
      /* next */
    }
  }
  return null;
}

/** The configured zone (config.core.timeZone), with the system's tzdata abbreviations. */
export function systemZone(name: string): Zone {
  return loadZone(name, (n) => readSystemZoneinfo(n));
}
