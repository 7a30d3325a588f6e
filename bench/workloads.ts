// Controllers + scheduler benchmark: N hollow nodes, one Deployment scaled from 0 to P replicas. Measures seconds
// until every pod is bound and until every pod reports Running, pods/s end to end, the scheduler's per-pod latency
// (pod seen created → pod seen bound, both through one watch), CPU seconds and peak RSS of each process, and raw
// etcd puts/s measured in the same run as the baseline.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { ApiServerProcess, ComponentProcess, Etcd, apiFetch, freePort, waitFor, watchEvents } from '../e2e/harness.js';

const NODES = Number(process.env.BENCH_NODES ?? '1000');
const PODS = Number(process.env.BENCH_PODS ?? '10000');
const CLK_TCK = 100;

function usage(pid: number | undefined): { cpu: number; rssMiB: number } {
  if (!pid) return { cpu: NaN, rssMiB: NaN };
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime + stime
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpu, rssMiB: hwm ? Number(hwm[1]) / 1024 : NaN };
  } catch {
    return { cpu: NaN, rssMiB: NaN };
  }
}

const pct = (xs: number[], p: number) => (xs.length ? (xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] as number) : NaN);

async function rawPuts(endpoint: string, seconds: number): Promise<number> {
  const raw = new Etcd3({ hosts: endpoint });
  const value = 'x'.repeat(2500); // about one pod object
  let n = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (performance.now() < end) await raw.put(`/bench/raw-${n++}`).value(value);
  }));
  raw.close();
  return n / seconds;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-'));
  const etcd = await Etcd.start(dir);
  const api = new ApiServerProcess(dir, await freePort(), etcd.endpoint, ['--watch-bookmark-interval', '3600']);
  const procs: Record<string, ComponentProcess> = {};
  try {
    await api.start();
    const kc = api.kubeconfig;
    const env = { FLOTILLA_LOG_LEVEL: 'warn' };
    Object.assign(process.env, env);
    procs['hollow-nodes'] = new ComponentProcess(dir, 'hollow', ['hollow-nodes', '--kubeconfig', kc, '--count', String(NODES)]);
    procs['controller-manager'] = new ComponentProcess(dir, 'cm', ['controller-manager', '--kubeconfig', kc, '--leader-elect=false']);
    procs['scheduler'] = new ComponentProcess(dir, 'sched', ['scheduler', '--kubeconfig', kc, '--leader-elect=false']);
    for (const p of Object.values(procs)) p.start();
    const get = async (path: string) => (await apiFetch(api.url + path)).json() as Promise<{ items: unknown[]; metadata: { resourceVersion: string } }>;
    await waitFor(`${NODES} nodes`, async () => (await get('/api/v1/nodes')).items.length === NODES, 300_000, 1000);
    const baseline = await rawPuts(etcd.endpoint, 5);

    console.log(`# Workloads benchmark: ${NODES} hollow nodes, one Deployment scaled 0 -> ${PODS}`);
    console.log(`# machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; etcd, API server, controller-manager, scheduler, hollow nodes and this watcher share the machine\n`);
    const before = Object.fromEntries([['etcd', etcd.proc?.pid], ['apiserver', api.proc?.pid], ...Object.entries(procs).map(([k, p]) => [k, p.proc?.pid])].map(([k, pid]) => [k, usage(pid as number)]));

    const created = new Map<string, number>();
    const bound: number[] = [];
    let running = 0;
    // under the nodes' registration load a consistent list can time out (504): retry until one answers
    const start = await waitFor('a pod list', async () => {
      const l = await get('/api/v1/namespaces/default/pods?limit=1');
      return l.metadata?.resourceVersion ? l : undefined;
    }, 60_000, 200);
    const abort = new AbortController();
    let allBound = 0;
    let allRunning = 0;
    const t0 = performance.now();
    const seenRunning = new Set<string>();
    let watchError: Error | undefined;
    const watching = (async () => {
      for await (const ev of watchEvents(`${api.url}/api/v1/namespaces/default/pods?watch=true&resourceVersion=${start.metadata.resourceVersion}`, abort.signal)) {
        if (ev.type === 'ERROR') throw new Error(`watch error: ${JSON.stringify(ev.object)}`);
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
        const now = performance.now();
        const uid = ev.object.metadata.uid as string;
        if (!created.has(uid)) created.set(uid, now);
        if (ev.object.spec.nodeName && created.get(uid) !== -1) {
          bound.push(now - (created.get(uid) as number));
          created.set(uid, -1);
          if (bound.length === PODS) allBound = now - t0;
        }
        if (ev.object.status?.phase === 'Running' && !seenRunning.has(uid)) {
          seenRunning.add(uid);
          running++;
          if (running === PODS) allRunning = now - t0;
        }
        if (allRunning) return;
      }
    })().catch((e) => {
      if (!abort.signal.aborted) watchError = e as Error;
    });
    await apiFetch(`${api.url}/apis/apps/v1/namespaces/default/deployments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bench' }, spec: { replicas: 0, selector: { matchLabels: { app: 'bench' } }, template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'registry.example/bench:1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } } } }),
    });
    await apiFetch(`${api.url}/apis/apps/v1/namespaces/default/deployments/bench/scale`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { replicas: PODS } }) });
    const deadline = Date.now() + 900_000;
    while (!allRunning) {
      if (watchError) throw watchError;
      if (Date.now() > deadline) throw new Error(`timed out: ${bound.length} bound, ${running} running`);
      await new Promise((r) => setTimeout(r, 500));
    }
    abort.abort();
    await watching;
    const after = Object.fromEntries([['etcd', etcd.proc?.pid], ['apiserver', api.proc?.pid], ...Object.entries(procs).map(([k, p]) => [k, p.proc?.pid])].map(([k, pid]) => [k, usage(pid as number)]));
    bound.sort((a, b) => a - b);
    console.log(`all ${PODS} pods bound    ${(allBound / 1000).toFixed(1)} s   = ${(PODS / (allBound / 1000)).toFixed(0)} pods/s bound end to end (target >= 1,000)`);
    console.log(`all ${PODS} pods Running  ${(allRunning / 1000).toFixed(1)} s   = ${(PODS / (allRunning / 1000)).toFixed(0)} pods/s`);
    console.log(`created -> bound per pod  p50 ${(pct(bound, 50) / 1000).toFixed(2)} s   p99 ${(pct(bound, 99) / 1000).toFixed(2)} s   (includes queueing behind the other pods)`);
    console.log(`raw etcd puts (~2.5 KB, 64 clients), same run: ${baseline.toFixed(0)}/s`);
    console.log('\nprocess              CPU s during scale-up   peak RSS MiB');
    for (const k of Object.keys(after)) console.log(`${k.padEnd(20)} ${((after[k]?.cpu ?? NaN) - (before[k]?.cpu ?? NaN)).toFixed(1).padStart(10)}   ${(after[k]?.rssMiB ?? NaN).toFixed(0).padStart(18)}`);
  } finally {
    for (const p of Object.values(procs)) await p.stop();
    await api.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
