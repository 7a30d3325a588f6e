// Repeated keys and unknown fields, reported as Kubernetes' strict decoder reports them: the bodies and the expected
// messages are those of Kubernetes' own field validation tests (test/integration/apiserver/field_validation_test.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KINDS, type KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError } from '../errors.js';
import { renderPath } from '../http/json-scan.js';
import { decodeRequestBody } from '../http/negotiate.js';
import { applyPatch } from '../http/patch.js';
import { builtinKinds } from './kinds/index.js';
import { clone } from './meta.js';
import type { FieldValidation, WriteContext } from './types.js';
import type { DecodeFindings } from './strict-decoding.js';
import { checkObject } from './validate.js';

const DEPLOY = KINDS.find((k) => k.resource === 'deployments') as KindInfo;
const DEPLOYMENTS = (await builtinKinds()).find((d) => d.info === DEPLOY) as Awaited<ReturnType<typeof builtinKinds>>[number];

const invalidBodyJSON = `{
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": { "name": "dupename", "name": "d", "labels": {"app": "nginx"}, "unknownMeta": "metaVal" },
  "spec": {
    "unknown1": "val1", "unknownDupe": "valDupe", "unknownDupe": "valDupe2", "paused": true, "paused": false,
    "selector": { "matchLabels": { "app": "nginx" } },
    "template": { "metadata": { "labels": { "app": "nginx" } }, "spec": { "containers": [{
      "name": "nginx", "image": "nginx:latest", "unknownNested": "val1", "imagePullPolicy": "Always", "imagePullPolicy": "Never"
    }] } }
  }
}`;

const invalidBodyYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: dupename
  name: d
  unknownMeta: metaVal
  labels:
    app: nginx
