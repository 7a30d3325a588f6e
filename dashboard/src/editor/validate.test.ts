import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi, json } from '../testing/fake-api.js';
import { OpenApiSchemas, indexDocument } from './schemas.js';
import { type Schema, type SchemaIndex, parseYaml, suggest, validate } from './validate.js';

// A slice of the apps/v1 document, shaped as the server's /openapi/v3/apis/apps/v1 is.
const ref = (n: string) => ({ allOf: [{ $ref: `#/components/schemas/${n}` }] });
const doc = {
  components: {
    schemas: {
      'io.k8s.api.apps.v1.Deployment': { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: ref('meta.ObjectMeta'), spec: ref('io.k8s.api.apps.v1.DeploymentSpec') }, 'x-kubernetes-group-version-kind': [{ group: 'apps', version: 'v1', kind: 'Deployment' }] },
      'io.k8s.api.apps.v1.DeploymentSpec': { type: 'object', required: ['selector', 'template'], properties: { replicas: { type: 'integer' }, selector: { type: 'object', properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } } }, template: ref('core.PodTemplateSpec'), strategy: { type: 'object', properties: { type: { type: 'string', enum: ['Recreate', 'RollingUpdate'] }, rollingUpdate: { type: 'object', properties: { maxSurge: { $ref: '#/components/schemas/intstr.IntOrString' } } } } } } },
      'core.PodTemplateSpec': { type: 'object', properties: { metadata: ref('meta.ObjectMeta'), spec: { type: 'object', properties: { containers: { type: 'array', items: ref('core.Container') } } } } },
      'core.Container': { type: 'object', required: ['name'], properties: { name: { type: 'string' }, image: { type: 'string' }, imagePullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] }, resources: { type: 'object', properties: { limits: { type: 'object', additionalProperties: { $ref: '#/components/schemas/Quantity' } } } }, ports: { type: 'array', items: { type: 'object', properties: { containerPort: { type: 'integer' } } } } } },
      'meta.ObjectMeta': { type: 'object', properties: { name: { type: 'string' }, generateName: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } }, annotations: { type: 'object', additionalProperties: { type: 'string' } } } },
      'intstr.IntOrString': { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
      Quantity: { oneOf: [{ type: 'string' }, { type: 'number' }] },
      'raw.Extension': { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    } as Record<string, Schema>,
  },
};

function index(): SchemaIndex {
  const apps = indexDocument(doc, 'apps/v1');
  return {
    kind: (v, k) => (v === 'apps/v1' ? (apps.byKind.get(k) ?? null) : v === 'v1' ? undefined : null),
    ref: (_v, r) => apps.schemas[r.replace('#/components/schemas/', '')],
  };
}

const GOOD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  strategy:
    rollingUpdate:
      maxSurge: 25%
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources:
          limits:
            memory: 64Mi
            cpu: 1
