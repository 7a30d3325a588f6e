// Acceptance (pods as users write them: the lifecycle): probes, init containers and sidecars, hooks and termination
// messages, a HorizontalPodAutoscaler following a CPU-burning Deployment up and down, on a whole local cluster
// (e2e/up-cluster.ts: real containerd, registry, API server, controllers, scheduler, node agent), driven with the
// real kubectl. `flotilla down` must leave nothing behind. Needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './harness.js';
import { condition, upCluster, type Json } from './up-cluster.js';

/** Where pods write what the test reads after they are gone (a hostPath volume). */
let shared = '';
const c = upCluster({
  name: 'pods', nodeName: 'pods-node',
  // the autoscaler looks every 2 s instead of 15, so the HPA test follows the load within its window
  upArgs: ['--horizontal-pod-autoscaler-sync-period', '2'], logs: ['node-agent', 'controller-manager'],
  afterUp: (x) => {
    shared = join(x.dir, 'shared');
    mkdirSync(shared);
  },
});
const { skip } = c;
const isReady = (name: string): boolean => condition(c.pod(name), 'Ready')?.status === 'True';

test('readiness gates availability: Running but not Ready (Deployment not Available) until a file appears, then Ready and Available', { skip }, async () => {
  c.apply(`
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
        image: ${c.tools}
        command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']
        readinessProbe: {exec: {command: [cat, /tmp/ready]}, periodSeconds: 1}
`);
  const name = await c.until('a Running gated pod', () => {
    const items: Json[] = JSON.parse(c.ok(['get', 'pods', '-l', 'app=gated', '-o', 'json'])).items;
    return items.find((p) => p.status?.phase === 'Running')?.metadata.name as string | undefined;
  });
  await c.until('a readiness probe to have failed', () => c.events(name).some((e) => e.reason === 'Unhealthy' && /^Readiness probe failed: /.test(e.message)));
  assert.equal(isReady(name), false);
  assert.equal(c.pod(name).status.containerStatuses[0].ready, false);
  const available = () => (JSON.parse(c.ok(['get', 'deployment', 'gated', '-o', 'json'])).status.conditions ?? []).find((c: Json) => c.type === 'Available')?.status;
  assert.notEqual(available(), 'True');
  c.ok(['exec', name, '--', 'touch', '/tmp/ready']);
  await c.until('the pod to be Ready', () => isReady(name));
  await c.until('the Deployment to be Available', () => available() === 'True');
  c.ok(['delete', 'deployment', 'gated', '--wait=false']);
});

test('a liveness probe that starts failing restarts the container: restartCount 1, Unhealthy then Killing', { skip }, async () => {
  c.apply(`
apiVersion: v1
kind: Pod
metadata: {name: lively}
spec:
  containers:
  - name: web
    image: ${c.tools}
    command: [sh, -c, 'touch /tmp/alive; trap "exit 0" TERM; while true; do sleep 1; done']
    livenessProbe: {exec: {command: [cat, /tmp/alive]}, periodSeconds: 1, failureThreshold: 2}
`);
  await c.until('lively Running', async () => (await c.podNow('lively'))?.status?.containerStatuses?.[0]?.state?.running);
  c.ok(['exec', 'lively', '--', 'rm', '/tmp/alive']);
  await c.until('a restart', async () => (await c.podNow('lively'))?.status.containerStatuses[0].restartCount === 1 && (await c.podNow('lively'))?.status.containerStatuses[0].state.running);
  const evs = c.events('lively').sort((a, b) => Date.parse(a.firstTimestamp) - Date.parse(b.firstTimestamp));
  const unhealthy = evs.findIndex((e) => e.reason === 'Unhealthy' && e.message.startsWith('Liveness probe failed: cat: can\'t open \'/tmp/alive\''));
  const killing = evs.findIndex((e) => e.reason === 'Killing' && e.message === 'Container web failed liveness probe, will be restarted');
  assert.ok(unhealthy >= 0 && killing > unhealthy, evs.map((e) => `${e.reason}: ${e.message}`).join('\n'));
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(c.pod('lively').status.containerStatuses[0].restartCount, 1, 'healthy again after the restart');
  await c.deletePod('lively');
});

