// Acceptance (issue 19, item 4): a number that does not fit its int32/int64 field is refused by the server as
// kube-apiserver refuses it (a 400 decode error), on every way in - kubectl with and without client-side validation,
// JSON, YAML and protobuf bodies, patches, the status and scale subresources - and nothing is created or changed;
// values at the edge of the range still work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { TestCluster } from './harness.js';

let c: TestCluster;
before(async () => {
  c = await TestCluster.start();
});
after(async () => {
  await c?.stop();
});

const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
const REFUSED = 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 99999999999 into Go struct field DeploymentSpec.spec.replicas of type int32';

const manifest = (name: string, replicas: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: busybox}]}
`;

const deployment = (name: string, replicas: unknown) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
});

async function names(): Promise<string[]> {
  const list = await c.request('GET', DEPLOY);
  return list.body.items.map((d: { metadata: { name: string } }) => d.metadata.name).sort();
}

function assertBadRequest(r: { status: number; body: any }, message: string | RegExp): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  const where = JSON.stringify(r.body);
  assert.equal(r.status, 400, where);
  assert.equal(r.body?.kind, 'Status', where);
  assert.equal(r.body?.status, 'Failure', where);
  assert.equal(r.body?.reason, 'BadRequest', where);
  assert.equal(r.body?.code, 400, where);
  if (typeof message === 'string') assert.equal(r.body?.message, message);
  else assert.match(r.body?.message, message);
}

test('kubectl create/apply of replicas 99999999999 is refused by the server, with validation on or off, and nothing is created', () => {
  const expected = `Error from server (BadRequest): error when creating "STDIN": ${REFUSED}\n`;
  for (const args of [['create', '-f', '-'], ['create', '--validate=false', '-f', '-'], ['apply', '-f', '-'], ['apply', '--validate=false', '-f', '-']]) {
    const r = c.kubectl(args, { input: manifest('big', '99999999999') });
    assert.equal(r.code, 1, args.join(' '));
    assert.equal(r.stderr, expected, args.join(' '));
  }
  const fraction = c.kubectl(['create', '--validate=false', '-f', '-'], { input: manifest('big', '1.5') });
  assert.equal(fraction.code, 1);
  assert.match(fraction.stderr, /cannot unmarshal number 1\.5 into Go struct field DeploymentSpec\.spec\.replicas of type int32/);
  assert.match(c.kubectl(['get', 'deployments,replicasets,pods']).stderr, /No resources found in default namespace/);
});

test('JSON, YAML and protobuf bodies get a 400 BadRequest Status, as kube-apiserver answers, and nothing is stored', async () => {
  assertBadRequest(await c.request('POST', DEPLOY, deployment('big', 99999999999)), REFUSED);
  assertBadRequest(await c.request('POST', DEPLOY, manifest('big', '99999999999'), { 'Content-Type': 'application/yaml' }), REFUSED);
  assertBadRequest(await c.request('POST', `${DEPLOY}?fieldValidation=Strict`, { ...deployment('big', 99999999999), bogus: 1 }), REFUSED);
  assertBadRequest(await c.request('POST', DEPLOY, deployment('big', 1.5)), /cannot unmarshal number 1\.5 into Go struct field DeploymentSpec\.spec\.replicas of type int32$/);
  assertBadRequest(await c.request('POST', DEPLOY, deployment('big', -2147483649)), /cannot unmarshal number -2147483649 into/);
  const port = deployment('big', 1);
  (port.spec.template.spec.containers[0] as Record<string, unknown>).ports = [{ containerPort: 4294967376 }];
  assertBadRequest(await c.request('POST', DEPLOY, port), /cannot unmarshal number 4294967376 into Go struct field ContainerPort\.spec\.template\.spec\.containers\.ports\.containerPort of type int32$/);
  const grace = deployment('big', 1);
  (grace.spec.template.spec as Record<string, unknown>).terminationGracePeriodSeconds = 2 ** 64;
  assertBadRequest(await c.request('POST', DEPLOY, grace), /into Go struct field PodSpec\.spec\.template\.spec\.terminationGracePeriodSeconds of type int64$/);
  const surge = { ...deployment('big', 1), spec: { ...deployment('big', 1).spec, strategy: { rollingUpdate: { maxSurge: 99999999999 } } } };
  assertBadRequest(await c.request('POST', DEPLOY, surge), /json: cannot unmarshal number 99999999999 into Go value of type int32$/);

  // a protobuf Deployment whose replicas varint does not fit an int32 (2^32 + 3 would wrap to 3)
  const field = (n: number, wire: number) => (n << 3) | wire;
  const spec = protobuf.Writer.create().uint32(field(1, 0)).int64(2 ** 32 + 3).finish();
  const meta = protobuf.Writer.create().uint32(field(1, 2)).string('big').finish();
  const raw = protobuf.Writer.create().uint32(field(1, 2)).bytes(meta).uint32(field(2, 2)).bytes(spec).finish();
  const typeMeta = protobuf.Writer.create().uint32(field(1, 2)).string('apps/v1').uint32(field(2, 2)).string('Deployment').finish();
  const unknown = protobuf.Writer.create().uint32(field(1, 2)).bytes(typeMeta).uint32(field(2, 2)).bytes(raw).finish();
  const pb = await c.request('POST', DEPLOY, Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown]), { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
  assertBadRequest(pb, /DeploymentSpec\.replicas: 4294967299 does not fit in an int32/);

  assert.deepEqual(await names(), []);
});

test('in-range values work: replicas up to 2^31-1, int64 fields past int32', async () => {
  c.ok(['create', '-f', '-'], { input: manifest('edge', '2147483647') });
  const edge = await c.request('GET', `${DEPLOY}/edge`);
  assert.equal(edge.body.spec.replicas, 2147483647);
  const wide = deployment('wide', 3);
  (wide.spec.template.spec as Record<string, unknown>).terminationGracePeriodSeconds = 99999999999;
  const created = await c.request('POST', DEPLOY, wide);
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.spec.template.spec.terminationGracePeriodSeconds, 99999999999);
  assert.deepEqual(await names(), ['edge', 'wide']);
});

test('updates, patches, kubectl scale and status writes are refused the same way and change nothing', async () => {
  c.ok(['create', 'deployment', 'web', '--image=busybox', '--replicas=2']);
  const before = await c.request('GET', `${DEPLOY}/web`);

  const scale = c.kubectl(['scale', 'deployment', 'web', '--replicas=99999999999']);
  assert.equal(scale.code, 1);
  assert.equal(scale.stderr, 'Error from server (BadRequest): Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal number 99999999999 into Go struct field ScaleSpec.spec.replicas of type int32\n');
  const patch = c.kubectl(['patch', 'deployment', 'web', '-p', '{"spec":{"replicas":99999999999}}']);
  assert.equal(patch.code, 1);
  assert.equal(patch.stderr, `Error from server (BadRequest): ${REFUSED}\n`);
  for (const type of ['merge', 'json']) {
    const p = type === 'json' ? '[{"op":"replace","path":"/spec/replicas","value":99999999999}]' : '{"spec":{"replicas":99999999999}}';
    const r = c.kubectl(['patch', 'deployment', 'web', '--type', type, '-p', p]);
    assert.equal(r.stderr, `Error from server (BadRequest): ${REFUSED}\n`, type);
  }

  const put = { ...before.body, spec: { ...before.body.spec, replicas: 99999999999 } };
  assertBadRequest(await c.request('PUT', `${DEPLOY}/web`, put), REFUSED);
  const scalePut = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2.5 } };
  assertBadRequest(await c.request('PUT', `${DEPLOY}/web/scale`, scalePut), 'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal number 2.5 into Go struct field ScaleSpec.spec.replicas of type int32');
  const status = await c.request('PATCH', `${DEPLOY}/web/status`, { status: { replicas: 1, readyReplicas: 4294967296 } }, { 'Content-Type': 'application/merge-patch+json' });
  assertBadRequest(status, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 4294967296 into Go struct field DeploymentStatus.status.readyReplicas of type int32');

  const after = await c.request('GET', `${DEPLOY}/web`);
  assert.equal(after.body.metadata.resourceVersion, before.body.metadata.resourceVersion, 'nothing was written');
  assert.equal(after.body.spec.replicas, 2);
  c.ok(['scale', 'deployment', 'web', '--replicas=5']);
  assert.equal((await c.request('GET', `${DEPLOY}/web`)).body.spec.replicas, 5);
});

test('kubectl explain shows the integer fields as Kubernetes does, from the int32/int64 formats the server publishes', async () => {
  assert.match(c.ok(['explain', 'deployment.spec.replicas']), /^FIELD: replicas <integer>$/m);
  assert.match(c.ok(['explain', 'pods.spec.terminationGracePeriodSeconds']), /^FIELD: terminationGracePeriodSeconds <integer>$/m);
  const v3 = await c.request('GET', '/openapi/v3/apis/apps/v1');
  const schemas = v3.body.components.schemas;
  assert.equal(schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.replicas.format, 'int32');
  assert.equal(schemas['io.k8s.api.core.v1.PodSpec'].properties.terminationGracePeriodSeconds.format, 'int64');
  assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.generation.format, 'int64');
});
