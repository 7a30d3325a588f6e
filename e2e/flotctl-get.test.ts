// `flotctl get` against kubectl 1.32 on one live cluster (controllers, scheduler, two hollow nodes): -o jsonpath
// (objects, lists, range/end, filters, missing fields, bad templates), -o custom-columns, `get all`, --sort-by and
// -w must print the same bytes and exit the same way as kubectl does for the same cluster state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOTCTL, KUBECTL, TestCluster, waitFor } from './harness.js';

type Run = { code: number; stdout: string; stderr: string };
let c: TestCluster;
let work: string;

function flotctl(args: string[]): Run {
  return c.flotctl(args);
}

/** Ages are the last column of every table here; they may tick between the two runs. */
const noAge = (s: string) => s.replace(/\b\d+[smhd][0-9smhd]*$/gm, 'AGE');

/** Runs the same `get` with both tools and asserts identical stdout, stderr and exit code. */
function same(args: string[], opts: { ages?: boolean; code?: number } = {}): Run {
  const k = c.kubectl(args);
  const f = flotctl(args);
  const n = opts.ages ? noAge : (s: string) => s;
  assert.equal(n(f.stdout), n(k.stdout), `stdout of get ${args.join(' ')}`);
  assert.equal(f.stderr, k.stderr, `stderr of get ${args.join(' ')}`);
  assert.equal(f.code, k.code, `exit code of get ${args.join(' ')}`);
  if (opts.code !== undefined) assert.equal(f.code, opts.code, `expected exit ${opts.code} for ${args.join(' ')}`);
  return f;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'flotctl-get-'));
  c = await TestCluster.startWithHollowNodes({ count: 2 });
  c.ok(['create', 'deployment', 'web', '--image=nginx:1', '--replicas=2']);
  c.ok(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
  c.ok(['create', 'configmap', 'alpha', '--from-literal=size=10Gi', '--from-literal=x=1']);
  c.ok(['create', 'configmap', 'beta', '--from-literal=size=512Mi']);
  c.ok(['create', 'configmap', 'gamma']);
  c.ok(['label', 'configmap', 'beta', 'tier=back']);
  c.ok(['create', 'namespace', 'other']);
  c.ok(['-n', 'other', 'create', 'configmap', 'delta']);
  c.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
});

