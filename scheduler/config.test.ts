import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { numFeasibleNodesToFind } from './algorithm.js';
import { buildFrameworks, defaultSchedulerConfig, loadSchedulerConfig } from './config.js';
import { SchedulerCore } from './core.js';
import { FakeApi, node, pod } from './testutil.js';

const dir = mkdtempSync(join(tmpdir(), 'sched-config-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('the default profile runs every filter, cheap ones first, and the weighted scores', () => {
  const [fw] = buildFrameworks(defaultSchedulerConfig());
  assert.equal(fw!.schedulerName, 'default-scheduler');
  assert.deepEqual(fw!.filters.map((f) => f.name), ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeReady', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'VolumeBinding', 'PodTopologySpread', 'InterPodAffinity']);
  assert.deepEqual(Object.fromEntries(fw!.scores.map((s) => [s.plugin.name, s.weight])), { TaintToleration: 3, NodeAffinity: 2, PodTopologySpread: 2,
    OwnerSpread: 2, NodeResourcesFit: 1, NodeResourcesBalancedAllocation: 1 });
});

test('a YAML file disables and enables plugins and sets weights', () => {
  const path = file('c.yaml', `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 30
profiles:
  - schedulerName: default-scheduler
    plugins:
      filter:
        disabled: [{name: TaintToleration}]
      score:
        disabled: [{name: '*'}]
        enabled: [{name: NodeResourcesFit, weight: 5}]
  - schedulerName: batch
`);
  const [main, batch] = buildFrameworks(loadSchedulerConfig(path));
  assert.ok(!main!.filters.some((f) => f.name === 'TaintToleration'));
  assert.deepEqual(main!.scores.map((s) => [s.plugin.name, s.weight]), [['NodeResourcesFit', 5]]);
  assert.equal(main!.percentageOfNodesToScore, 30);
  assert.equal(batch!.schedulerName, 'batch');
  assert.equal(batch!.filters.length, 10);
});

test('a disabled filter really stops rejecting: tainted nodes take pods when TaintToleration is off', () => {
  const path = file('nt.json', JSON.stringify({ profiles: [{ plugins: { filter: { disabled: [{ name: 'TaintToleration' }] } } }] }));
  const api = new FakeApi(true);
  const c = new SchedulerCore({ frameworks: buildFrameworks(loadSchedulerConfig(path)), api });
  c.onNodeAdd(node('tainted', { taints: [{ key: 'k', effect: 'NoSchedule' }] }));
  c.onPodAdd(pod('p'));
  c.scheduleOne(c.queue.tryPop()!);
  assert.deepEqual(api.placement(), { tainted: 1 });
});

test('bad files fail with a clear message', () => {
  assert.throws(() => loadSchedulerConfig(file('u.yaml', 'profiles: [{plugins: {filter: {enabled: [{name: NodeFoo}]}}}]')), /unknown plugin "NodeFoo" in|unknown plugin "NodeFoo"/);
  assert.throws(() => loadSchedulerConfig(file('u.yaml', 'profiles: [{plugins: {filter: {enabled: [{name: NodeFoo}]}}}]')), /profiles\[0\]\.plugins\.filter\.enabled\[0\]/);
  assert.throws(() => loadSchedulerConfig(file('s.yaml', 'profiles: [{plugins: {score: {enabled: [{name: NodePorts}]}}}]')), /NodePorts is not a score plugin/);
  assert.throws(() => loadSchedulerConfig(file('w.yaml', 'profiles: [{plugins: {score: {enabled: [{name: OwnerSpread, weight: 0}]}}}]')), /weight of OwnerSpread/);
  assert.throws(() => loadSchedulerConfig(file('p.yaml', 'percentageOfNodesToScore: 150')), /percentageOfNodesToScore/);
  assert.throws(() => loadSchedulerConfig(file('d.yaml', 'profiles: [{schedulerName: a}, {schedulerName: a}]')), /duplicate schedulerName "a"/);
  assert.throws(() => loadSchedulerConfig(file('y.yaml', 'profiles: [')), /not valid YAML/);
  assert.throws(() => loadSchedulerConfig(join(dir, 'missing.yaml')), /cannot read/);
});

test('adaptive percentageOfNodesToScore as kube-scheduler', () => {
  assert.equal(numFeasibleNodesToFind(0, 50), 50);
  assert.equal(numFeasibleNodesToFind(0, 1000), 420);
  assert.equal(numFeasibleNodesToFind(0, 5000), 500);
  assert.equal(numFeasibleNodesToFind(0, 200), 100);
  assert.equal(numFeasibleNodesToFind(10, 500), 100);
  assert.equal(numFeasibleNodesToFind(100, 5000), 5000);
});
