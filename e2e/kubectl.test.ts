// Acceptance: the real kubectl, with its default flags, against Flotilla's API server on a real etcd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECTL, ROOT, TestCluster, waitFor } from './harness.js';

const FIX = join(ROOT, 'e2e/fixtures');
let c: TestCluster;
let work: string;

before(async () => {
  c = await TestCluster.start();
  work = mkdtempSync(join(tmpdir(), 'flotilla-kubectl-'));
});
after(async () => {
  await c?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('apply a multi-document file, then get it back as a table, yaml, json, wide and name', () => {
  const out = c.ok(['apply', '-f', join(FIX, 'app/app.yaml')]);
  assert.match(out, /namespace\/shop created/);
  assert.match(out, /configmap\/shop-config created/);
  assert.match(out, /deployment.apps\/shop created/);
  assert.match(out, /service\/shop created/);

  const table = c.ok(['get', 'deployments', '-n', 'shop']);
  assert.match(table.split('\n')[0] as string, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
  assert.match(table, /^shop\s+0\/2\s+0\s+0\s+\d+s/m);

  const wide = c.ok(['get', 'deploy', 'shop', '-n', 'shop', '-o', 'wide']);
  assert.match(wide.split('\n')[0] as string, /CONTAINERS\s+IMAGES\s+SELECTOR/);
  assert.match(wide, /registry\.example\/shop:1\.0\s+app=shop/);

  const obj = JSON.parse(c.ok(['get', 'deploy', 'shop', '-n', 'shop', '-o', 'json']));
  assert.equal(obj.spec.replicas, 2);
  assert.equal(obj.spec.strategy.type, 'RollingUpdate', 'defaults applied');
  assert.equal(obj.spec.strategy.rollingUpdate.maxSurge, '25%');
  assert.equal(obj.spec.revisionHistoryLimit, 10);
  assert.equal(obj.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(obj.metadata.generation, 1);
  assert.ok(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);

  const yaml = c.ok(['get', 'svc', 'shop', '-n', 'shop', '-o', 'yaml']);
  assert.match(yaml, /clusterIP: 10\.\d+\.\d+\.\d+/);
  assert.match(yaml, /kind: Service/);

  assert.equal(c.ok(['get', 'cm', '-n', 'shop', '-o', 'name']).trim().split('\n').includes('configmap/shop-config'), true);
});

test('apply a directory, and a second apply of an edited file keeps fields another client set', () => {
  const out = c.ok(['apply', '-f', join(FIX, 'dir')]);
  assert.match(out, /configmap\/dir-a created/);
  assert.match(out, /secret\/dir-b created/);

  // Another client (an operator) sets a label and a replica count outside the file.
  c.ok(['label', 'deployment', 'shop', '-n', 'shop', 'owner=ops']);
  c.ok(['annotate', 'deployment', 'shop', '-n', 'shop', 'note=hand-set']);
  // The file changes its image and drops the env var; apply again.
  const file = join(work, 'app.yaml');
  const edited = readFileSync(join(FIX, 'app/app.yaml'), 'utf8').replace('shop:1.0', 'shop:2.0').replace(/\s+env:\n\s+- name: MODE\n\s+value: production/, '');
  writeFileSync(file, edited);
  const again = c.ok(['apply', '-f', file]);
  assert.match(again, /deployment.apps\/shop configured/);
  assert.match(again, /configmap\/shop-config unchanged/);
  const d = JSON.parse(c.ok(['get', 'deploy', 'shop', '-n', 'shop', '-o', 'json']));
  assert.equal(d.spec.template.spec.containers[0].image, 'registry.example/shop:2.0');
  assert.equal(d.spec.template.spec.containers[0].env, undefined, 'the field removed from the file is gone');
  assert.equal(d.metadata.labels.owner, 'ops', 'a label set by another client survives');
  assert.equal(d.metadata.annotations.note, 'hand-set');
  assert.equal(d.metadata.generation, 2);
});

test('get with -l, -A, several kinds, and describe', () => {
  const byLabel = c.ok(['get', 'cm,secret', '-l', 'source=dir', '-o', 'name']).trim().split('\n').sort();
  assert.deepEqual(byLabel, ['configmap/dir-a', 'secret/dir-b']);
  const all = c.ok(['get', 'configmaps', '-A']);
  assert.match(all.split('\n')[0] as string, /^NAMESPACE\s+NAME\s+DATA\s+AGE/);
  assert.match(all, /^shop\s+shop-config\s+1\s+/m);
  assert.match(all, /^default\s+dir-a\s+1\s+/m);
  const none = c.kubectl(['get', 'cm', '-l', 'source=nowhere']);
  assert.equal(none.code, 0);
  assert.match(none.stderr, /No resources found in default namespace/);
  const desc = c.ok(['describe', 'deployment', 'shop', '-n', 'shop']);
  assert.match(desc, /Name:\s+shop/);
  assert.match(desc, /Replicas:\s+2 desired/);
  assert.match(desc, /StrategyType:\s+RollingUpdate/);
  const nsDesc = c.ok(['describe', 'namespace', 'shop']);
  assert.match(nsDesc, /Status:\s+Active/);
});

test('patch with each patch type, and scale', () => {
  c.ok(['patch', 'deployment', 'shop', '-n', 'shop', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"shop","image":"registry.example/shop:3.0"}]}}}}']);
  let d = JSON.parse(c.ok(['get', 'deploy', 'shop', '-n', 'shop', '-o', 'json']));
  assert.equal(d.spec.template.spec.containers[0].image, 'registry.example/shop:3.0');
  assert.equal(d.spec.template.spec.containers[0].ports[0].containerPort, 8080, 'strategic merge kept the other container fields');

  c.ok(['patch', 'deployment', 'shop', '-n', 'shop', '--type', 'merge', '-p', '{"metadata":{"labels":{"patched":"merge"}}}']);
  c.ok(['patch', 'deployment', 'shop', '-n', 'shop', '--type', 'json', '-p', '[{"op":"add","path":"/spec/minReadySeconds","value":5}]']);
  d = JSON.parse(c.ok(['get', 'deploy', 'shop', '-n', 'shop', '-o', 'json']));
  assert.equal(d.metadata.labels.patched, 'merge');
  assert.equal(d.spec.minReadySeconds, 5);

  const bad = c.kubectl(['patch', 'deployment', 'shop', '-n', 'shop', '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":99}]']);
  assert.notEqual(bad.code, 0);

  assert.match(c.ok(['scale', 'deployment', 'shop', '-n', 'shop', '--replicas=5']), /deployment.apps\/shop scaled/);
  d = JSON.parse(c.ok(['get', 'deploy', 'shop', '-n', 'shop', '-o', 'json']));
  assert.equal(d.spec.replicas, 5);
});