after(async () => {
  await c?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('-o jsonpath on one object and on lists prints what kubectl prints', () => {
  for (const t of [
    '{.metadata.name}',
    '{.spec.replicas} {.spec.template.spec.containers[0]}',
    '{.metadata.labels}',
    '{.spec.template.spec.containers[*].image}{"\\n"}',
    '{.status.conditions[?(@.type=="Available")].status}',
    '{.spec.nope}',
    '{true} {1} {1.5} {\'a"b\'}',
  ]) same(['get', 'deployment', 'web', '-o', `jsonpath=${t}`], { code: 0 });
  for (const t of [
    '{.items[*].metadata.name}',
    '{range .items[*]}{.metadata.name}{"\\t"}{.data}{"\\n"}{end}',
    '{.items[-1:].metadata.name}',
    '{.items[0].metadata.name} {.items[1:].metadata.name}',
    "{.items[?(@.metadata.name=='beta')].data.size}",
    '{.items[?(@.metadata.labels.tier)].metadata.name}',
    '{..size}',
    '{.kind} {.apiVersion} {.metadata}',
    '{.items[*].nope}',
  ]) same(['get', 'configmaps', '-o', `jsonpath=${t}`], { code: 0 });
  same(['get', 'configmaps', 'alpha', 'gamma', '-o', 'jsonpath={.items[*].metadata.name}'], { code: 0 });
  same(['get', 'configmaps', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}'], { code: 0 });
  same(['get', 'configmap', 'alpha', '-o', 'jsonpath-as-json={.data}'], { code: 0 });
  const file = join(work, 'names.jsonpath');
  writeFileSync(file, '{range .items[*]}{.metadata.name}{"\\n"}{end}');
  same(['get', 'configmaps', '-o', `jsonpath-file=${file}`], { code: 0 });
});

test('-o jsonpath failures: bad template, execution error, missing keys when not allowed, missing template', () => {
  let r = same(['get', 'deployment', 'web', '-o', 'jsonpath={.x'], { code: 1 });
  assert.equal(r.stderr, 'error: error parsing jsonpath {.x, unclosed action\n');
  r = same(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[5]}'], { code: 1 });
  assert.match(r.stderr, /^error: error executing jsonpath "\{\.spec\.template\.spec\.containers\[5\]\}": Error executing template: array index out of bounds: index 5, length 1\. /);
  r = same(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.nope}', '--allow-missing-template-keys=false'], { code: 1 });
  assert.match(r.stderr, /Error executing template: nope is not found\./);
  same(['get', 'configmaps', '-o', 'jsonpath={.items[0].metadata.name[0]}'], { code: 1 });
  same(['get', 'configmaps', '-o', 'jsonpath={end}'], { code: 1 });
  same(['get', 'deployments', '-o', 'jsonpath={.items[?(@.spec.replicas==2.0)].metadata.name}'], { code: 1 });
  r = same(['get', 'configmaps', '-o', 'jsonpath'], { code: 1 });
  assert.equal(r.stderr, 'error: template format specified but no template given\n');
  same(['get', 'configmaps', '-o', `jsonpath-file=${join(work, 'absent')}`], { code: 1 });
  same(['get', 'configmaps', '-o', 'yamlish'], { code: 1 });
  same(['get', 'configmap', 'nope', '-o', 'jsonpath={.metadata.name}'], { code: 1 });
  same(['get', 'configmap', 'alpha', 'nope', '-o', 'jsonpath={.items[*].metadata.name}'], { code: 1 });
});

test('-o custom-columns and custom-columns-file print kubectl\'s table, <none> for missing fields, its errors', () => {
  same(['get', 'deployments,configmaps', '-o', 'custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[*].image,LABELS:.metadata.labels,DATA:data'], { code: 0 });
  same(['get', 'configmap', 'alpha', '-o', 'custom-columns=N:{.metadata.name},SIZE:{data.size},NONE:.nope'], { code: 0 });
  same(['get', 'configmaps', '-o', 'custom-columns=N:.metadata.name', '--no-headers'], { code: 0 });
  same(['get', 'configmaps', '-l', 'nope=1', '-o', 'custom-columns=N:.metadata.name'], { code: 0 });
  const file = join(work, 'columns.txt');
  writeFileSync(file, 'NAME   KEYS\n.metadata.name  {.data}\n');
  same(['get', 'configmaps', '-o', `custom-columns-file=${file}`], { code: 0 });
  let r = same(['get', 'configmaps', '-o', 'custom-columns=NAME'], { code: 1 });
  assert.equal(r.stderr, 'error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>\n');
  r = same(['get', 'configmaps', '-o', 'custom-columns=N:{.a}{.b}'], { code: 1 });
  assert.match(r.stderr, /^error: unexpected path string/);
  r = same(['get', 'configmaps', '-o', 'custom-columns=N:.metadata['], { code: 1 });
  assert.equal(r.stdout, 'N\n');
  same(['get', 'configmaps', '-o', 'custom-columns='], { code: 1 });
  writeFileSync(file, 'NAME   KEYS\n.metadata.name\n');
  r = same(['get', 'configmaps', '-o', `custom-columns-file=${file}`], { code: 1 });
  assert.equal(r.stderr, "error: number of headers (2) and field specifications (1) don't match\n");
});

test('get all and get all -A print every non-empty kind of the all category with kind-prefixed names', () => {
  let r = same(['get', 'all'], { ages: true, code: 0 });
  for (const k of ['pod/web-', 'service/web', 'deployment.apps/web', 'replicaset.apps/web-']) assert.ok(r.stdout.includes(k), `${k} in get all`);
  r = same(['get', 'all', '-A'], { ages: true, code: 0 });
  assert.match(r.stdout, /^NAMESPACE/);
  same(['get', 'all', '-n', 'other'], { code: 0 });
  same(['get', 'all,configmaps'], { ages: true, code: 0 });
  same(['get', 'all', '-o', 'name'], { code: 0 });
  same(['get', 'all/web'], { code: 1 });
});

test('--sort-by orders tables and lists as kubectl does', () => {
  same(['get', 'configmaps', '--sort-by=.metadata.name'], { ages: true, code: 0 });
  same(['get', 'configmaps', '--sort-by={.data.size}', '-o', 'custom-columns=N:.metadata.name,S:.data.size'], { code: 0 });
  same(['get', 'pods', '--sort-by=.spec.nodeName', '-o', 'name'], { code: 0 });
  same(['get', 'configmaps', '--sort-by=.nope'], { code: 0 });
  same(['get', 'configmaps', '--sort-by=.nope', '-o', 'name'], { code: 1 });
});

/** Starts a long-running command; its output so far is in .out. */
function start(cmd: string, args: string[]): { p: ChildProcess; out: string; err: string; done: Promise<number> } {
  const p = spawn(cmd, args, { env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig } });
  const h = { p, out: '', err: '', done: new Promise<number>((res) => p.on('exit', (code, sig) => res(code ?? (sig ? -1 : 0)))) };
  p.stdout.on('data', (d: Buffer) => (h.out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (h.err += d.toString()));
  return h;
}

test('-w prints the list then one row (or object) per change, and SIGINT ends it with exit 1, as kubectl', async () => {
  const variants = [['get', 'configmaps', '-w'], ['get', 'configmaps', '-w', '-o', 'jsonpath={.metadata.name}{" "}{.data}{"\\n"}'], ['get', 'configmaps', '-w', '-o', 'custom-columns=NAME:.metadata.name,LABELS:.metadata.labels']];
  const runs = variants.map((args) => ({ args, k: start(KUBECTL, args), f: start(process.execPath, [FLOTCTL, ...args]) }));
  // Each watch starts from the list it printed, so changes made after the lists are printed are all seen.
  await waitFor('both watchers to print the current state', async () => runs.every((r) => r.k.out.includes('alpha') && r.f.out.includes('alpha')));
  c.ok(['create', 'configmap', 'a-much-longer-name-for-the-watch', '--from-literal=k=v']);
  c.ok(['label', 'configmap', 'alpha', 'watched=yes']);
  c.ok(['delete', 'configmap', 'gamma']);
  // The deletion is the last change: once both have printed gamma a second time, they have printed everything.
  await waitFor('the watchers to print the changes', async () => runs.every((r) => r.k.out.split('gamma').length >= 3 && r.f.out.split('gamma').length >= 3));
  for (const r of runs) {
    r.k.p.kill('SIGINT');
    r.f.p.kill('SIGINT');
    const [kc, fc] = [await r.k.done, await r.f.done];
    assert.equal(noAge(r.f.out), noAge(r.k.out), `output of ${r.args.join(' ')}`);
    assert.equal(r.f.err, r.k.err, `stderr of ${r.args.join(' ')}`);
    assert.equal(fc, kc, `exit code of ${r.args.join(' ')}`);
    assert.equal(fc, 1);
  }
  c.ok(['create', 'configmap', 'gamma']);
});

test('-w refuses more than one kind, with kubectl\'s message', () => {
  const r = same(['get', 'configmaps,deployments', '-w'], { code: 1 });
  assert.equal(r.stderr, 'error: you may only specify a single resource type\n');
  same(['get', 'all', '--watch-only'], { code: 1 });
});
