// Acceptance (pods as users write them): probes, init containers and sidecars, volumes, private registries, hooks and
// termination messages, on a whole local cluster (`flotilla up` in a temp dir: real containerd, registry, API
// server, controllers, scheduler, node agent), driven with the real kubectl. `flotilla down` must leave nothing
// behind - no process, no mount (the tmpfs of Secret volumes included). Needs root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeInsecureRegistry } from '../node-agent/runtime/containerd.js';
import { startRegistry, type Registry } from '../node-agent/runtime/registry.js';
import { KUBECTL, ROOT, freePort, runFlotctl, waitFor } from './harness.js';

const skip = process.getuid?.() === 0 ? false : 'needs root (containerd, runc, CNI)';
const dir = mkdtempSync(join(tmpdir(), 'flotilla-pods-'));
/** Where pods write what the test reads after they are gone (a hostPath volume). */
const shared = join(dir, 'shared');
let registry = '';
let tools = '';
let privateRegistry: Registry | undefined;

function flotilla(args: string[], timeoutMs = 300_000): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/flotilla.js'), ...args], { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`flotilla ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}\n${agentLog()}`);
  return r.stdout;
}

function agentLog(): string {
  try {
    return `--- node-agent.log (tail)\n${readFileSync(join(dir, 'logs', 'node-agent.log'), 'utf8').split('\n').slice(-20).join('\n')}`;
  } catch {
    return '';
  }
}

