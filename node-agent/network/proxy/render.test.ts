import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpoints, model, service } from '../testing/fixtures.js';
import { renderProxy } from './render.js';

const render = (m: Parameters<typeof renderProxy>[0], family: 4 | 6 = 4) => renderProxy(m, { table: 'flotilla-proxy-t', family }).ruleset;
const rulesOf = (rs: ReturnType<typeof render>, prefix: string) => [...rs.chains].filter(([n]) => n.startsWith(prefix)).map(([, c]) => c.rules);

test('one verdict-map entry per ClusterIP port: the per-packet lookup does not grow with Services', () => {
  const services = Array.from({ length: 50 }, (_, i) => service(`s${i}`, `10.96.1.${i}`));
  const rs = render(model({ services, endpoints: services.flatMap((s, i) => endpoints(s.name, [`10.244.1.${i}`])) }));
  assert.equal(rs.sets.get('service-ips')?.elements.size, 50);
  assert.deepEqual(rs.chains.get('services')?.rules, ['ip daddr . meta l4proto . th dport vmap @service-ips', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports']);
});

test('random balancing over the endpoints, hairpin masquerade and DNAT per endpoint', () => {
  const rs = render(model({ services: [service('web', '10.96.0.1')], endpoints: endpoints('web', ['10.244.0.2', '10.244.0.3']) }));
  const [svc] = rulesOf(rs, 'svc-');
  assert.match(svc?.[0] ?? '', /^numgen random mod 2 vmap \{ 0 : goto ep-\S+__10\.244\.0\.2\/8080, 1 : goto ep-\S+__10\.244\.0\.3\/8080 \}$/);
  assert.deepEqual(rulesOf(rs, 'ep-')[0], ['ip saddr 10.244.0.2 jump mark-for-masquerade', 'meta l4proto tcp dnat to 10.244.0.2:8080']);
});

test('no endpoints: reject; Local internal policy with endpoints only elsewhere: drop; unknown ports of a ClusterIP rejected, the service CIDR dropped', () => {
  const rs = render(model({
    services: [service('none', '10.96.0.1'), service('remote', '10.96.0.2', { internalTrafficPolicy: 'Local' })],
    endpoints: endpoints('remote', ['10.244.9.9'], { nodeName: 'node-2' }),
  }));
  assert.deepEqual([...(rs.sets.get('no-endpoint-services')?.elements ?? [])], [['10.96.0.1 . tcp . 80', 'goto reject-chain'], ['10.96.0.2 . tcp . 80', 'drop']]);
  assert.equal(rs.sets.get('service-ips')?.elements.size, 0);
  assert.deepEqual(rs.chains.get('cluster-ips-check')?.rules, ['ip daddr @cluster-ips reject', 'ip daddr { 10.96.0.0/12 } drop']);
});

test('external traffic: Cluster policy masquerades; Local keeps the source for outside clients and sends pods and the host to any endpoint', () => {
  const rs = render(model({
    nodeIPs: ['192.168.1.10', 'fd00::10'],
    services: [
      service('c', '10.96.0.1', { type: 'NodePort', ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 30001 }] }),
      service('l', '10.96.0.2', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancerIngressIPs: ['1.2.3.4'], ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 30002 }] }),
    ],
    endpoints: [...endpoints('c', ['10.244.0.2']), ...endpoints('l', ['10.244.0.3']), ...endpoints('l', ['10.244.0.4'], { nodeName: 'node-2' })],
  }));
  assert.deepEqual([...(rs.sets.get('nodeport-ips')?.elements.keys() ?? [])], ['192.168.1.10']);
  const ext = [...rs.chains].filter(([n]) => n.startsWith('ext-'));
  const cluster = ext.find(([n]) => n.includes('/c/'))?.[1].rules ?? [];
  const local = ext.find(([n]) => n.includes('/l/'))?.[1].rules ?? [];
  assert.equal(cluster[0], 'jump mark-for-masquerade');
  assert.equal(local[0]?.replace(/goto .*/, 'goto'), 'ip saddr { 10.244.0.0/16 } goto');
  assert.match(local[local.length - 1] ?? '', /^goto local-/);
  const localChain = [...rs.chains].find(([n]) => n.startsWith('local-'))?.[1].rules ?? [];
  assert.equal(localChain.length, 1);
  assert.match(localChain[0] ?? '', /^goto ep-.*10\.244\.0\.3\/8080$/, 'only the endpoint on this node');
  assert.equal(rs.sets.get('service-ips')?.elements.get('1.2.3.4 . tcp . 80')?.startsWith('goto ext-'), true);
});

