// flotctl rollout, wait and create job|cronjob against kubectl 1.32 on one cluster with controllers, a scheduler and
// hollow nodes. Where both tools can act on the same object (status, history, wait, dry runs) their output must be
// identical; where they change state (undo, pause, resume, restart, create) each acts on its own twin (Deployment,
// DaemonSet, StatefulSet, CronJob) and the outputs must be identical once the twin's name is normalised.
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

/** A DaemonSet or StatefulSet (app label = name), as JSON; `extra` goes into its spec. */
function set(kind: 'DaemonSet' | 'StatefulSet', name: string, extra: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind, metadata: { name },
    spec: {
      ...(kind === 'StatefulSet' ? { replicas: 2, serviceName: name } : {}),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1' }], ...podSpec } },
      ...extra,
    },
  });
}

// twins of each set kind (one for each tool to roll back), one with a single revision, and sets whose status lines
// are fixed: OnDelete, and one whose pod fits no node
const SETS = [
  set('DaemonSet', 'ds-k'), set('DaemonSet', 'ds-f'), set('StatefulSet', 'sts-k'), set('StatefulSet', 'sts-f'), set('DaemonSet', 'ds-one'),
  set('StatefulSet', 'sts-od', { updateStrategy: { type: 'OnDelete' } }), set('StatefulSet', 'sts-stuck', { replicas: 1 }, { nodeSelector: { none: 'x' } }),
];