`;

const at = (text: string, p: { from: number; to: number }) => text.slice(p.from, p.to);

test('a valid manifest has no problems', () => {
  assert.deepEqual(validate(GOOD, index()), []);
});

test('a misspelt field is marked where it is, with the field path and the likely name', () => {
  const text = GOOD.replace('image:', 'imagee:');
  const [p, ...rest] = validate(text, index());
  assert.deepEqual(rest, []);
  assert.equal(p?.severity, 'error');
  assert.equal(p?.message, 'unknown field "spec.template.spec.containers[0].imagee" (did you mean "image"?)');
  assert.equal(at(text, p as { from: number; to: number }), 'imagee');
});

test('wrong types, values outside an enum, a missing required field, an unknown kind', () => {
  const text = GOOD.replace('replicas: 2', 'replicas: two').replace('image: nginx:1.27', 'image: nginx:1.27\n        imagePullPolicy: Sometimes').replace('memory: 64Mi', 'memory: [64]');
  const msgs = validate(text, index()).map((p) => `${at(text, p)} | ${p.message}`);
  assert.deepEqual(msgs, [
    'two | spec.replicas: expected an integer, got "two"',
    'Sometimes | spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
    '[64] | spec.template.spec.containers[0].resources.limits.memory: expected a string or a number, got a list',
  ]);
  const noName = GOOD.replace('      - name: web\n        image', '      - image');
  assert.deepEqual(validate(noName, index()).map((p) => p.message), ['spec.template.spec.containers[0].name: Required value']);
  const noTemplate = GOOD.slice(0, GOOD.indexOf('  template:'));
  assert.deepEqual(validate(noTemplate, index()).map((p) => p.message), ['spec.template: Required value']);
  const typoKind = GOOD.replace('kind: Deployment', 'kind: Deploymnet');
  const [k] = validate(typoKind, index());
  assert.equal(k?.message, 'no kind "Deploymnet" is registered for version "apps/v1"');
  assert.equal(at(typoKind, k as { from: number; to: number }), 'Deploymnet');
  assert.deepEqual(validate(GOOD.replace('apps/v1', 'apps/v2'), index()).map((p) => p.message), ['no kind "Deployment" is registered for version "apps/v2"']);
  assert.deepEqual(validate(GOOD.replace('  name: web\n', ''), index()).map((p) => p.message), ['metadata.name: Required value: name or generateName is required']);
});

test('YAML syntax errors are marked; several documents are checked each; unknown schemas check syntax only', () => {
  const broken = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: "unterminated\n';
  const [p] = validate(broken, index());
  assert.equal(p?.severity, 'error');
  assert.ok((p?.from ?? -1) >= broken.indexOf('"unterminated'), `at the string: ${JSON.stringify(p)}`);
  const two = `${GOOD}---\n${GOOD.replace('replicas: 2', 'replicass: 2')}`;
  const probs = validate(two, index());
  assert.equal(probs.length, 1);
  assert.ok((probs[0]?.from ?? 0) > GOOD.length, 'in the second document');
  assert.deepEqual(validate('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\nnot: checked\n', index()), []);
  assert.deepEqual(validate('- a list\n', index()).map((x) => x.message), ['a manifest is a map with apiVersion, kind and metadata']);
  assert.deepEqual(validate('kind: Deployment\n', index()).map((x) => x.message), ['apiVersion is required']);
  assert.equal(parseYaml('a: 1\n---\n---\nb: 2\n').docs.length, 2, 'empty documents are left out');
});

test('did-you-mean picks a close name only', () => {
  assert.equal(suggest('imagee', ['image', 'imagePullPolicy', 'name']), 'image');
  assert.equal(suggest('Replicas', ['replicas']), 'replicas');
  assert.equal(suggest('zzzz', ['image', 'name']), undefined);
});

test('schemas come from the server\'s /openapi/v3 index, one document per group version, fetched once', async () => {
  const api = new FakeApi();
  api.on((r) => (r.url.pathname === '/openapi/v3' ? json(200, { paths: { 'apis/apps/v1': { serverRelativeURL: '/openapi/v3/apis/apps/v1?hash=ABC' } } }) : undefined));
  api.on((r) => (r.url.pathname === '/openapi/v3/apis/apps/v1' ? json(200, doc) : undefined));
  const s = new OpenApiSchemas(api.client);
  await s.load(['apps/v1', 'apps/v1', 'batch/v1']);
  assert.ok(s.kind('apps/v1', 'Deployment'));
  assert.equal(s.kind('apps/v1', 'Widget'), null);
  assert.equal(s.kind('batch/v1', 'Job'), null, 'a group version the server does not serve');
  assert.equal(s.kind('v1', 'Pod'), undefined, 'not loaded: unknown');
  await s.load(['apps/v1']);
  assert.deepEqual(api.requests.map((r) => r.url.pathname + r.url.search), ['/openapi/v3', '/openapi/v3/apis/apps/v1?hash=ABC']);
  assert.deepEqual(validate(GOOD.replace('image:', 'imagee:'), s).map((p) => p.message), ['unknown field "spec.template.spec.containers[0].imagee" (did you mean "image"?)']);
});