test('get -w sees the next change', async () => {
  const proc = spawn(KUBECTL, ['get', 'configmaps', '-w', '--output-watch-events'], { env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig } });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await waitFor('the initial listing', async () => out.includes('dir-a'));
    c.ok(['create', 'configmap', 'watched', '--from-literal=x=1']);
    await waitFor('the watch to show the new configmap', async () => /ADDED\s+watched/.test(out));
  } finally {
    proc.kill();
  }
});

test('api-resources and explain', () => {
  const res = c.ok(['api-resources']);
  assert.match(res, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
  assert.match(res, /^pods\s+po\s+v1\s+true\s+Pod$/m);
  assert.match(res, /^leases\s+coordination.k8s.io\/v1\s+true\s+Lease$/m);
  assert.match(res, /^nodes\s+no\s+v1\s+false\s+Node$/m);
  const ex = c.ok(['explain', 'deployment.spec.strategy']);
  assert.match(ex, /KIND:\s+Deployment/);
  assert.match(ex, /FIELD:\s+strategy/);
  assert.match(ex, /rollingUpdate/);
  assert.match(ex, /type\s+<string>/);
});

test('delete by file, by name and by label', () => {
  assert.match(c.ok(['delete', '-f', join(FIX, 'dir')]), /configmap "dir-a" deleted/);
  assert.match(c.ok(['delete', 'configmap', 'watched']), /configmap "watched" deleted/);
  c.ok(['create', 'configmap', 'l1', '--from-literal=a=b']);
  c.ok(['label', 'configmap', 'l1', 'batch=x']);
  c.ok(['create', 'configmap', 'l2', '--from-literal=a=b']);
  c.ok(['label', 'configmap', 'l2', 'batch=x']);
  assert.match(c.ok(['delete', 'configmap', '-l', 'batch=x']), /configmap "l1" deleted/);
  const left = c.kubectl(['get', 'configmap', '-l', 'batch=x', '-o', 'name']);
  assert.equal(left.stdout.trim(), '');
  const missing = c.kubectl(['get', 'configmap', 'l1']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Error from server \(NotFound\): configmaps "l1" not found/);
});

test('objects cannot be created in a missing namespace', () => {
  const r = c.kubectl(['create', 'configmap', 'x', '-n', 'nowhere', '--from-literal=a=b']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /namespaces "nowhere" not found/);
});

test('kubectl create generators (protobuf request bodies) create the objects kubectl means', () => {
  assert.match(c.ok(['create', 'namespace', 'gen']), /namespace\/gen created/);
  assert.match(c.ok(['create', 'configmap', 'gen-cm', '-n', 'gen', '--from-literal=a=1', '--from-literal=b=two']), /configmap\/gen-cm created/);
  assert.match(c.ok(['create', 'secret', 'generic', 'gen-s', '-n', 'gen', '--from-literal=password=hunter2']), /secret\/gen-s created/);
  assert.match(c.ok(['create', 'service', 'clusterip', 'gen-svc', '-n', 'gen', '--tcp=80:8080']), /service\/gen-svc created/);
  assert.match(c.ok(['create', 'deployment', 'gen-d', '-n', 'gen', '--image=registry.example/app:1.2', '--replicas=3', '--port=8080']), /deployment.apps\/gen-d created/);
  const cm = JSON.parse(c.ok(['get', 'cm', 'gen-cm', '-n', 'gen', '-o', 'json']));
  assert.deepEqual(cm.data, { a: '1', b: 'two' });
  const s = JSON.parse(c.ok(['get', 'secret', 'gen-s', '-n', 'gen', '-o', 'json']));
  assert.equal(Buffer.from(s.data.password, 'base64').toString(), 'hunter2');
  assert.equal(s.type, 'Opaque');
  const svc = JSON.parse(c.ok(['get', 'svc', 'gen-svc', '-n', 'gen', '-o', 'json']));
  assert.deepEqual([svc.spec.ports[0].port, svc.spec.ports[0].targetPort, svc.spec.ports[0].protocol], [80, 8080, 'TCP']);
  assert.deepEqual(svc.spec.selector, { app: 'gen-svc' });
  const d = JSON.parse(c.ok(['get', 'deploy', 'gen-d', '-n', 'gen', '-o', 'json']));
  assert.equal(d.spec.replicas, 3);
  assert.deepEqual(d.spec.selector, { matchLabels: { app: 'gen-d' } });
  assert.equal(d.spec.template.spec.containers[0].image, 'registry.example/app:1.2');
  assert.equal(d.spec.template.spec.containers[0].ports[0].containerPort, 8080);
  assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(d.spec.strategy.rollingUpdate.maxUnavailable, '25%');
  const bad = c.kubectl(['create', 'deployment', 'Bad_Name', '-n', 'gen', '--image=x']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /is invalid/);
});

// Server-side apply (issue 14), with the real kubectl: field managers own fields, conflicts name their owners.
const SSA_DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata: {name: ssa, labels: {app: ssa}}
spec:
  replicas: 2
  selector: {matchLabels: {app: ssa}}
  template:
    metadata: {labels: {app: ssa}}
    spec:
      containers:
      - name: web
        image: registry.example/web:1
        ports: [{containerPort: 8080}]
        env: [{name: MODE, value: blue}]
`;
const ssaPart = (spec: string): string => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ssa}\nspec: ${spec}\n`;

test('server-side apply: two managers, a third gets 409 naming the owner, --force-conflicts takes over, a dropped field goes', async () => {
  const apply = (manager: string, yaml: string, ...flags: string[]) => c.kubectl(['apply', '--server-side', `--field-manager=${manager}`, ...flags, '-f', '-'], { input: yaml });
  assert.match(c.ok(['apply', '--server-side', '--field-manager=team-a', '-f', '-'], { input: SSA_DEPLOY }), /deployment.apps\/ssa serverside-applied/);
  assert.equal(apply('team-b', ssaPart('{minReadySeconds: 5}')).code, 0);

  // kubectl hides managedFields unless asked
  assert.doesNotMatch(c.ok(['get', 'deploy', 'ssa', '-o', 'yaml']), /managedFields/);
  const shown = c.ok(['get', 'deploy', 'ssa', '-o', 'yaml', '--show-managed-fields']);
  assert.match(shown, /manager: team-a\n\s+operation: Apply/);
  assert.match(shown, /k:\{"containerPort":8080,"protocol":"TCP"\}:/);
  assert.match(shown, /k:\{"name":"web"\}:\n\s+\.: \{\}/);

  const refused = apply('team-c', ssaPart('{replicas: 7}'));
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Apply failed with 1 conflict: conflict with "team-a": \.spec\.replicas/);
  assert.match(refused.stderr, /--force-conflicts/);
  // the Status itself, as a client library sees it
  const raw = await c.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/ssa?fieldManager=team-c', ssaPart('{replicas: 7, minReadySeconds: 9}'),
    { 'Content-Type': 'application/apply-patch+yaml' });
  assert.equal(raw.status, 409);
  assert.equal(raw.body.reason, 'Conflict');
  assert.equal(raw.body.message, 'Apply failed with 2 conflicts: conflicts with "team-a":\n- .spec.replicas\nconflicts with "team-b":\n- .spec.minReadySeconds');
  assert.deepEqual(raw.body.details.causes, [
    { reason: 'FieldManagerConflict', message: 'conflict with "team-a"', field: '.spec.replicas' },
    { reason: 'FieldManagerConflict', message: 'conflict with "team-b"', field: '.spec.minReadySeconds' },
  ]);
  const noManager = await c.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/ssa', ssaPart('{replicas: 7}'), { 'Content-Type': 'application/apply-patch+yaml' });
  assert.equal(noManager.status, 422);
  assert.equal(noManager.body.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  // a dry run (kubectl diff --server-side) shows the forced change and writes nothing
  const diff = c.kubectl(['diff', '--server-side', '--force-conflicts', '--field-manager=team-c', '-f', '-'], { input: ssaPart('{replicas: 7}') });
  assert.equal(diff.code, 1, diff.stderr);
  assert.match(diff.stdout, /^-  replicas: 2\n\+  replicas: 7$/m);

  assert.equal(apply('team-c', ssaPart('{replicas: 7}'), '--force-conflicts').code, 0);
  let d = JSON.parse(c.ok(['get', 'deploy', 'ssa', '-o', 'json', '--show-managed-fields']));
  assert.equal(d.spec.replicas, 7);
  const owners = (field: string) => d.metadata.managedFields.filter((e: { fieldsV1: { 'f:spec'?: Record<string, unknown> } }) => e.fieldsV1['f:spec']?.[field]).map((e: { manager: string }) => e.manager);
  assert.deepEqual(owners('f:replicas'), ['team-c']);
  assert.deepEqual(owners('f:minReadySeconds'), ['team-b']);

  // team-a drops the env var and replicas (now team-c's): the env var goes, replicas stays
  assert.equal(apply('team-a', SSA_DEPLOY.replace(/\n\s+env: .*\n/, '\n').replace('  replicas: 2\n', '')).code, 0);
  d = JSON.parse(c.ok(['get', 'deploy', 'ssa', '-o', 'json']));
  assert.equal(d.spec.template.spec.containers[0].env, undefined);
  assert.equal(d.spec.replicas, 7);
  assert.equal(d.spec.minReadySeconds, 5);
});

