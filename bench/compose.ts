// Issue 17's benchmark on a real node (a `flotilla up` cluster in a temp dir): a 10-service compose file brought to
// all Ready by `flotctl compose up --wait`, beside the same file's `flotctl compose convert | kubectl apply -f -` in
// another namespace followed by waiting for the same readiness with kubectl (every Deployment's 1 replica available,
// which for a new Deployment is where `rollout status` ends). Rounds alternate which goes first, each in a fresh
// namespace deleted before the other starts, the image already on the node. Prints each round, the medians and the load average.
// Needs root. BENCH_ROUNDS=N (default 3), BENCH_SERVICES=N (default 10). Target: compose up --wait no slower.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { FLOTCTL, KUBECTL } from '../e2e/harness.js';
import { UpCluster } from '../e2e/up-cluster.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '3');
const SERVICES = Number(process.env.BENCH_SERVICES ?? '10');

/** A compose file as users write one: each service an image, a port, a healthcheck, a short stop grace. */
function composeFile(image: string): string {
  let s = 'services:\n';
  for (let i = 0; i < SERVICES; i++) {
    s += `  svc${i}:
    image: ${image}
    expose: ["8080"]
    environment: {SERVICE: svc${i}}
    healthcheck:
      test: ["CMD-SHELL", "test -f /etc/flotilla-web-version"]
      interval: 1s
    stop_grace_period: 1s
`;
  }
  return s;
}

interface Timed { ms: number; lines: { ms: number; text: string }[] }

/** Runs a command (optionally fed by another's stdout), timing it and each line it prints, from one start. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, feeder?: { cmd: string; args: string[] }): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const lines: Timed['lines'] = [];
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    if (feeder) {
      const f = spawn(feeder.cmd, feeder.args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
      f.stdout.pipe(child.stdin);
    } else child.stdin.end();
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        lines.push({ ms: performance.now() - t0, text: buf.slice(0, i) });
        buf = buf.slice(i + 1);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ ms: performance.now() - t0, lines }) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/compose needs root');
  const c = new UpCluster({ name: 'bench-compose', nodeName: 'bench-node' });
  const work = mkdtempSync(join(tmpdir(), 'flotilla-bench-compose-'));
  try {
    await c.up();
    const file = join(work, 'compose.yaml');
    writeFileSync(file, composeFile(`${c.registry}/flotilla/web:v1`));
    const env = { ...process.env, KUBECONFIG: c.kubeconfig, FLOTILLA_LOG_LEVEL: 'warn' };
    const kubectlVersion = JSON.parse(c.ok(['version', '--client', '-o', 'json'])).clientVersion.gitVersion as string;
    console.log(`# compose benchmark: a ${SERVICES}-service compose file to all Ready on one real node, ${ROUNDS} rounds`);
    console.log(`# machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, kubectl ${kubectlVersion}; ` +
      'etcd, API server, controllers, scheduler, node agent, containerd and the clients share it');
    console.log(`# load average at the start: ${load()} (other work on the machine counts against every figure)\n`);

    // the image on the node first, so no round pays for the pull
    const flot = (args: string[]) => [FLOTCTL, ...args];
    const composeArgs = (project: string) => ['compose', '-f', file, '-p', project];
    await timed(process.execPath, flot([...composeArgs('warmup'), 'up', '--wait', '--wait-timeout', '300']), env);
    c.ok(['delete', 'namespace', 'warmup', '--wait=true', '--timeout=120s']);

    const up: number[] = [];
    const upApplied: number[] = [];
    const kc: number[] = [];
    const kcApplied: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const runUp = async () => {
        const t = await timed(process.execPath, flot([...composeArgs(`up${r}`), 'up', '--wait', '--wait-timeout', '300']), env);
        const readyLines = t.lines.filter((l) => / ready \(/.test(l.text)).length;
        if (readyLines !== SERVICES) throw new Error(`compose up --wait printed ${readyLines} ready lines`);
        up.push(t.ms);
        upApplied.push(Math.max(...t.lines.filter((l) => / created$/.test(l.text)).map((l) => l.ms)));
      };
      const runKubectl = async () => {
        const ns = `kc${r}`;
        // the namespace too (compose up makes its own)
        const created = await timed(KUBECTL, ['create', 'namespace', ns], env);
        const applied = await timed(KUBECTL, ['apply', '-f', '-'], env, { cmd: process.execPath, args: flot([...composeArgs(ns), 'convert']) });
        const waited = await timed(KUBECTL, ['wait', '-n', ns, '--for=jsonpath={.status.availableReplicas}=1', 'deployment', '--all', '--timeout=300s'], env);
        kcApplied.push(created.ms + applied.ms);
        kc.push(created.ms + applied.ms + waited.ms);
      };
      // each on an otherwise idle cluster: the other's pods (probed every second) are gone before it starts
      const clear = (ns: string) => c.ok(['delete', 'namespace', ns, '--wait=true', '--timeout=120s']);
      for (const which of r % 2 === 0 ? ['up', 'kc'] : ['kc', 'up']) {
        await (which === 'up' ? runUp() : runKubectl());
        clear(`${which}${r}`);
      }
      console.log(`round ${r + 1} (${r % 2 === 0 ? 'compose up first' : 'kubectl first'}): compose up --wait ${s(up[r] as number)} (objects applied at ${s(upApplied[r] as number)}); ` +
        `convert | kubectl apply ${s(kcApplied[r] as number)} + kubectl wait = ${s(kc[r] as number)}; load ${load()}`);
    }
    console.log(`\nmedian to all ${SERVICES} Ready: flotctl compose up --wait ${s(median(up))}, flotctl compose convert | kubectl apply -f - then kubectl wait ${s(median(kc))} ` +
      `(= ${(median(up) / median(kc)).toFixed(2)}x; target: no slower)`);
    console.log(`median until every object was applied: compose up ${s(median(upApplied))}, convert | kubectl apply ${s(median(kcApplied))}`);
    console.log(`# load average at the end: ${load()}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await c.down();
  }
}

await main();
