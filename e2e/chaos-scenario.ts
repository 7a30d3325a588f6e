// The chaos scenario shared by e2e/chaos.test.ts (one bounded round) and bench/chaos.ts (more rounds): a supervised
// `flotilla up` cluster with real containers, the demo Deployment rolling out while a client writes ConfigMaps and
// polls the pods' HTTP on their IPs, and components SIGKILLed one after another: etcd (the API server's child),
// containerd (the runtime's child), the API server, the controller-manager, the scheduler, the node agent. Each kill
// waits for that component to be back (measured: the recovery time), then the next. The report says what a user
// would check: did the rollout complete, is every acknowledged write there, did the pods keep answering, did each
// component come back. Everything started is stopped and removed, also on failure.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECTL, ROOT, apiFetch, cgroupRootOf, claimServiceRange, credentialsOf, freePorts, useCredentials, waitFor } from './harness.js';
import { removeCgroupTree } from '../node-agent/runtime/cleanup.js';

export type Victim = 'etcd' | 'containerd' | 'apiserver' | 'controller-manager' | 'scheduler' | 'node-agent';
export const ALL_VICTIMS: Victim[] = ['etcd', 'containerd', 'apiserver', 'controller-manager', 'scheduler', 'node-agent'];

export interface ChaosOptions {
  /** Kill sequences to run; each round also flips the image (v1 <-> v2). */
  rounds: number;
  victims: Victim[];
  /** The Deployment's minReadySeconds, which stretches the rollout over the kills. */
  minReadySeconds: number;
  /** How long one component may take to come back before the scenario fails. */
  recoveryTimeoutMs: number;
  log: (line: string) => void;
}

export interface Recovery {
  round: number;
  victim: Victim;
  pid: number;
  /** From SIGKILL to the component serving again (see `serving`). */
  ms: number;
  /** What "back" meant for it. */
  serving: string;
}

