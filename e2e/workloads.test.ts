// Acceptance (controllers and scheduler): Deployments on hollow nodes land spread out, scale, roll out within
// maxSurge/maxUnavailable (checked on every change seen through a watch), and the real kubectl's rollout
// status/history/undo work; a node that goes silent has its pods replaced elsewhere; a pod too big for every node
// is reported Unschedulable and placed as soon as a node that fits appears.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, waitFor, watchEvents } from './harness.js';

let c: TestCluster;
before(async () => {
  c = await TestCluster.startWithHollowNodes({ count: 3, prefix: 'hn', heartbeatSeconds: 1, controllerManagerArgs: ['--node-monitor-grace-period', '4', '--node-monitor-period', '1', '--default-toleration-seconds', '2'] });
});
after(async () => {
  await c?.stop();
});

interface Pod {
  metadata: { name: string; uid: string; labels: Record<string, string>; deletionTimestamp?: string; ownerReferences?: Array<{ name: string }> };
  spec: { nodeName?: string; containers: Array<{ image: string }> };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
}

async function pods(selector: string, ns = 'default'): Promise<Pod[]> {
  const r = await c.request('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`);
  return r.body.items as Pod[];
}

const ready = (p: Pod) => !!p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
const live = (ps: Pod[]) => ps.filter((p) => !p.metadata.deletionTimestamp);

function deployment(name: string, replicas: number, image: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image, resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } },
      ...extra,
    },
  });
}

async function settled(name: string, replicas: number, image: string): Promise<Pod[]> {
  return waitFor(`${replicas} ready pods of ${name} running ${image}`, async () => {
    const ps = await pods(`app=${name}`);
    const mine = live(ps).filter((p) => p.spec.containers[0]?.image === image && ready(p));
    return ps.length === replicas && mine.length === replicas ? mine : undefined;
  }, 60_000);
}

test('a 6-replica Deployment lands 2/2/2 on 3 nodes, scales to 0 and back', async () => {
  c.ok(['apply', '-f', '-'], { input: deployment('web', 6, 'registry.example/web:v1') });
  const placed = await settled('web', 6, 'registry.example/web:v1');
  const perNode = new Map<string, number>();
  for (const p of placed) perNode.set(p.spec.nodeName as string, (perNode.get(p.spec.nodeName as string) ?? 0) + 1);
  assert.deepEqual([...perNode.values()].sort(), [2, 2, 2], `spread: ${JSON.stringify([...perNode])}`);
  for (const p of placed) assert.match(p.metadata.ownerReferences?.[0]?.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);

  c.ok(['scale', 'deployment/web', '--replicas=0']);
  await waitFor('no pods left', async () => (await pods('app=web')).length === 0, 60_000);
  c.ok(['scale', 'deployment/web', '--replicas=6']);
  await settled('web', 6, 'registry.example/web:v1');
  const d = JSON.parse(c.ok(['get', 'deployment/web', '-o', 'json']));
  await waitFor('the deployment status', async () => {
    const s = JSON.parse(c.ok(['get', 'deployment/web', '-o', 'json'])).status;
    return s.readyReplicas === 6 && s.availableReplicas === 6 && s.updatedReplicas === 6;
  });
  assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '1');
});

