// flotctl rollout and wait against kubectl 1.32 on one cluster with controllers, a scheduler and hollow nodes.
// Where both tools can act on the same object (status, history, wait) their output must be identical; where
// they change state (undo, pause, resume, restart) each acts on its own twin Deployment and the outputs must be
// identical once the twin's name is normalised.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { FLOTCTL, TestCluster, waitFor } from './harness.js';

type Run = { code: number; stdout: string; stderr: string };
let c: TestCluster;

function flotctl(args: string[]): Run {
  return c.flotctl(args);
}

/** flotctl started in the background (for waits that something else must end). */
function flotctlAsync(args: string[]): Promise<Run> {
  const p = spawn(process.execPath, [FLOTCTL, ...args], { env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig } });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => p.on('close', (code) => res({ code: code ?? -1, stdout, stderr })));
}

const deployment = (name: string, image = 'nginx:1', replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: app, image: "${image}", ports: [{containerPort: 80}]}]
`;

/** Both tools' results must agree, with each twin's name replaced by NAME. */
function sameAs(f: Run, k: Run, fName: string, kName: string, what: string): void {
  const norm = (s: string, n: string) => (n ? s.replaceAll(n, 'NAME') : s);
  assert.deepEqual(
    { code: f.code, stdout: norm(f.stdout, fName), stderr: norm(f.stderr, fName) },
    { code: k.code, stdout: norm(k.stdout, kName), stderr: norm(k.stderr, kName) },
    what,
  );
}

/** Waits (with flotctl) for a rollout to finish and checks it did. */
function rolledOut(name: string): void {
  const r = flotctl(['rollout', 'status', `deploy/${name}`, '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trimEnd().split('\n').at(-1), `deployment "${name}" successfully rolled out`);
}

/** How many pod watches are open on the API server. */
async function podWatches(): Promise<number> {
  const m = /apiserver_longrunning_requests\{resource="pods"\} (\d+)/.exec((await c.request('GET', '/metrics')).text);
  return Number(m?.[1] ?? 0);
}

before(async () => {
  c = await TestCluster.startWithHollowNodes({ count: 2 });
  c.ok(['apply', '-f', '-'], { input: [deployment('web', 'nginx:1', 3), deployment('und-k'), deployment('und-f'), deployment('pau-k'), deployment('pau-f')].join('---\n') });
});
after(async () => {
  await c?.stop();
});

test('rollout status follows a fresh rollout to kubectl\'s final line, printing only kubectl\'s lines', () => {
  const r = flotctl(['rollout', 'status', 'deployment', 'web', '--timeout=60s']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.at(-1), 'deployment "web" successfully rolled out');
  for (const l of lines.slice(0, -1)) {
    assert.match(l, /^(Waiting for deployment spec update to be observed\.\.\.|Waiting for deployment "web" rollout to finish: (\d+ out of 3 new replicas have been updated|\d+ old replicas are pending termination|\d+ of \d+ updated replicas are available)\.\.\.)$/);
  }
  lines.forEach((l, i) => assert.notEqual(l, lines[i - 1], 'a line is never repeated'));
  // settled: both tools print the same thing
  sameAs(flotctl(['rollout', 'status', 'deploy/web']), c.kubectl(['rollout', 'status', 'deploy/web']), 'web', 'web', 'status when done');
  sameAs(flotctl(['rollout', 'status', 'deploy/web', '--watch=false']), c.kubectl(['rollout', 'status', 'deploy/web', '--watch=false']), 'web', 'web', '--watch=false');
  sameAs(flotctl(['rollout', 'status', 'deploy/web', '--revision=7']), c.kubectl(['rollout', 'status', 'deploy/web', '--revision=7']), 'web', 'web', 'wrong --revision');
});

test('after set image, rollout history prints kubectl\'s table and kubectl\'s --revision view', () => {
  c.ok(['set', 'image', 'deploy/web', 'app=nginx:2']);
  c.ok(['annotate', 'deploy/web', 'kubernetes.io/change-cause=image nginx:2']);
  rolledOut('web');
  const f = flotctl(['rollout', 'history', 'deploy/web']);
  assert.match(f.stdout, /^deployment\.apps\/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         image nginx:2\n\n$/);
  for (const args of [['deploy/web'], ['deployment', 'web'], ['deploy/web', '--revision=1'], ['deploy/web', '--revision=2'], ['deploy/web', '--revision=9'], ['deploy/web', '--revision=-1'], ['deploy/web', '-o', 'name']]) {
    sameAs(flotctl(['rollout', 'history', ...args]), c.kubectl(['rollout', 'history', ...args]), 'web', 'web', `history ${args.join(' ')}`);
  }
});

test('rollout undo rolls back as kubectl\'s does: same messages, same history afterwards', () => {
  for (const image of ['nginx:2', 'nginx:3']) {
    for (const n of ['und-k', 'und-f']) c.ok(['set', 'image', `deploy/${n}`, `app=${image}`]);
    for (const n of ['und-k', 'und-f']) rolledOut(n);
  }
  sameAs(flotctl(['rollout', 'undo', 'deploy/und-f']), c.kubectl(['rollout', 'undo', 'deploy/und-k']), 'und-f', 'und-k', 'undo');
  for (const n of ['und-k', 'und-f']) rolledOut(n);
  const image = (n: string) => c.ok(['get', 'deploy', n, '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.metadata.labels}']).replaceAll(n, 'NAME');
  assert.equal(image('und-f'), image('und-k'));
  assert.equal(image('und-f'), 'nginx:2 {"app":"NAME"}', 'the template is the old one, without pod-template-hash');
  const history = (n: string) => c.kubectl(['rollout', 'history', `deploy/${n}`]);
  sameAs(history('und-f'), history('und-k'), 'und-f', 'und-k', 'history after undo');
  // back to revision 1; then to the revision it now is (skipped), and to ones that don't exist
  const current = (n: string) => c.ok(['get', 'deploy', n, '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}']);
  sameAs(flotctl(['rollout', 'undo', 'deploy/und-f', '--to-revision=1']), c.kubectl(['rollout', 'undo', 'deploy/und-k', '--to-revision=1']), 'und-f', 'und-k', 'undo --to-revision=1');
  for (const n of ['und-k', 'und-f']) rolledOut(n);
  sameAs(history('und-f'), history('und-k'), 'und-f', 'und-k', 'history after undo --to-revision');
  assert.equal(current('und-f'), current('und-k'));
  for (const to of [current('und-f'), '99', '-1']) {
    const f = flotctl(['rollout', 'undo', 'deploy/und-f', `--to-revision=${to}`]);
    sameAs(f, c.kubectl(['rollout', 'undo', 'deploy/und-k', `--to-revision=${to}`]), 'und-f', 'und-k', `undo --to-revision=${to}`);
    assert.match(f.stdout + f.stderr, to === current('und-f') ? /skipped rollback \(current template already matches revision \d+\)/ : /unable to find specified revision/);
  }
});

test('rollout restart stamps restartedAt on the template and rolls out', () => {
  const before = c.ok(['get', 'deploy/web', '-o', 'jsonpath={.metadata.generation}']);
  const f = flotctl(['rollout', 'restart', 'deploy/web']);
  assert.deepEqual(f, { code: 0, stdout: 'deployment.apps/web restarted\n', stderr: '' });
  const at = c.ok(['get', 'deploy/web', '-o', 'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}']);
  assert.match(at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
  assert.ok(Math.abs(Date.parse(at) - Date.now()) < 60_000, `restartedAt ${at} is now`);
  assert.equal(Number(c.ok(['get', 'deploy/web', '-o', 'jsonpath={.metadata.generation}'])), Number(before) + 1);
  rolledOut('web');
  assert.match(c.ok(['rollout', 'history', 'deploy/web']), /\n3         image nginx:2\n/, 'the restart is a new revision');
});

test('pause, resume and restart: kubectl\'s messages and exit codes, pausing twice included', () => {
  const steps = [['pause'], ['pause'], ['restart'], ['undo'], ['resume'], ['resume'], ['restart'], ['pause', '-o', 'name'], ['resume', '-o', 'name']];
  for (const [verb, ...rest] of steps) {
    const f = flotctl(['rollout', verb as string, 'deploy', 'pau-f', ...rest]);
    const k = c.kubectl(['rollout', verb as string, 'deploy', 'pau-k', ...rest]);
    sameAs(f, k, 'pau-f', 'pau-k', `${verb} ${rest.join(' ')}`);
  }
  sameAs(flotctl(['rollout', 'pause', 'deploy/pau-f', 'deploy/nope']), c.kubectl(['rollout', 'pause', 'deploy/pau-k', 'deploy/nope']), 'pau-f', 'pau-k', 'pause with a missing one');
  sameAs(flotctl(['rollout', 'resume', 'deploy', 'pau-f', 'nope']), c.kubectl(['rollout', 'resume', 'deploy', 'pau-k', 'nope']), 'pau-f', 'pau-k', 'resume with a missing one');
});

test('missing or unsupported objects and bad lines fail as kubectl\'s do', () => {
  c.ok(['create', 'configmap', 'cfg']);
  const cases = [
    ['rollout', 'status', 'deploy/nope'], ['rollout', 'status', 'deployment', 'nope'], ['rollout', 'history', 'deploy/nope'], ['rollout', 'undo', 'deploy/nope'],
    ['rollout', 'pause', 'deploy/nope'], ['rollout', 'restart', 'deploy/nope'], ['rollout', 'status'], ['rollout', 'status', 'cm/cfg'],
    ['rollout', 'history', 'cm/cfg'], ['rollout', 'undo', 'cm/cfg'], ['rollout', 'pause', 'cm/cfg'], ['rollout', 'status', 'deploy', '-l', 'app=none'],
  ];
  for (const args of cases) sameAs(flotctl(args), c.kubectl(args), '', '', args.join(' '));
  // flag values cobra rejects: the same words, but for the tool's name
  for (const args of [['rollout', 'status', 'deploy/web', '--timeout=5'], ['rollout', 'history', 'deploy/web', '--revision=x'], ['wait', '--for=delete', 'pod/x', '--timeout=soon']]) {
    const k = c.kubectl(args);
    sameAs(flotctl(args), { ...k, stderr: k.stderr.replaceAll('kubectl', 'flotctl') }, '', '', args.join(' '));
  }
});

test('rollout status stops with kubectl\'s error when the progress deadline is exceeded', async () => {
  // no node matches: the pod stays Pending, so the rollout cannot progress
  c.ok(['apply', '-f', '-'], { input: deployment('stuck').replace('replicas: 2', 'replicas: 1\n  progressDeadlineSeconds: 1').replace('spec:\n      containers', 'spec:\n      nodeSelector: {none: "x"}\n      containers') });
  const f = flotctl(['rollout', 'status', 'deploy/stuck', '--timeout=60s']);
  assert.equal(f.stderr, 'error: deployment "stuck" exceeded its progress deadline\n');
  assert.equal(f.code, 1);
  const k = c.kubectl(['rollout', 'status', 'deploy/stuck', '--timeout=60s']);
  assert.deepEqual({ code: f.code, stderr: f.stderr }, { code: k.code, stderr: k.stderr });
  c.ok(['delete', 'deploy', 'stuck']);
});

test('wait for condition=Available on deployments prints kubectl\'s lines', () => {
  for (const args of [['deploy/web'], ['deployment', 'web', 'und-f'], ['deploy', '--all'], ['deploy/web', '--timeout=0']]) {
    const a = ['wait', '--for=condition=Available', ...args];
    const f = flotctl(a);
    assert.equal(f.code, 0, f.stderr);
    sameAs(f, c.kubectl(a), 'web', 'web', a.join(' '));
  }
});

test('wait --for=delete returns once the pod is gone', async () => {
  c.ok(['run', 'victim', '--image=busybox']);
  const watches = await podWatches();
  const waiting = flotctlAsync(['wait', '--for=delete', 'pod/victim', '--timeout=60s']);
  // delete only once the waiter has seen the pod and opened its watch
  await waitFor('the waiter to watch pods', async () => (await podWatches()) > watches);
  c.ok(['delete', 'pod', 'victim', '--wait=false']);
  assert.deepEqual(await waiting, { code: 0, stdout: 'pod/victim condition met\n', stderr: '' });
  sameAs(flotctl(['wait', '--for=delete', 'pod/victim']), c.kubectl(['wait', '--for=delete', 'pod/victim']), '', '', 'already gone');
});

test('wait times out with kubectl\'s message and exit code', () => {
  c.ok(['run', 'waiter', '--image=busybox']);
  for (const args of [
    ['--for=condition=Nope', 'pod/waiter', '--timeout=1s'], ['--for=condition=Nope', 'pod/waiter', '--timeout=0'], ['--for=condition=Nope', 'pod/waiter', 'deploy/web', '--timeout=1s'],
    ['--for=condition=Ready', 'pod/nope'], ['--for=condition=Ready', 'pod', '-l', 'app=none'], ['--for=bogus', 'pod/waiter'], ['pod/waiter'], ['--for=condition=Ready', 'pod'],
    ['--for=jsonpath={.status.phase}=Nope', 'pod/waiter', '--timeout=1s'],
  ]) {
    const f = flotctl(['wait', ...args]);
    assert.equal(f.code, 1, args.join(' '));
    sameAs(f, c.kubectl(['wait', ...args]), '', '', args.join(' '));
  }
  assert.equal(flotctl(['wait', '--for=condition=Nope', 'pod/waiter', '--timeout=1s']).stderr, 'error: timed out waiting for the condition on pods/waiter\n');
});
