// Service address allocation on a real etcd: cluster IPs taken (one record created only if absent, per IP) by 1 and by
// 16 concurrent clients, beside raw etcd creates of records of the same size in the same run (the ceiling), then
// released. The allocator runs in this process against etcd directly (no API server), so the figure is the
// allocation's own cost, which every Service create pays on top of its object's write.
// BENCH_ALLOCATIONS=N per row (default 2000).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { ServiceAllocator } from '../apiserver/registry/allocator/service.js';
import { EtcdStorage } from '../apiserver/storage/etcd.js';
import type { KubeObject } from '../lib/api/types.js';
import { Etcd } from '../e2e/harness.js';

const N = Number(process.env.BENCH_ALLOCATIONS ?? '2000');

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;

async function rate(label: string, clients: number, one: (i: number) => Promise<void>): Promise<void> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = next++; i < N; i = next++) {
      const s = performance.now();
      await one(i);
      lat.push(performance.now() - s);
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(46)} ${String(Math.round(N / secs)).padStart(6)}/s   p50 ${pct(lat, 0.5).toFixed(1)} ms   p99 ${pct(lat, 0.99).toFixed(1)} ms`);
}

const svc = (i: number, run: string): KubeObject => ({ metadata: { name: `s${i}`, namespace: 'bench', uid: `${run}-${i}` }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } });

const dir = mkdtempSync(join(tmpdir(), 'bench-alloc-'));
const etcd = await Etcd.start(dir);
const storage = new EtcdStorage([etcd.endpoint]);
try {
  console.log(`service allocation on etcd: ${N} per row; ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.versions.node}, load ${loadavg()[0]?.toFixed(2)}`);
  const alloc = new ServiceAllocator({ storage });
  for (const clients of [1, 16]) {
    const run = `c${clients}`;
    const held: KubeObject[] = [];
    await rate(`raw etcd creates, ${clients} client(s)`, clients, async (i) => {
      await storage.create(`/bench/raw/${run}/${i}`, { apiVersion: 'flotilla.dev/v1', kind: 'Allocation', metadata: { name: `10.96.0.${i}` }, parentRef: { uid: `${run}-${i}` } });
    });
    await rate(`cluster IPs allocated, ${clients} client(s)`, clients, async (i) => {
      const s = svc(i, run);
      await alloc.allocate(s, undefined, false);
      held[i] = s;
    });
    if (new Set(held.map((s) => s.spec.clusterIP)).size !== N) throw new Error('duplicate cluster IPs');
    await rate(`cluster IPs released, ${clients} client(s)`, clients, (i) => alloc.release(held[i] as KubeObject));
  }
} finally {
  storage.close();
  await etcd.stop();
  rmSync(dir, { recursive: true, force: true });
}