test('a startup probe holds liveness back while the app starts slowly: no restart, then Ready', { skip }, async () => {
  // liveness would kill it after one failed second; the app needs about five
  c.apply(`
apiVersion: v1
kind: Pod
metadata: {name: slow-start}
spec:
  containers:
  - name: app
    image: ${c.tools}
    command: [sh, -c, 'sleep 5; touch /tmp/started; trap "exit 0" TERM; while true; do sleep 1; done']
    startupProbe: {exec: {command: [cat, /tmp/started]}, periodSeconds: 1, failureThreshold: 30}
    livenessProbe: {exec: {command: [cat, /tmp/started]}, periodSeconds: 1, failureThreshold: 1}
`);
  await c.until('slow-start Ready', () => isReady('slow-start'), 90_000);
  const p = c.pod('slow-start');
  assert.equal(p.status.containerStatuses[0].restartCount, 0);
  assert.equal(p.status.containerStatuses[0].started, true);
  const evs = c.events('slow-start');
  assert.ok(evs.some((e) => e.reason === 'Unhealthy' && e.message.startsWith('Startup probe failed')), 'the startup probe failed while the app started');
  assert.ok(!evs.some((e) => e.message.startsWith('Liveness probe failed')), 'liveness never ran before startup passed');
  await c.deletePod('slow-start');
});

test('two init containers write into an emptyDir the app serves: Init:0/2 -> Init:1/2 -> Running, both lines served', { skip }, async () => {
  c.apply(`
apiVersion: v1
kind: Pod
metadata: {name: inits}
spec:
  terminationGracePeriodSeconds: 2
  initContainers:
  - {name: first, image: ${c.tools}, command: [sh, -c, 'echo line-one >> /www/index.html; sleep 3'], volumeMounts: [{name: www, mountPath: /www}]}
  - {name: second, image: ${c.tools}, command: [sh, -c, 'echo line-two >> /www/index.html; sleep 3'], volumeMounts: [{name: www, mountPath: /www}]}
  containers:
  - {name: web, image: ${c.tools}, command: [httpd, -f, -p, '8080', -h, /www], volumeMounts: [{name: www, mountPath: /www}]}
  volumes: [{name: www, emptyDir: {}}]
`);
  const seen: string[] = [];
  await c.until('inits Running', () => {
    const s = c.podColumn('inits');
    if (seen.at(-1) !== s) seen.push(s);
    return s === 'Running';
  }, 60_000);
  const order = ['Init:0/2', 'Init:1/2', 'Running'].map((s) => seen.indexOf(s));
  assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > (order[k - 1] as number))), `STATUS went ${seen.join(' -> ')}`);
  const p = c.pod('inits');
  assert.deepEqual(p.status.initContainerStatuses.map((s: Json) => s.state.terminated?.reason), ['Completed', 'Completed']);
  assert.equal(condition(p, 'Initialized')?.status, 'True');
  // asked from inside the pod (the app's own port), each try bounded: what is checked is what the app serves, not
  // the host's route to the pod network (other files' clusters add and remove bridges meanwhile)
  const ask = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 127.0.0.1 8080`;
  const page = await waitFor('the page', async () => {
    const r = c.kubectl(['exec', 'inits', '-c', 'web', '--', 'sh', '-c', ask]);
    return r.code === 0 && r.stdout.includes('\r\n\r\n') ? r.stdout.slice(r.stdout.indexOf('\r\n\r\n') + 4) : undefined;
  }, 30_000, 250);
  assert.equal(page, 'line-one\nline-two\n');
  await c.deletePod('inits');
});

test('an init container that fails shows Init:CrashLoopBackOff and the app never starts', { skip }, async () => {
  c.apply(`
apiVersion: v1
kind: Pod
metadata: {name: bad-init}
spec:
  terminationGracePeriodSeconds: 2
  initContainers: [{name: setup, image: ${c.tools}, command: [sh, -c, 'echo cannot migrate; exit 3']}]
  containers: [{name: app, image: ${c.tools}}]
`);
  await c.until('Init:CrashLoopBackOff', () => c.podColumn('bad-init') === 'Init:CrashLoopBackOff', 60_000);
  const p = c.pod('bad-init');
  assert.equal(p.status.phase, 'Pending');
  assert.equal(p.status.initContainerStatuses[0].lastState.terminated.exitCode, 3);
  assert.equal(p.status.containerStatuses[0].state.waiting.reason, 'PodInitializing');
  await c.deletePod('bad-init');
});

test('a sidecar tails the app\'s log file while it runs, and is stopped after the app when the pod goes', { skip }, async () => {
  c.apply(`