test('kubectl client-side apply, then server-side, then client-side again: nothing lost or resurrected', () => {
  const cm = (data: string, labels: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: migrate, labels: {${labels}}}\ndata: {${data}}\n`;
  c.ok(['apply', '-f', '-'], { input: cm('k1: v1, k2: v2, k3: v3', 'a: "1", b: "2"') });
  c.ok(['label', 'configmap', 'migrate', 'other=kept']);
  // server-side: k2 and label b dropped, k4 added (kubectl moves client-side apply's fields to its apply entry first)
  assert.match(c.ok(['apply', '--server-side', '-f', '-'], { input: cm('k1: v1, k3: v3, k4: v4', 'a: "1"') }), /serverside-applied/);
  let o = JSON.parse(c.ok(['get', 'cm', 'migrate', '-o', 'json']));
  assert.deepEqual(o.data, { k1: 'v1', k3: 'v3', k4: 'v4' });
  assert.deepEqual(o.metadata.labels, { a: '1', other: 'kept' });
  // client-side again: k3 dropped, k5 and label c added; nothing the server-side apply removed comes back
  assert.match(c.ok(['apply', '-f', '-'], { input: cm('k1: v1, k4: v4, k5: v5', 'a: "1", c: "3"') }), /configured/);
  o = JSON.parse(c.ok(['get', 'cm', 'migrate', '-o', 'json']));
  assert.deepEqual(o.data, { k1: 'v1', k4: 'v4', k5: 'v5' });
  assert.deepEqual(o.metadata.labels, { a: '1', c: '3', other: 'kept' });
  // and the plain diff (a client-side dry run) sees nothing left to do
  assert.equal(c.kubectl(['diff', '-f', '-'], { input: cm('k1: v1, k4: v4, k5: v5', 'a: "1", c: "3"') }).code, 0);
});
