// Acceptance (DaemonSets on hollow nodes, the real kubectl): one pod per node, pinned by node affinity and bound by
// the scheduler; a node added later gets its pod; a rolling update replaces them within maxUnavailable (checked on
// every change a watch delivers); rollout status, history and undo; a NoSchedule taint keeps new daemon pods off a
// node but leaves the one already there; a node that stops matching the nodeSelector loses its pod.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, waitFor, watchEvents } from './harness.js';

let c: TestCluster;
before(async () => {
  c = await TestCluster.startWithHollowNodes({ count: 3, prefix: 'dn', heartbeatSeconds: 1 });
});
after(async () => {
  await c?.stop();
});

interface Pod {
  metadata: { name: string; uid: string; labels: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: Array<{ image: string }>; tolerations?: Array<{ key?: string; effect?: string }>; affinity?: unknown };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

const ready = (p: Pod) => !!p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
const live = (ps: Pod[]) => ps.filter((p) => !p.metadata.deletionTimestamp);

async function pods(selector: string): Promise<Pod[]> {
  return (await c.request('GET', `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).body.items as Pod[];
}

function daemonSet(name: string, image: string, extra: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image }], ...podSpec } },
      ...extra,
    },
  });
}

/** One ready pod running image on each of the nodes named, and no other pod of the app. */
async function onNodes(app: string, image: string, nodes: string[]): Promise<Pod[]> {
  return waitFor(`${app} running ${image} on ${nodes.join(',')}`, async () => {
    const ps = await pods(`app=${app}`);
    const placed = ps.filter((p) => ready(p) && !p.metadata.deletionTimestamp && p.spec.containers[0]?.image === image).map((p) => p.spec.nodeName).sort();
    return ps.length === nodes.length && JSON.stringify(placed) === JSON.stringify([...nodes].sort()) ? ps : undefined;
  }, 60_000);
}

test('a DaemonSet runs one pod on each of 3 nodes, pinned by node affinity, with the daemon tolerations', async () => {
  c.ok(['apply', '-f', '-'], { input: daemonSet('agent', 'registry.example/agent:v1') });
  const placed = await onNodes('agent', 'registry.example/agent:v1', ['dn-0', 'dn-1', 'dn-2']);
  for (const p of placed) {
    assert.deepEqual(p.spec.affinity, { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec.nodeName] }] }] } } });
    const keys = (p.spec.tolerations ?? []).map((t) => `${t.key}:${t.effect}`).sort();
    assert.deepEqual(keys, ['node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unschedulable:NoSchedule']);
    assert.match(p.metadata.labels['controller-revision-hash'] ?? '', /^[a-z0-9]+$/);
  }
  const status = c.kubectl(['rollout', 'status', 'ds/agent', '--timeout=60s']);
  assert.equal(status.code, 0, status.stderr + status.stdout);
  assert.match(status.stdout, /daemon set "agent" successfully rolled out/);
  const flot = c.flotctl(['rollout', 'status', 'ds/agent', '--timeout=60s']);
  assert.equal(flot.code, 0, flot.stderr);
  assert.match(flot.stdout, /daemon set "agent" successfully rolled out/);
  const table = c.ok(['get', 'ds', 'agent']);
  assert.match(table, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\n/);
  assert.match(table, /^agent\s+3\s+3\s+3\s+3\s+3\s+<none>\s+\S+\n$/m);
  const ds = JSON.parse(c.ok(['get', 'ds', 'agent', '-o', 'json']));
  assert.equal(ds.status.observedGeneration, ds.metadata.generation);
  assert.equal(ds.status.numberMisscheduled, 0);
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
});

test('a node added later gets its daemon pod', async () => {
  c.component('hollow-nodes', ['--count', '1', '--name-prefix', 'late', '--heartbeat-interval', '1'], 'hollow-late');
  await onNodes('agent', 'registry.example/agent:v1', ['dn-0', 'dn-1', 'dn-2', 'late-0']);
  await waitFor('desired 4', async () => JSON.parse(c.ok(['get', 'ds', 'agent', '-o', 'json'])).status.numberAvailable === 4);
});

test('a rolling update replaces the pods at most maxUnavailable (1) at a time; rollout history and undo work', async () => {
  const nodes = ['dn-0', 'dn-1', 'dn-2', 'late-0'];
  const r = await c.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dagent');
  const state = new Map<string, Pod>(r.body.items.map((p: Pod) => [p.metadata.uid, p]));
  const violations: string[] = [];
  let replaced = 0;
  const abort = new AbortController();
  const watching = (async () => {
    for await (const ev of watchEvents(`${c.url}/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dagent&resourceVersion=${r.body.metadata.resourceVersion}`, abort.signal)) {
      const p = ev.object as Pod;
      if (ev.type === 'DELETED') {
        state.delete(p.metadata.uid);
        replaced++;
      } else state.set(p.metadata.uid, p);
      const servedNodes = new Set(live([...state.values()]).filter(ready).map((x) => x.spec.nodeName));
      const unserved = nodes.filter((n) => !servedNodes.has(n));
      if (unserved.length > 1) violations.push(`no available pod on ${unserved.join(',')}`);
    }
  })().catch((e) => {
    if (!abort.signal.aborted) throw e;
  });
  c.ok(['set', 'image', 'ds/agent', 'agent=registry.example/agent:v2']);
  const status = c.kubectl(['rollout', 'status', 'ds/agent', '--timeout=90s']);
  assert.equal(status.code, 0, status.stderr + status.stdout);
  await onNodes('agent', 'registry.example/agent:v2', nodes);
  abort.abort();
  await watching;
  assert.equal(replaced, 4, 'every old pod was deleted once');
  assert.deepEqual(violations, []);

  const history = c.ok(['rollout', 'history', 'ds/agent']);
  assert.match(history, /^1\s/m);
  assert.match(history, /^2\s/m);
  assert.match(c.ok(['rollout', 'history', 'ds/agent', '--revision=1']), /registry\.example\/agent:v1/);
  const revisions = JSON.parse(c.ok(['get', 'controllerrevisions', '-l', 'app=agent', '-o', 'json'])).items;
  assert.equal(revisions.length, 2);

  c.ok(['rollout', 'undo', 'ds/agent']);
  assert.equal(c.kubectl(['rollout', 'status', 'ds/agent', '--timeout=90s']).code, 0);
  await onNodes('agent', 'registry.example/agent:v1', nodes);
  const after = c.ok(['rollout', 'history', 'ds/agent']);
  assert.match(after, /^2\s/m);
  assert.match(after, /^3\s/m);
  assert.doesNotMatch(after, /^1\s/m, 'revision 1 came back as 3');
  const v1 = JSON.parse(c.ok(['get', 'controllerrevisions', '-l', 'app=agent', '-o', 'json'])).items
    .find((x: { revision: number }) => x.revision === 3);
  const podHash = (await pods('app=agent'))[0]?.metadata.labels['controller-revision-hash'];
  assert.equal(v1.metadata.labels['controller-revision-hash'], podHash, 'the pods carry the revived revision\'s hash');
});

test('OnDelete leaves old pods until they are deleted', async () => {
  c.ok(['patch', 'ds', 'agent', '--type=merge', '-p', '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}']);
  c.ok(['set', 'image', 'ds/agent', 'agent=registry.example/agent:v3']);
  await waitFor('the new generation observed', async () => {
    const ds = JSON.parse(c.ok(['get', 'ds', 'agent', '-o', 'json']));
    return ds.status.observedGeneration === ds.metadata.generation && ds.status.updatedNumberScheduled === 0;
  });
  const onDelete = c.kubectl(['rollout', 'status', 'ds/agent']);
  assert.notEqual(onDelete.code, 0);
  assert.match(onDelete.stderr, /rollout status is only available for RollingUpdate strategy type/);
  assert.match(c.flotctl(['rollout', 'status', 'ds/agent']).stderr, /rollout status is only available for RollingUpdate strategy type/);
  const before = live(await pods('app=agent'));
  assert.ok(before.every((p) => p.spec.containers[0]?.image === 'registry.example/agent:v1'), 'nothing replaced on its own');
  const victim = before.find((p) => p.spec.nodeName === 'dn-0') as Pod;
  c.ok(['delete', 'pod', victim.metadata.name]);
  await waitFor('dn-0 runs v3, the others still v1', async () => {
    const ps = live(await pods('app=agent')).filter(ready);
    const on = (n: string) => ps.find((p) => p.spec.nodeName === n)?.spec.containers[0]?.image;
    return ps.length === 4 && on('dn-0') === 'registry.example/agent:v3' && on('dn-1') === 'registry.example/agent:v1';
  }, 60_000);
});

test('a node tainted NoSchedule gets no new daemon pod but keeps the one it has; one that stops matching loses it', async () => {
  c.ok(['taint', 'nodes', 'dn-2', 'dedicated=infra:NoSchedule']);
  c.ok(['apply', '-f', '-'], { input: daemonSet('fresh', 'registry.example/fresh:v1') });
  await onNodes('fresh', 'registry.example/fresh:v1', ['dn-0', 'dn-1', 'late-0']);
  const fresh = JSON.parse(c.ok(['get', 'ds', 'fresh', '-o', 'json']));
  assert.equal(fresh.status.desiredNumberScheduled, 3);
  // agent's pod on dn-2 predates the taint: Kubernetes leaves it running (only NoExecute evicts)
  await waitFor('agent no longer wants dn-2, but its pod stays', async () => {
    const ds = JSON.parse(c.ok(['get', 'ds', 'agent', '-o', 'json']));
    return ds.status.desiredNumberScheduled === 3 && ds.status.numberMisscheduled === 1;
  });
  assert.ok(live(await pods('app=agent')).some((p) => p.spec.nodeName === 'dn-2'));

  c.ok(['label', 'nodes', 'dn-0', 'dn-1', 'tier=edge']);
  c.ok(['apply', '-f', '-'], { input: daemonSet('edge', 'registry.example/edge:v1', {}, { nodeSelector: { tier: 'edge' } }) });
  await onNodes('edge', 'registry.example/edge:v1', ['dn-0', 'dn-1']);
  assert.match(c.ok(['get', 'ds', 'edge']), /^edge\s+2\s+2\s+2\s+2\s+2\s+tier=edge\s/m);
  c.ok(['label', 'nodes', 'dn-1', 'tier-']);
  await onNodes('edge', 'registry.example/edge:v1', ['dn-0']);

  c.ok(['delete', 'ds', 'fresh', 'edge']);
  c.ok(['taint', 'nodes', 'dn-2', 'dedicated-']);
});

test('bad DaemonSets are refused with Kubernetes\' messages', async () => {
  const r = c.kubectl(['apply', '-f', '-'], { input: daemonSet('bad', 'x', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }) });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /spec\.updateStrategy\.rollingUpdate\.maxUnavailable: Invalid value: intstr\.IntOrString\{Type:0, IntVal:0, StrVal:""\}: may not be 0 when `maxSurge` is 0/);
  const sel = c.kubectl(['patch', 'ds', 'agent', '--type=merge', '-p', '{"spec":{"selector":{"matchLabels":{"app":"other"}}}}']);
  assert.notEqual(sel.code, 0);
  assert.match(sel.stderr, /field is immutable/);
});
