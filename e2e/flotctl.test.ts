// flotctl against kubectl 1.32: the same script run with each tool on its own fresh cluster must print the same
// thing, exit the same way and leave the same objects; and kubectl and flotctl applies interleave without losing or
// resurrecting a field (both read and write the same last-applied-configuration).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, TestCluster } from './harness.js';

type Run = { code: number; stdout: string; stderr: string };
let a: TestCluster; // kubectl's cluster
let b: TestCluster; // flotctl's cluster
let work: string;

function flotctl(c: TestCluster, args: string[], env: Record<string, string> = {}): Run {
  return c.flotctl(args, { env });
}

const V1 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front, old: x}
  annotations: {note: one}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1
        args: [a, b]
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
        ports: [{containerPort: 80}, {containerPort: 443}]
      - name: side
        image: busybox
`;
// V1 edited: fields removed (label old, annotation note, replicas, env A, port 443, container side,
// rollingUpdate), fields changed (tier, image, args, env B) and added (env C).
const V2 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: back}
spec:
  selector: {matchLabels: {app: web}}
  strategy: {type: Recreate}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:2
        args: [b]
        env: [{name: B, value: "3"}, {name: C, value: "4"}]
        ports: [{containerPort: 80}]
`;
const CM = `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "made", "labels": {"k": "v"}}, "data": {"x": "1"}}\n`;

