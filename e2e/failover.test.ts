// Acceptance: two controller-managers and two schedulers run leader-elected; only the lease holder acts. Killing
// the active controller-manager, then the active scheduler, in the middle of a rollout: the standbys take over and
// the rollout ends with exactly the right pods.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, waitFor, type ComponentProcess } from './harness.js';

let c: TestCluster;
const managers: ComponentProcess[] = [];
const schedulers: ComponentProcess[] = [];
before(async () => {
  c = await TestCluster.start();
  c.component('hollow-nodes', ['--count', '3']);
  for (const i of [1, 2]) {
    managers.push(c.component('controller-manager', [], `controller-manager-${i}`));
    schedulers.push(c.component('scheduler', [], `scheduler-${i}`));
  }
});
after(async () => {
  await c?.stop();
});

async function holder(lease: string): Promise<string> {
  return waitFor(`a holder of ${lease}`, async () => {
    const r = await c.request('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${lease}`);
    return r.status === 200 && r.body.spec.holderIdentity ? (r.body.spec.holderIdentity as string) : undefined;
  }, 30_000);
}

/** The component process whose pid is in the lease holder's identity (host_pid). */
function active(procs: ComponentProcess[], identity: string): ComponentProcess {
  const p = procs.find((x) => identity.endsWith(`_${x.proc?.pid}`));
  assert.ok(p, `a process holds ${identity}`);
  return p;
}

const deployment = (image: string) => JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'roll' },
  spec: {
    replicas: 10,
    minReadySeconds: 1,
    selector: { matchLabels: { app: 'roll' } },
    strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: { metadata: { labels: { app: 'roll' } }, spec: { containers: [{ name: 'c', image }] } },
  },
});

interface Pod {
  metadata: { deletionTimestamp?: string };
  spec: { nodeName?: string; containers: Array<{ image: string }> };
  status?: { phase?: string };
}

test('standbys take over a rollout when the active controller-manager and then the active scheduler die', async () => {
  c.ok(['apply', '-f', '-'], { input: deployment('registry.example/roll:v1') });
  assert.equal(c.kubectl(['rollout', 'status', 'deployment/roll', '--timeout=120s']).code, 0);

  const cm = active(managers, await holder('kube-controller-manager'));
  const sched = active(schedulers, await holder('kube-scheduler'));
  // the standbys only watch the lease
  for (const p of [...managers, ...schedulers]) if (p !== cm && p !== sched) assert.doesNotMatch(p.logText(), /"started"/);

  c.ok(['set', 'image', 'deployment/roll', 'c=registry.example/roll:v2']);
  await waitFor('the rollout to be under way', async () => {
    const d = JSON.parse(c.ok(['get', 'deployment/roll', '-o', 'json']));
    return (d.status.updatedReplicas ?? 0) >= 2;
  }, 60_000);
  await cm.stop('SIGKILL');
  await waitFor('the standby controller-manager to lead', async () => !(await holder('kube-controller-manager')).endsWith(`_${cm.proc?.pid}`), 30_000);
  await sched.stop('SIGKILL');
  await waitFor('the standby scheduler to lead', async () => !(await holder('kube-scheduler')).endsWith(`_${sched.proc?.pid}`), 30_000);

  const status = c.kubectl(['rollout', 'status', 'deployment/roll', '--timeout=120s']);
  assert.equal(status.code, 0, status.stderr + status.stdout);
  const pods = await waitFor('exactly 10 pods, all v2 and running', async () => {
    const items = (await c.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Droll')).body.items as Pod[];
    return items.length === 10 && items.every((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && p.spec.containers[0]?.image === 'registry.example/roll:v2') ? items : undefined;
  }, 60_000);
  assert.equal(pods.length, 10);
  const sets = (await c.request('GET', '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Droll')).body.items;
  const sizes = sets.map((s: { spec: { replicas: number }; status: { replicas?: number } }) => [s.spec.replicas, s.status.replicas ?? 0]).sort();
  assert.deepEqual(sizes, [[0, 0], [10, 10]]);
});
