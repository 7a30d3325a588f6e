// Acceptance (a namespace's budgets and pod priorities, on hollow nodes, the real kubectl): a ResourceQuota of 2 pods
// refuses the third with Kubernetes' message and gives the room back when a pod goes, concurrent creates never pass
// it together; a LimitRange default lands on a pod that sets no limits and its max refuses one that asks for more;
// a high-priority pod on a full cluster preempts a low-priority one and is bound.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, waitFor } from './harness.js';

let c: TestCluster;
before(async () => {
  c = await TestCluster.start();
  c.component('controller-manager', ['--leader-elect=false']);
  c.component('scheduler', ['--leader-elect=false']);
  // one small node: 1 CPU, so two 500m pods fill it
  c.component('hollow-nodes', ['--count', '1', '--name-prefix', 'qt', '--cpu', '1', '--heartbeat-interval', '1']);
  await waitFor('qt-0', async () => (await c.request('GET', '/api/v1/nodes')).body.items?.length === 1, 60_000);
});
after(async () => {
  await c?.stop();
});

const json = (o: object): string => JSON.stringify(o);
const pod = (name: string, namespace: string, spec: Record<string, unknown> = {}, cpu?: string) => json({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace },
  spec: { containers: [{ name: 'c', image: 'registry.example/app:v1', ...(cpu ? { resources: { requests: { cpu } } } : {}) }], ...spec },
});
const get = (args: string[]) => JSON.parse(c.ok([...args, '-o', 'json']));

test('a ResourceQuota of 2 pods refuses the third with Kubernetes\' message, and frees the room when a pod goes', async () => {
  c.ok(['create', 'namespace', 'quota-a']);
  c.ok(['create', 'quota', 'q', '-n', 'quota-a', '--hard=pods=2,configmaps=5']);
  await waitFor('the quota controller to fill in the status', async () => get(['get', 'quota', 'q', '-n', 'quota-a']).status?.used?.pods === '0', 30_000);
  for (const n of ['p1', 'p2']) c.ok(['apply', '-f', '-'], { input: pod(n, 'quota-a') });
  const third = c.kubectl(['apply', '-f', '-'], { input: pod('p3', 'quota-a') });
  assert.notEqual(third.code, 0);
  assert.match(third.stderr, /Error from server \(Forbidden\).*pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2/);
  assert.equal(c.kubectl(['get', 'pod', 'p3', '-n', 'quota-a']).code, 1, 'nothing was created');
  // the quota is checked after the object's own checks: an invalid pod is refused as invalid, and charges nothing
  const bad = await c.request('POST', '/api/v1/namespaces/quota-a/pods', JSON.parse(pod('Bad_Name', 'quota-a')));
  assert.equal(bad.status, 422);
  const q = get(['get', 'quota', 'q', '-n', 'quota-a']);
  assert.deepEqual(q.status.hard, { configmaps: '5', pods: '2' });
  assert.equal(q.status.used.pods, '2');
  // configmaps: the namespace's kube-root-ca.crt
  assert.match(c.ok(['get', 'quota', 'q', '-n', 'quota-a']), /^NAME\s+AGE\s+REQUEST\s+LIMIT\nq\s+\S+\s+configmaps: 1\/5, pods: 2\/2\s*\n$/);
  // deleting a pod gives its unit back (the controller recounts), and the third goes in
  c.ok(['delete', 'pod', 'p1', '-n', 'quota-a', '--grace-period=0', '--force']);
  await waitFor('the quota to count 1 pod', async () => get(['get', 'quota', 'q', '-n', 'quota-a']).status.used.pods === '1', 30_000);
  c.ok(['apply', '-f', '-'], { input: pod('p3', 'quota-a') });
});

test('concurrent creates against the last unit of a quota: exactly one is admitted', async () => {
  c.ok(['create', 'namespace', 'quota-b']);
  // 2: the namespace's kube-root-ca.crt takes one
  c.ok(['create', 'quota', 'one', '-n', 'quota-b', '--hard=configmaps=2']);
  await waitFor('the quota status', async () => get(['get', 'quota', 'one', '-n', 'quota-b']).status?.used?.configmaps === '1', 30_000);
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => c.request('POST', '/api/v1/namespaces/quota-b/configmaps',
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { i: String(i) } })));
  const codes = results.map((r) => r.status).sort();
  assert.deepEqual(codes, [201, 403, 403, 403, 403, 403, 403, 403], JSON.stringify(results.map((r) => r.body.message)));
  const refused = results.find((r) => r.status === 403);
  assert.match(refused?.body.message as string, /exceeded quota: one, requested: configmaps=1, used: configmaps=2, limited: configmaps=2/);
  assert.equal(get(['get', 'configmaps', '-n', 'quota-b']).items.filter((x: { metadata: { name: string } }) => x.metadata.name.startsWith('cm-')).length, 1);
});

