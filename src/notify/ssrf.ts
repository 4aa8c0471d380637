import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';

/**
 * The SSRF guard of webhook delivery. A subscription may name any URL, so logsnap must not become
 * a way to reach what only it can reach: loopback, private networks, link-local (cloud metadata
 * at 169.254.169.254), unique-local, multicast, unspecified and reserved addresses are refused —
 * checked on the addresses DNS gives when the subscription is created, and again at connect time
 * on the address actually connected to (so DNS rebinding does not help). IPv4-mapped IPv6
 * (`::ffff:127.0.0.1`), IPv4-compatible, NAT64 and 6to4 addresses are judged by the IPv4 inside.
 * `webhooks.allowPrivate` (LOGSNAP_WEBHOOKS_ALLOW_PRIVATE=true) turns the guard off.
 */
export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'unique-local' | 'multicast' | 'unspecified' | 'reserved';

export const ALLOW_PRIVATE_HINT = 'to allow such targets (a receiver on a trusted network), set LOGSNAP_WEBHOOKS_ALLOW_PRIVATE=true (config file: webhooks.allowPrivate: true)';

function list(v: 'ipv4' | 'ipv6', subnets: [string, number][]): BlockList {
  const b = new BlockList();
  for (const [net, prefix] of subnets) b.addSubnet(net, prefix, v);
  return b;
}

const V4: [Exclude<AddressClass, 'public'>, BlockList][] = [
  ['unspecified', list('ipv4', [['0.0.0.0', 8]])],
  ['loopback', list('ipv4', [['127.0.0.0', 8]])],
  ['private', list('ipv4', [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10]])],
  ['link-local', list('ipv4', [['169.254.0.0', 16]])],
  ['multicast', list('ipv4', [['224.0.0.0', 4]])],
  // IETF protocol assignments, documentation, benchmarking, 240/4 and the broadcast address
  ['reserved', list('ipv4', [['192.0.0.0', 24], ['192.0.2.0', 24], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['240.0.0.0', 4]])],
];
const V6: [Exclude<AddressClass, 'public'>, BlockList][] = [
  ['unspecified', list('ipv6', [['::', 128]])],
  ['loopback', list('ipv6', [['::1', 128]])],
  ['link-local', list('ipv6', [['fe80::', 10]])],
  ['unique-local', list('ipv6', [['fc00::', 7]])],
  ['private', list('ipv6', [['fec0::', 10]])], // deprecated site-local
  ['multicast', list('ipv6', [['ff00::', 8]])],
  ['reserved', list('ipv6', [['100::', 64], ['2001:db8::', 32]])],
];

/** The 8 groups of an IPv6 address (with an embedded dotted quad, `::` and a zone id allowed). */
function groups6(addr: string): number[] | null {
  let a = addr.split('%')[0].toLowerCase();
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (quad) {
    const o = quad[1].split('.').map(Number);
    if (o.some((x) => x > 255)) return null;
    a = a.slice(0, -quad[1].length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const halves = a.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? head.length !== 8 : fill < 0) return null;
  const g = [...head, ...new Array(halves.length === 2 ? fill : 0).fill(0), ...tail];
  return g.some((x) => !Number.isInteger(x) || x < 0 || x > 0xffff) ? null : g;
}

const v4of = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
export function embeddedV4(addr: string): string | null {
  const g = groups6(addr);
  if (!g) return null;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return v4of(g[6], g[7]); // ::ffff:a.b.c.d
  if (zero(0, 6) && (g[6] !== 0 || g[7] > 1)) return v4of(g[6], g[7]); // ::a.b.c.d (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4of(g[6], g[7]); // NAT64 64:ff9b::/96
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return v4of(g[6], g[7]); // local-use NAT64 64:ff9b:1::/48
  if (g[0] === 0x2002) return v4of(g[1], g[2]); // 6to4
  return null;
}

export function classifyAddress(addr: string): AddressClass {
  const v = isIP(addr.split('%')[0]);
  if (v === 4) {
    for (const [cls, b] of V4) if (b.check(addr, 'ipv4')) return cls;
    return addr === '255.255.255.255' ? 'reserved' : 'public';
  }
  if (v === 6) {
    const bare = addr.split('%')[0];
    const inner = embeddedV4(bare);
    if (inner) return classifyAddress(inner);
    for (const [cls, b] of V6) if (b.check(bare, 'ipv6')) return cls;
    return 'public';
  }
  return 'reserved'; // not an address at all: never connect to it
}

/** A target the guard refuses (or that cannot be resolved). `message` says why and how to allow it. */
export class TargetRefusedError extends Error {
  constructor(message: string, readonly addressClass?: AddressClass) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

function refusal(host: string, address: string, cls: AddressClass): TargetRefusedError {
  const at = host === address ? address : `${host} (${address})`;
  return new TargetRefusedError(`webhook target ${at} is a ${cls} address; logsnap refuses private, loopback, link-local, unique-local, multicast, unspecified and reserved targets (SSRF guard); ${ALLOW_PRIVATE_HINT}`, cls);
}

/** Refuse an address unless private targets are allowed. */
export function assertAllowed(host: string, address: string, allowPrivate: boolean): void {
  if (allowPrivate) return;
  const cls = classifyAddress(address);
  if (cls !== 'public') throw refusal(host, address, cls);
}

export type Resolver = (host: string) => Promise<LookupAddress[]>;
export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addrs) => (err ? reject(err) : resolve(addrs))));

/** The URL's host without IPv6 brackets. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');

/**
 * Subscription-time check: every address the host resolves to must be allowed (any one could be
 * used at delivery). A host that does not resolve is refused too.
 */
export async function checkTarget(url: URL, allowPrivate: boolean, resolve: Resolver = systemResolver): Promise<void> {
  const host = hostOf(url);
  if (isIP(host)) return assertAllowed(host, host, allowPrivate);
  let addrs: LookupAddress[];
  try {
    addrs = await resolve(host);
  } catch (e) {
    throw new TargetRefusedError(`webhook target host ${host} cannot be resolved (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the URL`);
  }
  if (addrs.length === 0) throw new TargetRefusedError(`webhook target host ${host} resolves to no address; check the URL`);
  for (const a of addrs) assertAllowed(host, a.address, allowPrivate);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request: resolves, then refuses the connection if an address is not
 * allowed — the check is on the addresses the socket will connect to.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true, verbatim: true }, (err, addrs) => {
      if (err) return callback(err, '', 0);
      try {
        for (const a of addrs) assertAllowed(hostname, a.address, allowPrivate);
      } catch (e) {
        return callback(e as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return callback(null, addrs);
      callback(null, addrs[0].address, addrs[0].family);
    });
  };
}
