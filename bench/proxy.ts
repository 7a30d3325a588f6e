// Service proxy benchmark on the real kernel, inside network namespaces made for it (nothing touches the host's
// tables): (1) computing and installing 1,000 Services x 10 endpoints in one nft transaction, then one endpoint
// change at that size, then a full replacement at that size; (2) TCP request latency (connect, answer, close) from a
// pod through a ClusterIP beside straight to the pod IP, in the same run, with 10 and with 1,000 Services programmed.
// Needs root. BENCH_SERVICES=N (default 1000), BENCH_ENDPOINTS=N (default 10), BENCH_REQUESTS=N per path (default 2000).
import { cpus, loadavg, release, totalmem } from 'node:os';
import { Lab } from '../node-agent/network/testing/lab.js';
import { Netns } from '../node-agent/network/testing/netns.js';
import { endpoints, model, service } from '../node-agent/network/testing/fixtures.js';
import { Proxier } from '../node-agent/network/proxy/proxier.js';
import type { EndpointModel, NetworkModel, ServiceModel } from '../node-agent/network/model.js';
import { run } from '../node-agent/runtime/proc.js';

const SERVICES = Number(process.env.BENCH_SERVICES ?? '1000');
const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? '10');
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? '2000');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;

/** `count` Services with `perService` endpoints each, none of them reachable (the addresses are never used). */
function bulk(count: number, perService: number): { services: ServiceModel[]; endpoints: EndpointModel[] } {
  const services: ServiceModel[] = [];
  const eps: EndpointModel[] = [];
  for (let i = 0; i < count; i++) {
    const name = `svc-${i}`;
    services.push(service(name, `10.96.${1 + (i >> 8)}.${i & 255}`, { namespace: `ns-${i % 20}` }));
    const ips = Array.from({ length: perService }, (_, j) => {
      const k = i * perService + j;
      return `10.244.${100 + (k >> 8)}.${k & 255}`;
    });
    eps.push(...endpoints(name, ips, { namespace: `ns-${i % 20}` }));
  }
  return { services, endpoints: eps };
}

async function programming(): Promise<void> {
  const ns = await Netns.create('bench-proxy');
  try {
    const proxier = new Proxier({ name: 'bench', runner: ns.run, families: [4] });
    const b = bulk(SERVICES, ENDPOINTS);
    const m = model(b);
    const first = await proxier.sync(m);
    const listed = await ns.ok('nft', ['list', 'table', 'ip', proxier.table]);
    const chains = (listed.match(/^\tchain /gm) ?? []).length;
    console.log(`\nProgramming ${SERVICES} Services x ${ENDPOINTS} endpoints (${SERVICES * ENDPOINTS} endpoint chains; ${chains} chains in the table):`);
    console.log(`  first sync, one transaction of ${first.nftLines} lines: compute ${ms(first.renderMs)}, nft apply ${ms(first.applyMs)}, total ${ms(first.renderMs + first.applyMs)}`);

    const change: number[] = [];
    const renderOnly: number[] = [];
    let lines = 0;
    for (let i = 0; i < 10; i++) {
      // One endpoint of one Service replaced by another address.
      const eps = [...b.endpoints];
      const k = (i * 97) % eps.length;
      eps[k] = { ...(eps[k] as EndpointModel), addresses: [`10.244.250.${i}`] };
      const r = await proxier.sync(model({ services: b.services, endpoints: eps }));
      change.push(r.renderMs + r.applyMs);
      renderOnly.push(r.renderMs);
      lines = r.nftLines;
    }
    console.log(`  one endpoint changed (x10): total p50 ${ms(pct(change, 0.5))}, max ${ms(Math.max(...change))} (compute p50 ${ms(pct(renderOnly, 0.5))}; transaction of ${lines} lines)`);

    // A full replacement at the same size (what a restart or a failed patch costs).
    const fresh = new Proxier({ name: 'bench', runner: ns.run, families: [4] });
    const full = await fresh.sync(m);
    console.log(`  full replacement of the table at that size: compute ${ms(full.renderMs)}, nft apply ${ms(full.applyMs)}`);
    const t = performance.now();
    await ns.ok('nft', ['list', 'table', 'ip', proxier.table]);
    console.log(`  (for scale: \`nft list table\` printing it all back takes ${ms(performance.now() - t)})`);
  } finally {
    await ns.destroy();
  }
}

async function latency(servicesProgrammed: number): Promise<{ cip: number[]; pod: number[] }> {
  const lab = await Lab.create();
  try {
    const server = await lab.addPod('server', 2);
    const client = await lab.addPod('client', 3);
    await lab.echo(server.ns, { name: 'server', tcp: [8080] });
    const proxier = new Proxier({ name: 'bench-latency', runner: lab.node.run, families: [4] });
    const b = bulk(servicesProgrammed - 1, ENDPOINTS);
    const m: NetworkModel = model({ services: [service('target', '10.96.0.10'), ...b.services], endpoints: [...endpoints('target', [server.ip]), ...b.endpoints] });
    await proxier.sync(m);
    const table = await lab.node.ok('nft', ['list', 'map', 'ip', proxier.table, 'service-ips']);
    if (!table.includes('10.96.0.10 . tcp . 80')) throw new Error('the ClusterIP is not programmed; not sending anything to it');
    const cip: number[] = [];
    const pod: number[] = [];
    // Alternate batches so that drift on a shared machine hits both paths alike.
    const batch = 250;
    await lab.probe(client.ns, { mode: 'tcp', host: '10.96.0.10', port: 80, count: 50 }); // warm up (ARP, JIT)
    await lab.probe(client.ns, { mode: 'tcp', host: server.ip, port: 8080, count: 50 });
    for (let done = 0; done < REQUESTS; done += batch) {
      const n = Math.min(batch, REQUESTS - done);
      const a = await lab.probe(client.ns, { mode: 'tcp', host: '10.96.0.10', port: 80, count: n });
      const d = await lab.probe(client.ns, { mode: 'tcp', host: server.ip, port: 8080, count: n });
      if (a.some((r) => !r.ok) || d.some((r) => !r.ok)) throw new Error('a request failed');
      cip.push(...a.map((r) => r.ms));
      pod.push(...d.map((r) => r.ms));
    }
    return { cip, pod };
  } finally {
    await lab.destroy();
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/proxy needs root (network namespaces, nftables)');
  const nft = (await run('nft', ['--version'])).stdout.trim();
  const cpu = cpus();
  console.log('Service proxy on nftables (bench/proxy.ts)');
  console.log(`  machine: ${cpu[0]?.model ?? '?'} x${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, ${nft}, node ${process.version}`);
  console.log(`  load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (other work on the machine shares its cores); everything runs in namespaces made for the benchmark`);
  await programming();

  console.log(`\nRequest latency from a pod (new TCP connection, 1-line answer, close; ${REQUESTS} per path, alternating batches):`);
  for (const n of [10, SERVICES]) {
    const { cip, pod } = await latency(n);
    const line = (what: string, xs: number[]) => `    ${what.padEnd(22)} mean ${ms(mean(xs)).padStart(8)}  p50 ${ms(pct(xs, 0.5)).padStart(8)}  p99 ${ms(pct(xs, 0.99)).padStart(8)}`;
    console.log(`  ${n} Services programmed (x${ENDPOINTS} endpoints):`);
    console.log(line('through the ClusterIP', cip));
    console.log(line('straight to the pod IP', pod));
    console.log(`    ClusterIP / pod IP (p50): ${(pct(cip, 0.5) / pct(pod, 0.5) * 100 - 100).toFixed(1)}%`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
