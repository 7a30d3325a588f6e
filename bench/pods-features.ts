// What pod features cost on a real node (a `flotilla up` cluster in a temp dir): a pod with a configMap volume, a
// secret volume, an init container and a readiness probe, created -> Ready as a watch sees it, beside the same
// pod's CRI calls made directly on the same containerd in the same run (files written, sandbox, init container run
// to completion, app container with the mounts, HTTP polled until it answers); then each feature alone over a
// plain pod (the overhead it adds); then the node agent's CPU at idle with N such pods probing every 10 s, and the
// pod status writes in that window (there should be none). Needs root. BENCH_PODS=N (default 30), BENCH_ROUNDS=R
// (default 5).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { CriClient } from '../node-agent/cri/client.js';
import { apiFetch, credentialsOf, freePort, useCredentials, waitFor, watchEvents } from '../e2e/harness.js';
import { flotilla, isReady, processUsage, timesUntil } from './pod-timing.js';

const N = Number(process.env.BENCH_PODS ?? '30');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '5');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

type Features = { configMap?: boolean; secret?: boolean; init?: boolean; readiness?: boolean };

function podSpec(name: string, image: string, tools: string, f: Features, periodSeconds: number, labels: Record<string, string>): Record<string, unknown> {
  const mounts = [...(f.configMap ? [{ name: 'cfg', mountPath: '/etc/cfg' }] : []), ...(f.secret ? [{ name: 'sec', mountPath: '/etc/sec' }] : [])];
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
    spec: {
      terminationGracePeriodSeconds: 2,
      ...(f.init ? { initContainers: [{ name: 'init', image: tools, command: ['true'] }] } : {}),
      containers: [{
        name: 'web', image, env: [{ name: 'POD_NAME', value: name }], volumeMounts: mounts,
        ...(f.readiness ? { readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds } } : {}),
      }],
      volumes: [...(f.configMap ? [{ name: 'cfg', configMap: { name: 'bench-cfg' } }] : []), ...(f.secret ? [{ name: 'sec', secret: { secretName: 'bench-sec' } }] : [])],
    },
  };
}

