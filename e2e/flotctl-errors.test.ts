// flotctl on bad input: every case prints one clear message and exits as kubectl exits (1), and changes nothing.
// Where kubectl's own message is already clear (server validation, missing namespace or object), flotctl prints
// the very same bytes; where kubectl is terse, flotctl adds the file position or a "did you mean".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliRun, FLOTCTL, TestCluster } from './harness.js';

let c: TestCluster;
let work: string;

function flotctl(args: string[], env: Record<string, string | undefined> = {}): CliRun {
  return c.flotctl(args, { env });
}

function file(name: string, text: string): string {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
}

/** Nothing was created: the namespace holds no deployment and no configmap. */
function nothingCreated(): void {
  assert.equal(c.ok(['get', 'deploy,cm', '-n', 'default', '-o', 'name']), '');
}

before(async () => {
  c = await TestCluster.start();
  work = mkdtempSync(join(tmpdir(), 'flotctl-errors-'));
});
after(async () => {
  await c?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('a YAML syntax error names the file, line and column, and shows the line', () => {
  const f = file('broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a: b\ndata: {}\n');
  const r = flotctl(['apply', '-f', f]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`^error: error parsing ${f}:4:9: Nested mappings are not allowed in compact mappings\\n`));
  assert.match(r.stderr, /  name: a: b\n/);
  // A second document that is fine is not applied either: the file is read whole before anything is sent.
  const g = file('half.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\n---\nkind: [\n');
  assert.equal(flotctl(['apply', '-f', g]).code, 1);
  nothingCreated();
});

test('an unknown kind, resource type or command suggests the nearest one', () => {
  const f = file('kind.yaml', 'apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: x}\n');
  let r = flotctl(['apply', '-f', f]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no matches for kind "Deploymnet" in version "apps\/v1"\n/);
  assert.match(r.stderr, /Did you mean this\?\n\tkind: Deployment \(apiVersion: apps\/v1\)\n$/);
  r = flotctl(['get', 'deploymnt']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: the server doesn\'t have a resource type "deploymnt"\n\nDid you mean this?\n\tdeployments\n');
  r = flotctl(['gett', 'pods']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: unknown command "gett" for "flotctl"\n\nDid you mean this\?\n\tget\n/);
  r = flotctl(['get', 'pods', '--outptu', 'json']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: unknown flag: --outptu\nSee 'flotctl get --help' for usage.\n$/);
  nothingCreated();
});

test('an unknown field is refused by the server and flotctl says which field was meant', () => {
  const f = file('field.yaml', `apiVersion: apps/v1
kind: Deployment
metadata: {name: typo}
spec:
  replicass: 2
  selector: {matchLabels: {app: typo}}
  template:
    metadata: {labels: {app: typo}}
    spec: {containers: [{name: c, image: busybox, imagePulPolicy: Always}]}
`);
  const k = c.kubectl(['apply', '-f', f]);
  const r = flotctl(['apply', '-f', f]);
  assert.equal(r.code, 1);
  assert.equal(k.code, 1);
  // kubectl's lines first, byte for byte, then one hint per field.
  assert.ok(r.stderr.startsWith(k.stderr.trimEnd() + '\n'), `flotctl: ${r.stderr}\nkubectl: ${k.stderr}`);
  assert.ok(r.stderr.includes('  spec.replicass: did you mean "spec.replicas"?\n'), r.stderr);
  assert.ok(r.stderr.includes('  spec.template.spec.containers[0].imagePulPolicy: did you mean "spec.template.spec.containers[0].imagePullPolicy"?'), r.stderr);
  nothingCreated();
});

test('the server\'s validation causes are printed field by field, as kubectl prints them', () => {
  const f = file('invalid.yaml', `apiVersion: apps/v1
kind: Deployment
metadata: {name: bad}
spec:
  replicas: -1
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: b}}
    spec: {containers: [{name: c, image: busybox}]}
`);
  for (const verb of ['apply', 'create']) {
    const k = c.kubectl([verb, '-f', f]);
    const r = flotctl([verb, '-f', f]);
    assert.equal(r.code, 1);
    assert.equal(r.code, k.code);
    assert.equal(r.stderr, k.stderr);
    assert.match(r.stderr, /^The Deployment "bad" is invalid: \n\* spec\.replicas: Invalid value: -1: must be greater than or equal to 0\n\* spec\.template\.metadata\.labels: /);
  }
  // One cause: on one line.
  c.ok(['create', 'deployment', 'one', '--image=busybox']);
  const k = c.kubectl(['patch', 'deploy', 'one', '-p', '{"spec":{"replicas":-3}}']);
  const r = flotctl(['patch', 'deploy', 'one', '-p', '{"spec":{"replicas":-3}}']);
  assert.equal(r.stderr, 'The Deployment "one" is invalid: spec.replicas: Invalid value: -3: must be greater than or equal to 0\n');
  assert.equal(r.stderr, k.stderr);
  assert.equal(r.code, 1);
  c.ok(['delete', 'deploy', 'one']);
  nothingCreated();
});

test('a missing namespace or object, and a conflicting create, are kubectl\'s messages and exit codes', () => {
  const cases = [
    ['create', 'configmap', 'x', '--from-literal=a=1', '-n', 'nonexistent'],
    ['get', 'deploy', 'nope'],
    ['delete', 'cm', 'nope'],
    ['scale', 'deploy', 'nope', '--replicas=1'],
    ['patch', 'cm', 'nope', '-p', '{}'],
    ['create', 'namespace', 'default'],
    ['label', 'ns', 'nope', 'a=b'],
    ['create', 'deployment', 'x'],
    ['delete', 'cm', '--all', '-l', 'a=b'],
    ['apply'],
  ];
  for (const args of cases) {
    const k = c.kubectl(args);
    const r = flotctl(args);
    assert.equal(r.code, k.code, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.code, 1, args.join(' '));
    // kubectl logs a few of its errors as klog lines (`E1123 ... "command failed" err="..."`); flotctl prints them
    // as its other errors, `error: ...`. And kubectl's "See 'kubectl create -h'" footer is left out.
    const kubectlSaid = k.stderr
      .replace(/^E\d{4} [^\n]*"command failed" err="(.*)"$/m, (_, m: string) => `error: ${m.replace(/\\"/g, '"')}`)
      .replace(/\nSee 'kubectl [^']*' for help and examples/, '');
    assert.equal(r.stderr, kubectlSaid, args.join(' '));
  }
  nothingCreated();
});

test('no kubeconfig: one line saying where flotctl looked and what to do', () => {
  const r = flotctl(['get', 'pods'], { KUBECONFIG: join(work, 'none'), HOME: work });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^error: no kubeconfig: ${join(work, 'none')} does not exist; set KUBECONFIG, pass --kubeconfig or --server`));
  const bad = flotctl(['get', 'pods', '--context', 'elsewhere']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, `error: context "elsewhere" not found in kubeconfig ${c.apiserver.kubeconfig}\n`);
});

test('an unreachable server is one line naming the server and the kubeconfig, exit 1', () => {
  const r = flotctl(['get', 'pods', '--server', 'http://127.0.0.1:1']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /127\.0\.0\.1:1/);
  assert.ok(r.stderr.includes(c.apiserver.kubeconfig), r.stderr);
});

test('colour on a terminal only: errors are red on a TTY, plain in a pipe or with NO_COLOR', () => {
  // `script` runs flotctl on a pseudo-terminal.
  const onTty = (env: Record<string, string>) => spawnSync('script', ['-qec', `${process.execPath} ${FLOTCTL} get nosuchtype`, '/dev/null'], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig, TERM: 'xterm', ...env },
  });
  const tty = onTty({});
  assert.ok(tty.stdout.includes('\x1b[31merror: the server doesn\'t have a resource type "nosuchtype"'), JSON.stringify(tty.stdout));
  assert.ok(!onTty({ NO_COLOR: '1' }).stdout.includes('\x1b['));
  const piped = flotctl(['get', 'nosuchtype']);
  assert.ok(piped.stderr.startsWith('error: the server'), JSON.stringify(piped.stderr));
});
