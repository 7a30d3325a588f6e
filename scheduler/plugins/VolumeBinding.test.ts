import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../lib/api/types.js';
import { SchedulerCache } from '../cache.js';
import { buildFrameworks, defaultSchedulerConfig } from '../config.js';
import { SchedulerCore } from '../core.js';
import { CycleContext, SKIP } from '../framework.js';
import { FakeApi, node, pod } from '../testutil.js';
import { delayedClaims, setVolumeCatalog, volumeBinding } from './VolumeBinding.js';

const claims = new Map<string, KubeObject>();
const volumes = new Map<string, KubeObject>();
const classes = new Map<string, KubeObject>([
  ['wait', { metadata: { name: 'wait' }, provisioner: 'p', volumeBindingMode: 'WaitForFirstConsumer' } as KubeObject],
  ['now', { metadata: { name: 'now' }, provisioner: 'p', volumeBindingMode: 'Immediate' } as KubeObject],
]);
const catalog = { claim: (ns: string, n: string) => claims.get(`${ns}/${n}`), volume: (n: string) => volumes.get(n), storageClass: (n: string) => classes.get(n) };

function pvc(name: string, o: { cls?: string; volumeName?: string; selected?: string; deleting?: boolean } = {}): void {
  claims.set(`default/${name}`, {
    metadata: { name, namespace: 'default', annotations: o.selected ? { 'volume.kubernetes.io/selected-node': o.selected } : {}, ...(o.deleting ? { deletionTimestamp: 'x' } : {}) },
    spec: { storageClassName: o.cls ?? 'wait', ...(o.volumeName ? { volumeName: o.volumeName } : {}) },
  });
}
const withClaim = (name: string, claim: string): KubeObject => pod(name, { spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: claim } }] } });

function filter(p: KubeObject, nodes: KubeObject[]): string[] {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  const plugin = volumeBinding();
  const cx = new CycleContext(p, cache);
  const pre = plugin.preFilter?.(cx);
  if (pre === SKIP) return nodes.map(() => '');
  if (pre) return nodes.map(() => pre.reasons.join('; '));
  return nodes.map((n) => plugin.filter(cx, cache.get(n.metadata.name as string)!)?.reasons.join('; ') ?? '');
}

test('VolumeBinding: a bound volume\'s node affinity, missing and deleting claims, unbound Immediate and WaitForFirstConsumer claims', (t) => {
  setVolumeCatalog(catalog);
  t.after(() => setVolumeCatalog(undefined));
  const nodes = [node('a', { labels: { 'kubernetes.io/hostname': 'a' } }), node('b', { labels: { 'kubernetes.io/hostname': 'b' } })];
  volumes.set('pv-a', { metadata: { name: 'pv-a' }, spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }] }] } } } });
  pvc('bound', { volumeName: 'pv-a' });
  pvc('late');
  pvc('promised', { selected: 'b' });
  pvc('immediate', { cls: 'now' });
  pvc('going', { deleting: true });
  assert.deepEqual(filter(pod('plain'), nodes), ['', '']);
  assert.deepEqual(filter(withClaim('p1', 'bound'), nodes), ['', 'node(s) had volume node affinity conflict']);
  assert.deepEqual(filter(withClaim('p2', 'late'), nodes), ['', '']);
  assert.deepEqual(filter(withClaim('p3', 'promised'), nodes), ['node(s) had volume node affinity conflict', '']);
  assert.deepEqual(filter(withClaim('p4', 'immediate'), nodes), ['pod has unbound immediate PersistentVolumeClaims', 'pod has unbound immediate PersistentVolumeClaims']);
  assert.deepEqual(filter(withClaim('p5', 'nope'), nodes)[0], 'persistentvolumeclaim "nope" not found');
  assert.deepEqual(filter(withClaim('p6', 'going'), nodes)[0], 'persistentvolumeclaim "going" is being deleted');
  assert.deepEqual(delayedClaims(withClaim('p2', 'late')).map((c) => c.metadata.name), ['late']);
  assert.deepEqual(delayedClaims(withClaim('p1', 'bound')), []);
});

test('a pod waiting for its claim is scheduled once the claim appears (VolumeChange)', (t) => {
  setVolumeCatalog(catalog);
  t.after(() => setVolumeCatalog(undefined));
  const api = new FakeApi();
  const c = new SchedulerCore({ frameworks: buildFrameworks(defaultSchedulerConfig()), api, now: () => 0, random: () => 0.5 });
  c.onNodeAdd(node('a'));
  c.onPodAdd(withClaim('web-0', 'data-web-0'));
  for (let q = c.queue.tryPop(); q; q = c.queue.tryPop()) c.scheduleOne(q);
  assert.equal(c.queue.whereIs(withClaim('web-0', 'data-web-0')), 'unschedulable');
  assert.match(api.statuses[0]?.message ?? '', /persistentvolumeclaim "data-web-0" not found/);
  pvc('data-web-0');
  assert.equal(c.queue.moveAllToActive('VolumeChange'), 1);
});
