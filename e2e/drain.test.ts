// Acceptance (PodDisruptionBudgets, the eviction subresource and kubectl drain on hollow nodes, the real kubectl):
// draining a node that runs all 3 replicas of a Deployment under a PDB of minAvailable 2 evicts them one at a time,
// each once a replacement is Ready elsewhere (the 429s in between are retried by kubectl), skips the DaemonSet's pod
// with --ignore-daemonsets and leaves the node cordoned; a drain a budget blocks times out with kubectl's message;
// bare pods need --force and emptyDir pods --delete-emptydir-data; flotctl cordon/uncordon/drain do the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { KUBECTL, TestCluster, runFlotctl, waitFor, watchEvents } from './harness.js';

let c: TestCluster;
before(async () => {
  // one node first, so every replica lands on it; the spare nodes come once they are placed
  c = await TestCluster.startWithHollowNodes({ count: 1, prefix: 'dr', heartbeatSeconds: 1 });
});
after(async () => {
  await c?.stop();
});

interface Pod {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status?: { conditions?: Array<{ type: string; status: string }> };
}
const ready = (p: Pod) => !!p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
const live = (ps: Pod[]) => ps.filter((p) => !p.metadata.deletionTimestamp);

async function pods(selector: string): Promise<Pod[]> {
  return (await c.request('GET', `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).body.items as Pod[];
}

/** kubectl without blocking the event loop (a drain takes a while and the test watches meanwhile). */
function kubectlAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(KUBECTL, args, { env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const manifest = (o: object): string => JSON.stringify(o);
const deployment = (name: string, replicas: number, podSpec: Record<string, unknown> = {}) => manifest({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: `registry.example/${name}:v1` }], ...podSpec } } },
});
const budget = (name: string, spec: Record<string, unknown>) => manifest({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { selector: { matchLabels: { app: name } }, ...spec } });

test('a PodDisruptionBudget gets its status from the disruption controller; kubectl get pdb prints its columns', async () => {
  c.ok(['apply', '-f', '-'], { input: deployment('web', 3) });
  c.ok(['apply', '-f', '-'], { input: manifest({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'registry.example/agent:v1' }] } } } }) });
  await waitFor('3 web pods and the agent ready on dr-0', async () => {
    const ps = live([...(await pods('app=web')), ...(await pods('app=agent'))]).filter(ready);
    return ps.length === 4 && ps.every((p) => p.spec.nodeName === 'dr-0');
  }, 60_000);
  c.ok(['apply', '-f', '-'], { input: budget('web', { minAvailable: 2 }) });
  const pdb = await waitFor('the budget computed', async () => {
    const b = JSON.parse(c.ok(['get', 'pdb', 'web', '-o', 'json']));
    return b.status?.observedGeneration === b.metadata.generation && b.status.expectedPods === 3 ? b : undefined;
  });
  assert.deepEqual([pdb.status.currentHealthy, pdb.status.desiredHealthy, pdb.status.disruptionsAllowed], [3, 2, 1]);
  const cond = pdb.status.conditions.find((x: { type: string }) => x.type === 'DisruptionAllowed');
  assert.deepEqual([cond.status, cond.reason], ['True', 'SufficientPods']);
  assert.match(c.ok(['get', 'pdb', 'web']), /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\nweb\s+2\s+N\/A\s+1\s+\S+\n$/);
  const both = c.kubectl(['apply', '-f', '-'], { input: budget('bad', { minAvailable: 1, maxUnavailable: 1 }) });
  assert.notEqual(both.code, 0);
  assert.match(both.stderr, /spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set/);
});

test('kubectl drain evicts the 3 replicas one at a time as replacements become Ready, retrying the 429s, and cordons the node', async () => {
  c.component('hollow-nodes', ['--count', '2', '--name-prefix', 'spare', '--heartbeat-interval', '1'], 'hollow-spare');
  await waitFor('3 nodes', async () => (await c.request('GET', '/api/v1/nodes')).body.items?.length === 3, 60_000);
  await waitFor('the agent on every node', async () => live(await pods('app=agent')).filter(ready).length === 3, 60_000);
  // the budget's promise, checked on every change a watch delivers: never fewer than 2 ready web pods
  const r = await c.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb');
  const state = new Map<string, Pod>(r.body.items.map((p: Pod) => [p.metadata.uid, p]));
  const violations: string[] = [];
  const abort = new AbortController();
  const watching = (async () => {
    for await (const ev of watchEvents(`${c.url}/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dweb&resourceVersion=${r.body.metadata.resourceVersion}`, abort.signal)) {
      const p = ev.object as Pod;
      if (ev.type === 'DELETED') state.delete(p.metadata.uid);
      else state.set(p.metadata.uid, p);
      const up = live([...state.values()]).filter(ready).length;
      if (up < 2) violations.push(`${up} ready web pods`);
    }
  })().catch((e) => {
    if (!abort.signal.aborted) throw e;
  });
  const drain = await kubectlAsync(['drain', 'dr-0', '--ignore-daemonsets', '--timeout=120s']);
  abort.abort();
  await watching;
  assert.equal(drain.code, 0, drain.stderr + drain.stdout);
  assert.match(drain.stdout, /^node\/dr-0 cordoned$/m);
  assert.match(drain.stderr, /^Warning: ignoring DaemonSet-managed Pods: default\/agent-\w+$/m);
  assert.equal((drain.stdout.match(/^evicting pod default\/web-\S+$/gm) ?? []).length >= 3, true, drain.stdout);
  assert.equal((drain.stdout.match(/^pod\/web-\S+ evicted$/gm) ?? []).length, 3, drain.stdout);
  assert.match(drain.stdout + drain.stderr, /error when evicting pods\/"web-\S+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
  assert.match(drain.stdout, /^node\/dr-0 drained$/m);
  assert.deepEqual(violations, []);
  const node = JSON.parse(c.ok(['get', 'node', 'dr-0', '-o', 'json']));
  assert.equal(node.spec.unschedulable, true);
  const after = live(await pods('app=web')).filter(ready);
  assert.equal(after.length, 3);
  assert.ok(after.every((p) => p.spec.nodeName !== 'dr-0'));
  assert.ok(live(await pods('app=agent')).some((p) => p.spec.nodeName === 'dr-0'), 'the daemon pod stays');
  process.stdout.write(`--- kubectl drain output\n${drain.stdout}${drain.stderr}---\n`);
});

test('without --ignore-daemonsets the drain refuses, with kubectl\'s message', async () => {
  const r = await kubectlAsync(['drain', 'dr-0']);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout, /node\/dr-0 already cordoned/);
  assert.match(r.stderr, /cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\): default\/agent-\w+/);
  process.stdout.write(`--- kubectl drain (daemonsets) output\n${r.stdout}${r.stderr}---\n`);
});

test('a drain a budget blocks times out with kubectl\'s message; the pods stay', async () => {
  c.ok(['apply', '-f', '-'], { input: deployment('db', 2, { nodeSelector: { 'kubernetes.io/hostname': 'spare-0' } }) });
  c.ok(['apply', '-f', '-'], { input: budget('db', { maxUnavailable: 0 }) });
  await waitFor('db ready and its budget at 0', async () => {
    const b = JSON.parse(c.ok(['get', 'pdb', 'db', '-o', 'json']));
    return live(await pods('app=db')).filter(ready).length === 2 && b.status?.expectedPods === 2 && b.status.disruptionsAllowed === 0;
  }, 60_000);
  const r = await kubectlAsync(['drain', 'spare-0', '--ignore-daemonsets', '--pod-selector=app=db', '--timeout=7s']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /error when evicting pods\/"db-\S+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
  assert.match(r.stderr, /global timeout reached: 7s/);
  assert.equal(live(await pods('app=db')).length, 2);
  process.stdout.write(`--- kubectl drain (blocked) output\n${r.stdout}${r.stderr}---\n`);
  c.ok(['uncordon', 'spare-0']);
  c.ok(['delete', 'deployment', 'db']);
  c.ok(['delete', 'pdb', 'db']);
});

test('bare pods need --force and emptyDir pods --delete-emptydir-data', async () => {
  const bare = (name: string, volumes: unknown[] = []) => manifest({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'bare' } },
    spec: { nodeName: 'spare-1', containers: [{ name: 'c', image: 'registry.example/bare:v1' }], volumes } });
  c.ok(['apply', '-f', '-'], { input: bare('lonely') });
  c.ok(['apply', '-f', '-'], { input: deployment('scratch', 1, { nodeSelector: { 'kubernetes.io/hostname': 'spare-1' }, volumes: [{ name: 'tmp', emptyDir: {} }] }) });
  await waitFor('both ready on spare-1', async () => live([...(await pods('app=bare')), ...(await pods('app=scratch'))]).filter(ready).length === 2, 60_000);
  const refused = await kubectlAsync(['drain', 'spare-1', '--ignore-daemonsets', '--timeout=30s']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /cannot delete Pods that declare no controller \(use --force to override\): default\/lonely/);
  assert.match(refused.stderr, /cannot delete Pods with local storage \(use --delete-emptydir-data to override\): default\/scratch-\S+/);
  process.stdout.write(`--- kubectl drain (bare) output\n${refused.stdout}${refused.stderr}---\n`);
  const forced = await kubectlAsync(['drain', 'spare-1', '--ignore-daemonsets', '--force', '--delete-emptydir-data', '--timeout=60s']);
  assert.equal(forced.code, 0, forced.stderr + forced.stdout);
  // kubectl joins its warnings in a Go map's order, which differs from run to run
  const warnings = /^Warning: (.*)$/m.exec(forced.stderr)?.[1]?.split('; ').sort();
  assert.match(warnings?.[0] ?? '', /^deleting Pods that declare no controller: default\/lonely$/, forced.stderr);
  assert.match(warnings?.[1] ?? '', /^ignoring DaemonSet-managed Pods: default\/agent-\w+$/, forced.stderr);
  assert.equal(warnings?.length, 2, forced.stderr);
  assert.match(forced.stdout, /^node\/spare-1 drained$/m);
  await waitFor('lonely gone', async () => (await pods('app=bare')).length === 0);
  process.stdout.write(`--- kubectl drain (forced) output\n${forced.stdout}${forced.stderr}---\n`);
  c.ok(['uncordon', 'spare-1']);
  c.ok(['delete', 'deployment', 'scratch']);
});

test('the eviction subresource: 201 without a budget, 429 with the DisruptionBudget cause when none is allowed, dry-run changes nothing', async () => {
  const target = live(await pods('app=web'))[0] as Pod;
  const evict = (name: string, extra: Record<string, unknown> = {}) => c.request('POST', `/api/v1/namespaces/default/pods/${name}/eviction`,
    { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' }, ...extra });
  c.ok(['patch', 'pdb', 'web', '--type=merge', '-p', '{"spec":{"minAvailable":3}}']);
  await waitFor('no disruption allowed', async () => {
    const b = JSON.parse(c.ok(['get', 'pdb', 'web', '-o', 'json']));
    return b.status.observedGeneration === b.metadata.generation && b.status.disruptionsAllowed === 0;
  });
  const refused = await evict(target.metadata.name);
  assert.equal(refused.status, 429, JSON.stringify([refused.body, target, JSON.parse(c.ok(['get', 'pdb', 'web', '-o', 'json']))]));
  assert.equal(refused.body.message, "Cannot evict pod as it would violate the pod's disruption budget.");
  assert.deepEqual(refused.body.details.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 3 healthy pods and has 3 currently' }]);
  c.ok(['patch', 'pdb', 'web', '--type=merge', '-p', '{"spec":{"minAvailable":2}}']);
  await waitFor('one disruption allowed', async () => JSON.parse(c.ok(['get', 'pdb', 'web', '-o', 'json'])).status.disruptionsAllowed === 1);
  const dry = await evict(target.metadata.name, { deleteOptions: { dryRun: ['All'] } });
  assert.equal(dry.status, 201);
  assert.equal(JSON.parse(c.ok(['get', 'pdb', 'web', '-o', 'json'])).status.disruptionsAllowed, 1, 'a dry run takes nothing');
  assert.ok(!(await c.request('GET', `/api/v1/namespaces/default/pods/${target.metadata.name}`)).body.metadata.deletionTimestamp);
  const ok = await evict(target.metadata.name, { deleteOptions: { gracePeriodSeconds: 0 } });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  const pdb = JSON.parse(c.ok(['get', 'pdb', 'web', '-o', 'json']));
  assert.ok(pdb.status.disruptionsAllowed === 0 || pdb.status.disruptedPods === undefined, 'the disruption was taken (or already settled)');
  c.ok(['delete', 'pdb', 'web']);
  const unbudgeted = live(await pods('app=web')).find((p) => p.metadata.name !== target.metadata.name) as Pod;
  // kubectl before 1.22 sends policy/v1beta1 Evictions: the same shape, served the same way
  assert.equal((await evict(unbudgeted.metadata.name, { apiVersion: 'policy/v1beta1' })).status, 201);
  await waitFor('the unbudgeted pod evicted', async () => {
    const r = await c.request('GET', `/api/v1/namespaces/default/pods/${unbudgeted.metadata.name}`);
    return r.status === 404 || !!r.body.metadata?.deletionTimestamp;
  });
  const mismatch = await c.request('POST', `/api/v1/namespaces/default/pods/${unbudgeted.metadata.name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'other' } });
  assert.equal(mismatch.status, 400);
});

