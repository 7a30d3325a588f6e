// `flotctl describe` against kubectl 1.32's on one live cluster (controllers, scheduler, two hollow nodes): every
// kind we serve, whole types, name prefixes, -l, -f, events with repeats, and the error cases, compared byte for
// byte after normalising only what differs by nature (see norm below).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestCluster, waitFor } from './harness.js';

type Run = { code: number; stdout: string; stderr: string };
let c: TestCluster;
let work: string;

const APP = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: web}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web, tier: frontend}
  annotations: {owner: team-web, description: the storefront}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: frontend}, annotations: {prometheus.io/scrape: "true"}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        command: [nginx, -g, "daemon off;"]
        ports: [{containerPort: 80, name: http}, {containerPort: 443, name: https}]
        env:
        - {name: MODE, value: production}
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
        - {name: COLOR, valueFrom: {configMapKeyRef: {name: settings, key: color, optional: true}}}
        envFrom: [{configMapRef: {name: settings}}]
        resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: "0.5", memory: 128Mi}}
        readinessProbe: {httpGet: {path: /healthz, port: 80}}
        volumeMounts: [{name: cache, mountPath: /cache}, {name: conf, mountPath: /etc/conf, readOnly: true}]
      - {name: sidecar, image: busybox, args: [sleep, "3600"]}
      volumes: [{name: cache, emptyDir: {}}, {name: conf, configMap: {name: settings}}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}, {port: 8443, targetPort: 443, protocol: TCP, name: tls}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {color: blue, app.properties: "a=1\\nb=2\\n"}
binaryData: {blob: aGVsbG8=}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: shop, annotations: {note: secret stuff}}
stringData: {password: hunter2, user: admin}
---
apiVersion: v1
kind: Pod
metadata:
  name: tools
  namespace: shop
  labels: {app: tools}
  annotations:
    long: "${'a'.repeat(150)}"
    multi: "line one\\nline two\\n"
    escape: "bell\\u001b[31mred"
