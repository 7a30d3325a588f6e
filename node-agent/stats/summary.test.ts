import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CriClient } from '../cri/client.js';
import type { ContainerStats } from '../cri/types.js';
import { StatsSampler, type HostReader } from './summary.js';

function stat(id: string, pod: string, container: string, cpuNs: number, ws: number, attempt = 0, atNs?: number): ContainerStats {
  return {
    attributes: {
      id, metadata: { name: container, attempt },
      labels: { 'io.kubernetes.pod.uid': `uid-${pod}`, 'io.kubernetes.pod.name': pod, 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.container.name': container },
      annotations: {},
    },
    cpu: { timestamp: atNs ?? 0, usageCoreNanoSeconds: { value: cpuNs }, usageNanoCores: null },
    memory: {
      timestamp: 0, workingSetBytes: { value: ws }, availableBytes: null, usageBytes: { value: ws + 100 },
      rssBytes: null, pageFaults: null, majorPageFaults: null,
    },
    writableLayer: null,
  };
}

function rig(rounds: ContainerStats[][], hostCpu: number[]) {
  let round = -1;
  let now = 1_000_000;
  const cri = { listContainerStats: async () => rounds[round] ?? [] } as unknown as CriClient;
  const host: HostReader = {
    cpuNs: async () => hostCpu[round] ?? 0,
    memory: async () => ({ total: 8e9, free: 2e9, available: 5e9, inactiveFile: 1e9 }),
  };
  const s = new StatsSampler(cri, { nodeName: 'n1', host, now: () => now });
  return {
    s,
    async next(advanceMs: number) {
      round++;
      now += advanceMs;
      await s.sample();
    },
  };
}

test('rates come from the last two samples: a container burning a quarter of a core reads 250m, the node its busy share', async () => {
  const t0 = 1_001_000 * 1e6;
  const r = rig([
    [stat('c1', 'web', 'app', 1e9, 5_000_000, 0, t0), stat('c2', 'web', 'side', 0, 1_000_000, 0, t0)],
    [stat('c1', 'web', 'app', 1e9 + 2.5e9, 6_000_000, 0, t0 + 10e9), stat('c2', 'web', 'side', 1e8, 1_000_000, 0, t0 + 10e9)],
  ], [100e9, 100e9 + 15e9]);
  await r.next(1000);
  const first = r.s.summary();
  assert.equal(first.pods.length, 0, 'one sample: no rate yet, no pod reported');
  assert.equal(first.node.cpu?.usageNanoCores, undefined);
  assert.equal(first.node.memory?.workingSetBytes, 8e9 - 2e9 - 1e9);
  await r.next(10_000);
  const sum = r.s.summary();
  assert.equal(sum.windowSeconds, 10);
  assert.equal(sum.node.cpu?.usageNanoCores, 1.5e9, '15 s of CPU over 10 s: 1.5 cores');
  const [pod] = sum.pods;
  assert.deepEqual(pod?.podRef, { name: 'web', namespace: 'default', uid: 'uid-web' });
  assert.deepEqual(pod?.containers.map((c) => [c.name, c.cpu?.usageNanoCores, c.memory?.workingSetBytes]), [['app', 250_000_000, 6_000_000], ['side', 10_000_000, 1_000_000]]);
  assert.equal(pod?.cpu?.usageNanoCores, 260_000_000);
  assert.equal(pod?.memory?.workingSetBytes, 7_000_000);
});

test('a restarted container reports its new attempt only, and containers gone from the runtime are forgotten', async () => {
  const r = rig([
    [stat('old', 'web', 'app', 5e9, 1, 0, 1e9), stat('x', 'gone', 'app', 0, 1, 0, 1e9)],
    [stat('old', 'web', 'app', 5e9, 1, 0, 11e9), stat('new', 'web', 'app', 0, 2, 1, 1e9), stat('x', 'gone', 'app', 1e9, 1, 0, 11e9)],
    [stat('new', 'web', 'app', 1e9, 3, 1, 11e9)],
  ], [0, 0, 0]);
  await r.next(1000);
  await r.next(10_000);
  // the new attempt has only one sample: the pod is left out rather than reported with the dead attempt's numbers
  assert.deepEqual(r.s.summary().pods.map((p) => p.podRef.name), ['gone']);
  await r.next(10_000);
  const sum = r.s.summary();
  assert.deepEqual(sum.pods.map((p) => [p.podRef.name, p.containers[0]?.cpu?.usageNanoCores, p.containers[0]?.memory?.workingSetBytes]), [['web', 100_000_000, 3]]);
});

test('a runtime that fails a sample leaves the last summary in place', async () => {
  let fail = false;
  let n = 0;
  const cri = {
    listContainerStats: async () => {
      if (fail) throw new Error('connection refused');
      n++;
      return [stat('c1', 'web', 'app', n * 1e9, 1, 0, n * 10e9)];
    },
  } as unknown as CriClient;
  const host: HostReader = { cpuNs: async () => 0, memory: async () => ({ total: 1, free: 0, available: 0, inactiveFile: 0 }) };
  const s = new StatsSampler(cri, { nodeName: 'n1', host });
  await s.sample();
  await s.sample();
  const before = s.summary();
  fail = true;
  await s.sample();
  assert.deepEqual(s.summary().pods, before.pods);
  assert.equal(before.pods[0]?.cpu?.usageNanoCores, 100_000_000);
});
