// Node-local DNS benchmark: the DNS server in a process of its own (one Node thread: one core at most) on loopback,
// with 1,000 Services (x10 endpoints, plus 100 headless) in its model; one client process (this one) keeps a fixed
// number of UDP queries in flight for a few seconds and measures answers per second and latency. Three mixes: A
// queries for Service names (hits), names a pod's search path tries first (NXDOMAIN), and SRV for named ports.
// BENCH_SERVICES=N (default 1000), BENCH_SECONDS=N per mix (default 5), BENCH_INFLIGHT=N (default 64).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { encodeQuery } from '../node-agent/network/testing/dns-client.js';
import { endpoints, service } from '../node-agent/network/testing/fixtures.js';
import type { EndpointModel, ServiceModel } from '../node-agent/network/model.js';
import { freePort } from '../node-agent/runtime/proc.js';

const SERVICES = Number(process.env.BENCH_SERVICES ?? '1000');
const SECONDS = Number(process.env.BENCH_SECONDS ?? '5');
const INFLIGHT = Number(process.env.BENCH_INFLIGHT ?? '64');
const HELPER = new URL('../node-agent/network/testing/dns-helper.js', import.meta.url);

const pct = (xs: Float64Array, p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function startServer(dir: string, port: number): Promise<ChildProcess> {
  const services: ServiceModel[] = [];
  const eps: EndpointModel[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const ns = `ns-${i % 20}`;
    const headless = i % 10 === 0;
    services.push(service(`svc-${i}`, headless ? 'None' : `10.96.${1 + (i >> 8)}.${i & 255}`, { namespace: ns }));
    eps.push(...endpoints(`svc-${i}`, Array.from({ length: 10 }, (_, j) => `10.244.${(i * 10 + j) >> 8}.${(i * 10 + j) & 255}`), { namespace: ns }));
  }
  const file = join(dir, 'model.json');
  writeFileSync(file, JSON.stringify({ options: { listen: [{ address: '127.0.0.1', port }], upstreams: [] }, model: { services, endpoints: eps, pods: [] } }));
  const p = spawn(process.execPath, [HELPER.pathname, `@${file}`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: p.stdout as NodeJS.ReadableStream }).once('line', resolve);
    p.once('exit', (c) => reject(new Error(`DNS server exited ${c}`)));
  });
  if (line !== 'ready') throw new Error(`DNS server: ${line}`);
  return p;
}

interface MixResult {
  answered: number;
  seconds: number;
  latencies: Float64Array;
  rcodes: Map<number, number>;
  serverCpu: number;
}

/** Keeps INFLIGHT queries outstanding for SECONDS; each answer sends the next query. */
async function load(port: number, names: { name: string; type: string }[], serverPid: number): Promise<MixResult> {
  const queries = names.map((n) => encodeQuery(n.name, n.type));
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  sock.connect(port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  const sentAt = new Float64Array(65536);
  const latencies: number[] = [];
  const rcodes = new Map<number, number>();
  let nextId = 0;
  let running = true;
  let answered = 0;
  const send = () => {
    const q = queries[Math.floor(Math.random() * queries.length)] as Buffer;
    const id = nextId++ & 0xffff;
    q.writeUInt16BE(id, 0);
    sentAt[id] = performance.now();
    sock.send(q);
  };
  sock.on('message', (m) => {
    const now = performance.now();
    if (!running) return;
    latencies.push(now - (sentAt[m.readUInt16BE(0)] as number));
    const rc = (m[3] as number) & 0x0f;
    rcodes.set(rc, (rcodes.get(rc) ?? 0) + 1);
    answered++;
    send();
  });
  // Lost datagrams would shrink the window: top it up every 50 ms.
  const topUp = setInterval(() => {
    const outstanding = nextId - answered;
    for (let i = outstanding; i < INFLIGHT; i++) send();
  }, 50);
  for (let i = 0; i < INFLIGHT; i++) send();
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  latencies.length = 0;
  rcodes.clear();
  answered = 0;
  nextId = 0;
  const cpu0 = cpuSeconds(serverPid);
  const t0 = performance.now();
  for (let i = 0; i < INFLIGHT; i++) send();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  running = false;
  const seconds = (performance.now() - t0) / 1000;
  const serverCpu = cpuSeconds(serverPid) - cpu0;
  clearInterval(topUp);
  sock.close();
  return { answered, seconds, latencies: Float64Array.from(latencies).sort(), rcodes, serverCpu };
}

async function main(): Promise<void> {
  const cpu = cpus();
  console.log('Node-local cluster DNS (bench/dns.ts)');
  console.log(`  machine: ${cpu[0]?.model ?? '?'} x${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, node ${process.version}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`  server: its own process (one thread) on 127.0.0.1, ${SERVICES} Services (every 10th headless) x 10 endpoints; client: this process, UDP, ${INFLIGHT} queries in flight, ${SECONDS} s per mix after 1 s of warm-up`);
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-dns-'));
  const port = await freePort();
  const server = await startServer(dir, port);
  try {
    const hit = Array.from({ length: SERVICES }, (_, i) => ({ name: `svc-${i}.ns-${i % 20}.svc.cluster.local`, type: 'A' }));
    // ndots:5: a pod asking for "svc-7.ns-7" first tries it under its own namespace's search domain.
    const miss = Array.from({ length: SERVICES }, (_, i) => ({ name: `svc-${i}.ns-${i % 20}.ns-3.svc.cluster.local`, type: 'A' }));
    const srv = Array.from({ length: SERVICES }, (_, i) => ({ name: `_http._tcp.svc-${i}.ns-${i % 20}.svc.cluster.local`, type: 'SRV' }));
    for (const [label, names] of [['A, Service names (hits)', hit], ['A, search-path misses (NXDOMAIN)', miss], ['SRV, named ports', srv]] as const) {
      const r = await load(port, [...names], server.pid as number);
      const qps = r.answered / r.seconds;
      const codes = [...r.rcodes].map(([c, n]) => `${['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN'][c] ?? c}:${n}`).join(' ');
      console.log(`  ${label.padEnd(36)} ${qps.toFixed(0).padStart(7)} queries/s   p50 ${pct(r.latencies, 0.5).toFixed(2)} ms   p99 ${pct(r.latencies, 0.99).toFixed(2)} ms   server CPU ${(r.serverCpu / r.seconds * 100).toFixed(0)}% of a core   (${codes})`);
    }
  } finally {
    server.stdin?.end();
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
