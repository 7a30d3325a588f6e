// NetworkPolicy's defaulting, checks (Kubernetes' fields and messages) and table row, as the store runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatusCause } from '../../../lib/api/types.js';
import { validateObject } from '../validate.js';
import { builtinKinds } from './index.js';

const def = (await builtinKinds()).find((d) => d.info.kind === 'NetworkPolicy');
if (!def) throw new Error('NetworkPolicy is not a built-in kind');
const kind = def;

type O = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const policy = (spec: O): O => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'default' }, spec });

function check(obj: O): StatusCause[] {
  kind.defaults(obj);
  return validateObject(kind, obj, { strict: false }).causes;
}
const messages = (causes: StatusCause[]): string[] => causes.map((c) => `${c.field}: ${c.message}`);

test('defaults: TCP ports, policyTypes Ingress (plus Egress when there are egress rules)', () => {
  const a = policy({ podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] });
  assert.deepEqual(check(a), []);
  assert.equal(a.spec.ingress[0].ports[0].protocol, 'TCP');
  assert.deepEqual(a.spec.policyTypes, ['Ingress']);
  const b = policy({ podSelector: {}, egress: [{}] });
  check(b);
  assert.deepEqual(b.spec.policyTypes, ['Ingress', 'Egress']);
  const c = policy({ podSelector: {}, policyTypes: ['Egress'] });
  check(c);
  assert.deepEqual(c.spec.policyTypes, ['Egress'], 'given policyTypes stay');
});

test('a well-formed policy passes: selectors, ipBlock with except, named ports, port ranges', () => {
  assert.deepEqual(check(policy({
    podSelector: { matchLabels: { app: 'backend' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } }, namespaceSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }],
      ports: [{ port: 'http' }, { port: 8000, endPort: 8100, protocol: 'UDP' }] }],
    egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }], ports: [{ protocol: 'UDP', port: 53 }] }],
  })), []);
});

test('podSelector is required', () => {
  assert.deepEqual(messages(check(policy({ ingress: [] }))), ['spec.podSelector: Required value']);
});

test("ports: Kubernetes' protocol, port and endPort rules", () => {
  assert.deepEqual(messages(check(policy({
    podSelector: {},
    ingress: [{ ports: [
      { protocol: 'ICMP', port: 80 },
      { port: 0 },
      { port: 90, endPort: 80 },
      { port: 'http', endPort: 90 },
      { endPort: 90 },
      { port: 'not_a-port-name' },
      { port: 80, endPort: 70000 },
    ] }],
  }))), [
    'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
    'spec.ingress[0].ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ingress[0].ports[2].endPort: Invalid value: 90: must be greater than or equal to `port`',
    'spec.ingress[0].ports[3].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
    'spec.ingress[0].ports[4].endPort: Invalid value: 90: may not be specified when `port` is not specified',
    ...messages(check(policy({ podSelector: {}, ingress: [{ ports: [{ port: 'not_a-port-name' }] }] }))).map((m) => m.replace('ports[0]', 'ports[5]')),
    'spec.ingress[0].ports[6].endPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
  ]);
  const named = messages(check(policy({ podSelector: {}, ingress: [{ ports: [{ port: 'not_a-port-name' }] }] })));
  assert.ok(named.length > 0 && named.every((m) => m.startsWith('spec.ingress[0].ports[0].port: Invalid value: "not_a-port-name": ')), named.join('\n'));
});

test('peers: at least one, ipBlock alone, cidr valid and except strictly inside it', () => {
  assert.deepEqual(messages(check(policy({
    podSelector: {},
    egress: [{ to: [
      {},
      { ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} },
      { ipBlock: { cidr: '10.0.0.0/33' } },
      { ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24', '10.0.0.0/16', '10.0.0.0/8', '10.0.5.0/24', 'nope'] } },
      { ipBlock: { cidr: '' } },
    ] }],
  }))), [
    'spec.egress[0].to[0]: Required value: must specify a peer',
    'spec.egress[0].to[1]: Forbidden: may not specify both ipBlock and another peer',
    'spec.egress[0].to[2].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    'spec.egress[0].to[3].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`',
    'spec.egress[0].to[3].ipBlock.except[1]: Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`',
    'spec.egress[0].to[3].ipBlock.except[2]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`',
    'spec.egress[0].to[3].ipBlock.except[4]: Invalid value: "nope": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    'spec.egress[0].to[4].ipBlock.cidr: Required value',
  ]);
});

test('policyTypes: Ingress and Egress only, at most two', () => {
  assert.deepEqual(messages(check(policy({ podSelector: {}, policyTypes: ['Ingress', 'Sideways'] }))), [
    'spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
  ]);
  assert.equal(messages(check(policy({ podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] })))[0]?.split(': Invalid value')[0], 'spec.policyTypes');
  assert.match(messages(check(policy({ podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] })))[0] ?? '', /may not specify more than two policyTypes$/);
});

test('table: NAME POD-SELECTOR AGE', () => {
  const printer = kind.printer;
  assert.deepEqual(printer.columns.map((c) => c[0]), ['Name', 'Pod-Selector', 'Age']);
  const row = (sel: O) => printer.row({ ...policy({ podSelector: sel }), metadata: { name: 'p', creationTimestamp: new Date().toISOString() } } as never, new Date());
  assert.equal(row({})[1], '<none>');
  assert.equal(row({ matchLabels: { app: 'backend' } })[1], 'app=backend');
});