apiVersion: v1
kind: Pod
metadata: {name: with-sidecar}
spec:
  terminationGracePeriodSeconds: 10
  initContainers:
  - name: tailer
    image: ${c.tools}
    restartPolicy: Always
    command: [sh, -c, 'touch /log/app.log; tail -F /log/app.log & trap "echo sidecar-stopped >> /order/sidecar-order; exit 0" TERM; while true; do sleep 1; done']
    volumeMounts: [{name: log, mountPath: /log}, {name: order, mountPath: /order}]
  containers:
  - name: app
    image: ${c.tools}
    command: [sh, -c, 'trap "echo app-stopped >> /order/sidecar-order; exit 0" TERM; i=0; while true; do i=$((i+1)); echo "app line $i" >> /log/app.log; sleep 1; done']
    volumeMounts: [{name: log, mountPath: /log}, {name: order, mountPath: /order}]
  volumes:
  - {name: log, emptyDir: {}}
  - {name: order, hostPath: {path: ${shared}, type: DirectoryOrCreate}}
`);
  await c.until('the sidecar to print the app\'s lines', () => /app line 2/.test(c.kubectl(['logs', 'with-sidecar', '-c', 'tailer']).stdout), 60_000);
  const row = c.ok(['get', 'pod', 'with-sidecar', '--no-headers']).trim().split(/\s+/);
  assert.deepEqual(row.slice(1, 3), ['2/2', 'Running'], 'the sidecar counts in READY');
  await c.deletePod('with-sidecar');
  assert.deepEqual(readFileSync(join(shared, 'sidecar-order'), 'utf8').trim().split('\n'), ['app-stopped', 'sidecar-stopped']);
});

test('a preStop hook runs before SIGTERM: its sleep delays the signal; the termination message (file, or the log on error) is in the status', { skip }, async () => {
  c.apply(`
apiVersion: v1
kind: Pod
metadata: {name: graceful}
spec:
  terminationGracePeriodSeconds: 20
  containers:
  - name: app
    image: ${c.tools}
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
  - {name: file, image: ${c.tools}, command: [sh, -c, 'echo "config invalid: missing DB_URL" > /dev/termination-log; exit 3']}
  - {name: logs, image: ${c.tools}, terminationMessagePolicy: FallbackToLogsOnError, command: [sh, -c, 'echo starting; echo "fatal: cannot bind :80"; exit 1']}
