// Acceptance: every kubectl from 1.27 to 1.33 runs an operator's day against one cluster (controller-manager,
// scheduler, hollow nodes), each version in its own namespace and at the same time: apply with validation on (1.27 and
// 1.28 read the protobuf /openapi/v2 for it), get in every output, describe, explain (v3, and v2 where kubectl can
// still ask for it), the three patch types, scale, rollout status/history/undo, label, annotate, edit through
// KUBE_EDITOR, api-resources, the create generators (protobuf bodies), delete; an unknown kind gets kubectl's own
// "no matches for kind" and a List with bad fields kubectl's client-side validation errors, read from /openapi/v2.
// Exit codes and the key lines are asserted, not byte equality across versions.
//
// Left out: exec, logs and port-forward need real containers and, before 1.30, SPDY; they are covered elsewhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { TestCluster } from './harness.js';

const VERSIONS = [27, 28, 29, 30, 31, 32, 33];
const binary = (v: number): string => `/usr/lib/google-cloud-sdk/bin/kubectl.1.${v}`;

const APP = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: 127.0.0.1:5000/flotilla/web:v1
        ports: [{containerPort: 8080}]
        envFrom: [{configMapRef: {name: web-config}}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {GREETING: hello}
---
apiVersion: v1
kind: Secret
metadata: {name: web-secret}
data: {password: czNjcmV0}
`;

const WIDGET = 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 1}\n';

// A List is never checked by the server's field validation (kubectl can't ask it to), so kubectl checks it itself,
// against the definitions of /openapi/v2.
const BAD_LIST = `apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: bad}
  spec:
    replicas: "two"
    foo: 1
    selector: {matchLabels: {app: bad}}
    template:
      metadata: {labels: {app: bad}}
      spec:
        containers: [{name: c, image: x}]
`;

let c: TestCluster;

before(async () => {
  c = await TestCluster.startWithHollowNodes({ count: 2, prefix: 'kv', heartbeatSeconds: 2 });
});
after(async () => {
  await c?.stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** One operator at one kubectl version: its namespace, its own HOME (so its caches are its own), its files. */
class Operator {
  readonly ns: string;
  readonly home: string;
  constructor(readonly version: number) {
    this.ns = `k1${version}`;
    this.home = join(c.dir, this.ns);
    mkdirSync(this.home, { recursive: true });
    for (const [name, text] of Object.entries({ 'app.yaml': APP, 'widget.yaml': WIDGET, 'bad-list.yaml': BAD_LIST })) writeFileSync(join(this.home, name), text);
    writeFileSync(join(this.home, 'editor.sh'), '#!/bin/sh\nsed -i "s/GREETING: hello/GREETING: edited/" "$1"\n');
    chmodSync(join(this.home, 'editor.sh'), 0o755);
  }

  file(name: string): string {
    return join(this.home, name);
  }

  run(args: string[], env: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(binary(this.version), ['-n', this.ns, ...args], { env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig, HOME: this.home, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('error', reject);
      // 'close', not 'exit': the output may still be in the pipes when the process has exited
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  }

  /** Runs kubectl and returns its stdout, failing with everything it printed unless it exits 0. */
  async ok(args: string[], env: Record<string, string> = {}): Promise<string> {
    const r = await this.run(args, env);
    assert.equal(r.code, 0, `kubectl 1.${this.version} ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  async fails(args: string[]): Promise<string> {
    const r = await this.run(args);
    assert.equal(r.code, 1, `kubectl 1.${this.version} ${args.join(' ')} exited ${r.code}, expected 1:\n${r.stderr}${r.stdout}`);
    return r.stderr;
  }
}