before(async () => {
  [a, b] = await Promise.all([TestCluster.start(), TestCluster.start()]);
  // Controllers, a scheduler and hollow nodes on both, so that rollouts happen and pods run.
  for (const c of [a, b]) {
    c.component('controller-manager', ['--leader-elect=false']);
    c.component('scheduler', ['--leader-elect=false']);
    c.component('hollow-nodes', ['--count', '2']);
  }
  work = mkdtempSync(join(tmpdir(), 'flotctl-'));
  writeFileSync(join(work, 'v1.yaml'), V1);
  writeFileSync(join(work, 'v2.yaml'), V2);
  writeFileSync(join(work, 'cm.json'), CM);
  writeFileSync(join(work, 'settings.ini'), '[server]\nport = 8080\n');
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

// Ages and service IPs differ between two clusters by nature, not by tool; an IP's length changes the width of
// its table's columns, so only in tables with a CLUSTER-IP column are column gaps not compared.
const norm = (s: string) => s.replace(/\b\d+(s|m\d*s?|h\d*m?|d\d*h?)\b/g, 'AGE').replace(/\b10\.\d+\.\d+\.\d+\b/g, 'IP')
  .split('\n\n').map((t) => (t.includes('CLUSTER-IP') ? t.replace(/ {3,}/g, '   ') : t)).join('\n\n');

function objects(c: TestCluster): unknown {
  const list = JSON.parse(c.ok(['get', 'deploy,rs,svc,cm,secrets,ns', '-A', '-o', 'json']));
  const strip = (o: any): unknown => { // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const k of ['uid', 'creationTimestamp', 'resourceVersion', 'managedFields']) delete o.metadata[k];
    for (const r of o.metadata.ownerReferences ?? []) delete r.uid;
    if (o.spec) for (const k of ['clusterIP', 'clusterIPs']) delete o.spec[k];
    // the `kubernetes` Service targets its own cluster's API server port
    if (o.kind === 'Service' && o.metadata.name === 'kubernetes') for (const p of o.spec.ports) delete p.targetPort;
    delete o.status; // how far the controllers got at that instant is not the tool's doing
    return o;
  };
  return list.items.filter((o: any) => o.metadata.name !== 'kube-root-ca.crt').map(strip); // eslint-disable-line @typescript-eslint/no-explicit-any
}

// Pod names end in random letters, and a rollout prints as many "Waiting for" lines as it happens to be seen in.
const podNames = (t: string) => t.replace(/\b([a-z0-9-]+-[bcdfghjklmnpqrstvwxz2456789]{6,10})-[bcdfghjklmnpqrstvwxz2456789]{5}\b/g, '$1-POD');
const noWaiting = (t: string) => t.split('\n').filter((l) => !l.startsWith('Waiting for')).join('\n');

interface Step {
  args: string[];
  env?: Record<string, string>;
}

test('the same script gives the same output, exit codes and objects with kubectl and flotctl', () => {
  const fx = join(ROOT, 'e2e/fixtures');
  const team = ['-n', 'team'];
  const edit = (expr: string) => ({ KUBE_EDITOR: `sed -i -e ${expr}` });
  const script: Step[] = [
    ...[
      ['apply', '-f', join(fx, 'app/app.yaml')],
      ['apply', '-f', join(fx, 'app/app.yaml')],
      ['apply', '-f', join(work, 'v1.yaml'), '--dry-run=client'],
      ['apply', '-f', join(work, 'v1.yaml'), '--dry-run=server'],
      ['apply', '-f', join(work, 'v1.yaml')],
      ['label', 'deploy', 'web', 'owner=ops'],
      ['label', 'deploy', 'web', 'owner=dev'],
      ['label', 'deploy/web', 'owner=dev', '--overwrite'],
      ['annotate', 'deploy', 'web', 'by=ops'],
      ['annotate', 'deploy', 'web', 'by=x'],
      ['scale', 'deploy', 'web', '--replicas=5'],
      ['scale', 'deploy', 'nope', '--replicas=5'],
      ['apply', '-f', join(work, 'v2.yaml')],
      ['apply', '-f', join(work, 'v2.yaml')],
      ['create', '-f', join(work, 'cm.json')],
      ['create', '-f', join(work, 'cm.json')],
      // The generators, and their errors.
      ['create', 'namespace', 'team'],
      ['create', 'deployment', 'api', '--image=busybox:1.36', '--replicas=2', '--port=8080', ...team],
      ['create', 'deployment', 'api', '--image=busybox:1.36', ...team],
      ['create', 'deployment', 'web', '--image=nginx', '--dry-run=client', '-o', 'yaml'],
      ['create', 'configmap', 'cfg', '--from-literal=a=1', `--from-file=${join(work, 'settings.ini')}`, ...team],
      ['create', 'configmap', 'dup', '--from-literal=a=1', '--from-literal=a=2', ...team],
      ['create', 'secret', 'generic', 'sec', '--from-literal=password=hunter2', ...team],
      ['create', 'secret', 'generic', 'sec', '--from-literal=password=hunter2', ...team],
      // patch: strategic, no change, JSON patch, and the server's validation causes.
      ['patch', 'deploy', 'api', ...team, '-p', '{"spec":{"replicas":3}}'],
      ['patch', 'deploy', 'api', ...team, '-p', '{"spec":{"replicas":3}}'],
      ['patch', 'deploy/api', ...team, '--type', 'json', '-p', '[{"op":"add","path":"/metadata/labels/tier","value":"api"}]'],
      ['patch', 'deploy', 'api', ...team, '-p', '{"spec":{"replicas":-1,"minReadySeconds":-2}}'],
      ['patch', 'deploy', 'api', ...team, '--type', 'x', '-p', '{}'],
    ].map((args) => ({ args })),
    // edit through $KUBE_EDITOR: a good change, then no change.
    { args: ['edit', 'deploy', 'api', ...team], env: edit('s/busybox:1.36/busybox:1.37/') },
    { args: ['edit', 'deploy', 'api', ...team], env: edit('s/nothing-matches-this//') },
    ...[
      ['rollout', 'status', 'deploy/api', ...team],
      ['rollout', 'history', 'deploy/api', ...team],
      ['rollout', 'undo', 'deploy/api', ...team],
      ['rollout', 'status', 'deploy/api', ...team],
      ['rollout', 'history', 'deploy/api', ...team],
      ['rollout', 'pause', 'deploy/api', ...team],
      ['rollout', 'pause', 'deploy/api', ...team],
      ['rollout', 'resume', 'deploy/api', ...team],
      ['rollout', 'status', 'deploy/nope', ...team],
      // Let every rollout finish, so that READY columns and status say the same on both clusters.
      ['rollout', 'status', 'deploy/web'],
      ['rollout', 'status', 'deploy/shop', '-n', 'shop'],
      ['get', 'deploy,svc,cm', '-A'],
      ['get', 'deployments', '-n', 'shop', '-o', 'wide', '--show-labels'],
      ['get', 'rs,secrets', ...team],
      ['get', 'cm', '-l', 'k=v', '-o', 'name'],
      ['get', 'deploy', 'web', 'nope'],
      ['get', 'pods'],
      ['get', 'ns', 'shop', '-o', 'yaml'],
      ['get', 'deploy', 'web', '-o', 'json'],
      ['delete', 'cm', 'made'],
      ['delete', 'cm', 'made'],
      ['delete', 'cm', '-l', 'nomatch=1'],
      ['delete', 'deploy', 'api', ...team, '--cascade=orphan'],
      ['delete', 'rs', '--all', ...team],
      ['delete', '-f', join(work, 'v2.yaml')],
      ['delete', '-f', join(work, 'v2.yaml')],
      ['delete', '-f', join(work, 'v2.yaml'), '--ignore-not-found'],
      ['delete', 'namespace', 'team'],
    ].map((args) => ({ args })),
  ];
  assert.ok(script.length >= 30);
  let compared = false;
  for (const { args, env } of script) {
    if (args[0] === 'delete' && !compared) {
      // Before anything is deleted: the same objects, down to the stored last-applied-configuration.
      assert.deepEqual(objects(b), objects(a));
      compared = true;
    }
    const k = a.kubectl(args, { env });
    const f = flotctl(b, args, env);
    const what = `\`${args.join(' ')}\``;
    assert.equal(f.code, k.code, `${what} exit code; flotctl said:\n${f.stderr}\nkubectl said:\n${k.stderr}`);
    // json/yaml: byte for byte, but for the values two clusters cannot share.
    const ids = (t: string) => t.replace(/(uid|creationTimestamp|resourceVersion|lastUpdateTime|lastTransitionTime)("?): "?[^"\n,]*"?/g, '$1$2: X');
    // flotctl names itself where kubectl does ("See 'kubectl create -h'").
    const same = (t: string) => ids(norm(podNames(args[1] === 'status' ? noWaiting(t) : t))).replace(/flotctl/g, 'kubectl');
    assert.equal(same(f.stdout), same(k.stdout), `${what} stdout`);
    assert.equal(same(f.stderr), same(k.stderr), `${what} stderr`);
  }
});

test('kubectl apply, then flotctl apply of an edited file, then kubectl apply again: nothing lost or resurrected', () => {
  const ns = ['-n', 'mixed'];
  a.ok(['create', 'namespace', 'mixed']);
  assert.match(a.ok(['apply', ...ns, '-f', join(work, 'v1.yaml')]), /deployment.apps\/web created/);
  a.ok(['label', ...ns, 'deploy', 'web', 'owner=ops']); // set by someone else: every apply must keep it
  const f = flotctl(a, ['apply', ...ns, '-f', join(work, 'v2.yaml')]);
  assert.equal(f.stdout, 'deployment.apps/web configured\n', f.stderr);
  const get = () => JSON.parse(a.ok(['get', ...ns, 'deploy', 'web', '-o', 'json']));
  let d = get();
  assert.deepEqual(d.metadata.labels, { app: 'web', tier: 'back', owner: 'ops' });
  assert.equal(d.metadata.annotations.note, undefined);
  assert.deepEqual(d.spec.strategy, { type: 'Recreate' });
  assert.deepEqual(d.spec.template.spec.containers.map((c: { name: string }) => c.name), ['web']);
  assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'B', value: '3' }, { name: 'C', value: '4' }]);
  assert.deepEqual(d.spec.template.spec.containers[0].ports.map((p: { containerPort: number }) => p.containerPort), [80]);
  // kubectl finds nothing to change: flotctl stored exactly what kubectl would have.
  assert.equal(a.ok(['apply', ...ns, '-f', join(work, 'v2.yaml')]), 'deployment.apps/web unchanged\n');
  // And back: kubectl re-adds what flotctl removed, flotctl then agrees nothing is left to do.
  assert.equal(a.ok(['apply', ...ns, '-f', join(work, 'v1.yaml')]), 'deployment.apps/web configured\n');
  assert.equal(flotctl(a, ['apply', ...ns, '-f', join(work, 'v1.yaml')]).stdout, 'deployment.apps/web unchanged\n');
  d = get();
  assert.deepEqual(d.metadata.labels, { app: 'web', tier: 'front', old: 'x', owner: 'ops' });
  assert.equal(d.spec.replicas, 2);
  assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
});

// The patch itself, compared with the body kubectl logs at -v=9 for the same last-applied, file and live object.
test('flotctl computes the same three-way strategic merge patch as kubectl', async () => {
  const { threeWayPatch, cursorFor } = await import('../cli/flotctl/threeway.js');
  const { withLastApplied } = await import('../cli/flotctl/apply.js');
  const { findByKind } = await import('../lib/api/kinds.js');
  const { parseAllDocuments } = await import('yaml');
  const SVC1 = 'apiVersion: v1\nkind: Service\nmetadata: {name: s, labels: {a: "1"}}\nspec:\n  selector: {app: s}\n  ports: [{name: http, port: 80, targetPort: 8080}, {name: tls, port: 443}]\n';
  const SVC2 = 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: t}\n  ports: [{name: tls, port: 443, targetPort: 8443}]\n';
  const CM1 = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, finalizers: [x/a, x/b]}\ndata: {a: "1", b: "2"}\n';
  const CM2 = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, finalizers: [x/b, x/c]}\ndata: {b: "3"}\n';
  const steps: [string, string][] = [[V1, V2], [V2, V1], [SVC1, SVC2], [CM1, CM2]];
  const ns = ['-n', 'patches'];
  a.ok(['create', 'namespace', 'patches']);
  for (const [i, [from, to]] of steps.entries()) {
    const f1 = join(work, `p${i}-1.yaml`);
    const f2 = join(work, `p${i}-2.yaml`);
    writeFileSync(f1, from);
    writeFileSync(f2, to);
    a.ok(['apply', ...ns, '-f', f1]);
    const obj = parseAllDocuments(to)[0]?.toJS();
    obj.metadata.namespace = 'patches';
    const kind = findByKind(obj.apiVersion, obj.kind);
    assert.ok(kind);
    const live = JSON.parse(a.ok(['get', ...ns, kind.resource, obj.metadata.name, '-o', 'json']));
    const last = JSON.parse(live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    const mine = threeWayPatch(last, withLastApplied(obj), live, cursorFor(kind));
    const log = a.kubectl(['apply', ...ns, '-f', f2, '-v=9']).stderr.split('\n').filter((l) => l.includes('"Request Body"')).at(-1) ?? '';
    const theirs = JSON.parse(JSON.parse(log.slice(log.indexOf('body=') + 5)));
    assert.deepEqual(mine, theirs, `step ${i}`);
  }
});