before(async () => {
  c = await TestCluster.startWithHollowNodes({ count: 2 });
  c.ok(['apply', '-f', '-'], { input: [deployment('web', 'nginx:1', 3), deployment('und-k'), deployment('und-f'), deployment('pau-k'), deployment('pau-f'), ...SETS].join('\n---\n') });
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

/** Both tools on the same line (nothing it does changes state); flotctl's result. */
function both(args: string[], what = args.join(' ')): Run {
  const f = flotctl(args);
  sameAs(f, c.kubectl(args), '', '', what);
  return f;
}

/** The revisions (number=image) of the sets named, once each has `count`: {name: '1=nginx:1 2=nginx:2'}. */
async function revisionsOf(names: string[], count: number): Promise<Record<string, string>> {
  return waitFor(`${count} revisions of ${names.join(',')}`, async () => {
    const out = c.ok(['get', 'controllerrevisions', '-l', `app in (${names.join(',')})`, '-o', 'jsonpath={range .items[*]}{.metadata.labels.app} {.revision}={.data.spec.template.spec.containers[0].image}{"\\n"}{end}']);
    const by: Record<string, string[]> = {};
    for (const line of out.trim().split('\n').filter(Boolean)) {
      const [app, rev] = line.split(' ') as [string, string];
      (by[app] ??= []).push(rev);
    }
    return names.every((n) => by[n]?.length === count) ? Object.fromEntries(names.map((n) => [n, (by[n] as string[]).sort().join(' ')])) : undefined;
  }, 30_000);
}

test('DaemonSet and StatefulSet history and undo: kubectl\'s table, revisions, -o, messages; undo rolls back as kubectl\'s does', async () => {
  const twins = ['ds/ds-k', 'ds/ds-f', 'sts/sts-k', 'sts/sts-f'];
  const names = twins.map((t) => t.split('/')[1] as string);
  c.ok(['annotate', ...twins, 'kubernetes.io/change-cause=image nginx:2']);
  c.ok(['set', 'image', ...twins, 'app=nginx:2']);
  const want = (v: string) => Object.fromEntries(names.map((n) => [n, v]));
  assert.deepEqual(await revisionsOf(names, 2), want('1=nginx:1 2=nginx:2'));
  // reading and dry runs change nothing: both tools on the same object
  const table = both(['rollout', 'history', 'ds/ds-k']);
  assert.equal(table.stdout, 'daemonset.apps/ds-k \nREVISION  CHANGE-CAUSE\n1         <none>\n2         image nginx:2\n\n');
  for (const args of [
    ['history', 'ds', 'ds-k', '--revision=1'], ['history', 'ds/ds-k', '--revision=9'], ['history', 'ds/ds-k', 'sts/sts-k', '-o', 'yaml'], ['history', 'ds/ds-k', '-o', 'name'],
    ['history', 'sts/sts-k'], ['history', 'sts/sts-k', '--revision=2'], ['history', 'sts/sts-k', '--revision=1', '-o', 'yaml'],
    ['undo', 'ds/ds-k', '--dry-run=client'], ['undo', 'sts/sts-k', '--dry-run=server'], ['undo', 'ds/ds-k', '--to-revision=9'], ['undo', 'sts/sts-k', '--to-revision=-1'],
    ['undo', 'ds/ds-one'],
  ]) both(['rollout', ...args]);
  // undo: each tool on its twin, the same words, the same history afterwards, the old image back
  for (const type of ['ds', 'sts']) sameAs(flotctl(['rollout', 'undo', `${type}/${type}-f`]), c.kubectl(['rollout', 'undo', `${type}/${type}-k`]), `${type}-f`, `${type}-k`, `undo ${type}`);
  assert.deepEqual(await revisionsOf(names, 2), want('2=nginx:2 3=nginx:1'), 'revision 1 comes back as 3');
  for (const type of ['ds', 'sts']) {
    const fn = `${type}-f`;
    sameAs(flotctl(['rollout', 'history', `${type}/${fn}`]), c.kubectl(['rollout', 'history', `${type}/${type}-k`]), fn, `${type}-k`, `history after undo ${type}`);
    // the set already runs revision 3: kubectl skips only when the revision's bytes equal Go's encoding of the
    // template, which this server's controllers don't write, so flotctl's answer is checked alone
    assert.deepEqual(flotctl(['rollout', 'undo', `${type}/${fn}`, '--to-revision=3']),
      { code: 0, stdout: `${type === 'ds' ? 'daemonset' : 'statefulset'}.apps/${fn} skipped rollback (current template already matches revision 3)\n`, stderr: '' });
  }
  assert.equal(c.ok(['get', 'ds/ds-f', 'sts/sts-f', '-o', 'jsonpath={.items[*].spec.template.spec.containers[0].image}']), 'nginx:1 nginx:1');
});

test('StatefulSet rollout status prints kubectl\'s StatefulSetStatusViewer lines', async () => {
  const f = flotctl(['rollout', 'status', 'sts/sts-f', '--timeout=60s']);
  assert.equal(f.code, 0, f.stderr);
  assert.equal(f.stdout.trimEnd().split('\n').at(-1), 'partitioned roll out complete: 2 new pods have been updated...');
  await waitFor('sts-stuck observed', async () => JSON.parse(c.ok(['get', 'sts', 'sts-stuck', '-o', 'json'])).status?.observedGeneration === 1);
  both(['rollout', 'status', 'sts/sts-f']);
  assert.equal(both(['rollout', 'status', 'sts/sts-stuck', '--watch=false']).stdout, 'Waiting for 1 pods to be ready...\n');
  assert.equal(both(['rollout', 'status', 'sts/sts-od']).stderr, 'error: rollout status is only available for RollingUpdate strategy type\n');
});

test('create job and create cronjob build kubectl\'s objects; job --from=cronjob copies the template, owned by the CronJob', () => {
  const dry = ['--dry-run=client', '-o', 'yaml'];
  for (const args of [
    ['job', 'x', '--image=busybox', '-n', 'other', ...dry, '--', 'date', '-u'], ['cronjob', 'x', '--image=busybox', '--schedule=*/1 * * * *', ...dry],
    ['cj', 'x', '--image=busybox', '--schedule=@hourly', '--restart=Never', ...dry, '--', 'sh', '-c', 'true'],
    ['job', 'x', '--dry-run=client'], ['job', 'x', '--from=cronjob/x', '--', 'date'], ['job', 'x', '--from=cronjob/nope'],
    ['cronjob', 'x', '--image=busybox', '--schedule=* * * * *', '--restart=Always'],
  ]) both(['create', ...args]);
  const k = c.kubectl(['create', 'job', 'x']);
  sameAs(flotctl(['create', 'job', 'x']), { ...k, stderr: k.stderr.replaceAll('kubectl', 'flotctl') }, '', '', 'no NAME');
  // real objects: each tool makes its twin CronJob, then a Job from the same CronJob
  const cron = (n: string) => ['create', 'cronjob', n, '--image=busybox', '--schedule=0 3 * * *', '--', 'sh', '-c', 'echo hi'];
  sameAs(flotctl(cron('cj-f')), c.kubectl(cron('cj-k')), 'cj-f', 'cj-k', 'create cronjob');
  const spec = (n: string) => c.ok(['get', 'cj', n, '-o', 'jsonpath={.spec}']).replaceAll(n, 'NAME');
  assert.equal(spec('cj-f'), spec('cj-k'));
  both(['create', 'job', 'once', '--from=cronjob/cj-k', ...dry]);
  sameAs(flotctl(['create', 'job', 'man-f', '--from=cronjob/cj-k']), c.kubectl(['create', 'job', 'man-k', '--from=cronjob/cj-k']), 'man-f', 'man-k', 'create job --from');
  const made = (n: string) => c.ok(['get', 'job', n, '-o', 'jsonpath={.metadata.annotations} {.metadata.ownerReferences} {.spec.template.spec.containers}']);
  assert.equal(made('man-f'), made('man-k'));
  assert.match(made('man-f'), /"cronjob.kubernetes.io\/instantiate":"manual"/);
  assert.match(made('man-f'), /"kind":"CronJob","name":"cj-k"/);
});
