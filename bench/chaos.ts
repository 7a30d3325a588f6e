// The chaos scenario's larger form (e2e/chaos.test.ts runs one round): BENCH_CHAOS_ROUNDS rounds (default 3) of
// SIGKILLing etcd, containerd, the API server, the controller-manager, the scheduler and the node agent during a
// rollout, each round flipping the demo's image; prints each component's recovery time (min/median/max over the
// rounds) and what the clients saw. Fails (exit 1) when a component does not come back, the rollout does not complete,
// an acknowledged write is missing or a poll round found no pod answering. Needs root.
// BENCH_CHAOS_VICTIMS=containerd,apiserver,... narrows the kills.
import { cpus, totalmem } from 'node:os';
import { ALL_VICTIMS, recoveryTable, runChaos, type Victim } from '../e2e/chaos-scenario.js';

const rounds = Number(process.env.BENCH_CHAOS_ROUNDS ?? '3');
const victims = (process.env.BENCH_CHAOS_VICTIMS?.split(',').filter(Boolean) as Victim[] | undefined) ?? ALL_VICTIMS;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('needs root (containerd, runc, CNI)');
  console.log(`chaos: ${rounds} round(s) of SIGKILL ${victims.join(', ')} during a rollout of the demo (3 replicas, minReadySeconds 10)`);
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`conditions: ${machine}; every process of the cluster and the clients on this machine\n`);
  const r = await runChaos({ rounds, victims, minReadySeconds: 10, recoveryTimeoutMs: 120_000, log: (l) => console.log(`  ${l}`) });
  console.log(`\n${recoveryTable(r.recoveries)}\n`);
  console.log('recovery time per component (min / median / max):');
  for (const v of victims) {
    const ms = r.recoveries.filter((x) => x.victim === v).map((x) => x.ms);
    console.log(`  ${v.padEnd(20)} ${s(Math.min(...ms))} / ${s(median(ms))} / ${s(Math.max(...ms))}   (${ms.length} kills)`);
  }
  console.log(`\nrollouts completed: ${r.rollouts} of ${rounds}`);
  console.log(`ConfigMap writes acknowledged: ${r.acknowledged}, missing at the end: ${r.missing.length}, `
    + `refused or failed (not acknowledged): ${r.failedWrites}`);
  console.log(`pod polls: ${r.pollRounds} rounds, ${r.outageRounds} with no pod answering; `
    + `${r.podRequestFailures} of ${r.podRequests} single requests failed (pods being replaced)`);
  console.log(`restarts in flotilla status: ${Object.entries(r.restarts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`total: ${s(r.durationMs)}`);
  const bad = r.rollouts !== rounds || r.missing.length > 0 || r.outageRounds > 0 || r.leftBehind.length > 0;
  if (bad) {
    console.log('FAILED: see above');
    process.exitCode = 1;
  }
}

main().catch((e: Error) => {
  console.error(`chaos: ${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}`);
  process.exit(1);
});
