// Preemption on a fake cluster: a high-priority pod that fits nowhere evicts the fewest, least important pods on the
// best node, spares pods a PodDisruptionBudget protects when another choice exists, nominates the node, and is bound
// once its victims are gone; equal or higher priorities and preemptionPolicy Never preempt nobody.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../lib/api/types.js';
import { buildFrameworks, defaultSchedulerConfig } from './config.js';
import { SchedulerCore } from './core.js';
import { FakeApi, bound, node, pod } from './testutil.js';

class PreemptingApi extends FakeApi {
  readonly preempted: Array<{ victim: string; by: string; node: string }> = [];
  readonly nominated: Array<{ pod: string; node: string }> = [];
  constructor() {
    super(true);
  }
  async preempt(victim: KubeObject, preemptor: KubeObject, nodeName: string): Promise<void> {
    this.preempted.push({ victim: victim.metadata.name as string, by: preemptor.metadata.name as string, node: nodeName });
  }
  async nominate(p: KubeObject, nodeName: string): Promise<void> {
    this.nominated.push({ pod: p.metadata.name as string, node: nodeName });
  }
}

function setup(budgets: KubeObject[] = []) {
  const api = new PreemptingApi();
  const c = new SchedulerCore({ frameworks: buildFrameworks(defaultSchedulerConfig()), api, now: () => 0, random: () => 0.5, budgets: () => budgets });
  return { api, c };
}

const drain = (c: SchedulerCore): void => {
  for (let q = c.queue.tryPop(); q; q = c.queue.tryPop()) c.scheduleOne(q);
};
const prio = (name: string, cpu: string, priority: number, o: { nodeName?: string; labels?: Record<string, string>; policy?: string } = {}) =>
  pod(name, { cpu, labels: o.labels, spec: { priority, ...(o.policy ? { preemptionPolicy: o.policy } : {}) } });

test('a high-priority pod on a full cluster preempts the node whose victims matter least, is nominated, and is bound once they go', () => {
  const { api, c } = setup();
  c.onNodeAdd(node('a', { cpu: '2' }));
  c.onNodeAdd(node('b', { cpu: '2' }));
  // a holds two pods of priority 10; b one of priority 100 and one of 5
  const running = [bound(prio('a1', '1', 10), 'a'), bound(prio('a2', '1', 10), 'a'), bound(prio('b1', '1', 100), 'b'), bound(prio('b2', '1', 5), 'b')];
  for (const p of running) c.onPodAdd(p);
  c.onPodAdd(prio('vip', '1', 1000));
  drain(c);
  // b: evicting b2 (priority 5) alone makes room; a would need a 10 to go
  assert.deepEqual(api.preempted, [{ victim: 'b2', by: 'vip', node: 'b' }]);
  assert.deepEqual(api.nominated, [{ pod: 'vip', node: 'b' }]);
  assert.equal(api.binds.length, 0);
  c.onPodDelete(running[3] as KubeObject);
  drain(c);
  assert.deepEqual(api.binds.map((b) => [b.pod.metadata.name, b.node]), [['vip', 'b']]);
});

test('only as many victims as needed, the least important first', () => {
  const { api, c } = setup();
  c.onNodeAdd(node('a', { cpu: '3' }));
  for (const [n, p] of [['low', 1], ['mid', 2], ['high', 3]] as const) c.onPodAdd(bound(prio(n, '1', p), 'a'));
  c.onPodAdd(prio('vip', '2', 100));
  drain(c);
  assert.deepEqual(api.preempted.map((x) => x.victim).sort(), ['low', 'mid']);
});

test('a PodDisruptionBudget steers preemption to a node where no budget breaks', () => {
  const budget: KubeObject = { metadata: { name: 'keep', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'db' } } }, status: { disruptionsAllowed: 0 } };
  const { api, c } = setup([budget]);
  c.onNodeAdd(node('a', { cpu: '1' }));
  c.onNodeAdd(node('b', { cpu: '1' }));
  c.onPodAdd(bound(prio('db', '1', 1, { labels: { app: 'db' } }), 'a'));
  c.onPodAdd(bound(prio('web', '1', 5), 'b'));
  c.onPodAdd(prio('vip', '1', 100));
  drain(c);
  assert.deepEqual(api.preempted, [{ victim: 'web', by: 'vip', node: 'b' }], 'the budgeted pod is spared although its priority is lower');
});

test('no preemption of equal or higher priorities, nor by a pod whose preemptionPolicy is Never', () => {
  const { api, c } = setup();
  c.onNodeAdd(node('a', { cpu: '1' }));
  c.onPodAdd(bound(prio('peer', '1', 100), 'a'));
  c.onPodAdd(prio('same', '1', 100));
  c.onPodAdd(prio('polite', '1', 1000, { policy: 'Never' }));
  drain(c);
  assert.deepEqual(api.preempted, []);
  assert.equal(c.queue.whereIs(prio('same', '1', 100)), 'unschedulable');
});