export interface ChaosReport {
  recoveries: Recovery[];
  /** Rollouts that completed (one per round). */
  rollouts: number;
  /** ConfigMap writes the API server acknowledged (201). */
  acknowledged: number;
  /** Acknowledged writes not found at the end. */
  missing: string[];
  /** Writes that failed (refused, 5xx, timed out): not acknowledged, so not expected. */
  failedWrites: number;
  /** Poll rounds over the pods' IPs, and those in which no pod answered. */
  pollRounds: number;
  outageRounds: number;
  /** Single requests to a pod that failed (a pod being replaced by the rollout fails legitimately). */
  podRequestFailures: number;
  podRequests: number;
  /** `flotilla status` restarts per component at the end. */
  restarts: Record<string, number>;
  durationMs: number;
  /** Processes and mounts of the data dir still there after `flotilla down`. */
  leftBehind: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A command to completion without blocking: its exit status and output. */
interface RunResult { status: number | null; stdout: string; stderr: string }

function run(cmd: string, args: string[], o: { input?: string; timeout: number; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { encoding: 'utf8', timeout: o.timeout, env: o.env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
    child.stdin?.end(o.input ?? '');
  });
}

interface PodItem {
  metadata: { name: string; deletionTimestamp?: string };
  status: { podIP?: string; conditions?: Array<{ type: string; status: string }> };
}

interface StatusJson { components: Array<{ name: string; phase: string; pid?: number; restarts: number }> }

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-chaos-'));
  // Never block the event loop (no spawnSync while the clients run): a blocked loop would time out the pod polls
  // and count answers that did arrive as failures.
  const flotilla = (args: string[], timeout = 300_000) => run(process.execPath, [join(ROOT, 'bin/flotilla.js'), ...args], { timeout });
  const env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') };
  const kubectl = (args: string[], input?: string, timeout = 60_000) => run(KUBECTL, args, { input, timeout, env });
  const status = async (): Promise<StatusJson> => JSON.parse((await flotilla(['status', '--data-dir', dir, '-o', 'json'])).stdout || '{"components":[]}');
  const comp = async (name: string) => (await status()).components.find((c) => c.name === name);
  let api = '';
  let stop = false;
  const loops: Promise<void>[] = [];
  const acked: string[] = [];
  let failedWrites = 0;
  let pollRounds = 0;
  let outageRounds = 0;
  let podRequests = 0;
  let podRequestFailures = 0;
  const recoveries: Recovery[] = [];
  let rollouts = 0;
  let report: ChaosReport | undefined;
  try {
    const [apiPort, registryPort, agentPort, etcdClient, etcdPeer] = await freePorts(5);
    const up = await flotilla(['up', '--data-dir', dir, '--port', String(apiPort), '--registry-port', String(registryPort),
      '--node-agent-port', String(agentPort), '--etcd-client-port', String(etcdClient), '--etcd-peer-port', String(etcdPeer),
      '--node-name', 'chaos-node', '--service-cluster-ip-range', claimServiceRange(), '--cgroup-root', cgroupRootOf(dir)]);
    if (up.status !== 0) throw new Error(`flotilla up failed: ${up.stdout}${up.stderr}`);
    const cluster = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { apiserverPort: number };
    api = `https://127.0.0.1:${cluster.apiserverPort}`;
    useCredentials(api, await credentialsOf(join(dir, 'kubeconfig')));
    const image = (v: string) => `127.0.0.1:${registryPort}/flotilla/web:${v}`;
    const manifest = readFileSync(join(ROOT, 'manifests/demo/web.yaml'), 'utf8').replaceAll('127.0.0.1:5000/flotilla/web:v1', image('v1'));
    const applied = await kubectl(['apply', '-f', '-'], manifest);
    if (applied.status !== 0) throw new Error(`kubectl apply: ${applied.stderr}`);
    const rolled = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=180s'], undefined, 200_000);
    if (rolled.status !== 0) throw new Error(`the demo did not roll out: ${rolled.stderr}${rolled.stdout}`);
    // every new pod counts as available only after minReadySeconds, one at a time: the rollout spans the kills
    const slow = { spec: { minReadySeconds: o.minReadySeconds, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } };
    const patched = await kubectl(['patch', 'deployment', 'web', '--type=merge', '-p', JSON.stringify(slow)]);
    if (patched.status !== 0) throw new Error(`kubectl patch: ${patched.stderr}`);

    // the client writing ConfigMaps: a write counts once the API server acknowledged it (201)
    loops.push((async () => {
      for (let i = 0; !stop; i++) {
        const name = `chaos-${i}`;
        try {
          const res = await apiFetch(`${api}/api/v1/namespaces/default/configmaps`, {
            method: 'POST', headers: { 'Content-Type': 'application/json' }, signal: AbortSignal.timeout(5000),
            body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { chaos: 'write' } }, data: { i: String(i) } }),
          });
          await res.text();
          if (res.status === 201) acked.push(name);
          else failedWrites++;
        } catch {
          failedWrites++;
        }
        await sleep(100);
      }
    })());
    // the client polling every pod's HTTP on its IP, with the pod list from the API when it answers
    let pods: Array<{ name: string; ip: string }> = [];
    loops.push((async () => {
      while (!stop) {
        try {
          const res = await apiFetch(`${api}/api/v1/namespaces/default/pods?labelSelector=app%3Dweb`, { signal: AbortSignal.timeout(2000) });
          if (res.ok) {
            const list = (await res.json()) as { items: PodItem[] };
            const ready = (p: PodItem) => !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
            pods = list.items.filter((p) => p.status.podIP && !p.metadata.deletionTimestamp && ready(p))
              .map((p) => ({ name: p.metadata.name, ip: p.status.podIP as string }));
          } else await res.body?.cancel();
        } catch {
          // the API server is down: keep polling the pods known so far
        }
        if (pods.length) {
          const answers = await Promise.all(pods.map(async (p) => {
            podRequests++;
            try {
              const r = await fetch(`http://${p.ip}:8080/`, { signal: AbortSignal.timeout(2000) });
              return /flotilla web/.test(await r.text());
            } catch {
              podRequestFailures++;
              return false;
            }
          }));
          pollRounds++;
          if (!answers.some(Boolean)) {
            outageRounds++;
            o.log(`no pod answered (${pods.map((p) => p.ip).join(', ')})`);
          }
        }
        await sleep(250);
      }
    })());

    const apiReady = async () => (await apiFetch(`${api}/readyz`, { signal: AbortSignal.timeout(1000) })).ok;
    const lease = async (ns: string, name: string) => {
      const res = await apiFetch(`${api}/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${name}`, { signal: AbortSignal.timeout(2000) });
      return res.ok ? ((await res.json()) as { spec: { holderIdentity?: string; renewTime?: string } }).spec : undefined;
    };
    const procs = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).map((pid) => {
      try {
        return { pid, argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0') };
      } catch {
        return { pid, argv: [] };
      }
    });
    const etcdPid = () => procs().find((p) => p.argv[0]?.endsWith('etcd') && p.argv.includes(join(dir, 'etcd')))?.pid;
    const containerdPid = () => procs().find((p) => p.argv[0]?.endsWith('/containerd') && p.argv.includes(join(dir, 'containerd/config.toml')))?.pid;
    const writesSince = (n: number) => acked.length > n;

    for (let round = 1; round <= o.rounds; round++) {
      const version = round % 2 === 1 ? 'v2' : 'v1';
      const set = await kubectl(['set', 'image', 'deployment/web', `web=${image(version)}`]);
      if (set.status !== 0) throw new Error(`kubectl set image: ${set.stderr}`);
      o.log(`round ${round}: rolling out ${version}`);
      await sleep(1000);
      for (const victim of o.victims) {
        const started = Date.now();
        const ackedBefore = acked.length;
        let pid: number | undefined;
        let serving = '';
        let back: () => Promise<boolean>;
        switch (victim) {
          case 'etcd':
            pid = etcdPid();
            serving = 'a new etcd runs and a ConfigMap write is acknowledged';
            back = async () => { const p = etcdPid(); return !!p && p !== pid && writesSince(ackedBefore); };
            break;
          case 'containerd':
            pid = containerdPid();
            serving = 'a new containerd runs and the node agent exec works through it';
            back = async () => {
              const p = containerdPid();
              return !!p && p !== pid && (await kubectl(['exec', 'deploy/web', '--', 'true'], undefined, 10_000)).status === 0;
            };
            break;
          case 'apiserver':
            pid = (await comp('apiserver'))?.pid;
            serving = '/readyz answers and a write is acknowledged';
            back = async () => (await apiReady()) && writesSince(ackedBefore) && (await comp('apiserver'))?.pid !== pid;
            break;
          case 'controller-manager':
          case 'scheduler': {
            pid = (await comp(victim))?.pid;
            const leaseName = victim === 'scheduler' ? 'kube-scheduler' : 'kube-controller-manager';
            serving = `the new process holds the ${leaseName} lease`;
            back = async () => {
              const now = (await comp(victim))?.pid;
              return !!now && now !== pid && (await lease('kube-system', leaseName))?.holderIdentity === `${hostname()}_${now}`;
            };
            break;
          }
          case 'node-agent':
            pid = (await comp('node-agent'))?.pid;
            serving = 'the new agent renewed the node lease';
            back = async () => {
              const now = (await comp('node-agent'))?.pid;
              const renew = (await lease('kube-node-lease', 'chaos-node'))?.renewTime;
              return !!now && now !== pid && !!renew && Date.parse(renew) > started;
            };
            break;
        }
        if (!pid) throw new Error(`no ${victim} process found to kill`);
        process.kill(pid, 'SIGKILL');
        try {
          await waitFor(`${victim} to come back`, async () => back().catch(() => false), o.recoveryTimeoutMs, 200);
        } catch (e) {
          throw new Error(`round ${round}: ${victim} (pid ${pid}) did not come back within ${o.recoveryTimeoutMs / 1000} s (${serving})`, { cause: e });
        }
        const ms = Date.now() - started;
        recoveries.push({ round, victim, pid, ms, serving });
        o.log(`round ${round}: ${victim} (pid ${pid}) back after ${ms} ms: ${serving}`);
      }
      const done = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=240s'], undefined, 260_000);
      if (done.status !== 0) throw new Error(`round ${round}: the rollout did not complete: ${done.stderr}${done.stdout}`);
      rollouts++;
      o.log(`round ${round}: rollout of ${version} complete`);
    }
    stop = true;
    await Promise.all(loops);
    const listed = await kubectl(['get', 'configmaps', '-l', 'chaos=write', '-o', 'jsonpath={.items[*].metadata.name}']);
    if (listed.status !== 0) throw new Error(`listing the ConfigMaps: ${listed.stderr}`);
    const present = new Set(listed.stdout.split(/\s+/).filter(Boolean));
    const restarts = Object.fromEntries((await status()).components.map((c) => [c.name, c.restarts]));
    report = {
      recoveries, rollouts, acknowledged: acked.length, missing: acked.filter((n) => !present.has(n)), failedWrites,
      pollRounds, outageRounds, podRequests, podRequestFailures, restarts, durationMs: Date.now() - t0, leftBehind: [],
    };
    return report;
  } finally {
    stop = true;
    await Promise.all(loops);
    const down = await flotilla(['down', '--data-dir', dir]);
    if (down.status !== 0) o.log(`flotilla down failed: ${down.stdout}${down.stderr}`);
    const left = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(dir));
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(dir));
    if (left.length || mounts.length) o.log(`left behind after down: ${[...left, ...mounts].join('\n')}`);
    if (report) report.leftBehind = [...left, ...mounts];
    removeCgroupTree(cgroupRootOf(dir));
    if (process.env.FLOTILLA_KEEP_TEST_DIRS) o.log(`kept ${dir}`);
    else if (!mounts.length) rmSync(dir, { recursive: true, force: true });
  }
}

/** The recoveries as a table for the log. */
export function recoveryTable(r: Recovery[]): string {
  const line = (x: Recovery) => [String(x.round), x.victim, String(x.pid), `${(x.ms / 1000).toFixed(1)} s`, x.serving];
  const rows = [['ROUND', 'KILLED', 'PID', 'BACK AFTER', 'MEANING'], ...r.map(line)];
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  return rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd((w[i] as number) + 2))).join('')).join('\n');
}