test('a LimitRange default applies to a pod without limits; its max refuses a pod asking for more', async () => {
  c.ok(['create', 'namespace', 'limits-a']);
  c.ok(['apply', '-f', '-'], { input: json({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'limits-a' },
    spec: { limits: [{ type: 'Container', default: { cpu: '300m', memory: '128Mi' }, defaultRequest: { cpu: '100m', memory: '64Mi' }, max: { cpu: '1' } }] } }) });
  assert.match(c.ok(['get', 'limits', '-n', 'limits-a']), /^NAME\s+CREATED AT\nlr\s+\d{4}-\d\d-\d\dT/);
  await waitFor('the LimitRange in the API server\'s cache', async () => {
    const r = c.kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], { input: pod('probe', 'limits-a') });
    return r.code === 0 && JSON.parse(r.stdout).spec.containers[0].resources?.limits?.cpu === '300m';
  }, 20_000);
  c.ok(['apply', '-f', '-'], { input: pod('plain', 'limits-a') });
  const p = get(['get', 'pod', 'plain', '-n', 'limits-a']);
  assert.deepEqual(p.spec.containers[0].resources, { limits: { cpu: '300m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
  assert.equal(p.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c');
  const big = c.kubectl(['apply', '-f', '-'], { input: json({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big', namespace: 'limits-a' },
    spec: { containers: [{ name: 'c', image: 'registry.example/app:v1', resources: { limits: { cpu: '2' } } }] } }) });
  assert.notEqual(big.code, 0);
  assert.match(big.stderr, /pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2/);
});

test('PriorityClasses: the built-in ones exist; a high-priority pod on a full node preempts a low-priority one and is bound', async () => {
  assert.match(c.ok(['get', 'pc']), /system-cluster-critical\s+2000000000\s+false/);
  assert.match(c.ok(['get', 'pc']), /system-node-critical\s+2000001000\s+false/);
  c.ok(['create', 'namespace', 'prio']);
  c.ok(['apply', '-f', '-'], { input: json({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'low' }, value: 10 }) });
  c.ok(['apply', '-f', '-'], { input: json({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 }) });
  const missing = c.kubectl(['apply', '-f', '-'], { input: pod('nope', 'prio', { priorityClassName: 'nope' }) });
  assert.match(missing.stderr, /pods "nope" is forbidden: no PriorityClass with name nope was found/);
  // fill the 1-CPU node (other tests' pods request nothing) with two low-priority pods
  for (const n of ['low-1', 'low-2']) c.ok(['apply', '-f', '-'], { input: pod(n, 'prio', { priorityClassName: 'low' }, '500m') });
  await waitFor('both low pods bound', async () => ['low-1', 'low-2'].every((n) => get(['get', 'pod', n, '-n', 'prio']).spec.nodeName === 'qt-0'), 30_000);
  assert.equal(get(['get', 'pod', 'low-1', '-n', 'prio']).spec.priority, 10);
  c.ok(['apply', '-f', '-'], { input: pod('vip', 'prio', { priorityClassName: 'high' }, '500m') });
  const vip = await waitFor('the high-priority pod bound', async () => {
    const v = get(['get', 'pod', 'vip', '-n', 'prio']);
    return v.spec.nodeName === 'qt-0' ? v : undefined;
  }, 45_000);
  assert.equal(vip.spec.priority, 1000);
  assert.equal(vip.spec.preemptionPolicy, 'PreemptLowerPriority');
  assert.equal(vip.status.nominatedNodeName, 'qt-0');
  const left = get(['get', 'pods', '-n', 'prio']).items.map((x: { metadata: { name: string } }) => x.metadata.name).sort();
  assert.equal(left.length, 2, `one low-priority pod was preempted: ${left.join(', ')}`);
  assert.ok(left.includes('vip'));
  const events = get(['get', 'events', '-n', 'prio', '--field-selector', 'reason=Preempted']).items as Array<{ message: string; involvedObject: { name: string } }>;
  assert.equal(events.length, 1);
  assert.equal(events[0]?.message, `Preempted by pod ${vip.metadata.uid as string} on node qt-0`);
});
