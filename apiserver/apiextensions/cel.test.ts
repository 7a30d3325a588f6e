// CEL rules (x-kubernetes-validations) on custom objects: `self` at the rule's node, messages and messageExpression,
// fieldPath and reason, transition rules (oldSelf) only on updates, rules on list items and map values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectSchema } from './object-schema.js';

const s = new ObjectSchema({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: 'self.replicas <= 5 || self.tier == "pro"', message: 'more than 5 replicas need the pro tier' },
        { rule: '!has(self.min) || self.min <= self.replicas', messageExpression: '"min " + string(self.min) + " is above replicas"', fieldPath: '.min' },
      ],
      properties: {
        replicas: { type: 'integer' },
        min: { type: 'integer' },
        tier: { type: 'string' },
        plan: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'plan is immutable', reason: 'FieldValueForbidden' }] },
        hosts: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.endsWith(".com")' }] } },
      },
    },
  },
});
const check = (spec: Record<string, unknown>, old?: Record<string, unknown>) =>
  s.validate({ spec }, old && { spec: old }).map((c) => `${c.reason} ${c.field}: ${c.message}`);

test('rules see self at their node; a false rule names the node with its message or the rule', () => {
  assert.deepEqual(check({ replicas: 3, tier: 'free', hosts: ['a.com'] }), []);
  assert.deepEqual(check({ replicas: 6, tier: 'free', hosts: ['a.com', 'b.org'] }), [
    'FieldValueInvalid spec: Invalid value: "object": more than 5 replicas need the pro tier',
    'FieldValueInvalid spec.hosts[1]: Invalid value: "string": failed rule: self.endsWith(".com")',
  ]);
  assert.deepEqual(check({ replicas: 2, min: 3 }), ['FieldValueInvalid spec.min: Invalid value: "object": min 3 is above replicas']);
});

test('a rule that fails to evaluate names the error and the rule', () => {
  const t = new ObjectSchema({ type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' } },
    'x-kubernetes-validations': [{ rule: 'self.a == "x"' }] } } });
  assert.deepEqual(t.validate({ spec: {} }).map((c) => `${c.field}: ${c.message}`), ['spec: Invalid value: "object": no such key: a evaluating rule: self.a == "x"']);
});

test('transition rules run on updates only, against the old value', () => {
  assert.deepEqual(check({ replicas: 1, plan: 'gold' }), [], 'a create has no oldSelf');
  assert.deepEqual(check({ replicas: 1, plan: 'gold' }, { replicas: 1, plan: 'gold' }), []);
  assert.deepEqual(check({ replicas: 1, plan: 'silver' }, { replicas: 1, plan: 'gold' }), ['FieldValueForbidden spec.plan: Invalid value: "string": plan is immutable']);
});

test('rules run only on well-typed objects (the schema\'s causes come first)', () => {
  assert.deepEqual(check({ replicas: 'many', tier: 'free' }), ['FieldValueTypeInvalid spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']);
});