function kubectl(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(KUBECTL, args, { input, encoding: 'utf8', timeout: 120_000, env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[], input?: string): string {
  const r = kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const pod = (name: string): Json => JSON.parse(ok(['get', 'pod', name, '-o', 'json']));
/** The STATUS column kubectl prints for the pod. */
const column = (name: string): string => (ok(['get', 'pod', name, '--no-headers']).trim().split(/\s+/)[2] ?? '');
const condition = (p: Json, type: string): Json | undefined => (p.status?.conditions ?? []).find((c: Json) => c.type === type);
const isReady = (name: string): boolean => condition(pod(name), 'Ready')?.status === 'True';
const events = (name: string): Json[] => JSON.parse(ok(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json'])).items;
const apply = (yaml: string): string => ok(['apply', '-f', '-'], yaml);

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  return waitFor(what, async () => fn(), timeoutMs, 250).catch((e: Error) => {
    throw new Error(`${e.message}\n${agentLog()}`);
  });
}

/** Deletes a pod and waits until it is gone (the node agent has stopped everything). */
async function deleteAndWait(name: string): Promise<void> {
  ok(['delete', 'pod', name, '--wait=false']);
  await until(`pod ${name} to be gone`, () => kubectl(['get', 'pod', name]).code !== 0, 90_000);
}

before(async () => {
  if (skip) return;
  const port = await freePort();
  const regPort = await freePort();
  registry = `127.0.0.1:${regPort}`;
  tools = `${registry}/flotilla/tools:v1`;
  mkdirSync(shared);
  flotilla(['up', '--data-dir', dir, '--port', String(port), '--registry-port', String(regPort), '--node-agent-port', String(await freePort()), '--node-name', 'pods-node']);
});

after(async () => {
  await privateRegistry?.stop();
  if (!skip) {
    flotilla(['down', '--data-dir', dir]);
    const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(dir));
    assert.deepEqual(ps, [], 'no process of the cluster is left');
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(dir));
    assert.deepEqual(mounts, [], 'no mount of the cluster is left (the tmpfs of Secret volumes included)');
  }
  if (!process.env.FLOTILLA_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
});

test('readiness gates availability: Running but not Ready (Deployment not Available) until a file appears, then Ready and Available', { skip }, async () => {
  apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: gated}
spec:
  replicas: 1
  selector: {matchLabels: {app: gated}}
  template:
    metadata: {labels: {app: gated}}
    spec:
      containers:
      - name: web
        image: ${tools}
        command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']
        readinessProbe: {exec: {command: [cat, /tmp/ready]}, periodSeconds: 1}
`);
  const name = await until('a Running gated pod', () => {
    const items: Json[] = JSON.parse(ok(['get', 'pods', '-l', 'app=gated', '-o', 'json'])).items;
    return items.find((p) => p.status?.phase === 'Running')?.metadata.name as string | undefined;
  });
  await until('a readiness probe to have failed', () => events(name).some((e) => e.reason === 'Unhealthy' && /^Readiness probe failed: /.test(e.message)));
  assert.equal(isReady(name), false);
  assert.equal(pod(name).status.containerStatuses[0].ready, false);
  const available = () => (JSON.parse(ok(['get', 'deployment', 'gated', '-o', 'json'])).status.conditions ?? []).find((c: Json) => c.type === 'Available')?.status;
  assert.notEqual(available(), 'True');
  ok(['exec', name, '--', 'touch', '/tmp/ready']);
  await until('the pod to be Ready', () => isReady(name));
  await until('the Deployment to be Available', () => available() === 'True');
  ok(['delete', 'deployment', 'gated', '--wait=false']);
});

test('a liveness probe that starts failing restarts the container: restartCount 1, Unhealthy then Killing', { skip }, async () => {
  apply(`
apiVersion: v1
kind: Pod
metadata: {name: lively}
spec:
  containers:
  - name: web
    image: ${tools}
    command: [sh, -c, 'touch /tmp/alive; trap "exit 0" TERM; while true; do sleep 1; done']
    livenessProbe: {exec: {command: [cat, /tmp/alive]}, periodSeconds: 1, failureThreshold: 2}
`);
  await until('lively Running', () => pod('lively').status?.containerStatuses?.[0]?.state?.running);
  ok(['exec', 'lively', '--', 'rm', '/tmp/alive']);
  await until('a restart', () => pod('lively').status.containerStatuses[0].restartCount === 1 && pod('lively').status.containerStatuses[0].state.running);
  const evs = events('lively').sort((a, b) => Date.parse(a.firstTimestamp) - Date.parse(b.firstTimestamp));
  const unhealthy = evs.findIndex((e) => e.reason === 'Unhealthy' && e.message.startsWith('Liveness probe failed: cat: can\'t open \'/tmp/alive\''));
  const killing = evs.findIndex((e) => e.reason === 'Killing' && e.message === 'Container web failed liveness probe, will be restarted');
  assert.ok(unhealthy >= 0 && killing > unhealthy, evs.map((e) => `${e.reason}: ${e.message}`).join('\n'));
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(pod('lively').status.containerStatuses[0].restartCount, 1, 'healthy again after the restart');
  await deleteAndWait('lively');
});

test('a startup probe holds liveness back while the app starts slowly: no restart, then Ready', { skip }, async () => {
  // liveness would kill it after one failed second; the app needs about five
  apply(`
apiVersion: v1
kind: Pod
metadata: {name: slow-start}
spec:
  containers:
  - name: app
    image: ${tools}
    command: [sh, -c, 'sleep 5; touch /tmp/started; trap "exit 0" TERM; while true; do sleep 1; done']
    startupProbe: {exec: {command: [cat, /tmp/started]}, periodSeconds: 1, failureThreshold: 30}
    livenessProbe: {exec: {command: [cat, /tmp/started]}, periodSeconds: 1, failureThreshold: 1}
`);
  await until('slow-start Ready', () => isReady('slow-start'), 90_000);
  const p = pod('slow-start');
  assert.equal(p.status.containerStatuses[0].restartCount, 0);
  assert.equal(p.status.containerStatuses[0].started, true);
  const evs = events('slow-start');
  assert.ok(evs.some((e) => e.reason === 'Unhealthy' && e.message.startsWith('Startup probe failed')), 'the startup probe failed while the app started');
  assert.ok(!evs.some((e) => e.message.startsWith('Liveness probe failed')), 'liveness never ran before startup passed');
  await deleteAndWait('slow-start');
});

test('two init containers write into an emptyDir the app serves: Init:0/2 -> Init:1/2 -> Running, both lines served', { skip }, async () => {
  apply(`
apiVersion: v1
kind: Pod
metadata: {name: inits}
spec:
  terminationGracePeriodSeconds: 2
  initContainers:
  - {name: first, image: ${tools}, command: [sh, -c, 'echo line-one >> /www/index.html; sleep 3'], volumeMounts: [{name: www, mountPath: /www}]}
  - {name: second, image: ${tools}, command: [sh, -c, 'echo line-two >> /www/index.html; sleep 3'], volumeMounts: [{name: www, mountPath: /www}]}
  containers:
  - {name: web, image: ${tools}, command: [httpd, -f, -p, '8080', -h, /www], volumeMounts: [{name: www, mountPath: /www}]}
  volumes: [{name: www, emptyDir: {}}]
`);
  const seen: string[] = [];
  await until('inits Running', () => {
    const s = column('inits');
    if (seen.at(-1) !== s) seen.push(s);
    return s === 'Running';
  }, 60_000);
  const order = ['Init:0/2', 'Init:1/2', 'Running'].map((s) => seen.indexOf(s));
  assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > (order[k - 1] as number))), `STATUS went ${seen.join(' -> ')}`);
  const p = pod('inits');
  assert.deepEqual(p.status.initContainerStatuses.map((s: Json) => s.state.terminated?.reason), ['Completed', 'Completed']);
  assert.equal(condition(p, 'Initialized')?.status, 'True');
  // each try bounded: one connection hung on a pod not yet serving must not use up the whole wait
  const page = await waitFor('the page', async () => fetch(`http://${p.status.podIP}:8080/`, { signal: AbortSignal.timeout(3000) }).then((r) => r.text()).catch(() => undefined), 30_000, 250);
  assert.equal(page, 'line-one\nline-two\n');
  await deleteAndWait('inits');
});

test('an init container that fails shows Init:CrashLoopBackOff and the app never starts', { skip }, async () => {
  apply(`
apiVersion: v1
kind: Pod
metadata: {name: bad-init}
spec:
  terminationGracePeriodSeconds: 2
  initContainers: [{name: setup, image: ${tools}, command: [sh, -c, 'echo cannot migrate; exit 3']}]
  containers: [{name: app, image: ${tools}}]
`);
  await until('Init:CrashLoopBackOff', () => column('bad-init') === 'Init:CrashLoopBackOff', 60_000);
  const p = pod('bad-init');
  assert.equal(p.status.phase, 'Pending');
  assert.equal(p.status.initContainerStatuses[0].lastState.terminated.exitCode, 3);
  assert.equal(p.status.containerStatuses[0].state.waiting.reason, 'PodInitializing');
  await deleteAndWait('bad-init');
});

test('a sidecar tails the app\'s log file while it runs, and is stopped after the app when the pod goes', { skip }, async () => {
  apply(`
apiVersion: v1
kind: Pod
metadata: {name: with-sidecar}
spec:
  terminationGracePeriodSeconds: 10
  initContainers:
  - name: tailer
    image: ${tools}
    restartPolicy: Always
    command: [sh, -c, 'touch /log/app.log; tail -F /log/app.log & trap "echo sidecar-stopped >> /order/sidecar-order; exit 0" TERM; while true; do sleep 1; done']
    volumeMounts: [{name: log, mountPath: /log}, {name: order, mountPath: /order}]
  containers:
  - name: app
    image: ${tools}
    command: [sh, -c, 'trap "echo app-stopped >> /order/sidecar-order; exit 0" TERM; i=0; while true; do i=$((i+1)); echo "app line $i" >> /log/app.log; sleep 1; done']
    volumeMounts: [{name: log, mountPath: /log}, {name: order, mountPath: /order}]
  volumes:
  - {name: log, emptyDir: {}}
  - {name: order, hostPath: {path: ${shared}, type: DirectoryOrCreate}}
`);
  await until('the sidecar to print the app\'s lines', () => /app line 2/.test(kubectl(['logs', 'with-sidecar', '-c', 'tailer']).stdout), 60_000);
  const row = ok(['get', 'pod', 'with-sidecar', '--no-headers']).trim().split(/\s+/);
  assert.deepEqual(row.slice(1, 3), ['2/2', 'Running'], 'the sidecar counts in READY');
  await deleteAndWait('with-sidecar');
  assert.deepEqual(readFileSync(join(shared, 'sidecar-order'), 'utf8').trim().split('\n'), ['app-stopped', 'sidecar-stopped']);
});

test('configMap, secret, downwardAPI and projected volumes read back from inside with their modes; a ConfigMap edit reaches the file while the container runs, a subPath does not change', { skip }, async () => {
  apply(`
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config}
data: {app.conf: "color=blue\\n", other: "x"}
---
apiVersion: v1
kind: Secret
metadata: {name: app-secret}
stringData: {password: hunter2, user: admin}
---
apiVersion: v1
kind: Pod
metadata: {name: vols, labels: {app: vols, tier: web}, annotations: {owner: team-a}}
spec:
  containers:
  - name: app
    image: ${tools}
    command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']
    resources: {limits: {memory: 64Mi}}
    volumeMounts:
    - {name: config, mountPath: /etc/config}
    - {name: config, mountPath: /etc/app.conf, subPath: app.conf}
    - {name: secret, mountPath: /etc/secret}
    - {name: info, mountPath: /etc/info}
    - {name: all, mountPath: /etc/all}
  volumes:
  - {name: config, configMap: {name: app-config}}
  - {name: secret, secret: {secretName: app-secret, defaultMode: 0400, items: [{key: password, path: db/password}]}}
  - name: info
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: owner, fieldRef: {fieldPath: "metadata.annotations['owner']"}}
      - {path: mem, resourceFieldRef: {containerName: app, resource: limits.memory, divisor: 1Mi}}
  - name: all
    projected:
      defaultMode: 0440
      sources:
      - configMap: {name: app-config, items: [{key: other, path: from-config}]}
      - secret: {name: app-secret, items: [{key: user, path: from-secret, mode: 0600}]}
      - downwardAPI: {items: [{path: name, fieldRef: {fieldPath: metadata.name}}]}
`);
  await until('vols Running', () => pod('vols').status?.containerStatuses?.[0]?.state?.running);
  const sh = (cmd: string) => ok(['exec', 'vols', '--', 'sh', '-c', cmd]);
  assert.equal(sh('cat /etc/config/app.conf /etc/app.conf'), 'color=blue\ncolor=blue\n');
  assert.equal(sh('cat /etc/secret/db/password; echo; stat -L -c %a /etc/secret/db/password /etc/config/app.conf'), 'hunter2\n400\n644\n');
  assert.equal(sh('cat /etc/info/labels; echo; cat /etc/info/owner; echo; cat /etc/info/mem'), 'app="vols"\ntier="web"\nteam-a\n64');
  assert.equal(sh('cat /etc/all/from-config /etc/all/from-secret /etc/all/name; echo; stat -L -c %a /etc/all/from-config /etc/all/from-secret'), 'xadminvols\n440\n600\n');
  assert.match(sh('touch /etc/config/new 2>&1 || echo refused'), /refused|Read-only/);
  const before = pod('vols').status.containerStatuses[0];
  ok(['patch', 'configmap', 'app-config', '-p', '{"data":{"app.conf":"color=red\\n"}}']);
  await until('the edit inside the container', () => sh('cat /etc/config/app.conf') === 'color=red\n', 60_000);
  assert.equal(sh('cat /etc/app.conf'), 'color=blue\n', 'the subPath mount keeps its version');
  const after = pod('vols').status.containerStatuses[0];
  assert.deepEqual([after.containerID, after.restartCount], [before.containerID, 0], 'the same container, still running');
  await deleteAndWait('vols');
});

test('emptyDir: medium Memory is a tmpfs of its sizeLimit; a disk emptyDir that outgrows its sizeLimit gets the pod evicted', { skip }, async () => {
  apply(`
apiVersion: v1
kind: Pod
metadata: {name: scratch}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: ${tools}
    command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']
    volumeMounts: [{name: ram, mountPath: /ram}, {name: disk, mountPath: /disk}]
  volumes:
  - {name: ram, emptyDir: {medium: Memory, sizeLimit: 2Mi}}
  - {name: disk, emptyDir: {sizeLimit: 1Mi}}
`);
  await until('scratch Running', () => pod('scratch').status?.containerStatuses?.[0]?.state?.running);
  const sh = (cmd: string) => kubectl(['exec', 'scratch', '--', 'sh', '-c', cmd]);
  assert.match(sh('mount | grep " /ram "').stdout, /^tmpfs on \/ram type tmpfs/);
  assert.equal(sh("df -k /ram | tail -1 | awk '{print $2}'").stdout.trim(), '2048');
  assert.match(sh('dd if=/dev/zero of=/ram/big bs=1024 count=3072 2>&1').stdout, /No space left on device/);
  sh('dd if=/dev/zero of=/disk/big bs=1024 count=2048');
  await until('the eviction', () => pod('scratch').status?.reason === 'Evicted', 60_000);
  const p = pod('scratch');
  assert.equal(p.status.phase, 'Failed');
  assert.equal(p.status.message, 'Usage of EmptyDir volume "disk" exceeds the limit "1Mi". ');
  assert.equal(condition(p, 'DisruptionTarget')?.reason, 'TerminationByKubelet');
  assert.ok(events('scratch').some((e) => e.reason === 'Evicted' && e.type === 'Warning'));
  await deleteAndWait('scratch');
});

test('a pod using a missing Secret waits (FailedMount, ContainerCreating; CreateContainerConfigError for env) and starts when the Secret is created', { skip }, async () => {
  apply(`
apiVersion: v1
kind: Pod
metadata: {name: needs-secret}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: ${tools}
    volumeMounts: [{name: s, mountPath: /etc/s}]
  volumes: [{name: s, secret: {secretName: late-secret}}]
---
apiVersion: v1
kind: Pod
metadata: {name: needs-env}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: ${tools}
    env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: late-secret, key: token}}}]
`);
  await until('FailedMount', () => events('needs-secret').some((e) => e.reason === 'FailedMount' && e.message === 'MountVolume.SetUp failed for volume "s" : secret "late-secret" not found'));
  assert.equal(column('needs-secret'), 'ContainerCreating');
  await until('CreateContainerConfigError', () => column('needs-env') === 'CreateContainerConfigError');
  assert.equal(pod('needs-env').status.containerStatuses[0].state.waiting.message, 'secret "late-secret" not found');
  ok(['create', 'secret', 'generic', 'late-secret', '--from-literal=token=abc']);
  await until('both Running', () => column('needs-secret') === 'Running' && column('needs-env') === 'Running', 60_000);
  assert.equal(ok(['exec', 'needs-secret', '--', 'cat', '/etc/s/token']), 'abc');
  assert.equal(ok(['exec', 'needs-env', '--', 'sh', '-c', 'echo $TOKEN']), 'abc\n');
  await Promise.all([deleteAndWait('needs-secret'), deleteAndWait('needs-env')]);
});

test('an image in an htpasswd-protected registry: ErrImagePull with the registry\'s 401 without a secret, pulled with imagePullSecrets', { skip }, async () => {
  privateRegistry = await startRegistry({ dataDir: join(dir, 'private-registry'), htpasswd: [{ username: 'alice', password: 'wonderland' }] });
  const host = privateRegistry.host;
  writeInsecureRegistry(join(dir, 'containerd', 'certs.d'), host);
  const copy = spawnSync('skopeo', ['copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', '--dest-creds', 'alice:wonderland', `docker://${tools}`, `docker://${host}/private/tools:v1`], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(copy.status, 0, copy.stderr);
  const image = `${host}/private/tools:v1`;
  apply(`
apiVersion: v1
kind: Pod
metadata: {name: no-creds}
spec:
  terminationGracePeriodSeconds: 2
  containers: [{name: app, image: ${image}}]
`);
  await until('ErrImagePull', () => pod('no-creds').status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull' || events('no-creds').some((e) => /401 Unauthorized/.test(e.message)));
  const failed = events('no-creds').find((e) => e.reason === 'Failed' && e.message.startsWith(`Failed to pull image "${image}"`));
  assert.ok(failed, 'a Failed event for the pull');
  assert.match(failed.message, /401 Unauthorized/);
  ok(['create', 'secret', 'docker-registry', 'regcred', `--docker-server=http://${host}`, '--docker-username=alice', '--docker-password=wonderland']);
  apply(`
apiVersion: v1
kind: Pod
metadata: {name: with-creds}
spec:
  terminationGracePeriodSeconds: 2
  imagePullSecrets: [{name: regcred}]
  containers: [{name: app, image: ${image}}]
`);
  await until('with-creds Running', () => column('with-creds') === 'Running', 90_000);
  // a ServiceAccount's imagePullSecrets are unit-tested on the node side; the end-to-end case waits for the
  // ServiceAccount kind (the security issue's second half)
  await Promise.all([deleteAndWait('no-creds'), deleteAndWait('with-creds')]);
});

test('a preStop hook runs before SIGTERM: its sleep delays the signal; the termination message (file, or the log on error) is in the status', { skip }, async () => {
  apply(`
apiVersion: v1
kind: Pod
metadata: {name: graceful}
spec:
  terminationGracePeriodSeconds: 20
  containers:
  - name: app
    image: ${tools}
    command:
    - sh
    - -c
    - |
      trap 'echo "$(date +%s) TERM" >> /order/prestop; exit 0' TERM
      while true; do sleep 1; done
    lifecycle:
      preStop:
        exec:
          command:
          - sh
          - -c
          - |
            echo "$(date +%s) preStop begins" >> /order/prestop
            sleep 3
            echo "$(date +%s) preStop ends" >> /order/prestop
    volumeMounts: [{name: order, mountPath: /order}]
  volumes: [{name: order, hostPath: {path: ${shared}, type: Directory}}]
---
apiVersion: v1
kind: Pod
metadata: {name: last-words}
spec:
  restartPolicy: Never
  containers:
  - {name: file, image: ${tools}, command: [sh, -c, 'echo "config invalid: missing DB_URL" > /dev/termination-log; exit 3']}
  - {name: logs, image: ${tools}, terminationMessagePolicy: FallbackToLogsOnError, command: [sh, -c, 'echo starting; echo "fatal: cannot bind :80"; exit 1']}
`);
  await until('graceful Running', () => pod('graceful').status?.containerStatuses?.[0]?.state?.running);
  await deleteAndWait('graceful');
  const lines = readFileSync(join(shared, 'prestop'), 'utf8').trim().split('\n').map((l) => l.split(' '));
  assert.deepEqual(lines.map((l) => l.slice(1).join(' ')), ['preStop begins', 'preStop ends', 'TERM'], 'SIGTERM came after the hook');
  const [begin, , term] = lines.map((l) => Number(l[0]));
  assert.ok((term as number) - (begin as number) >= 2, 'the container\'s own clock: the signal waited for the sleep');

  await until('last-words Failed', () => pod('last-words').status?.phase === 'Failed', 60_000);
  const byName = Object.fromEntries(pod('last-words').status.containerStatuses.map((s: Json) => [s.name, s.state.terminated]));
  assert.equal(byName.file.message, 'config invalid: missing DB_URL\n');
  assert.equal(byName.file.exitCode, 3);
  assert.equal(byName.logs.message, 'starting\nfatal: cannot bind :80\n');
  ok(['describe', 'pod', 'last-words']);
  await deleteAndWait('last-words');
});

test('kubectl top: a CPU-burning container near its 200m limit beside an idle one, the pod, the node; flotctl top agrees', { skip }, async () => {
  apply(`
apiVersion: v1
kind: Pod
metadata: {name: burn, labels: {app: burn}}
spec:
  containers:
  - {name: spin, image: ${tools}, command: [sh, -c, 'while :; do :; done'], resources: {limits: {cpu: 200m, memory: 64Mi}}}
  - {name: idle, image: ${tools}, command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']}
`);
  await until('burn Running', () => pod('burn').status?.phase === 'Running');
  const milli = (s: string | undefined) => Number((s ?? '').replace(/m$/, ''));
  // the node agent samples every 10 s and a rate needs two samples; the CFS quota holds the spinner at 200m
  const rows = await until('kubectl top to show the spinner near its limit', () => {
    const r = kubectl(['top', 'pod', 'burn', '--containers', '--no-headers']);
    if (r.code !== 0) return false;
    const byName = new Map(r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/)).map((f) => [f[1], f]));
    const spin = milli(byName.get('spin')?.[2]);
    return spin >= 100 && byName.has('idle') ? byName : false;
  }, 120_000);
  const [, , cpu, mem] = rows.get('spin') as string[];
  assert.ok(milli(cpu) <= 260, `the quota holds the spinner near 200m: ${cpu}`);
  assert.match(mem as string, /^\d+Mi$/);
  assert.ok(milli(rows.get('idle')?.[2]) < 30, `the idle container is idle: ${rows.get('idle')?.join(' ')}`);

  const all = ok(['top', 'pods', '-l', 'app=burn']).split('\n');
  assert.match(all[0] as string, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/);
  assert.match(all[1] as string, /^burn\s+\d+m\s+\d+Mi\s*$/);
  const nodes = ok(['top', 'nodes']);
  assert.match(nodes, /^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)/);
  assert.match(nodes, /^pods-node\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%\s*$/m);
  // the raw API, as metrics-server serves it
  const raw: Json = JSON.parse(ok(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/burn']));
  assert.equal(raw.kind, 'PodMetrics');
  assert.match(raw.window, /^\d+(\.\d+)?s$/);
  assert.deepEqual(raw.containers.map((c: Json) => c.name).sort(), ['idle', 'spin']);
  const table = ok(['get', 'podmetrics', '-l', 'app=burn']);
  assert.match(table, /^NAME\s+CPU\s+MEMORY\s+WINDOW\s*\nburn\s+\d+[num]?\s+\d+(Ki|Mi)?\s+\d+(\.\d+)?s\s*$/);
  const missing = kubectl(['top', 'pod', 'nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /podmetrics\.metrics\.k8s\.io "default\/nope" not found/);

  const f = runFlotctl(join(dir, 'kubeconfig'), ['top', 'pod', 'burn', '--containers']);
  assert.equal(f.code, 0, f.stderr);
  assert.match(f.stdout, /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
  assert.match(f.stdout, /^burn\s+spin\s+\d+m\s+\d+Mi/m);
  const fn = runFlotctl(join(dir, 'kubeconfig'), ['top', 'node']);
  assert.equal(fn.code, 0, fn.stderr);
  assert.match(fn.stdout, /^pods-node\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/m);
  await deleteAndWait('burn');
});

test('kubectl debug adds an ephemeral container that sees the target container\'s processes; it may be neither changed nor removed', { skip }, async () => {
  apply(`
apiVersion: v1
kind: Pod
metadata: {name: debuggee}
spec:
  containers:
  - {name: app, image: ${tools}, command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']}
`);
  await until('debuggee Running', () => pod('debuggee').status?.phase === 'Running');
  const out = kubectl(['debug', 'debuggee', `--image=${tools}`, '--target=app', '--container=dbg', '--', 'sh', '-c', 'ps -o pid,args; sleep 3600']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr + out.stdout, /Targeting container "app"/);
  const status = await until('the ephemeral container to run', () =>
    (pod('debuggee').status?.ephemeralContainerStatuses ?? []).find((s: Json) => s.name === 'dbg' && s.state?.running));
  assert.equal(status.image, tools);
  // it shares the target's process namespace: the app's loop is in its ps
  const ps = await until('the debug container\'s ps', () => {
    const r = kubectl(['logs', 'debuggee', '-c', 'dbg']);
    return r.code === 0 && /while true/.test(r.stdout) ? r.stdout : false;
  });
  assert.match(ps, /sleep 3600|ps -o/);
  assert.equal(ok(['exec', 'debuggee', '-c', 'dbg', '--', 'echo', 'inside']).trim(), 'inside');
  // the subresource refuses to drop or change an ephemeral container, and the main resource refuses it altogether
  const current: Json = JSON.parse(ok(['get', '--raw', '/api/v1/namespaces/default/pods/debuggee/ephemeralcontainers']));
  const drop = { ...current, spec: { ...current.spec, ephemeralContainers: [] } };
  const removed = kubectl(['replace', '--raw', '/api/v1/namespaces/default/pods/debuggee/ephemeralcontainers', '-f', '-'], JSON.stringify(drop));
  assert.notEqual(removed.code, 0);
  assert.match(removed.stderr, /existing ephemeral containers \\?"dbg\\?" may not be removed/);
  const viaPod = kubectl(['patch', 'pod', 'debuggee', '--type=json', '-p', '[{"op":"remove","path":"/spec/ephemeralContainers"}]']);
  assert.notEqual(viaPod.code, 0);
  assert.match(viaPod.stderr, /pod updates may not change fields other than/);
  const listed = ok(['get', 'pod', 'debuggee', '-o', 'jsonpath={.spec.ephemeralContainers[*].name}']);
  assert.equal(listed, 'dbg');
  await deleteAndWait('debuggee');
});
