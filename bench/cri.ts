// Raw CRI timings on this machine, the floor under every pod start the node agent will do: PullImage of an image
// already on the node, RunPodSandbox (pause container + CNI ADD), CreateContainer+StartContainer of the web image,
// and StopPodSandbox+RemovePodSandbox. Pods one after another, then all at once. Needs root.
// Run: node dist/bench/cri.js   (BENCH_PODS=N to change the pod count; default 10)
import { cpus, totalmem, release } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CriClient, PodSandboxConfig } from '../node-agent/cri/client.js';
import { startNodeRuntime, type NodeRuntime } from '../node-agent/runtime/stack.js';
import { mountsUnder, removeCgroupTree } from '../node-agent/runtime/cleanup.js';
import { run } from '../node-agent/runtime/proc.js';

const PODS = Number(process.env.BENCH_PODS ?? '10');

type Phase = 'pull (cached)' | 'RunPodSandbox' | 'Create+Start' | 'Stop+Remove pod';

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const pick = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return `n=${String(s.length).padStart(3)}  mean ${mean.toFixed(1).padStart(6)} ms  p50 ${pick(0.5).toFixed(1).padStart(6)} ms  max ${(s[s.length - 1] ?? NaN).toFixed(1).padStart(6)} ms`;
}

async function timed<T>(into: number[], fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const v = await fn();
  into.push(performance.now() - t);
  return v;
}

async function onePod(cri: CriClient, rt: NodeRuntime, dir: string, i: number, tag: string, t: Record<Phase, number[]>): Promise<void> {
  const name = `bench-${tag}-${i}`;
  const cfg: PodSandboxConfig = {
    metadata: { name, uid: `${name}-uid`, namespace: 'bench' },
    hostname: name,
    logDirectory: join(dir, 'logs', name),
    linux: { cgroupParent: `/flotilla-bench/${name}` },
  };
  await timed(t['pull (cached)'], () => cri.pullImage(rt.images.webV1));
  const sid = await timed(t.RunPodSandbox, () => cri.runPodSandbox(cfg));
  await timed(t['Create+Start'], async () => {
    const cid = await cri.createContainer(sid, {
      metadata: { name: 'web' }, image: { image: rt.images.webV1 }, envs: [{ key: 'POD_NAME', value: name }], logPath: 'web/0.log',
    }, cfg);
    await cri.startContainer(cid);
  });
  await timed(t['Stop+Remove pod'], async () => {
    await cri.stopPodSandbox(sid);
    await cri.removePodSandbox(sid);
  });
}

function emptyTimings(): Record<Phase, number[]> {
  return { 'pull (cached)': [], RunPodSandbox: [], 'Create+Start': [], 'Stop+Remove pod': [] };
}

async function versions(): Promise<string> {
  const r = await run('dpkg-query', ['-W', '-f', '${Package} ${Version}\n', 'containerd', 'runc', 'containernetworking-plugins', 'docker-registry']);
  return r.stdout.trim().split('\n').join(', ');
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/cri needs root');
  const dir = mkdtempSync('/tmp/flotilla-bench-cri-');
  const t0 = performance.now();
  const rt = await startNodeRuntime({ dataDir: dir, cni: { name: 'flotilla-bench', bridge: 'fltbench0' } });
  const startup = performance.now() - t0;
  const cri = rt.containerd.client(60_000);
  try {
    const v = await cri.version();
    const cpu = cpus();
    console.log('CRI raw timings (bench/cri.ts)');
    console.log(`  machine: ${cpu[0]?.model ?? '?'} x${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, node ${process.version}`);
    console.log(`  runtime: ${v.runtimeName} ${v.runtimeVersion} (CRI ${v.runtimeApiVersion}); ${await versions()}`);
    console.log(`  setup:   registry + image build/push + containerd start: ${startup.toFixed(0)} ms; cgroupfs (v1), overlayfs, bridge CNI ${rt.containerd.cni?.subnet}`);
    const first = performance.now();
    await cri.pullImage(rt.images.webV1);
    console.log(`  first pull of flotilla/web:v1 (not cached): ${(performance.now() - first).toFixed(1)} ms`);

    const seq = emptyTimings();
    for (let i = 0; i < PODS; i++) await onePod(cri, rt, dir, i, 'seq', seq);
    console.log(`\n${PODS} pods one after another:`);
    for (const [phase, ms] of Object.entries(seq)) console.log(`  ${phase.padEnd(16)} ${stats(ms)}`);

    const par = emptyTimings();
    const wall = performance.now();
    await Promise.all(Array.from({ length: PODS }, (_, i) => onePod(cri, rt, dir, i, 'par', par)));
    console.log(`\n${PODS} pods at once (wall ${(performance.now() - wall).toFixed(0)} ms):`);
    for (const [phase, ms] of Object.entries(par)) console.log(`  ${phase.padEnd(16)} ${stats(ms)}`);
  } finally {
    cri.close();
    await rt.stop();
    removeCgroupTree('/flotilla-bench');
    if (!mountsUnder(dir).length) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
