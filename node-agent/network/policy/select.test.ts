import { test } from 'node:test';
import assert from 'node:assert/strict';
import { model, pod } from '../testing/fixtures.js';
import type { NamespaceModel, NetworkPolicyModel } from '../model.js';
import { policyTypes, resolvePolicies } from './select.js';
import { renderPolicy } from './render.js';

const pods = [
  pod('web', '10.244.0.2', { labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }),
  pod('web-remote', '10.244.1.2', { labels: { app: 'web' }, nodeName: 'node-2', ports: [{ name: 'http', containerPort: 8081, protocol: 'TCP' }] }),
  pod('api', '10.244.0.3', { namespace: 'prod', labels: { app: 'api' }, ports: [{ name: 'http', containerPort: 9000, protocol: 'TCP' }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }),
  pod('host', '192.168.1.10', { labels: { app: 'web' }, hostNetwork: true }),
];
const namespaces: NamespaceModel[] = [{ name: 'default', labels: {} }, { name: 'prod', labels: { env: 'prod' } }];
const np = (spec: NetworkPolicyModel['spec'], namespace = 'default'): NetworkPolicyModel => ({ namespace, name: 'np', spec });

test('policyTypes default: Ingress, plus Egress when there are egress rules', () => {
  assert.deepEqual(policyTypes(np({ podSelector: {} })), ['Ingress']);
  assert.deepEqual(policyTypes(np({ podSelector: {}, egress: [{}] })), ['Ingress', 'Egress']);
  assert.deepEqual(policyTypes(np({ podSelector: {}, policyTypes: ['Egress'] })), ['Egress']);
});

test('a policy applies here only through the pods of this node it selects; host-network pods take no part', () => {
  const [r] = resolvePolicies(model({ pods, namespaces, networkPolicies: [np({ podSelector: { matchLabels: { app: 'web' } } })] }));
  assert.deepEqual(r?.localPods.map((p) => p.name), ['web']);
  assert.deepEqual(r?.ingress, [], 'no ingress rules: isolated, nothing allowed');
  assert.equal(r?.egress, undefined, 'egress not isolated');
  assert.deepEqual(resolvePolicies(model({ pods, namespaces, networkPolicies: [np({ podSelector: { matchLabels: { app: 'nope' } } })] })), []);
});

test('peers: podSelector in the policy namespace, namespaceSelector across namespaces (by label or metadata.name), both combined', () => {
  const resolve = (from: NonNullable<NetworkPolicyModel['spec']['ingress']>[number]['from']) =>
    resolvePolicies(model({ pods, namespaces, networkPolicies: [np({ podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from }] })] }))[0]?.ingress?.[0]?.podIPs;
  assert.deepEqual(resolve([{ podSelector: {} }]), ['10.244.0.2', '10.244.1.2']);
  assert.deepEqual(resolve([{ namespaceSelector: { matchLabels: { env: 'prod' } } }]), ['10.244.0.3']);
  assert.deepEqual(resolve([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prod' } }, podSelector: { matchLabels: { app: 'web' } } }]), []);
  assert.deepEqual(resolve([{ namespaceSelector: {} }]), ['10.244.0.2', '10.244.0.3', '10.244.1.2']);
});

test('ports: TCP by default, ranges, whole protocols; named ports resolved on the selected pods (ingress) or every peer (egress)', () => {
  const [r] = resolvePolicies(model({ pods, namespaces, networkPolicies: [np({
    podSelector: { matchLabels: { app: 'web' } },
    ingress: [{ ports: [{ port: 80 }, { port: 9000, endPort: 9100, protocol: 'UDP' }, { protocol: 'SCTP' }, { port: 'http' }] }],
    egress: [{ ports: [{ port: 'http' }, { port: 'dns', protocol: 'UDP' }] }],
  })] }));
  const ing = r?.ingress?.[0];
  assert.deepEqual(ing?.ports, [{ protocol: 'TCP', from: 80, to: 80 }, { protocol: 'UDP', from: 9000, to: 9100 }]);
  assert.deepEqual(ing?.protocols, ['SCTP']);
  assert.deepEqual(ing?.named, [{ ip: '10.244.0.2', protocol: 'TCP', port: 8080 }, { ip: '10.244.1.2', protocol: 'TCP', port: 8081 }]);
  assert.deepEqual(r?.egress?.[0]?.named, [
    { ip: '10.244.0.2', protocol: 'TCP', port: 8080 }, { ip: '10.244.1.2', protocol: 'TCP', port: 8081 }, { ip: '10.244.0.3', protocol: 'TCP', port: 9000 },
    { ip: '10.244.0.3', protocol: 'UDP', port: 53 },
  ]);
});

test('an invalid selector or CIDR matches nothing and is reported; the rest of the policy stands', () => {
  const [r] = resolvePolicies(model({ pods, namespaces, networkPolicies: [np({
    podSelector: { matchLabels: { app: 'web' } },
    ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } }, { ipBlock: { cidr: 'nope' } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
  })] }));
  assert.equal(r?.problems.length, 2);
  assert.deepEqual(r?.ingress?.[0]?.podIPs, []);
  assert.deepEqual(r?.ingress?.[0]?.ipBlocks, [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }]);
});

test('rendering: pods no policy selects cost nothing; the selected get a chain ending in drop; rules = peer kinds x port kinds', () => {
  const m = model({ pods, namespaces, networkPolicies: [np({ podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: {} }, { ipBlock: { cidr: '10.9.0.0/16' } }], ports: [{ port: 80 }, { port: 'http' }] }] })] });
  const rs = renderPolicy(m, { table: 't', family: 4 }).ruleset;
  assert.deepEqual([...(rs.sets.get('ingress-pods')?.elements.keys() ?? [])], ['10.244.0.2']);
  assert.equal(rs.sets.get('egress-pods')?.elements.size, 0);
  const podChain = [...rs.chains].find(([n]) => n.startsWith('pod-ingress-'))?.[1].rules;
  assert.equal(podChain?.[podChain.length - 1], 'drop');
  const pol = [...rs.chains].find(([n]) => n.startsWith('pol-ingress-'))?.[1].rules ?? [];
  assert.equal(pol.length, 4);
  assert.ok(pol.every((r) => r.endsWith(' accept')));
  const v6 = renderPolicy(m, { table: 't', family: 6 }).ruleset;
  assert.ok(v6.sets.get('ingress-pods')?.elements.size === 0, 'no IPv6 addresses: nothing in the IPv6 table');
  assert.match(v6.chains.get('egress-to-node')?.rules[1] ?? '', /^icmpv6 type \{ nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit \} accept$/, 'IPv6 neighbour discovery with the node always passes');
});