`);
  await c.until('graceful Running', async () => (await c.podNow('graceful'))?.status?.containerStatuses?.[0]?.state?.running);
  await c.deletePod('graceful');
  const lines = readFileSync(join(shared, 'prestop'), 'utf8').trim().split('\n').map((l) => l.split(' '));
  assert.deepEqual(lines.map((l) => l.slice(1).join(' ')), ['preStop begins', 'preStop ends', 'TERM'], 'SIGTERM came after the hook');
  const [begin, , term] = lines.map((l) => Number(l[0]));
  assert.ok((term as number) - (begin as number) >= 2, 'the container\'s own clock: the signal waited for the sleep');

  await c.until('last-words Failed', async () => (await c.podNow('last-words'))?.status?.phase === 'Failed', 60_000);
  const byName = Object.fromEntries(c.pod('last-words').status.containerStatuses.map((s: Json) => [s.name, s.state.terminated]));
  assert.equal(byName.file.message, 'config invalid: missing DB_URL\n');
  assert.equal(byName.file.exitCode, 3);
  assert.equal(byName.logs.message, 'starting\nfatal: cannot bind :80\n');
  c.ok(['describe', 'pod', 'last-words']);
  await c.deletePod('last-words');
});

test('a HorizontalPodAutoscaler (kubectl autoscale) scales a CPU-burning Deployment up, then back down once the load stops', { skip }, async () => {
  // every replica burns until the same moment (END, seconds since the epoch), then idles: the load stops for all
  const end = Math.floor(Date.now() / 1000) + 60;
  c.apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: hog}
spec:
  replicas: 1
  selector: {matchLabels: {app: hog}}
  template:
    metadata: {labels: {app: hog}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: spin
        image: ${c.tools}
        env: [{name: END, value: "${end}"}]
        command: [sh, -c, 'trap "exit 0" TERM; while [ "$(date +%s)" -lt "$END" ]; do i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; done; while true; do sleep 1; done']
        # a small share of the machine: 100m is twice the request, far above the 50% target
        resources: {requests: {cpu: 50m}, limits: {cpu: 100m, memory: 32Mi}}
`);
  // Until the pod's usage is served, the HPA warns on each 2-second sync, and the recorder's spam filter (client-go's:
  // 25 events per object, then one per 5 minutes) could then drop the SuccessfulRescale event on a slow run: the
  // HPA is created once the usage is there (the node agent needs two samples, 10 s apart)
  await c.until('hog\'s usage in the metrics API', () => c.kubectl(['top', 'pod', '-l', 'app=hog', '--no-headers']).code === 0, 50_000);
  // kubectl 1.27-1.32 write autoscaling/v1 (1.33 tries v2 first): both versions are the same object
  assert.equal(c.ok(['autoscale', 'deployment', 'hog', '--cpu-percent=50', '--min=1', '--max=3']).trim(), 'horizontalpodautoscaler.autoscaling/hog autoscaled');
  const v1 = c.json(['get', 'horizontalpodautoscalers.v1.autoscaling', 'hog', '-o', 'json']);
  assert.deepEqual([v1.apiVersion, v1.spec.targetCPUUtilizationPercentage, v1.spec.minReplicas, v1.spec.maxReplicas], ['autoscaling/v1', 50, 1, 3]);
  // kubectl 1.33 writes autoscaling/v2 (a server-side dry run of another HPA on the same target)
  const k133 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
  const dry: Json = JSON.parse(c.ok(['autoscale', 'deployment', 'hog', '--name', 'hog-133', '--cpu-percent=50', '--min=1', '--max=3',
    '--dry-run=server', '-o', 'json'], undefined, k133));
  assert.deepEqual([dry.apiVersion, dry.spec.metrics[0].resource.target.averageUtilization], ['autoscaling/v2', 50]);
  const v2 = c.json(['get', 'hpa', 'hog', '-o', 'json']);
  assert.equal(v2.apiVersion, 'autoscaling/v2');
  assert.deepEqual(v2.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
  assert.deepEqual(v2.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hog' });
  // a short scale-down window (the default is 5 minutes), through v2
  c.ok(['patch', 'hpa', 'hog', '--type=merge', '-p', '{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":5}}}}']);
  assert.deepEqual(c.json(['get', 'hpa', 'hog', '-o', 'json']).spec.behavior.scaleDown,
    { stabilizationWindowSeconds: 5, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
  const header = c.ok(['get', 'hpa', 'hog']).split('\n')[0] as string;
  assert.match(header, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\s*$/);

  const replicas = () => Number(c.json(['get', 'deployment', 'hog', '-o', 'json']).spec.replicas);
  const rescales = () => c.json(['get', 'events', '--field-selector', 'involvedObject.name=hog,reason=SuccessfulRescale', '-o', 'json']).items
    .map((e: Json) => e.message as string);
  // the node agent samples every 10 s and a rate needs two samples: usage shows about 20 s after the start
  await c.until('the HPA to scale hog up to 3', () => replicas() === 3, 60_000);
  // the event is written by the controller's recorder after the scale, in its next batch
  await c.until('the SuccessfulRescale event', () => rescales().includes('New size: 3; reason: cpu resource utilization (percentage of request) above target'), 60_000);
  const row = c.ok(['get', 'hpa', 'hog', '--no-headers']);
  assert.match(row, /^hog\s+Deployment\/hog\s+cpu: \d+%\/50%\s+1\s+3\s+[13]\s+\S+\s*$/);
  const status = c.json(['get', 'hpa', 'hog', '-o', 'json']).status;
  assert.ok(status.lastScaleTime);
  const byType = Object.fromEntries((status.conditions as Json[]).map((x) => [x.type, x]));
  assert.equal(byType.ScalingActive.status, 'True');
  assert.equal(byType.ScalingActive.reason, 'ValidMetricFound');
  assert.ok(status.currentMetrics[0].resource.current.averageUtilization > 50, JSON.stringify(status.currentMetrics));
  // autoscaling/v1 shows the same utilization (read back to back until no sync came between the two reads)
  await c.until('autoscaling/v1 and v2 to show the same utilization', () => {
    const v1 = c.json(['get', 'horizontalpodautoscalers.v1.autoscaling', 'hog', '-o', 'json']).status.currentCPUUtilizationPercentage;
    const now = c.json(['get', 'hpa', 'hog', '-o', 'json']).status.currentMetrics?.[0]?.resource?.current?.averageUtilization;
    return typeof v1 === 'number' && v1 === now;
  }, 30_000);

  // END passes, the usage falls to nothing, and 5 s of low recommendations later the HPA scales back to minReplicas
  await c.until('the HPA to scale hog back down to 1', () => replicas() === 1, Math.max(0, end * 1000 - Date.now()) + 60_000);
  assert.ok(rescales().includes('New size: 1; reason: All metrics below target'), rescales().join('\n'));
  assert.match(c.ok(['get', 'hpa', 'hog', '--no-headers']), /^hog\s+Deployment\/hog\s+cpu: \d+%\/50%\s+1\s+3\s+\d+\s+\S+\s*$/);
  c.ok(['delete', 'hpa', 'hog']);
  c.ok(['delete', 'deployment', 'hog', '--wait=false']);
});
