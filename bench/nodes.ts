// Issue 15's node figures on real nodes: a `flotilla up --nodes 3` cluster in a temp dir (nodes 2 and 3 are network
// namespaces joined as machines would), on this one machine.
//  - Pod-to-pod latency, same node against across nodes, in the same run: a curl pod on node 1 times GETs (curl's
//    time_total) to a web pod on node 1 and to one on node 3 (host-gw routes through this host's segment), in
//    alternating rounds. The baseline is the same-node path.
//  - Node loss to pods running elsewhere: node 3's node agent SIGKILLed and its link cut; timed until the node is
//    Unknown (the controller-manager's --node-monitor-grace-period, BENCH_GRACE, default 20 s) and until its pods'
//    replacements are ready on the other nodes (their toleration of the unreachable taint is 2 s); then the link
//    is restored, the node is Ready again and the Deployment is restarted to spread over the three nodes again.
// Prints every try, the medians and the conditions. Needs root. BENCH_REQUESTS=N per path per round (default 200),
// BENCH_ROUNDS (default 3), BENCH_TRIES=N node losses (default 5).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { buildCurlImage } from '../e2e/curl-image.js';
import { movingWebDeployment } from '../e2e/node-loss.js';
import { condition, UpCluster, type Json } from '../e2e/up-cluster.js';
import { localNodesPlan } from '../cli/local-nodes/plan.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? '200');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '3');
const TRIES = Number(process.env.BENCH_TRIES ?? '5');
const GRACE = Number(process.env.BENCH_GRACE ?? '20');
const NODE = 'bn';

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? NaN;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const isReady = (x: Json) => condition(x, 'Ready')?.status === 'True';

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/nodes needs root');
  const c = new UpCluster({ name: 'bench-nodes', nodeName: NODE, upArgs: ['--nodes', '3', '--node-monitor-grace-period', String(GRACE)] });
  const work = mkdtempSync(join(tmpdir(), 'flotilla-bench-nodes-'));
  try {
    await c.up();
    const r = JSON.parse(readFileSync(join(c.dir, 'cluster.json'), 'utf8')) as Json;
    const plan = localNodesPlan({ dataDir: c.dir, nodeName: NODE, count: 3, segment: r.nodeNetwork, cgroupRoot: r.cgroupRoot });
    const node3 = plan.nodes[1] as (typeof plan.nodes)[number];
    const curl = buildCurlImage(c.registry, c.tools, work);
    c.apply(`${movingWebDeployment(c.registry, 6)}---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  nodeName: ${NODE}
  terminationGracePeriodSeconds: 0
  containers: [{name: curl, image: ${curl}, command: [sleep, '100000']}]
`);
    const spread = async () => {
      const pods = (await c.podsNow('app=web')).filter((x) => !x.metadata.deletionTimestamp && x.status?.phase === 'Running' && isReady(x));
      const per = [NODE, plan.nodes[0]?.name, node3.name].map((n) => pods.filter((x) => x.spec.nodeName === n));
      return pods.length === 6 && per.every((x) => x.length > 0) ? per : undefined;
    };
    const per = await c.until('6 ready web pods on all three nodes', spread, 180_000);
    await c.until('the client pod running', async () => (await c.podNow('client'))?.status?.phase === 'Running', 120_000);
    const kubectlVersion = JSON.parse(c.ok(['version', '--client', '-o', 'json'])).clientVersion.gitVersion as string;
    console.log('# nodes benchmark: flotilla up --nodes 3 (nodes 2 and 3 in network namespaces on this machine, host-gw pod routes)');
    console.log(`# machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, kubectl ${kubectlVersion}; ` +
      'every node, the control plane and the clients share its cores');
    console.log(`# load average at the start: ${load()}\n`);

    // latency: the same client pod, the same web image, one path through the node's bridge, one across nodes
    const same = per[0]?.[0]?.status.podIP as string;
    const cross = per[2]?.[0]?.status.podIP as string;
    const times = (ip: string): number[] => {
      const script = `i=0; while [ $i -lt ${REQUESTS} ]; do curl -s -o /dev/null -w '%{time_total}\\n' http://${ip}:8080/; i=$((i+1)); done`;
      return c.ok(['exec', 'client', '--', 'sh', '-c', script]).split('\n').filter(Boolean).map((t) => Number(t) * 1000);
    };
    const all: Record<'same' | 'cross', number[]> = { same: [], cross: [] };
    console.log(`pod-to-pod GET latency (curl time_total, ${REQUESTS} requests per path per round, new connection each):`);
    for (let round = 1; round <= ROUNDS; round++) {
      const order: Array<'same' | 'cross'> = round % 2 ? ['same', 'cross'] : ['cross', 'same'];
      for (const path of order) {
        const t = times(path === 'same' ? same : cross);
        all[path].push(...t);
        console.log(`  round ${round} ${path === 'same' ? 'same node  ' : 'across nodes'}: p50 ${quantile(t, 0.5).toFixed(2)} ms, p99 ${quantile(t, 0.99).toFixed(2)} ms`);
      }
    }
    const p50 = (xs: number[]) => quantile(xs, 0.5);
    console.log(`  all rounds: same node p50 ${p50(all.same).toFixed(2)} ms (p99 ${quantile(all.same, 0.99).toFixed(2)}), across nodes p50 ${p50(all.cross).toFixed(2)} ms ` +
      `(p99 ${quantile(all.cross, 0.99).toFixed(2)}): ${(p50(all.cross) / p50(all.same)).toFixed(2)}x\n`);

    // node loss: node 3's agent killed and its link cut, until its pods run elsewhere
    console.log(`node loss (node 3's node agent SIGKILLed, its link cut; grace period ${GRACE} s, toleration 2 s), ${TRIES} tries:`);
    const unknown: number[] = [];
    const replaced: number[] = [];
    for (let t = 1; t <= TRIES; t++) {
      const state = JSON.parse(readFileSync(join(node3.dataDir, 'run/supervisor.json'), 'utf8')) as Json;
      const agent = (state.components as Json[]).find((x) => x.name === 'node-agent');
      if (!agent?.pid) throw new Error("node 3's node agent is not running");
      process.kill(agent.pid as number, 'SIGKILL');
      const cut = Date.now();
      spawnSync('ip', ['link', 'set', node3.veth, 'down']);
      try {
        await c.until('node 3 Unknown', async () => condition(await c.get(`/api/v1/nodes/${node3.name}`), 'Ready')?.status === 'Unknown', 120_000);
        unknown.push((Date.now() - cut) / 1000);
        await c.until('6 ready pods away from node 3', async () => {
          const live = (await c.podsNow('app=web')).filter((x) => !x.metadata.deletionTimestamp && x.status?.phase === 'Running' && isReady(x));
          return live.length === 6 && live.every((x) => x.spec.nodeName !== node3.name);
        }, 120_000);
        replaced.push((Date.now() - cut) / 1000);
      } finally {
        spawnSync('ip', ['link', 'set', node3.veth, 'up']);
      }
      console.log(`  try ${t}: Unknown after ${unknown.at(-1)?.toFixed(1)} s, replacements ready after ${replaced.at(-1)?.toFixed(1)} s (load ${load()})`);
      // back to the starting point: node 3 Ready, its old pods finished, the pods spread over the three nodes again
      await c.until('node 3 Ready again', async () => isReady(await c.get(`/api/v1/nodes/${node3.name}`)), 180_000);
      c.ok(['rollout', 'restart', 'deployment/web']);
      c.ok(['rollout', 'status', 'deployment/web', '--timeout=180s']);
      await c.until('6 ready web pods on all three nodes again', spread, 180_000);
    }
    console.log(`  median: Unknown after ${p50(unknown).toFixed(1)} s, pods running elsewhere after ${p50(replaced).toFixed(1)} s ` +
      `(the grace period is ${GRACE} s of it; the node's last heartbeat came up to 10 s before the cut)`);
    console.log(`# load average at the end: ${load()}`);
  } finally {
    await c.down().catch((e: Error) => console.error(`down: ${e.message}`));
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