spec:
  nodeSelector: {type: hollow}
  tolerations:
  - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
  - {operator: Exists}
  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
  initContainers: [{name: init, image: busybox, command: [sh, -c, "echo hi\\necho there"]}]
  containers:
  - name: main
    image: app:1
    ports: [{containerPort: 8080, hostPort: 9090, protocol: UDP}]
    livenessProbe: {exec: {command: [cat, /tmp/ok]}, initialDelaySeconds: 5}
    readinessProbe: {tcpSocket: {port: 8080}}
    startupProbe: {grpc: {port: 9000}} # the server defaults service to ""
    env:
    - {name: MULTI, value: "a\\nb"}
    - {name: LIM, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
    - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
    - {name: UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
    resources: {limits: {cpu: "1", memory: 1Gi, ephemeral-storage: 2Gi}, requests: {cpu: "1", memory: 1Gi}}
    volumeMounts: [{name: hp, mountPath: /host, subPath: sub}, {name: sec, mountPath: /sec, readOnly: true}]
  volumes:
  - {name: hp, hostPath: {path: /var/data, type: Directory}}
  - {name: sec, secret: {secretName: creds, optional: true}}
  - {name: dapi, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
  - {name: claim, persistentVolumeClaim: {claimName: data}}
  - {name: mem, emptyDir: {medium: Memory, sizeLimit: 500Mi}}
`;

/** Events with repeats: a count of 4 seen over ten minutes, and a new-style series, both about the deployment. */
function repeatedEvents(uid: string): string {
  const at = (secondsAgo: number, micro = false) => new Date(Date.now() - secondsAgo * 1000).toISOString().replace(/\.\d+Z$/, micro ? '.000000Z' : 'Z');
  const about = `{kind: Deployment, name: web, namespace: shop, uid: ${uid}, apiVersion: apps/v1}`;
  return `apiVersion: v1
kind: Event
metadata: {name: web.repeat, namespace: shop}
involvedObject: ${about}
reason: BackOff
message: "  Back-off restarting failed container  "
type: Warning
count: 4
firstTimestamp: ${at(600)}
lastTimestamp: ${at(180)}
source: {component: kubelet, host: hollow-node-0}
---
apiVersion: v1
kind: Event
metadata: {name: web.series, namespace: shop}
involvedObject: ${about}
reason: Pulling
message: Pulling image
type: Normal
eventTime: ${at(7200, true)}
series: {count: 7, lastObservedTime: ${at(30, true)}}
reportingComponent: image-puller
reportingInstance: x
action: Pull
`;
}

function flotctl(args: string[]): Run {
  return c.flotctl(args);
}

before(async () => {
  c = await TestCluster.startWithHollowNodes({ count: 2 });
  work = mkdtempSync(join(tmpdir(), 'flotctl-describe-'));
  writeFileSync(join(work, 'app.yaml'), APP);
  c.ok(['apply', '-f', join(work, 'app.yaml')]);
  // the claim the tools pod mounts (the scheduler holds a pod whose claim is missing, as Kubernetes' does); not in
  // app.yaml, whose kinds the describe comparisons go through
  c.ok(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: shop}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n' });
  await waitFor('the pods to run and the rollout to settle', async () => {
    const d = JSON.parse(c.ok(['get', 'deploy', 'web', '-n', 'shop', '-o', 'json']));
    const pods = JSON.parse(c.ok(['get', 'pods', '-n', 'shop', '-o', 'json'])).items;
    const progressing = d.status?.conditions?.find((x: { type: string }) => x.type === 'Progressing');
    const scheduled = c.ok(['get', 'events', '-n', 'shop', '--field-selector', 'reason=Scheduled', '--no-headers']).trim().split('\n').length;
    return d.status?.availableReplicas === 2 && progressing?.reason === 'NewReplicaSetAvailable' && pods.length === 3 && scheduled === 3
      && pods.every((p: { status: { phase: string; conditions?: { status: string }[] } }) => p.status.phase === 'Running' && p.status.conditions?.every((x) => x.status === 'True'));
  }, 60_000);
  c.ok(['apply', '-f', '-'], { input: repeatedEvents(c.ok(['get', 'deploy', 'web', '-n', 'shop', '-o', 'jsonpath={.metadata.uid}'])) });
  // A node with roles and taints (neither effect evicts the pods already there).
  c.ok(['taint', 'node', 'hollow-node-1', 'dedicated=web:NoSchedule', 'gpu:PreferNoSchedule']);
  c.ok(['label', 'node', 'hollow-node-1', 'node-role.kubernetes.io/worker=', 'kubernetes.io/role=edge']);
});

after(async () => {
  await c?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const AGE = /\b\d+[smhdy](?:\d+[smhd])?\b/g;

/**
 * What differs by nature, not by tool: ages (in Events rows, and the last column of a node's pod rows: the two runs
 * are a moment apart), a lease's renew time (renewed every few seconds), the tool's own name in messages, and the
 * order of a ConfigMap's or Secret's keys (kubectl prints Go map order, which changes from run to run; we sort).
 */
function norm(s: string): string {
  const lines = s.split('\n');
  let inPods = false;
  const out = lines.map((l) => {
    if (/^Non-terminated Pods:/.test(l)) inPods = true;
    else if (/^\S/.test(l)) inPods = false;
    if (/^ {2}(Normal|Warning) /.test(l)) return l.replace(AGE, '<age>');
    if (inPods && /^ {2}\S/.test(l)) return l.replace(/\S+$/, '<age>'); // the last column
    return l.replace(/^( {2}(?:RenewTime|Renew Time): +).*$/, '$1<renewed>').replace(/\bkubectl\b/g, 'flotctl');
  }).join('\n');
  return sortMapSections(out);
}

/** Sorts a ConfigMap's `key:\n----\nvalue\n\n` entries, and a Secret's `key:  N bytes` lines, under `Data\n====`. */
function sortMapSections(s: string): string {
  return s
    .replace(/(\nData\n====\n)([\s\S]*?)(?=\nBinaryData\n)/g, (_m, head: string, body: string) => head + body.split(/(?=^[^\n]+:\n----\n)/m).sort().join(''))
    .replace(/(\nData\n====\n)((?:[^\n]+: {2,}[^\n]*\n)+)/g, (_m, head: string, body: string) => head + body.split('\n').slice(0, -1).sort().map((l) => `${l}\n`).join(''));
}

/**
 * Runs both tools until their normalised outputs agree, at most five times: an event or a lease renewal landing
 * between the two runs, or an age crossing a width boundary (9s to 10s), changes kubectl's own output too.
 */
function compare(args: string[]): Run {
  let k: Run = { code: 0, stdout: '', stderr: '' };
  let f: Run = k;
  for (let i = 0; i < 5; i++) {
    k = c.kubectl(args);
    f = flotctl(args);
    if (k.code === f.code && norm(k.stdout) === norm(f.stdout) && norm(k.stderr) === norm(f.stderr)) break;
  }
  assert.equal(norm(f.stdout), norm(k.stdout), `stdout of ${args.join(' ')}`);
  assert.equal(norm(f.stderr), norm(k.stderr), `stderr of ${args.join(' ')}`);
  assert.equal(f.code, k.code, `exit code of ${args.join(' ')}`);
  return k;
}

const shop = ['-n', 'shop'];

test('each kind we serve is described as kubectl describes it', () => {
  const d = compare(['describe', 'deployment', 'web', ...shop]);
  assert.match(d.stdout, /Replicas: +2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable\n/);
  assert.match(d.stdout, /Warning +BackOff +\d+m\d*s? \(x4 over 10m\) +kubelet +Back-off restarting failed container\n/);
  assert.match(d.stdout, /Normal +Pulling +\d+s \(x7 over 120m\) +image-puller +Pulling image\n/);
  const rs = compare(['describe', 'rs', ...shop]);
  assert.match(rs.stdout, /Pods Status: +2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed\n/);
  const pod = compare(['describe', 'pod', 'tools', ...shop]);
  assert.match(pod.stdout, /Normal +Scheduled +\S+ +default-scheduler +Successfully assigned shop\/tools to hollow-node-\d\n/);
  assert.match(pod.stdout, /Annotations: +escape: bell\^\[\[31mred\n/);
  const svc = compare(['describe', 'service', 'web', ...shop]);
  // the EndpointSlice controller resolves the named target port on the Deployment's two pods
  assert.match(svc.stdout, /Port: +http {2}80\/TCP\nTargetPort: +http\/TCP\nEndpoints: +[\d.]+:80,[\d.]+:80\n/);
  const cm = compare(['describe', 'configmap', 'settings', ...shop]);
  assert.match(cm.stdout, /\nBinaryData\n====\nblob: 5 bytes\n/);
  compare(['describe', 'secret', 'creds', ...shop]);
  compare(['describe', 'namespace', 'shop']);
  const node = compare(['describe', 'node', 'hollow-node-1']);
  assert.match(node.stdout, /Roles: +edge,worker\n/);
  assert.match(node.stdout, /Allocated resources:\n/);
  // Kinds without a describer of their own get the generic one.
  compare(['describe', 'lease', 'hollow-node-0', '-n', 'kube-node-lease']);
  compare(['describe', 'event', 'web.repeat', ...shop]);
});

test('whole types, prefixes, selectors, files and lists of kinds', () => {
  const pods = compare(['describe', 'pods', ...shop]);
  assert.equal(pods.stdout.match(/^Name: /gm)?.length, 3);
  compare(['describe', 'nodes']);
  // No pod is named "web-": every pod whose name starts so, each followed by an empty line.
  const prefix = compare(['describe', 'po', 'web-', ...shop]);
  assert.equal(prefix.stdout.match(/^Name: /gm)?.length, 2);
  compare(['describe', 'node', 'hollow']);
  compare(['describe', 'leases', '-n', 'kube-node-lease']);
  compare(['describe', 'pods', '-l', 'app=web', ...shop]);
  compare(['describe', 'deploy,svc', ...shop]);
  compare(['describe', 'all', ...shop]);
  compare(['describe', 'deploy/web', 'svc/web', ...shop]);
  compare(['describe', 'cm', '-A', '-l', 'kubernetes.io/metadata.name!=x']);
  compare(['describe', '-f', join(work, 'app.yaml')]);
  compare(['describe', 'svc', 'web', '--show-events=false', ...shop]);
  compare(['describe', 'deploy', 'web', '--show-events=0', ...shop]);
});

test('missing objects and bad requests fail with kubectl messages and exit codes', () => {
  const cases: [string[], number][] = [
    [['describe', 'deployment', 'nope', ...shop], 1],
    [['describe', 'deployment/nope', ...shop], 1],
    [['describe', 'pods', 'nope', 'nope2', ...shop], 1],
    [['describe', 'pod,svc', 'nope', ...shop], 1],
    [['describe', 'deploy', 'web', 'nope', ...shop], 1],
    [['describe', 'pod,svc', 'web', ...shop], 1],
    [['describe', 'deploy', 'x', '-n', 'nowhere'], 1],
    [['describe', 'pods', '-l', 'app=nope', ...shop], 0],
    [['describe', 'nodes', '-l', 'app=nope'], 0],
    [['describe', 'pods', '-A', '-l', 'app=nope'], 0],
    [['describe', 'pod', 'tools', '-A'], 1],
    [['describe', 'deploy', '-l', 'app=web', 'web', ...shop], 1],
    [['describe', 'deploy', '', ...shop], 1],
    [['describe', 'deploy/web', 'web', ...shop], 1],
    [['describe', 'deploy/a/b'], 1],
    [['describe', '-f', join(work, 'app.yaml'), 'deploy'], 1],
    [['describe', '-f', join(work, 'app.yaml'), '-n', 'other'], 1],
    [['describe', 'pods,', ...shop], 1],
    [['describe', 'pods', '-l', 'a in (b', ...shop], 1],
    [['describe'], 1],
  ];
  for (const [args, code] of cases) {
    const r = compare(args);
    assert.equal(r.code, code, `exit code of kubectl ${args.join(' ')}`);
    assert.notEqual(r.stderr, '', `kubectl ${args.join(' ')} says why`);
  }
  const r = compare(['describe', 'deployment', 'nope', ...shop]);
  assert.equal(r.stderr, 'Error from server (NotFound): deployments.apps "nope" not found\n');
});
