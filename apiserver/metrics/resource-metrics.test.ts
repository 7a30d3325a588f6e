import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import type { Summary } from '../../lib/api/summary.js';
import { formatCpu, formatMemory } from '../../lib/api/quantity.js';
import { ResourceMetrics } from './resource-metrics.js';

const node = (name: string, port = 10250): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { zone: name } }, status: { daemonEndpoints: { kubeletEndpoint: { Port: port } } } });
const T = '2026-12-06T10:00:00.000Z';
const summaryOf = (n: string, pods: Array<[string, string, number, number]>): Summary => ({
  node: { nodeName: n, cpu: { time: T, usageNanoCores: 1_500_000_000, usageCoreNanoSeconds: 1 }, memory: { time: T, workingSetBytes: 2 * 2 ** 30 } },
  windowSeconds: 10.0123,
  pods: pods.map(([ns, name, cpu, mem]) => ({ podRef: { namespace: ns, name, uid: name }, containers: [{ name: 'app', cpu: { time: T, usageNanoCores: cpu, usageCoreNanoSeconds: 0 }, memory: { time: T, workingSetBytes: mem } }] })),
});

test('quantities print as Kubernetes canonicalises them', () => {
  assert.deepEqual([0, 250_000_000, 2_461_718, 1_000_000_000, 3_000, 1_500_000_000].map(formatCpu), ['0', '250m', '2461718n', '1', '3u', '1500m']);
  assert.deepEqual([0, 1000, 1024, 15_917_056, 2 ** 30, 1025].map(formatMemory), ['0', '1000', '1Ki', '15544Ki', '1Gi', '1025']);
});

test('NodeMetrics and PodMetrics from the agents; a node without an agent or that fails is left out; scrapes are shared', async () => {
  let scrapes = 0;
  const m = new ResourceMetrics({
    nodes: async () => [node('a'), node('b'), node('hollow', 0), node('down')],
    summary: async (n) => {
      scrapes++;
      if (n.metadata.name === 'down') throw new Error('connect ECONNREFUSED');
      return n.metadata.name === 'a' ? summaryOf('a', [['default', 'web-1', 250_000_000, 10 * 2 ** 20]]) : summaryOf('b', [['kube-system', 'dns', 1_000_000, 5 * 2 ** 20], ['default', 'gone', 1, 1]]);
    },
  });
  const [nodes, pods] = await Promise.all([m.nodeMetrics(), m.podMetrics('default', (ns, name) => (name === 'gone' ? undefined : { app: name }))]);
  assert.equal(scrapes, 3, 'one scrape of each node with an agent for both requests');
  assert.deepEqual(nodes.map((n) => [n.metadata.name, n.usage.cpu, n.usage.memory, n.window, n.metadata.labels?.zone]), [['a', '1500m', '2Gi', '10.012s', 'a'], ['b', '1500m', '2Gi', '10.012s', 'b']]);
  assert.equal(nodes[0]?.apiVersion, 'metrics.k8s.io/v1beta1');
  assert.deepEqual(pods.map((p) => [p.metadata.namespace, p.metadata.name, p.containers, p.metadata.labels]), [['default', 'web-1', [{ name: 'app', usage: { cpu: '250m', memory: '10Mi' } }], { app: 'web-1' }]]);
  const all = await m.podMetrics(undefined, () => ({}));
  assert.deepEqual(all.map((p) => `${p.metadata.namespace}/${p.metadata.name}`), ['default/gone', 'default/web-1', 'kube-system/dns']);
  assert.equal(scrapes, 3, 'within the cache time, no new scrape');
});
