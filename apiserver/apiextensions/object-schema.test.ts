// A custom resource version's schema applied to writes: pruning, defaulting, and validation worded as Kubernetes words it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectSchema, type SchemaNode } from './object-schema.js';

const schema: SchemaNode = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['domain'],
      properties: {
        domain: { type: 'string', pattern: '^[a-z.]+$', minLength: 3, maxLength: 20 },
        replicas: { type: 'integer', minimum: 0, maximum: 10, default: 1 },
        tier: { type: 'string', enum: ['free', 'pro'] },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', maxItems: 2 },
        ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } } },
        contact: { type: 'string', format: 'email', nullable: true },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 2 },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } },
      },
    },
  },
};

const s = new ObjectSchema(schema);
const fields = (obj: Record<string, unknown>) => s.validate(obj).map((c) => `${c.field}: ${c.message}`);

test('unknown fields are pruned (not under preserve-unknown-fields; apiVersion, kind, metadata kept) and reported by path', () => {
  const obj = { apiVersion: 'x/v1', kind: 'K', metadata: { name: 'a', bogus: 1 }, top: 1, spec: { domain: 'a.b', bogus: true, free: { any: { thing: 1 } },
    ports: [{ name: 'http', extra: 1 }], template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { a: 'x', b: 'y' } } } };
  assert.deepEqual(s.prune(obj).sort(), ['metadata.bogus', 'spec.bogus', 'spec.ports[0].extra', 'spec.template.spec.b', 'top']);
  assert.deepEqual(obj, { apiVersion: 'x/v1', kind: 'K', metadata: { name: 'a' }, spec: { domain: 'a.b', free: { any: { thing: 1 } }, ports: [{ name: 'http' }],
    template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { a: 'x' } } } });
});

test('defaults fill in what is missing and keep what is set', () => {
  const a: Record<string, unknown> = { spec: { domain: 'a.b' } };
  s.default(a);
  assert.equal((a.spec as { replicas: number }).replicas, 1);
  const b: Record<string, unknown> = { spec: { domain: 'a.b', replicas: 0 } };
  s.default(b);
  assert.equal((b.spec as { replicas: number }).replicas, 0);
});

test('every bad field gets one cause, in Kubernetes\' words', () => {
  const got = fields({ spec: { replicas: 'three', tier: 'gold', tags: ['a', 'a', 'b'], contact: 'nope', port: 1.5, labels: { a: 'b', c: 'd', e: 'f' },
    ports: [{ name: 'x' }, { name: 'x', port: 2 }], template: { spec: {} } } });
  for (const want of [
    'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    'spec.tier: Unsupported value: "gold": supported values: "free", "pro"',
    'spec.domain: Required value',
    'spec.tags: Too many: 3: must have at most 2 items',
    'spec.tags[1]: Duplicate value: "a"',
    'spec.ports[1]: Duplicate value: map[string]interface {}{"name":"x"}',
    'spec.contact: Invalid value: "nope": spec.contact in body must be of type email: "nope"',
    'spec.port: Invalid value: "number": spec.port in body must be of type integer-or-string: "number"',
    'spec.labels: Too many: 3: must have at most 2 items',
    'spec.template.apiVersion: Required value: must not be empty',
    'spec.template.kind: Required value: must not be empty',
  ]) assert.ok(got.includes(want), `${want}\nnot in\n${got.join('\n')}`);
  assert.deepEqual(fields({ spec: { domain: 'AB', replicas: 11 } }).sort(), [
    'spec.domain: Invalid value: "AB": spec.domain in body should be at least 3 chars long',
    'spec.domain: Invalid value: "AB": spec.domain in body should match \'^[a-z.]+$\'',
    'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10',
  ]);
  assert.deepEqual(fields({ spec: { domain: 'abc', contact: null, port: 'http', replicas: 0 } }), [], 'nullable, int-or-string as a string, a zero');
  assert.deepEqual(fields({ spec: { domain: 'abc', port: 80, tier: null } }), ['spec.tier: Invalid value: "null": spec.tier in body must be of type string: "null"']);
});