test('a rolling update stays within maxSurge/maxUnavailable; kubectl rollout status, history and undo work', async () => {
  // every change to the app's pods, as a watch delivers it
  const r = await c.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb');
  const state = new Map<string, Pod>(r.body.items.map((p: Pod) => [p.metadata.uid, p]));
  const violations: string[] = [];
  let events = 0;
  const abort = new AbortController();
  const watching = (async () => {
    for await (const ev of watchEvents(`${c.url}/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dweb&resourceVersion=${r.body.metadata.resourceVersion}`, abort.signal)) {
      const p = ev.object as Pod;
      if (ev.type === 'DELETED') state.delete(p.metadata.uid);
      else state.set(p.metadata.uid, p);
      events++;
      const all = live([...state.values()]);
      const available = all.filter(ready).length;
      if (all.length > 6 + 1) violations.push(`${all.length} pods (max 7)`);
      if (available < 6 - 1) violations.push(`${available} available (min 5)`);
    }
  })().catch((e) => {
    if (!abort.signal.aborted) throw e;
  });

  c.ok(['set', 'image', 'deployment/web', 'web=registry.example/web:v2']);
  const status = c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s']);
  assert.equal(status.code, 0, status.stderr + status.stdout);
  assert.match(status.stdout, /successfully rolled out/);
  await settled('web', 6, 'registry.example/web:v2');
  abort.abort();
  await watching;
  assert.ok(events > 12, `the watch saw the rollout (${events} events)`);
  assert.deepEqual(violations, []);

  const history = c.ok(['rollout', 'history', 'deployment/web']);
  assert.match(history, /REVISION/);
  assert.match(history, /^1\s/m);
  assert.match(history, /^2\s/m);

  c.ok(['rollout', 'undo', 'deployment/web']);
  assert.equal(c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s']).code, 0);
  await settled('web', 6, 'registry.example/web:v1');
  const d = JSON.parse(c.ok(['get', 'deployment/web', '-o', 'json']));
  assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  const sets = JSON.parse(c.ok(['get', 'rs', '-l', 'app=web', '-o', 'json'])).items;
  assert.equal(sets.length, 2, 'the undo reused the first ReplicaSet');
  const v1 = sets.find((s: { spec: { template: { spec: { containers: Array<{ image: string }> } } } }) => s.spec.template.spec.containers[0]?.image === 'registry.example/web:v1');
  assert.equal(v1.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  assert.equal(v1.spec.replicas, 6);
});

test('a pod too big for every node is Unschedulable with an event, and lands on a node that fits once it appears', async () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big', labels: { app: 'big' } }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '100' } } }] } };
  assert.equal((await c.request('POST', '/api/v1/namespaces/default/pods', pod)).status, 201);
  const cond = await waitFor('the PodScheduled condition', async () => {
    const p = (await c.request('GET', '/api/v1/namespaces/default/pods/big')).body as Pod;
    return p.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False');
  });
  assert.equal(cond.reason, 'Unschedulable');
  assert.equal(cond.message, '0/3 nodes are available: 3 Insufficient cpu.');
  const ev = await waitFor('a FailedScheduling event', async () => {
    const r = await c.request('GET', `/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent('involvedObject.name=big')}`);
    return r.body.items.find((e: { reason: string }) => e.reason === 'FailedScheduling');
  });
  assert.equal(ev.type, 'Warning');
  assert.equal(ev.message, '0/3 nodes are available: 3 Insufficient cpu.');
  assert.match(c.ok(['describe', 'pod', 'big']), /FailedScheduling/);

  c.component('hollow-nodes', ['--count', '1', '--name-prefix', 'huge', '--cpu', '128', '--heartbeat-interval', '1'], 'hollow-huge');
  const placed = await waitFor('big to be placed', async () => {
    const p = (await c.request('GET', '/api/v1/namespaces/default/pods/big')).body as Pod;
    return p.spec.nodeName ? p : undefined;
  }, 30_000);
  assert.equal(placed.spec.nodeName, 'huge-0');
  await c.request('DELETE', '/api/v1/namespaces/default/pods/big');
});

test('a node that stops heartbeating turns Unknown, is tainted, and its pods come back on the other nodes', async () => {
  const doomed = c.component('hollow-nodes', ['--count', '1', '--name-prefix', 'doomed', '--heartbeat-interval', '1'], 'hollow-doomed');
  await waitFor('doomed-0 ready', async () => {
    const n = (await c.request('GET', '/api/v1/nodes/doomed-0')).body;
    return n.status?.conditions?.some((x: { type: string; status: string }) => x.type === 'Ready' && x.status === 'True');
  });
  c.ok(['apply', '-f', '-'], { input: deployment('spread', 8, 'registry.example/web:v1') });
  const first = await settled('spread', 8, 'registry.example/web:v1');
  const victims = first.filter((p) => p.spec.nodeName === 'doomed-0').map((p) => p.metadata.name);
  assert.ok(victims.length > 0, `some pods landed on doomed-0: ${first.map((p) => p.spec.nodeName).join(',')}`);

  await doomed.stop('SIGKILL');
  const node = await waitFor('doomed-0 to turn Unknown and be tainted', async () => {
    const n = (await c.request('GET', '/api/v1/nodes/doomed-0')).body;
    const r = n.status?.conditions?.find((x: { type: string }) => x.type === 'Ready');
    return r?.status === 'Unknown' && n.spec?.taints?.some((t: { key: string; effect: string }) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') ? n : undefined;
  }, 30_000);
  assert.equal(node.status.conditions.find((x: { type: string }) => x.type === 'Ready').reason, 'NodeStatusUnknown');
  await waitFor('8 ready replacements away from doomed-0', async () => {
    const ps = live(await pods('app=spread')).filter(ready);
    return ps.length === 8 && ps.every((p) => p.spec.nodeName !== 'doomed-0');
  }, 60_000);
  for (const name of victims) {
    const p = (await c.request('GET', `/api/v1/namespaces/default/pods/${name}`)).body as Pod;
    assert.ok(p.metadata?.deletionTimestamp, `${name} on the dead node was evicted`);
    // marked not ready as the node went silent, so endpoints dropped it before the eviction
    assert.equal(p.status?.conditions?.find((x: { type: string }) => x.type === 'Ready')?.status, 'False', `${name} is not ready`);
  }
  const events = (await c.request('GET', `/api/v1/namespaces/default/events?fieldSelector=reason%3DNodeNotReady`)).body.items as Array<{ involvedObject: { name: string }; message: string; type: string }>;
  for (const name of victims) {
    assert.ok(events.some((e) => e.involvedObject.name === name && e.message === 'Node is not ready' && e.type === 'Warning'), `a NodeNotReady event for ${name}`);
  }
});
