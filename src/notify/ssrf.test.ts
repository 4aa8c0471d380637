import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTarget, classifyAddress, embeddedV4, TargetRefusedError } from './ssrf.js';

test('addresses are classified: IPv4, IPv6, and IPv4 inside IPv6', () => {
  const cases: [string, string][] = [
    ['8.8.8.8', 'public'], ['1.1.1.1', 'public'], ['2606:4700:4700::1111', 'public'], ['172.32.0.1', 'public'], ['100.128.0.1', 'public'],
    ['127.0.0.1', 'loopback'], ['127.255.0.9', 'loopback'], ['::1', 'loopback'],
    ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'], ['100.64.0.1', 'private'], ['fec0::1', 'private'],
    ['169.254.169.254', 'link-local'], ['fe80::1', 'link-local'], ['fe80::1%eth0', 'link-local'], ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local'], ['fd12:3456::1', 'unique-local'],
    ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'], ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'], ['::', 'unspecified'],
    ['255.255.255.255', 'reserved'], ['240.0.0.1', 'reserved'], ['192.0.2.5', 'reserved'], ['2001:db8::1', 'reserved'],
    // IPv4 carried in IPv6: judged by the IPv4 inside
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['::ffff:10.0.0.1', 'private'], ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:8.8.8.8', 'public'], ['::127.0.0.1', 'loopback'], ['64:ff9b::a9fe:a9fe', 'link-local'], ['2002:c0a8:0101::1', 'private'], ['2002:0808:0808::1', 'public'],
    ['not-an-ip', 'reserved'],
  ];
  for (const [addr, cls] of cases) assert.equal(classifyAddress(addr), cls, addr);
  assert.equal(embeddedV4('::ffff:192.168.0.1'), '192.168.0.1');
  assert.equal(embeddedV4('2606:4700::1'), null);
});

test('subscription-time check: resolved addresses, IP literals, and the hint to allow them', async () => {
  const resolver = (map: Record<string, string[]>) => async (h: string) => {
    if (!map[h]) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return map[h].map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const r = resolver({ 'hooks.example.com': ['93.184.216.34'], 'inside.example.com': ['93.184.216.34', '10.0.0.7'], 'rebind.example': ['::ffff:127.0.0.1'] });
  await checkTarget(new URL('https://hooks.example.com/x'), false, r);
  for (const u of ['https://inside.example.com/', 'http://127.0.0.1:9/', 'http://[::1]/', 'http://rebind.example/', 'http://169.254.169.254/latest/meta-data', 'http://[::ffff:a00:1]/', 'http://2130706433/']) {
    await assert.rejects(checkTarget(new URL(u), false, r), (e: Error) => {
      assert.ok(e instanceof TargetRefusedError, u);
      assert.match(e.message, /SSRF guard/);
      assert.match(e.message, /LOGSNAP_WEBHOOKS_ALLOW_PRIVATE=true/);
      assert.match(e.message, /webhooks\.allowPrivate/);
      return true;
    }, u);
  }
  // allowed when private targets are allowed
  await checkTarget(new URL('http://127.0.0.1:9/'), true, r);
  await checkTarget(new URL('https://inside.example.com/'), true, r);
  // a host that does not resolve is refused either way, saying so
  await assert.rejects(checkTarget(new URL('https://nowhere.example/'), true, r), /cannot be resolved \(ENOTFOUND\)/);
});
