// A CustomResourceDefinition's own checks: names, group, scope, versions (one storage, some served), structural
// schemas, CEL rules refused, printer columns and scale paths; scope and stored versions on update.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCRD, validateCRDUpdate } from './crd-validation.js';
import { structuralCauses } from './structural.js';

const crd = (over: Record<string, unknown> = {}, version: Record<string, unknown> = {}) => ({
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } }, ...version }],
    ...over,
  },
});
const msgs = (o: Record<string, unknown>) => validateCRD(o).map((c) => `${c.field}: ${c.message}`);

test('a well-formed definition passes', () => {
  assert.deepEqual(msgs(crd()), []);
});

test('name, group, names and scope are checked', () => {
  assert.deepEqual(msgs({ ...crd(), metadata: { name: 'other.example.com' } }), ['metadata.name: Invalid value: "other.example.com": must be spec.names.plural+"."+spec.group']);
  assert.ok(msgs(crd({ group: 'example' })).includes('spec.group: Invalid value: "example": should be a domain with at least one dot'));
  assert.ok(msgs(crd({ scope: 'Galaxy' })).includes('spec.scope: Unsupported value: "Galaxy": supported values: "Cluster", "Namespaced"'));
  assert.ok(msgs(crd({ names: { plural: 'Widgets' } })).some((m) => m.startsWith('spec.names.plural: Invalid value: "Widgets"')));
  assert.ok(msgs(crd({ names: { plural: 'widgets' } })).includes('spec.names.kind: Required value'));
});

test('exactly one storage version, at least one served, unique version names', () => {
  const two = crd({ versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
    { name: 'v1', served: false, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] });
  const m = msgs(two);
  assert.ok(m.includes('spec.versions[1].name: Duplicate value: "v1"'), m.join('\n'));
  assert.ok(m.includes('spec.versions: Invalid value: "[v1 v1]": must have exactly one version marked as storage version'));
  assert.ok(msgs(crd({}, { served: false })).includes('spec.versions: Invalid value: "[v1]": must have at least one version marked as served'));
});

test('non-structural schemas are refused with Kubernetes\' messages; CEL rules that do not compile are refused', () => {
  const p = 'spec.versions[0].schema.openAPIV3Schema';
  assert.deepEqual(structuralCauses(undefined, p).map((c) => c.message), ['Required value: schemas are required']);
  assert.deepEqual(structuralCauses({ type: 'string' }, p).map((c) => `${c.field}: ${c.message}`), [`${p}.type: Invalid value: "string": must be object at the root`]);
  const m = structuralCauses({ type: 'object', properties: {
    spec: { properties: { a: { type: 'string' } } },
    metadata: { type: 'object', properties: { labels: { type: 'object' } } },
    list: { type: 'array', items: { type: 'string' }, uniqueItems: true },
    num: { type: 'integer', 'x-kubernetes-int-or-string': true },
    ruled: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() > 1' }, { rule: 'self.size( >' }] },
    closed: { type: 'object', additionalProperties: false },
  } }, p).map((c) => `${c.field}: ${c.message}`);
  for (const want of [
    `${p}.properties[spec].type: Required value: must not be empty for specified object fields`,
    `${p}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    `${p}.properties[list].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
    `${p}.properties[num].type: Invalid value: "integer": must be empty to be structural`,
    `${p}.properties[closed].additionalProperties: Forbidden: additionalProperties cannot be set to false`,
  ]) assert.ok(m.includes(want), `${want}\nnot in\n${m.join('\n')}`);
  assert.ok(m.some((x) => x.startsWith(`${p}.properties[ruled].x-kubernetes-validations[1].rule: Invalid value: "self.size( >": compilation failed:`)), m.join('\n'));
  assert.ok(!m.some((x) => x.includes('x-kubernetes-validations[0]')), 'a rule that compiles is accepted');
});

test('printer columns and scale paths are checked', () => {
  const m = msgs(crd({}, { additionalPrinterColumns: [{ name: 'X', type: 'float', jsonPath: '.spec.x' }],
    subresources: { scale: { specReplicasPath: '.status.replicas', statusReplicasPath: '.status.replicas' } } }));
  assert.ok(m.includes('spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "float": supported values: "boolean", "date", "integer", "number", "string"'));
  assert.ok(m.includes('spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec'));
});

test('on update the scope is immutable and stored versions must stay listed', () => {
  const old = { ...crd(), status: { storedVersions: ['v1'] } };
  const next = crd({ scope: 'Cluster', versions: [{ name: 'v2', served: true, storage: true }] });
  assert.deepEqual(validateCRDUpdate(next, old).map((c) => `${c.field}: ${c.message}`), [
    'spec.scope: Invalid value: "Cluster": field is immutable',
    'status.storedVersions[0]: Invalid value: "v1": must appear in spec.versions',
  ]);
});

test('schemas objects could not be checked with are refused: a bad pattern, a bound that is not a number', () => {
  const p = 'spec.versions[0].schema.openAPIV3Schema';
  const withProp = (a: Record<string, unknown>) => msgs(crd({}, { schema: { openAPIV3Schema: { type: 'object', properties: { a } } } }));
  assert.ok(withProp({ type: 'string', pattern: '[' }).some((m) => m.startsWith(`${p}.properties[a].pattern: Invalid value: "[": must be a valid regular expression, but isn't:`)));
  assert.deepEqual(withProp({ type: 'integer', minimum: 'x' }), [`${p}: Invalid value: "object": the schema is invalid: /properties/a/minimum must be number`]);
});