test('session affinity: a timeout set per endpoint, checked before balancing and refreshed by the endpoint chain', () => {
  const rs = render(model({ services: [service('s', '10.96.0.1', { sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 60 })], endpoints: endpoints('s', ['10.244.0.2', '10.244.0.3']) }));
  const sets = [...rs.sets].filter(([n]) => n.startsWith('affinity-'));
  assert.equal(sets.length, 2);
  assert.deepEqual(sets[0]?.[1].spec, ['type ipv4_addr', 'flags dynamic,timeout', 'timeout 60s']);
  assert.equal(sets[0]?.[1].dynamic, true);
  const svc = rulesOf(rs, 'svc-')[0] ?? [];
  assert.match(svc[0] ?? '', /^ip saddr @affinity-\S+ goto ep-/);
  assert.match(svc[2] ?? '', /^numgen random mod 2/);
  assert.match(rulesOf(rs, 'ep-')[0]?.[1] ?? '', /^update @affinity-\S+ \{ ip saddr \}$/);
});

test('IPv6: ip6 matches, bracketed DNAT, the IPv6 ClusterIPs only', () => {
  const rs = render(model({ services: [service('d', '10.96.0.1', { clusterIPs: ['10.96.0.1', 'fd00:96::1'] })], endpoints: endpoints('d', ['10.244.0.2', 'fd00:244::2']), clusterCIDRs: ['10.244.0.0/16', 'fd00:244::/64'] }), 6);
  assert.equal(rs.family, 'ip6');
  assert.deepEqual([...(rs.sets.get('service-ips')?.elements.keys() ?? [])], ['fd00:96::1 . tcp . 80']);
  assert.deepEqual(rulesOf(rs, 'ep-')[0], ['ip6 saddr fd00:244::2 jump mark-for-masquerade', 'meta l4proto tcp dnat to [fd00:244::2]:8080']);
  assert.match(rs.chains.get('nat-prerouting')?.rules[0] ?? '', /ip6 saddr != \{ fd00:244::\/64 \}/);
});

test('with a cache, unchanged Service ports reuse their chains; a changed one is rendered anew and the diff is the same as without', async () => {
  const { incrementalTransaction } = await import('../nft/ruleset.js');
  const svcs = [service('a', '10.96.0.1'), service('b', '10.96.0.2')];
  const before = model({ services: svcs, endpoints: [...endpoints('a', ['10.244.0.2']), ...endpoints('b', ['10.244.0.3'])] });
  const after = model({ services: svcs, endpoints: [...endpoints('a', ['10.244.0.2']), ...endpoints('b', ['10.244.0.4'])] });
  const cache = new Map();
  const r1 = renderProxy(before, { table: 't', family: 4, cache }).ruleset;
  const r2 = renderProxy(after, { table: 't', family: 4, cache }).ruleset;
  const chainOf = (rs: typeof r1, part: string) => [...rs.chains].find(([n]) => n.startsWith('svc-') && n.includes(part))?.[1];
  assert.equal(chainOf(r2, '/a/'), chainOf(r1, '/a/'), 'the same object: unchanged by construction');
  assert.notEqual(chainOf(r2, '/b/'), chainOf(r1, '/b/'));
  const plain = incrementalTransaction(renderProxy(before, { table: 't', family: 4 }).ruleset, renderProxy(after, { table: 't', family: 4 }).ruleset);
  assert.equal(incrementalTransaction(r1, r2), plain);
  assert.equal(cache.size, 2, 'the cache holds only what the last render used');
});
