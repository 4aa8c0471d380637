import type { ErrorOwner } from './render.js';

const SERVICES = new Set(['css', 'dcs', 'cce', 'dws']);

/**
 * Path templates of each service (shared/api/README.md, "Running four services on one server"),
 * for answers given before any route matched: bad URLs, unknown paths, wrong methods.
 * Order matters: DWS's cluster sub-resources before CSS's clusters.
 */
const RULES: [RegExp, ErrorOwner][] = [
  [/^\/(?:admin|logsnap)(?:\/|$)/, 'logsnap'],
  [/^\/(?:api|autopilot)\/v3(?:\.\d+)?(?:\/|$)/, 'cce'],
  [/^\/v2(?:\.0)?\/[^/]+\/instances(?:\/|$)/, 'dcs'],
  [/^\/v1(?:\.0)?\/[^/]+\/snapshots(?:\/|$)/, 'dws'],
  [/^\/v2\/[^/]+\/(?:snapshots|clusters)(?:\/|$)/, 'dws'],
  [/^\/v1(?:\.0)?\/[^/]+\/clusters\/[^/]+\/(?:snapshots|snapshot-policies)(?:\/|$)/, 'dws'],
  [/^\/v[12]\.0\/[^/]+\/clusters(?:\/|$)/, 'css'],
];

/**
 * The owner of a request path (raw, query allowed), even when no route matches:
 * logsnap's own prefixes, then a mount prefix (`/css/…`), then a service Host label
 * (`dcs.localhost`), then the service path templates; anything else is the gateway's.
 */
export function ownerOfPath(url: string, host?: string): ErrorOwner {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (/^\/(?:admin|logsnap)(?:\/|$)/.test(path)) return 'logsnap';
  const prefix = /^\/(css|dcs|cce|dws)(?=\/|$)/.exec(path);
  if (prefix) return prefix[1] as ErrorOwner;
  if (host && host.includes('.')) {
    const label = host.split('.')[0].toLowerCase();
    if (SERVICES.has(label)) return label as ErrorOwner;
  }
  for (const [re, owner] of RULES) if (re.test(path)) return owner;
  return 'gateway';
}
