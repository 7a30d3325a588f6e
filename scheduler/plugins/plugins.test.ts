import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../lib/api/types.js';
import { SchedulerCache } from '../cache.js';
import { CycleContext, SKIP, type FilterPlugin } from '../framework.js';
import { node, pod } from '../testutil.js';
import { PLUGIN_FACTORIES } from './index.js';

/** Runs one filter plugin for the pod on each node; returns the reason per node ('' = fits). */
function filter(name: string, p: KubeObject, nodes: KubeObject[], existing: KubeObject[] = []): string[] {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  for (const e of existing) cache.addPod(e);
  const plugin = PLUGIN_FACTORIES[name]!() as FilterPlugin;
  const cx = new CycleContext(p, cache);
  const pre = plugin.preFilter?.(cx);
  if (pre === SKIP) return nodes.map(() => '');
  return nodes.map((n) => plugin.filter(cx, cache.get(n.metadata.name as string)!)?.reasons.join('; ') ?? '');
}

test('NodeUnschedulable rejects cordoned nodes unless the pod tolerates the unschedulable taint', () => {
  const nodes = [node('a'), node('b', { unschedulable: true })];
  assert.deepEqual(filter('NodeUnschedulable', pod('p'), nodes), ['', 'node(s) were unschedulable']);
  const tolerant = pod('t', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
  assert.deepEqual(filter('NodeUnschedulable', tolerant, nodes), ['', '']);
});

test('NodeReady rejects nodes whose Ready condition is not True', () => {
  assert.deepEqual(filter('NodeReady', pod('p'), [node('a'), node('b', { ready: 'False' }), node('c', { ready: 'Unknown' })]), ['', 'node(s) were not ready', 'node(s) were not ready']);
});

test('NodeResourcesFit reports every insufficient resource and counts init containers and overhead', () => {
  const nodes = [node('a', { cpu: '1', memory: '1Gi' }), node('b', { cpu: '4', memory: '8Gi', pods: 1 })];
  const existing = [pod('e', { cpu: '500m', memory: '512Mi', nodeName: 'a' })];
  assert.deepEqual(filter('NodeResourcesFit', pod('p', { cpu: '600m', memory: '600Mi' }), nodes, existing), ['Insufficient cpu; Insufficient memory', '']);
  assert.deepEqual(filter('NodeResourcesFit', pod('small', { cpu: '100m' }), nodes, [...existing, pod('f', { nodeName: 'b' })]), ['', 'Too many pods']);
  // an init container asking 2 cpu makes the pod's effective request 2 cpu; overhead adds on top
  const init = pod('i', { cpu: '100m', spec: { initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '2' } } }] } });
  assert.deepEqual(filter('NodeResourcesFit', init, nodes), ['Insufficient cpu', '']);
  const overhead = pod('o', { cpu: '900m', spec: { overhead: { cpu: '200m' } } });
  assert.deepEqual(filter('NodeResourcesFit', overhead, nodes), ['Insufficient cpu', '']);
  const gpu = pod('g', { spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { 'example.com/gpu': '1' } } }] } });
  assert.deepEqual(filter('NodeResourcesFit', gpu, [node('a'), node('b', { extra: { 'example.com/gpu': '2' } })]), ['Insufficient example.com/gpu', '']);
});

test('NodeAffinity honours nodeSelector and required terms (In/NotIn/Exists/DoesNotExist/Gt/Lt, matchFields)', () => {
  const nodes = [node('a', { labels: { zone: 'z1', gen: '3' } }), node('b', { labels: { zone: 'z2', gen: '5' } }), node('c')];
  const reason = "node(s) didn't match Pod's node affinity/selector";
  assert.deepEqual(filter('NodeAffinity', pod('p', { spec: { nodeSelector: { zone: 'z1' } } }), nodes), ['', reason, reason]);
  const affinity = (terms: unknown[]) => pod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } });
  assert.deepEqual(filter('NodeAffinity', affinity([{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }]), nodes), [reason, '', reason]);
  assert.deepEqual(filter('NodeAffinity', affinity([{ matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['4'] }] }]), nodes), ['', reason, reason]);
  assert.deepEqual(filter('NodeAffinity', affinity([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1'] }] }]), nodes), [reason, '', '']);
  assert.deepEqual(filter('NodeAffinity', affinity([{ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }]), nodes), [reason, reason, '']);
  // terms are ORed
  assert.deepEqual(filter('NodeAffinity', affinity([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] }]), nodes), [reason, '', '']);
  assert.deepEqual(filter('NodeAffinity', affinity([{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }]), nodes), ['', '', reason]);
});

