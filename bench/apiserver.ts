// npm run bench (API server part): create throughput and latency at 1, 16 and 64 concurrent clients beside raw etcd
// puts of the same bytes through the same etcd3 client, gets/lists served from the watch cache, and how fast one
// change reaches 1,000 open watches. Everything runs on this machine in one script; conditions are printed.
import { Agent, request } from 'node:https';
import { cpus, totalmem } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { ApiServerProcess, Etcd, credentialsOf, freePort } from '../e2e/harness.js';

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? '5') * 1000;
const WATCHERS = Number(process.env.BENCH_WATCHERS ?? '1000');
const VALUE = 'x'.repeat(1400); // with the envelope, a ~1.6 KB object as in ENVIRONMENT.md's etcd figure

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

interface Result {
  ops: number;
  seconds: number;
  p50: number;
  p99: number;
}

async function run(concurrency: number, op: (i: number) => Promise<void>): Promise<Result> {
  const lat: number[] = [];
  let i = 0;
  const start = performance.now();
  const end = start + DURATION_MS;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      await op(i++);
      lat.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  return { ops: lat.length, seconds, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

const fmt = (r: Result) => `${(r.ops / r.seconds).toFixed(0).padStart(7)} ops/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms`;

function http(agent: Agent, port: number, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-'));
  const etcd = await Etcd.start(dir);
  const api = new ApiServerProcess(dir, await freePort(), etcd.endpoint, ['--watch-bookmark-interval', '3600']);
  await api.start();
  const port = Number(new URL(api.url).port);
  // as users reach it: HTTPS, authenticated by the admin's client certificate from the kubeconfig the server wrote
  const creds = await credentialsOf(api.kubeconfig);
  const agent = new Agent({ keepAlive: true, maxSockets: 2000, ca: creds.ca, cert: creds.cert, key: creds.key });
  const raw = new Etcd3({ hosts: etcd.endpoint });
  try {
    console.log(`# Flotilla API server benchmark\n# machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; etcd, API server and this load generator share the machine; HTTPS (TLS 1.3, client certificates, keep-alive); ${DURATION_MS / 1000} s per row\n`);
    const body = (ns: string, name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { bench: 'yes' } }, data: { v: VALUE } });
    console.log('## creates (ConfigMap, ~1.6 KB) vs raw etcd puts of the same bytes');
    for (const conc of [1, 16, 64]) {
      const rawRes = await run(conc, async (i) => {
        await raw.put(`/bench/raw-${conc}-${i}`).value(body('default', `raw-${i}`));
      });
      const apiRes = await run(conc, async (i) => {
        const r = await http(agent, port, 'POST', '/api/v1/namespaces/default/configmaps', body('default', `c${conc}-${i}`));
        if (r.status !== 201) throw new Error(`create answered ${r.status}: ${r.body}`);
      });
      const ratio = (apiRes.ops / apiRes.seconds) / (rawRes.ops / rawRes.seconds);
      console.log(`clients ${String(conc).padStart(2)}  raw etcd put ${fmt(rawRes)}\n            API create   ${fmt(apiRes)}   = ${(ratio * 100).toFixed(0)}% of raw`);
    }
    console.log('\n## reads served from the watch cache (resourceVersion unset: consistent reads)');
    for (const conc of [16, 64]) {
      const g = await run(conc, async (i) => {
        const r = await http(agent, port, 'GET', `/api/v1/namespaces/default/configmaps/c1-${i % 50}`);
        if (r.status !== 200) throw new Error(`get answered ${r.status}`);
      });
      console.log(`clients ${String(conc).padStart(2)}  GET one object       ${fmt(g)}`);
    }
    await Promise.all(Array.from({ length: 100 }, (_, i) => http(agent, port, 'POST', '/api/v1/namespaces/kube-public/configmaps', body('kube-public', `l-${i}`))));
    for (const conc of [16, 64]) {
      const l = await run(conc, async () => {
        const r = await http(agent, port, 'GET', '/api/v1/namespaces/kube-public/configmaps?resourceVersion=0');
        if (r.status !== 200) throw new Error(`list answered ${r.status}`);
      });
      console.log(`clients ${String(conc).padStart(2)}  LIST 100 objects     ${fmt(l)}`);
    }
    console.log(`\n## one change reaching ${WATCHERS} open watches`);
    const cur = JSON.parse((await http(agent, port, 'GET', '/api/v1/namespaces/kube-node-lease/configmaps')).body).metadata.resourceVersion as string;
    const waiting = new Map<string, Array<(t: number) => void>>();
    let ready = 0;
    const sockets = await Promise.all(Array.from({ length: WATCHERS }, () => new Promise<import('node:http').ClientRequest>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: `/api/v1/namespaces/kube-node-lease/configmaps?watch=true&resourceVersion=${cur}`, agent }, (res) => {
        ready++;
        let buf = '';
        res.on('data', (c: Buffer) => {
          const t = performance.now();
          buf += c.toString();
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const ev = JSON.parse(buf.slice(0, i));
            buf = buf.slice(i + 1);
            const name = ev.object?.metadata?.name as string;
            const w = waiting.get(name);
            w?.shift()?.(t);
          }
        });
        resolve(req);
      });
      req.end();
    })));
    while (ready < WATCHERS) await new Promise((r) => setTimeout(r, 50));
    const delays: number[] = [];
    for (let round = 0; round < 10; round++) {
      const name = `fan-${round}`;
      const arrivals: Promise<number>[] = [];
      const resolvers: Array<(t: number) => void> = [];
      for (let i = 0; i < WATCHERS; i++) arrivals.push(new Promise((r) => resolvers.push(r)));
      waiting.set(name, resolvers);
      const t0 = performance.now();
      await http(agent, port, 'POST', '/api/v1/namespaces/kube-node-lease/configmaps', body('kube-node-lease', name));
      for (const t of await Promise.all(arrivals)) delays.push(t - t0);
    }
    delays.sort((a, b) => a - b);
    console.log(`${WATCHERS} watches x 10 changes: write-to-delivery p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms, max ${(delays[delays.length - 1] ?? 0).toFixed(1)} ms`);
    for (const s of sockets) s.destroy();
  } finally {
    raw.close();
    agent.destroy();
    await api.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