test('flotctl apply --server-side, --field-manager and --force-conflicts do what kubectl\'s do', () => {
  const ns = ['-n', 'ssa'];
  a.ok(['create', 'namespace', 'ssa']);
  const first = flotctl(a, ['apply', '--server-side', ...ns, '-f', join(work, 'v1.yaml')]);
  assert.equal(first.stdout, 'deployment.apps/web serverside-applied\n', first.stderr);
  const scale = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 4}\n';
  writeFileSync(join(work, 'scale.yaml'), scale);
  const refused = flotctl(a, ['apply', '--server-side', '--field-manager=scaler', ...ns, '-f', join(work, 'scale.yaml')]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas/);
  assert.equal(flotctl(a, ['apply', '--force-conflicts', ...ns, '-f', join(work, 'scale.yaml')]).code, 1, '--force-conflicts needs --server-side');
  const forced = flotctl(a, ['apply', '--server-side', '--force-conflicts', '--field-manager=scaler', ...ns, '-f', join(work, 'scale.yaml')]);
  assert.equal(forced.code, 0, forced.stderr);
  // kubectl, as the same manager, finds the object as flotctl left it: its own apply of v1 now conflicts on replicas only
  const d = JSON.parse(a.ok(['get', ...ns, 'deploy', 'web', '-o', 'json', '--show-managed-fields']));
  assert.equal(d.spec.replicas, 4);
  // (the controllers' writes, its revision annotation and the status, are Update entries)
  const applies = d.metadata.managedFields.filter((e: { operation: string }) => e.operation === 'Apply');
  assert.deepEqual(applies.map((e: { manager: string }) => e.manager), ['kubectl', 'scaler']);
  const again = a.kubectl(['apply', '--server-side', ...ns, '-f', join(work, 'v1.yaml')]);
  assert.match(again.stderr, /Apply failed with 1 conflict: conflict with "scaler": \.spec\.replicas/);
});
