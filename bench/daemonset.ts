// DaemonSet benchmark: N hollow nodes (1,000 by default, BENCH_NODES), one DaemonSet created (N pods placed, bound
// and Running), then its image changed with maxUnavailable 10% (every pod replaced). Prints seconds until every node
// has an available pod of the new revision (read from the DaemonSet's status), and the CPU seconds of each process
// (the controller-manager's above all) during each phase.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { ApiServerProcess, ComponentProcess, Etcd, apiFetch, freePort, waitFor } from '../e2e/harness.js';

const NODES = Number(process.env.BENCH_NODES ?? '1000');
const CLK_TCK = 100;

function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

interface Status {
  desiredNumberScheduled?: number; currentNumberScheduled?: number; updatedNumberScheduled?: number; numberAvailable?: number; observedGeneration?: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-'));
  const etcd = await Etcd.start(dir);
  const api = new ApiServerProcess(dir, await freePort(), etcd.endpoint, ['--watch-bookmark-interval', '3600']);
  const procs: Record<string, ComponentProcess> = {};
  let stopped: Promise<void> | undefined;
  const stopAll = (): Promise<void> => (stopped ??= (async () => {
    for (const p of Object.values(procs)) await p.stop();
    await api.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  })());
  try {
    await api.start();
    const kc = api.kubeconfig;
    process.env.FLOTILLA_LOG_LEVEL = 'warn';
    procs['hollow-nodes'] = new ComponentProcess(dir, 'hollow', ['hollow-nodes', '--kubeconfig', kc, '--count', String(NODES)]);
    procs['controller-manager'] = new ComponentProcess(dir, 'cm', ['controller-manager', '--kubeconfig', kc, '--leader-elect=false']);
    procs['scheduler'] = new ComponentProcess(dir, 'sched', ['scheduler', '--kubeconfig', kc, '--leader-elect=false']);
    for (const p of Object.values(procs)) p.start();
    type Got = { items: unknown[]; metadata: { generation?: number }; status?: Status };
    const get = async (path: string) => (await apiFetch(api.url + path)).json() as Promise<Got>;
    await waitFor(`${NODES} nodes`, async () => (await get('/api/v1/nodes')).items?.length === NODES, 300_000, 1000);
    // SIGTERM/SIGINT still stop every process started here
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void stopAll().then(() => process.exit(130)));
    const pids = (): Record<string, number | undefined> => ({
      etcd: etcd.proc?.pid, apiserver: api.proc?.pid, ...Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, p.proc?.pid])),
    });
    const cpu = (): Record<string, number> => Object.fromEntries(Object.entries(pids()).map(([k, pid]) => [k, cpuSeconds(pid)]));
    const dsPath = '/apis/apps/v1/namespaces/default/daemonsets';
    // the nodes the DaemonSet wants: on a loaded machine some hollow nodes miss heartbeats, turn Unknown and are
    // tainted unreachable:NoSchedule, which daemon pods don't tolerate; the figure says how many were wanted
    let desired = 0;
    const done = (image: string) => async () => {
      const ds = await get(`${dsPath}/bench`);
      const s = ds.status ?? {};
      desired = s.desiredNumberScheduled ?? 0;
      const all = desired > 0 && s.updatedNumberScheduled === desired && s.numberAvailable === desired && s.currentNumberScheduled === desired;
      return s.observedGeneration === ds.metadata.generation && all ? image : undefined;
    };

    console.log(`# DaemonSet benchmark: ${NODES} hollow nodes, one DaemonSet created, then rolled to a new image (maxUnavailable 10%)`);
    console.log(`# machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; etcd, API server, controller-manager, scheduler and hollow nodes share the machine\n`);
    const rows: Array<[string, number, Record<string, number>]> = [];
    const phase = async (what: string, act: () => Promise<unknown>, image: string): Promise<void> => {
      const before = cpu();
      const t0 = performance.now();
      await act();
      await waitFor(what, done(image), 1_800_000, 250);
      const secs = (performance.now() - t0) / 1000;
      const after = cpu();
      rows.push([`${what} (${desired} nodes)`, secs, Object.fromEntries(Object.keys(after).map((k) => [k, (after[k] ?? NaN) - (before[k] ?? NaN)]))]);
    };
    const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'bench' }, spec: { selector: { matchLabels: { app: 'bench' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'registry.example/bench:1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } } } };
    await phase('daemon pods available', () => apiFetch(api.url + dsPath, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ds) }), 'registry.example/bench:1');
    await phase('daemon pods rolled to a new image', () => apiFetch(`${api.url}${dsPath}/bench`, { method: 'PATCH', headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
      body: JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'c', image: 'registry.example/bench:2' }] } } } }) }), 'registry.example/bench:2');
    const names = Object.keys(rows[0]?.[2] ?? {});
    console.log(`phase${' '.repeat(40)}seconds  ${names.map((n) => ` ${n} CPU s`.padStart(26)).join('')}`);
    for (const [what, secs, used] of rows) console.log(`${what.padEnd(45)}${secs.toFixed(1).padStart(7)}   ${names.map((n) => (used[n] ?? NaN).toFixed(1).padStart(26)).join('')}`);
  } finally {
    await stopAll();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