test('TaintToleration requires NoSchedule and NoExecute taints to be tolerated, ignores PreferNoSchedule', () => {
  const nodes = [node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }), node('b', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }), node('c', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] })];
  assert.deepEqual(filter('TaintToleration', pod('p'), nodes), ['node(s) had untolerated taint {dedicated: gpu}', 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }', '']);
  const equal = pod('e', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] } });
  assert.deepEqual(filter('TaintToleration', equal, nodes).map((r) => !r), [true, false, true]);
  const wrongValue = pod('w', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }] } });
  assert.equal(filter('TaintToleration', wrongValue, nodes)[0], 'node(s) had untolerated taint {dedicated: gpu}');
  const all = pod('all', { spec: { tolerations: [{ operator: 'Exists' }] } });
  assert.deepEqual(filter('TaintToleration', all, nodes), ['', '', '']);
});

test('NodePorts rejects nodes where hostPort+protocol+hostIP is taken', () => {
  const withPort = (name: string, port: number, o: { protocol?: string; hostIP?: string; nodeName?: string } = {}) =>
    pod(name, { nodeName: o.nodeName, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: port, protocol: o.protocol, hostIP: o.hostIP }] }] } });
  const nodes = [node('a'), node('b')];
  const existing = [withPort('e', 8080, { nodeName: 'a' }), withPort('u', 53, { nodeName: 'b', protocol: 'UDP', hostIP: '10.0.0.1' })];
  const reason = "node(s) didn't have free ports for the requested pod ports";
  assert.deepEqual(filter('NodePorts', withPort('p', 8080), nodes, existing), [reason, '']);
  assert.deepEqual(filter('NodePorts', withPort('p', 8080, { protocol: 'UDP' }), nodes, existing), ['', '']);
  assert.deepEqual(filter('NodePorts', withPort('p', 53, { protocol: 'UDP', hostIP: '10.0.0.2' }), nodes, existing), ['', '']);
  assert.deepEqual(filter('NodePorts', withPort('p', 53, { protocol: 'UDP' }), nodes, existing), ['', reason]);
});

test('InterPodAffinity: required anti-affinity on hostname, and existing pods\' anti-affinity against the new pod', () => {
  const nodes = [node('a'), node('b')];
  const anti = (name: string, app: string, o: { nodeName?: string; labels?: Record<string, string> } = {}) => pod(name, {
    nodeName: o.nodeName,
    labels: o.labels ?? { app },
    spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app } } }] } } },
  });
  assert.deepEqual(filter('InterPodAffinity', anti('p', 'web'), nodes, [pod('e', { nodeName: 'a', labels: { app: 'web' } })]), ["node(s) didn't match pod anti-affinity rules", '']);
  // an existing pod on b refuses pods labelled app=db next to it
  assert.deepEqual(filter('InterPodAffinity', pod('db', { labels: { app: 'db' } }), nodes, [anti('guard', 'db', { nodeName: 'b', labels: { app: 'guard' } })]), ['', "node(s) didn't satisfy existing pods anti-affinity rules"]);
  assert.deepEqual(filter('InterPodAffinity', pod('other', { labels: { app: 'x' } }), nodes, [anti('guard', 'db', { nodeName: 'b' })]), ['', '']);
});

test('PodTopologySpread DoNotSchedule keeps the skew within maxSkew', () => {
  const nodes = [node('a'), node('b'), node('c')];
  const spread = (name: string) => pod(name, { labels: { app: 'w' }, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'w' } } }] } });
  const on = (n: string, i: number) => pod(`e${i}`, { nodeName: n, labels: { app: 'w' } });
  const reason = "node(s) didn't match pod topology spread constraints";
  assert.deepEqual(filter('PodTopologySpread', spread('p'), nodes, [on('a', 1), on('b', 2)]), [reason, reason, '']);
  assert.deepEqual(filter('PodTopologySpread', spread('p'), nodes, [on('a', 1), on('b', 2), on('c', 3)]), ['', '', '']);
  const zoned = pod('z', { labels: { app: 'w' }, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'w' } } }] } });
  assert.deepEqual(filter('PodTopologySpread', zoned, [node('a', { labels: { zone: 'z1' } }), node('b')]), ['', "node(s) didn't match pod topology spread constraints (missing required label)"]);
});

test('NodeName only fits the named node', () => {
  assert.deepEqual(filter('NodeName', pod('p', { spec: { nodeName: 'b' } }), [node('a'), node('b')]), ["node(s) didn't match the requested node name", '']);
});