async function operatorDay(o: Operator): Promise<void> {
  const v = o.version;
  assert.match(await o.ok(['create', 'namespace', o.ns]), new RegExp(`namespace/${o.ns} created`));

  // apply, with validation on (kubectl's default); then again: nothing to change
  const applied = await o.ok(['apply', '-f', o.file('app.yaml')]);
  for (const line of ['deployment.apps/web created', 'service/web created', 'configmap/web-config created', 'secret/web-secret created']) assert.match(applied, new RegExp(line), `1.${v}`);
  const again = await o.ok(['apply', '-f', o.file('app.yaml')]);
  for (const line of ['deployment.apps/web unchanged', 'service/web unchanged', 'configmap/web-config unchanged', 'secret/web-secret unchanged']) assert.match(again, new RegExp(line), `1.${v}`);

  assert.match(await o.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']), /deployment "web" successfully rolled out/);

  // get: a table of several kinds, wide, yaml, jsonpath
  const table = await o.ok(['get', 'deploy,svc,cm,secret']);
  assert.match(table, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
  assert.match(table, /^deployment\.apps\/web\s+2\/2\s+2\s+2\s+/m);
  assert.match(table, /^service\/web\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+/m);
  assert.match(table, /^configmap\/web-config\s+1\s+/m);
  assert.match(table, /^secret\/web-secret\s+Opaque\s+1\s+/m);
  const wide = await o.ok(['get', 'pods', '-o', 'wide']);
  assert.match(wide.split('\n')[0] as string, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
  assert.equal(wide.split('\n').filter((l) => /^web-\S+\s+1\/1\s+Running\s+0\s+\S+\s+\S+\s+kv-\d/.test(l)).length, 2, wide);
  const obj = parse(await o.ok(['get', 'deployment', 'web', '-o', 'yaml']));
  assert.equal(obj.kind, 'Deployment');
  assert.equal(obj.metadata.namespace, o.ns);
  assert.equal(obj.spec.strategy.type, 'RollingUpdate');
  assert.equal(await o.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}']), '2 127.0.0.1:5000/flotilla/web:v1');

  const described = await o.ok(['describe', 'deployment', 'web']);
  assert.match(described, /^Name:\s+web$/m);
  assert.match(described, /^Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable$/m);
  assert.match(described, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);

  // explain: from /openapi/v3, and from /openapi/v2 when asked
  const explained = await o.ok(['explain', 'deployment.spec.strategy']);
  assert.match(explained, /rollingUpdate\s+<RollingUpdateDeployment>/);
  assert.match(explained, /^\s+type\s+<string>/m);
  const explainedV2 = await o.ok(['explain', 'deployment.spec.strategy', '--output=plaintext-openapiv2']);
  assert.match(explainedV2, /RESOURCE: strategy <Object>/);
  assert.match(explainedV2, /rollingUpdate\t<Object>/);

  // the three patch types: a strategic merge keeps the container list, merged by name
  await o.ok(['patch', 'deployment', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"MODE","value":"blue"}]}]}}}}']);
  assert.equal(await o.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].value}']), '127.0.0.1:5000/flotilla/web:v1 blue');
  assert.match(await o.ok(['patch', 'deployment', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"patched":"merge"}}}']), /deployment\.apps\/web patched/);
  assert.match(await o.ok(['patch', 'deployment', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]']), /deployment\.apps\/web patched/);
  assert.equal(await o.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.metadata.labels.patched} {.spec.replicas}']), 'merge 3');

  assert.match(await o.ok(['scale', 'deployment', 'web', '--replicas=1']), /deployment\.apps\/web scaled/);
  assert.match(await o.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']), /successfully rolled out/);
  assert.match(await o.ok(['rollout', 'history', 'deployment/web']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  assert.match(await o.ok(['rollout', 'undo', 'deployment/web']), /deployment\.apps\/web rolled back/);
  assert.match(await o.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']), /successfully rolled out/);
  assert.equal(await o.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].env}']), '', 'back to the template without MODE');

  assert.match(await o.ok(['label', 'deployment', 'web', 'tier=front']), /deployment\.apps\/web labeled/);
  assert.match(await o.ok(['annotate', 'deployment', 'web', 'owner=ops']), /deployment\.apps\/web annotate/);
  assert.equal(await o.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.metadata.labels.tier} {.metadata.annotations.owner}']), 'front ops');

  assert.match(await o.ok(['edit', 'configmap', 'web-config'], { KUBE_EDITOR: o.file('editor.sh') }), /configmap\/web-config edited/);
  assert.equal(await o.ok(['get', 'configmap', 'web-config', '-o', 'jsonpath={.data.GREETING}']), 'edited');

  const resources = await o.ok(['api-resources']);
  assert.match(resources, /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/m);
  assert.match(resources, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
  assert.match(resources, /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);

  // what Kubernetes' discovery and OpenAPI documents make kubectl say about a kind nobody serves
  const unknown = await o.fails(['apply', '-f', o.file('widget.yaml')]);
  assert.match(unknown, /^error: resource mapping not found for name: "w1" namespace: "" from ".*widget\.yaml": no matches for kind "Widget" in version "example\.com\/v1"\nensure CRDs are installed first\n$/);

  const invalid = await o.fails(['apply', '-f', o.file('bad-list.yaml')]);
  assert.match(invalid, /error validating data: \[ValidationError\(Deployment\.spec\): unknown field "foo" in io\.k8s\.api\.apps\.v1\.DeploymentSpec, ValidationError\(Deployment\.spec\.replicas\): invalid type for io\.k8s\.api\.apps\.v1\.DeploymentSpec\.replicas: got "string", expected "integer"\]/);
  assert.match(await o.run(['get', 'deployment', 'bad']).then((r) => r.stderr), /NotFound/, 'nothing of the invalid List was created');

  // the generators send protobuf bodies
  assert.match(await o.ok(['create', 'deployment', 'gen', '--image=127.0.0.1:5000/flotilla/web:v1', '--replicas=2']), /deployment\.apps\/gen created/);
  assert.match(await o.ok(['create', 'configmap', 'gen', '--from-literal=color=blue']), /configmap\/gen created/);
  assert.equal(await o.ok(['get', 'deployment/gen', 'configmap/gen', '-o', 'jsonpath={.items[0].spec.replicas} {.items[1].data.color}']), '2 blue');

  const deleted = await o.ok(['delete', '-f', o.file('app.yaml')]);
  for (const line of ['deployment.apps "web" deleted', 'service "web" deleted', 'configmap "web-config" deleted', 'secret "web-secret" deleted']) assert.match(deleted, new RegExp(line));
  await o.ok(['delete', 'deployment/gen', 'configmap/gen']);
  const left = await o.run(['get', 'deployments,services']);
  assert.equal(left.code, 0);
  assert.match(left.stderr, new RegExp(`No resources found in ${o.ns} namespace\\.`));
}

test('kubectl 1.27 to 1.33, each at once in its own namespace, through an operator\'s day', { timeout: 240_000, concurrency: true }, async (t) => {
  const missing = VERSIONS.filter((v) => !existsSync(binary(v)));
  assert.deepEqual(missing, [], 'every kubectl of the range is installed');
  await Promise.all(VERSIONS.map((v) => t.test(`kubectl 1.${v}`, () => operatorDay(new Operator(v)))));
});
