// Node's podCIDR/podCIDRs: kept in step, checked, and immutable once set (as Kubernetes validates a node update).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject } from '../validate.js';
import { builtinKinds } from './index.js';

const def = (await builtinKinds()).find((d) => d.info.kind === 'Node');
if (!def) throw new Error('Node is not a built-in kind');
const kind = def;

type O = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const node = (spec: O): O => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec });
function check(obj: O, old?: O): string[] {
  kind.defaults(obj);
  return validateObject(kind, obj, { old, strict: false }).causes.map((c) => `${c.field}: ${c.message}`);
}
const IMMUTABLE = 'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid';

test('podCIDR alone gives podCIDRs, podCIDRs alone gives podCIDR', () => {
  const a = node({ podCIDR: '10.244.1.0/24' });
  assert.deepEqual(check(a), []);
  assert.deepEqual(a.spec.podCIDRs, ['10.244.1.0/24']);
  const b = node({ podCIDRs: ['10.244.2.0/24', 'fd00::/64'] });
  assert.deepEqual(check(b), []);
  assert.equal(b.spec.podCIDR, '10.244.2.0/24');
  assert.deepEqual(check(node({ podCIDR: '10.244.9.0/24', podCIDRs: ['10.244.2.0/24'] })), ['spec.podCIDR: Invalid value: "10.244.9.0/24": must match the first entry of spec.podCIDRs']);
});

test('podCIDRs may go from unset to valid, and never change after', () => {
  const old = node({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] });
  assert.deepEqual(check(node({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] }), node({})), []);
  assert.deepEqual(check(node({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] }), old), []);
  assert.ok(check(node({ podCIDR: '10.244.7.0/24', podCIDRs: ['10.244.7.0/24'] }), old).includes(IMMUTABLE));
  assert.ok(check(node({ podCIDRs: ['10.244.1.0/24', 'fd00::/64'] }), old).includes(IMMUTABLE), 'adding a family is a change');
  assert.ok(check(node({ podCIDR: '10.244.7.0/24', podCIDRs: ['10.244.1.0/24'] }), old).includes(IMMUTABLE), 'podCIDR alone changed');
  assert.ok(check(node({}), old).includes(IMMUTABLE), 'clearing is a change');
});
