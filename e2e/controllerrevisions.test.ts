// Acceptance for the kind added through the one-kind-one-file path (issue 9): ControllerRevision (apps/v1), with the
// real kubectl against the real API server on a real etcd - apply, get with Kubernetes' columns, explain, -o yaml, a
// protobuf body as client-go sends one, watch, the kind's own checks, delete.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import protobuf from 'protobufjs';
import { parse } from 'yaml';
import { KUBECTL, TestCluster, waitFor } from './harness.js';

let c: TestCluster;

before(async () => {
  c = await TestCluster.start();
});
after(async () => {
  await c?.stop();
});

const REVISIONS = `
apiVersion: apps/v1
kind: ControllerRevision
metadata:
  name: web-6b7f9c
  labels: { app: web }
  ownerReferences:
  - apiVersion: apps/v1
    kind: StatefulSet
    name: web
    uid: 1a2b3c4d-0000-4000-8000-000000000001
    controller: true
data:
  spec:
    template:
      spec:
        containers: [{ name: web, image: registry.example/web:2 }]
revision: 2
---
apiVersion: apps/v1
kind: ControllerRevision
metadata:
  name: loose
revision: 1
data: { note: nobody owns me }
`;

test('api-resources lists it as Kubernetes serves it', () => {
  assert.match(c.ok(['api-resources', '--api-group=apps']), /^controllerrevisions\s+apps\/v1\s+true\s+ControllerRevision$/m);
});

test('apply, then get with NAME CONTROLLER REVISION AGE, -o yaml, and a second apply that changes nothing', () => {
  const out = c.ok(['apply', '-f', '-'], { input: REVISIONS });
  assert.match(out, /^controllerrevision.apps\/web-6b7f9c created$/m);
  assert.match(out, /^controllerrevision.apps\/loose created$/m);

  const table = c.ok(['get', 'controllerrevisions']).trim().split('\n');
  assert.match(table[0] as string, /^NAME\s+CONTROLLER\s+REVISION\s+AGE$/);
  assert.match(table.find((l) => l.startsWith('web-6b7f9c')) ?? '', /^web-6b7f9c\s+statefulset\.apps\/web\s+2\s+\d+s$/);
  assert.match(table.find((l) => l.startsWith('loose')) ?? '', /^loose\s+<none>\s+1\s+\d+s$/);
  assert.match(c.ok(['get', 'controllerrevision.apps', '-l', 'app=web', '-o', 'name']), /^controllerrevision.apps\/web-6b7f9c$/m);

  const obj = parse(c.ok(['get', 'controllerrevision', 'web-6b7f9c', '-o', 'yaml']));
  assert.equal(obj.apiVersion, 'apps/v1');
  assert.equal(obj.kind, 'ControllerRevision');
  assert.equal(obj.revision, 2);
  assert.deepEqual(obj.data, { spec: { template: { spec: { containers: [{ name: 'web', image: 'registry.example/web:2' }] } } } });
  assert.equal(obj.metadata.ownerReferences[0].kind, 'StatefulSet');
  assert.match(obj.metadata.uid, /^[0-9a-f-]{36}$/);

  assert.match(c.ok(['apply', '-f', '-'], { input: REVISIONS }), /^controllerrevision.apps\/web-6b7f9c unchanged$/m);
});

test('explain reads its schema', () => {
  const kind = c.ok(['explain', 'controllerrevisions']);
  assert.match(kind, /KIND:\s+ControllerRevision/);
  assert.match(kind, /VERSION:\s+v1/);
  assert.match(kind, /GROUP:\s+apps/);
  assert.match(kind, /revision\s+<integer> -required-/);
  assert.match(kind, /data\s+<RawExtension>/);
  assert.match(c.ok(['explain', 'controllerrevision.revision']), /FIELD:\s+revision <integer>/);
});