/** ms from "created" to Ready for each pod matching selector, as one watch sees them. */
async function deleteAll(api: string, selector: string): Promise<void> {
  await apiFetch(`${api}/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`, { method: 'DELETE' });
  await waitFor('the pods to go', async () => ((await (await apiFetch(`${api}/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).json()) as { items: unknown[] }).items.length === 0, 300_000, 200);
}

/** The same pod's runtime work, straight through the CRI: files, sandbox, init to completion, app, HTTP ready. */
async function directPod(cri: CriClient, dir: string, i: number, image: string, tools: string): Promise<number> {
  const t = performance.now();
  const files = join(dir, 'direct-files', String(i));
  mkdirSync(join(files, 'cfg'), { recursive: true });
  mkdirSync(join(files, 'sec'), { recursive: true });
  writeFileSync(join(files, 'cfg', 'app.conf'), 'color=blue\n');
  writeFileSync(join(files, 'sec', 'password'), 'hunter2');
  const cfg = { metadata: { name: `direct-${i}`, uid: `direct-${i}-uid`, namespace: 'bench', attempt: 0 }, hostname: `direct-${i}`, logDirectory: join(dir, 'direct-logs', `d${i}`) };
  await cri.pullImage(image);
  await cri.pullImage(tools);
  const sid = await cri.runPodSandbox(cfg);
  const ip = (await cri.podSandboxStatus(sid)).status?.network?.ip as string;
  const init = await cri.createContainer(sid, { metadata: { name: 'init' }, image: { image: tools }, command: ['true'], logPath: 'init/0.log' }, cfg);
  await cri.startContainer(init);
  await waitFor('the init container', async () => (await cri.containerStatus(init)).status?.state === 'CONTAINER_EXITED', 60_000, 20);
  const mounts = [{ containerPath: '/etc/cfg', hostPath: join(files, 'cfg'), readonly: true }, { containerPath: '/etc/sec', hostPath: join(files, 'sec'), readonly: true }];
  const cid = await cri.createContainer(sid, { metadata: { name: 'web' }, image: { image }, envs: [{ key: 'POD_NAME', value: `direct-${i}` }], mounts, logPath: 'web/0.log' }, cfg);
  await cri.startContainer(cid);
  await waitFor('HTTP', async () => (await fetch(`http://${ip}:8080/healthz`).catch(() => undefined))?.ok, 60_000, 20);
  return performance.now() - t;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/pods-features needs root');
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-features-'));
  const port = await freePort();
  const regPort = await freePort();
  const registry = `127.0.0.1:${regPort}`;
  const api = `https://127.0.0.1:${port}`;
  const image = `${registry}/flotilla/web:v1`;
  const tools = `${registry}/flotilla/tools:v1`;
  const post = (path: string, body: unknown) => apiFetch(`${api}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  try {
    flotilla(['up', '--data-dir', dir, '--port', String(port), '--registry-port', String(regPort), '--node-agent-port', String(await freePort()), '--node-name', 'bench-node']);
    useCredentials(api, await credentialsOf(join(dir, 'kubeconfig')));
    const cri = new CriClient({ endpoint: join(dir, 'containerd/containerd.sock'), timeoutMs: 120_000 });
    await cri.pullImage(image);
    await cri.pullImage(tools);
    await post('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bench-cfg' }, data: { 'app.conf': 'color=blue\n' } });
    await post('/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bench-sec' }, stringData: { password: 'hunter2' } });
    console.log(`# Pod features benchmark: one pod at a time, ${ROUNDS} rounds each, images already on the node; readiness probe httpGet /healthz every 1 s`);
    console.log(`# machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; etcd, API server, controllers, scheduler, node agent, containerd and this client share it`);
    console.log(`# load average at the start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (latencies mean little when it is well above the core count)\n`);

    const direct: number[] = [];
    for (let i = 0; i < ROUNDS; i++) direct.push(await directPod(cri, dir, i, image, tools));
    for (const s of await cri.listPodSandbox()) if (s.metadata?.namespace === 'bench') {
      await cri.stopPodSandbox(s.id);
      await cri.removePodSandbox(s.id);
    }

    const variants: Array<[string, Features]> = [
      ['plain pod', {}],
      ['+ configMap volume', { configMap: true }],
      ['+ secret volume (tmpfs)', { secret: true }],
      ['+ init container', { init: true }],
      ['+ readiness probe', { readiness: true }],
      ['all four', { configMap: true, secret: true, init: true, readiness: true }],
    ];
    const results = new Map<string, number>();
    let seq = 0;
    for (const [label, f] of variants) {
      const times: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const name = `f-${seq++}`;
        const [ms] = await timesUntil(api, `bench=${name}`, 1, isReady, async () => void (await post('/api/v1/namespaces/default/pods', podSpec(name, image, tools, f, 1, { bench: name }))));
        times.push(ms as number);
        await deleteAll(api, `bench=${name}`);
      }
      results.set(label, median(times));
    }
    const plain = results.get('plain pod') as number;
    console.log(`direct CRI calls of the same pod (files, sandbox, init, app, HTTP up)   median ${median(direct).toFixed(0).padStart(5)} ms`);
    for (const [label] of variants) {
      const ms = results.get(label) as number;
      const extra = label === 'plain pod' ? '' : `   (+${(ms - plain).toFixed(0)} ms over a plain pod)`;
      console.log(`${`pod created -> Ready, ${label}`.padEnd(72)} median ${ms.toFixed(0).padStart(5)} ms${extra}`);
    }
    console.log(`all four features vs the direct CRI calls: ${((results.get('all four') as number) / median(direct)).toFixed(2)}x (target <= 1.5x)\n`);

    // idle: N pods with every feature, probes every 10 s - beside the same N pods without the probe, for the
    // probes' own share
    const agent = Number(readFileSync(join(dir, 'run/node-agent.pid'), 'utf8'));
    const window = 60;
    const idle = async (label: string, readiness: boolean): Promise<number> => {
      await timesUntil(api, `bench=${label}`, N, isReady, async () => {
        await Promise.all(Array.from({ length: N }, (_, i) => post('/api/v1/namespaces/default/pods', podSpec(`${label}-${i}`, image, tools, { configMap: true, secret: true, init: true, readiness }, 10, { bench: label }))));
      });
      await new Promise((r) => setTimeout(r, 15_000));
      const list = (await (await apiFetch(`${api}/api/v1/namespaces/default/pods?labelSelector=bench%3D${label}`)).json()) as { metadata: { resourceVersion: string } };
      const abort = new AbortController();
      let writes = 0;
      const watching = (async () => {
        for await (const ev of watchEvents(`${api}/api/v1/namespaces/default/pods?watch=true&labelSelector=bench%3D${label}&resourceVersion=${list.metadata.resourceVersion}`, abort.signal)) if (ev.type === 'MODIFIED') writes++;
      })().catch(() => undefined);
      const a = processUsage(agent).cpu;
      await new Promise((r) => setTimeout(r, window * 1000));
      const pct = ((processUsage(agent).cpu - a) / window) * 100;
      abort.abort();
      await watching;
      const what = readiness ? `readiness every 10 s: ~${(N * window) / 10} probes in ${window} s` : 'no probes';
      console.log(`${`node agent at idle, ${N} pods (configMap, secret, init; ${what})`.padEnd(90)} ${pct.toFixed(2)}% of one core, ${writes} pod status writes`);
      await deleteAll(api, `bench=${label}`);
      return pct;
    };
    const without = await idle('quiet', false);
    const withProbes = await idle('probing', true);
    console.log(`# load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`the probes of ${N} pods: ${(withProbes - without).toFixed(2)}% of one core (target < 2%; the rest is the 1 s runtime relist, node status and lease)`);
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