test('flotctl cordon, uncordon and drain: kubectl\'s messages, and the same budget-respecting drain', async () => {
  assert.equal(c.flotctl(['cordon', 'spare-1']).stdout, 'node/spare-1 cordoned\n');
  assert.equal(c.flotctl(['cordon', 'spare-1']).stdout, 'node/spare-1 already cordoned\n');
  // every web pod onto spare-0 (the only schedulable node), then dr-0 opens up for the replacements
  c.ok(['rollout', 'restart', 'deployment/web']);
  await waitFor('3 new web pods on spare-0', async () => {
    const ps = await pods('app=web');
    return ps.length === 3 && live(ps).filter(ready).every((p) => p.spec.nodeName === 'spare-0') && live(ps).filter(ready).length === 3;
  }, 90_000);
  assert.equal(c.flotctl(['uncordon', 'dr-0']).stdout, 'node/dr-0 uncordoned\n');
  assert.equal(c.flotctl(['uncordon', 'dr-0']).stdout, 'node/dr-0 already uncordoned\n');
  c.ok(['apply', '-f', '-'], { input: budget('web', { minAvailable: 2 }) });
  await waitFor('one disruption allowed', async () => JSON.parse(c.ok(['get', 'pdb', 'web', '-o', 'json'])).status?.disruptionsAllowed === 1);

  const refused = c.flotctl(['drain', 'spare-0']);
  const kubectlRefused = await kubectlAsync(['drain', 'spare-0']);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr.replace(/\x1b\[[0-9;]*m/g, ''), kubectlRefused.stderr);
  assert.equal(refused.stdout, 'node/spare-0 cordoned\n');

  const drained = runFlotctl(c.apiserver.kubeconfig, ['drain', 'spare-0', '--ignore-daemonsets', '--timeout=120s'], { timeout: 150_000 });
  assert.equal(drained.code, 0, drained.stderr + drained.stdout);
  assert.match(drained.stdout, /^node\/spare-0 already cordoned$/m);
  assert.match(drained.stderr, /^Warning: ignoring DaemonSet-managed Pods: default\/agent-\w+$/m);
  assert.equal((drained.stdout.match(/^pod\/web-\S+ evicted$/gm) ?? []).length, 3, drained.stdout);
  assert.match(drained.stderr, /error when evicting pods\/"web-\S+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
  assert.match(drained.stdout, /^node\/spare-0 drained$/m);
  // drain returns once the evicted pods are gone; the last one's replacement may still be starting
  const after = await waitFor('3 ready web pods, all on dr-0', async () => {
    const ps = live(await pods('app=web')).filter(ready);
    return ps.length === 3 ? ps : undefined;
  }, 60_000);
  assert.ok(after.every((p) => p.spec.nodeName === 'dr-0'), after.map((p) => p.spec.nodeName).join(' '));
});