spec:
  unknown1: val1
  unknownDupe: valDupe
  unknownDupe: valDupe2
  paused: true
  paused: false
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:latest
        unknownNested: val1
        imagePullPolicy: Always
        imagePullPolicy: Never`;

function ctxFor(fieldValidation: FieldValidation): WriteContext {
  return { namespace: 'default', dryRun: false, fieldValidation, warnings: [] };
}

/** What resources.ts does for a POST: decode (noting repeated keys), then the store's checks. */
function post(contentType: string, body: string, fieldValidation: FieldValidation): WriteContext {
  const ctx = ctxFor(fieldValidation);
  const decoded = decodeRequestBody(contentType, Buffer.from(body), fieldValidation !== 'Ignore');
  if (decoded.duplicates?.format === 'json') ctx.decoded = { source: 'object', duplicatePaths: decoded.duplicates.paths.map(renderPath) };
  if (decoded.format === 'yaml') ctx.decoded = { source: 'object', yamlErrors: decoded.duplicates?.format === 'yaml' ? decoded.duplicates.messages : [] };
  const obj = clone(decoded.value) as KubeObject;
  obj.metadata.namespace = 'default'; // the store sets it from the URL before these checks
  checkObject(DEPLOYMENTS, obj, undefined, ctx);
  return ctx;
}

function strictMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, 400);
    return e.message;
  }
  assert.fail('no error');
}

const PREFIX = 'Deployment in version "v1" cannot be handled as a Deployment: ';

test('JSON body: repeated and unknown fields in document order, as Kubernetes words them', () => {
  const want = 'strict decoding error: duplicate field "metadata.name", unknown field "metadata.unknownMeta", unknown field "spec.unknown1", unknown field "spec.unknownDupe", duplicate field "spec.paused", unknown field "spec.template.spec.containers[0].unknownNested", duplicate field "spec.template.spec.containers[0].imagePullPolicy"';
  assert.equal(strictMessage(() => post('application/json', invalidBodyJSON, 'Strict')), PREFIX + want);
  assert.deepEqual(post('application/json', invalidBodyJSON, 'Warn').warnings, [
    'duplicate field "metadata.name"',
    'unknown field "metadata.unknownMeta"',
    'unknown field "spec.unknown1"',
    'unknown field "spec.unknownDupe"',
    'duplicate field "spec.paused"',
    'unknown field "spec.template.spec.containers[0].unknownNested"',
    'duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
  ]);
  assert.deepEqual(post('application/json', invalidBodyJSON, 'Ignore').warnings, []);
});

test('YAML body: the YAML decoder\'s line messages, then the unknown fields sorted', () => {
  const want = `strict decoding error: yaml: unmarshal errors:
  line 5: key "name" already set in map
  line 12: key "unknownDupe" already set in map
  line 14: key "paused" already set in map
  line 28: key "imagePullPolicy" already set in map, unknown field "metadata.unknownMeta", unknown field "spec.template.spec.containers[0].unknownNested", unknown field "spec.unknown1", unknown field "spec.unknownDupe"`;
  assert.equal(strictMessage(() => post('application/yaml', invalidBodyYAML, 'Strict')), PREFIX + want);
  assert.deepEqual(post('application/yaml', invalidBodyYAML, 'Warn').warnings, [
    'line 5: key "name" already set in map',
    'line 12: key "unknownDupe" already set in map',
    'line 14: key "paused" already set in map',
    'line 28: key "imagePullPolicy" already set in map',
    'unknown field "metadata.unknownMeta"',
    'unknown field "spec.template.spec.containers[0].unknownNested"',
    'unknown field "spec.unknown1"',
    'unknown field "spec.unknownDupe"',
  ]);
});

test('YAML body without repeated keys: its unknown fields sorted, as for any YAML body', () => {
  const yaml = 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  zeta: 1\n  selector: {matchLabels: {app: a}}\n  template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: i}]}}\nmetadata:\n  name: d\n  alpha: 1\n';
  assert.deepEqual(post('application/yaml', yaml, 'Warn').warnings, ['unknown field "metadata.alpha"', 'unknown field "spec.zeta"']);
  assert.equal(strictMessage(() => post('application/yaml', yaml, 'Strict')), `${PREFIX}strict decoding error: unknown field "metadata.alpha", unknown field "spec.zeta"`);
});

const current = (): KubeObject => {
  const body = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default', labels: { app: 'nginx' } },
    spec: { selector: { matchLabels: { app: 'nginx' } }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:latest' }] } } },
  } as KubeObject;
  checkObject(DEPLOYMENTS, body, undefined, ctxFor('Ignore'));
  return body;
};

function patch(type: 'merge' | 'strategic' | 'json', body: string, fieldValidation: FieldValidation): WriteContext {
  const ctx = ctxFor(fieldValidation);
  const decoded = decodeRequestBody('application/json', Buffer.from(body), true);
  const paths = decoded.duplicates?.format === 'json' ? decoded.duplicates.paths : [];
  const findings: DecodeFindings = type === 'json'
    ? { source: 'patch', patchErrors: [
      ...(decoded.value as Array<Record<string, unknown>>).flatMap((op, i) => Object.keys(op).filter((k) => !['op', 'path', 'from', 'value'].includes(k)).map((k) => `json patch unknown field "[${i}].${k}"`)),
      ...paths.filter((p) => p.length === 2).map((p) => `json patch duplicate field "${renderPath(p)}"`),
    ] }
    : { source: 'patch', duplicatePaths: paths.map(renderPath) };
  ctx.decoded = findings;
  const out = applyPatch(DEPLOY, undefined, type, current(), decoded.value);
  checkObject(DEPLOYMENTS, clone(out), current(), ctx);
  return ctx;
}

test('merge and strategic patches: the patch\'s repeated keys, then the result\'s unknown fields sorted', () => {
  const body = `{"spec": {"unknown1": "val1", "unknownDupe": "valDupe", "unknownDupe": "valDupe2", "paused": true, "paused": false,
    "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:latest", "unknownNested": "val1", "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}}}}`;
  const want = 'strict decoding error: duplicate field "spec.unknownDupe", duplicate field "spec.paused", duplicate field "spec.template.spec.containers[0].imagePullPolicy", unknown field "spec.template.spec.containers[0].unknownNested", unknown field "spec.unknown1", unknown field "spec.unknownDupe"';
  for (const type of ['merge', 'strategic'] as const) {
    assert.equal(strictMessage(() => patch(type, body, 'Strict')), PREFIX + want, type);
    assert.equal(patch(type, body, 'Warn').warnings.length, 6, type);
  }
});

test('JSON patch: repeated and unknown fields of the operations, then the result\'s unknown fields', () => {
  const body = `[
    {"op": "add", "path": "/spec/unknown1", "value": "val1", "foo":"bar"},
    {"op": "add", "path": "/spec/unknown2", "path": "/spec/unknown3", "value": "val1"},
    {"op": "add", "path": "/spec/unknownDupe", "value": "valDupe"},
    {"op": "add", "path": "/spec/paused", "value": true},
    {"op": "add", "path": "/spec/template/spec/containers/0/unknownNested", "value": "val1"}
  ]`;
  const want = 'strict decoding error: json patch unknown field "[0].foo", json patch duplicate field "[1].path", unknown field "spec.template.spec.containers[0].unknownNested", unknown field "spec.unknown1", unknown field "spec.unknown3", unknown field "spec.unknownDupe"';
  assert.equal(strictMessage(() => patch('json', body, 'Strict')), PREFIX + want);
});
