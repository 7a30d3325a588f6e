// Node agent benchmark on real containers: a `flotilla up` cluster in a temp dir. Pod start latency (pod created →
// seen Running through a watch, image already on the node) for N pods created at once, beside the same CRI calls
// (pull, RunPodSandbox, CreateContainer, StartContainer) made directly on the same containerd in the same run; then
// the seconds for an N-replica Deployment to be all Running; then the agent's CPU and RSS at idle with N pods.
// Needs root. BENCH_PODS=N (default 30).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { CriClient } from '../node-agent/cri/client.js';
import { apiFetch, credentialsOf, freePort, useCredentials, waitFor } from '../e2e/harness.js';
import { flotilla, isRunning, processUsage, timesUntil } from './pod-timing.js';

const N = Number(process.env.BENCH_PODS ?? '30');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};
const fmt = (xs: number[]) => `p50 ${pct(xs, 0.5).toFixed(0).padStart(5)} ms   p99 ${pct(xs, 0.99).toFixed(0).padStart(5)} ms`;

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/pods needs root');
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-pods-'));
  const port = await freePort();
  const regPort = await freePort();
  const registry = `127.0.0.1:${regPort}`;
  const api = `https://127.0.0.1:${port}`;
  const image = `${registry}/flotilla/web:v1`;
  try {
    flotilla(['up', '--data-dir', dir, '--port', String(port), '--registry-port', String(regPort), '--node-agent-port', String(await freePort()), '--node-name', 'bench-node']);
    useCredentials(api, await credentialsOf(join(dir, 'kubeconfig')));
    const cri = new CriClient({ endpoint: join(dir, 'containerd/containerd.sock'), timeoutMs: 120_000 });
    await cri.pullImage(image);
    console.log(`# Pod start benchmark: ${N} pods at once on one real node (image already present)`);
    console.log(`# machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; etcd, API server, controllers, scheduler, node agent, containerd and this client share it\n`);

    // baseline: the same runtime work, straight through the CRI
    const direct = await Promise.all(Array.from({ length: N }, async (_, i) => {
      const t = performance.now();
      const cfg = { metadata: { name: `direct-${i}`, uid: `direct-${i}-uid`, namespace: 'bench' }, hostname: `direct-${i}`, logDirectory: join(dir, 'direct-logs', `d${i}`) };
      await cri.pullImage(image);
      const sid = await cri.runPodSandbox(cfg);
      const cid = await cri.createContainer(sid, { metadata: { name: 'web' }, image: { image }, envs: [{ key: 'POD_NAME', value: `direct-${i}` }], logPath: 'web/0.log' }, cfg);
      await cri.startContainer(cid);
      return performance.now() - t;
    }));
    for (const s of await cri.listPodSandbox()) if (s.metadata?.namespace === 'bench') {
      await cri.stopPodSandbox(s.id);
      await cri.removePodSandbox(s.id);
    }

    const pods = await timesUntil(api, 'bench=pods', N, isRunning, async () => {
      await Promise.all(Array.from({ length: N }, (_, i) => apiFetch(`${api}/api/v1/namespaces/default/pods`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `bench-${i}`, labels: { bench: 'pods' } }, spec: { containers: [{ name: 'web', image, env: [{ name: 'POD_NAME', value: `bench-${i}` }] }] } }),
      })));
    });
    console.log(`direct CRI (pull+sandbox+create+start), ${N} at once   ${fmt(direct)}`);
    console.log(`pod created -> Running (watch), ${N} at once          ${fmt(pods)}   = ${(pct(pods, 0.99) / pct(direct, 0.99)).toFixed(2)}x direct at p99 (targets: p99 <= 1000 ms and <= 1.5x)`);
    await apiFetch(`${api}/api/v1/namespaces/default/pods?labelSelector=bench%3Dpods`, { method: 'DELETE' });
    await waitFor('the bench pods to go', async () => ((await (await apiFetch(`${api}/api/v1/namespaces/default/pods`)).json()) as { items: unknown[] }).items.length === 0, 300_000, 500);

    const t0 = performance.now();
    await timesUntil(api, 'app=bench', N, isRunning, async () => {
      await apiFetch(`${api}/apis/apps/v1/namespaces/default/deployments`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bench' }, spec: { replicas: N, selector: { matchLabels: { app: 'bench' } }, template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'web', image }] } } } }),
      });
    });
    console.log(`${N}-replica Deployment, created -> all Running          ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const agent = Number(readFileSync(join(dir, 'run/node-agent.pid'), 'utf8'));
    await new Promise((r) => setTimeout(r, 5000));
    const a = processUsage(agent);
    await new Promise((r) => setTimeout(r, 10_000));
    const b = processUsage(agent);
    console.log(`node agent at idle with ${N} pods: ${(((b.cpu - a.cpu) / 10) * 100).toFixed(1)}% of one core, RSS ${b.rssMiB.toFixed(0)} MiB`);
    cri.close();
  } finally {
    flotilla(['down', '--data-dir', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
