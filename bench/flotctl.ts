// flotctl beside the real kubectl, in the same run on the same cluster (etcd + API server in a temp dir): wall time
// of `get pods` with BENCH_CTL_PODS pods (default 100) and of `apply -f` on a folder of BENCH_CTL_OBJECTS objects
// (default 20; every run changes one annotation of each, so every run patches them all). Median and spread of
// BENCH_CTL_RUNS runs (default 10), the two tools taking turns; one untimed warm-up each (kubectl fills its discovery
// cache, Node its compile cache).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { FLOTCTL, KUBECTL, TestCluster } from '../e2e/harness.js';

const PODS = Number(process.env.BENCH_CTL_PODS ?? '100');
const OBJECTS = Number(process.env.BENCH_CTL_OBJECTS ?? '20');
const RUNS = Number(process.env.BENCH_CTL_RUNS ?? '10');

type Tool = 'kubectl' | 'flotctl';

function run(c: TestCluster, tool: Tool, args: string[]): number {
  const [cmd, pre] = tool === 'kubectl' ? [KUBECTL, []] : [process.execPath, [FLOTCTL]];
  const t = performance.now();
  const r = spawnSync(cmd, [...pre, ...args], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig } });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const line = (name: string, xs: number[]) => `${name.padEnd(8)} median ${median(xs).toFixed(0).padStart(4)} ms   min ${Math.min(...xs).toFixed(0).padStart(4)} ms   max ${Math.max(...xs).toFixed(0).padStart(4)} ms`;

function manifests(dir: string, ns: string, round: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < OBJECTS; i++) {
    const obj = i % 2
      ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: ns, annotations: { round: String(round) } }, data: { index: String(i) } }
      : {
          apiVersion: 'apps/v1', kind: 'Deployment',
          metadata: { name: `web-${i}`, namespace: ns, labels: { app: `web-${i}` }, annotations: { round: String(round) } },
          spec: { replicas: 0, selector: { matchLabels: { app: `web-${i}` } }, template: { metadata: { labels: { app: `web-${i}` } }, spec: { containers: [{ name: 'web', image: 'busybox', ports: [{ containerPort: 80 }] }] } } },
        };
    writeFileSync(join(dir, `${String(i).padStart(2, '0')}.json`), JSON.stringify(obj));
  }
}

async function main(): Promise<void> {
  const c = await TestCluster.start();
  try {
    for (let i = 0; i < PODS; i += 20) {
      await Promise.all(Array.from({ length: Math.min(20, PODS - i) }, (_, j) => c.request('POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i + j}`, labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] },
      })));
    }
    const tools: Tool[] = ['kubectl', 'flotctl'];
    const get: Record<Tool, number[]> = { kubectl: [], flotctl: [] };
    const apply: Record<Tool, number[]> = { kubectl: [], flotctl: [] };
    for (const tool of tools) {
      c.ok(['create', 'namespace', `bench-${tool}`]);
      run(c, tool, ['get', 'pods']);
      manifests(join(c.dir, tool), `bench-${tool}`, 0);
      run(c, tool, ['apply', '-f', join(c.dir, tool)]);
    }
    for (let r = 1; r <= RUNS; r++) {
      for (const tool of r % 2 ? tools : [...tools].reverse()) {
        get[tool].push(run(c, tool, ['get', 'pods']));
        manifests(join(c.dir, tool), `bench-${tool}`, r);
        apply[tool].push(run(c, tool, ['apply', '-f', join(c.dir, tool)]));
      }
    }
    // The floor under any Node.js CLI on this machine: starting Node and doing nothing.
    const bare: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      bare.push(performance.now() - t);
    }
    const kv = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' }).stdout.split('\n')[0];
    console.log(`flotctl vs kubectl: ${RUNS} runs each, taking turns; ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${kv}`);
    console.log(`get pods (${PODS} pods, table output)`);
    for (const t of tools) console.log(`  ${line(t, get[t])}`);
    console.log(`  flotctl/kubectl: ${(median(get.flotctl) / median(get.kubectl)).toFixed(2)}x   (node -e 0 alone: median ${median(bare).toFixed(0)} ms)`);
    console.log(`apply -f (${OBJECTS} objects, each one patched)`);
    for (const t of tools) console.log(`  ${line(t, apply[t])}`);
    console.log(`  flotctl/kubectl: ${(median(apply.flotctl) / median(apply.kubectl)).toFixed(2)}x`);
  } finally {
    await c.stop();
  }
}

await main();