test("the kind's own checks: data is mandatory and immutable, the revision not negative", () => {
  const noData = c.kubectl(['create', '-f', '-'], { input: 'apiVersion: apps/v1\nkind: ControllerRevision\nmetadata: { name: empty }\nrevision: 1\n' });
  assert.equal(noData.code, 1);
  assert.match(noData.stderr, /The ControllerRevision "empty" is invalid: data: Required value: data is mandatory/);

  const negative = c.kubectl(['create', '-f', '-'], { input: 'apiVersion: apps/v1\nkind: ControllerRevision\nmetadata: { name: neg }\nrevision: -1\ndata: {}\n' });
  assert.equal(negative.code, 1);
  assert.match(negative.stderr, /revision: Invalid value: -1: must be greater than or equal to 0/);

  const changed = c.kubectl(['patch', 'controllerrevision', 'loose', '--type=merge', '-p', '{"data":{"note":"rewritten"}}']);
  assert.equal(changed.code, 1);
  assert.match(changed.stderr, /The ControllerRevision "loose" is invalid: data: Invalid value: runtime.RawExtension\{Raw:\[\]uint8\{0x7b, .*\}: field is immutable/);
  // what may change: labels, and the revision number (a controller renumbers a revision it reuses)
  c.ok(['patch', 'controllerrevision', 'loose', '--type=merge', '-p', '{"metadata":{"labels":{"seen":"yes"}},"revision":3}']);
  const after = JSON.parse(c.ok(['get', 'controllerrevision', 'loose', '-o', 'json']));
  assert.equal(after.revision, 3);
  assert.deepEqual(after.data, { note: 'nobody owns me' });
});

/** A body as client-go sends it: "k8s\0" then runtime.Unknown{typeMeta, raw: the object's message}, field numbers from upstream. */
function protobufBody(name: string, revision: number, data: unknown): Uint8Array {
  const meta = protobuf.Writer.create().uint32((1 << 3) | 2).string(name).finish(); // ObjectMeta.name = 1
  const raw = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(Buffer.from(JSON.stringify(data))).finish(); // RawExtension.raw = 1
  const rev = protobuf.Writer.create()
    .uint32((1 << 3) | 2).bytes(meta) // metadata = 1
    .uint32((2 << 3) | 2).bytes(raw) // data = 2
    .uint32((3 << 3) | 0).int64(revision) // revision = 3
    .finish();
  const typeMeta = protobuf.Writer.create().uint32((1 << 3) | 2).string('apps/v1').uint32((2 << 3) | 2).string('ControllerRevision').finish();
  const unknown = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(typeMeta).uint32((2 << 3) | 2).bytes(rev).finish();
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown]);
}

test('a protobuf body creates one', async () => {
  const r = await c.request('POST', '/apis/apps/v1/namespaces/default/controllerrevisions', protobufBody('from-proto', 7, { replicas: 3 }), {
    'Content-Type': 'application/vnd.kubernetes.protobuf',
    Accept: 'application/json',
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.metadata.name, 'from-proto');
  const obj = JSON.parse(c.ok(['get', 'controllerrevision', 'from-proto', '-o', 'json']));
  assert.equal(obj.revision, 7);
  assert.deepEqual(obj.data, { replicas: 3 });
});

test('get -w sees it added and deleted; delete by name and by label', async () => {
  const proc = spawn(KUBECTL, ['get', 'controllerrevisions', '-w', '--output-watch-events'], { env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig } });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await waitFor('the initial listing', async () => /ADDED\s+loose\s/.test(out));
    c.ok(['create', '-f', '-'], { input: 'apiVersion: apps/v1\nkind: ControllerRevision\nmetadata: { name: watched, labels: { app: web } }\nrevision: 4\ndata: { a: 1 }\n' });
    await waitFor('the watch to show the new revision', async () => /ADDED\s+watched\s+<none>\s+4\s/.test(out));
    assert.match(c.ok(['delete', 'controllerrevision', 'loose']), /controllerrevision.apps "loose" deleted/);
    await waitFor('the watch to show the deletion', async () => /DELETED\s+loose\s/.test(out));
  } finally {
    proc.kill();
  }
  const byLabel = c.ok(['delete', 'controllerrevisions', '-l', 'app=web']);
  assert.match(byLabel, /controllerrevision.apps "web-6b7f9c" deleted/);
  assert.match(byLabel, /controllerrevision.apps "watched" deleted/);
  const gone = c.kubectl(['get', 'controllerrevision', 'loose']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /Error from server \(NotFound\): controllerrevisions.apps "loose" not found/);
  assert.deepEqual(c.ok(['get', 'controllerrevisions', '-o', 'name']).trim().split('\n'), ['controllerrevision.apps/from-proto']);
});
