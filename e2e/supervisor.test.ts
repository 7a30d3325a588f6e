// Acceptance (supervision): a `flotilla up` cluster on free ports in a temp dir, real containerd. Every component
// SIGKILLed comes back (status shows the restart and the signal); a dead runtime makes the node NotReady with the
// kubelet's words and exec fail fast, and Ready again once the runtime is back; a SIGKILLed supervisor takes every
// component with it; a second cluster on the same machine takes other ports or is refused; `down` leaves nothing.
// Needs root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECTL, ROOT, cgroupRootOf, claimServiceRange, freePorts, waitFor } from './harness.js';
import { removeCgroupTree } from '../node-agent/runtime/cleanup.js';

const skip = process.getuid?.() === 0 ? false : 'needs root (containerd, runc, CNI)';
const dir = mkdtempSync(join(tmpdir(), 'flotilla-sup-'));
const other = mkdtempSync(join(tmpdir(), 'flotilla-sup2-'));
const NODE = 'e2e-supervised';

interface Component {
  name: string;
  phase: string;
  pid?: number;
  restarts: number;
  uptimeSeconds?: number;
  lastExit?: { code: number | null; signal: string | null };
}
interface Status {
  supervisor: { state: string; pid?: number };
  cluster?: { apiserverPort: number; registryPort: number; nodeAgentPort: number };
  components: Component[];
}

function flotilla(args: string[], timeout = 300_000): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/flotilla.js'), ...args], { encoding: 'utf8', timeout });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[], timeout?: number): string {
  const r = flotilla(args, timeout);
  if (r.code !== 0) throw new Error(`flotilla ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function kubectl(d: string, args: string[], timeout = 60_000): { code: number; stdout: string; stderr: string; timedOut: boolean } {
  const r = spawnSync(KUBECTL, args, { encoding: 'utf8', timeout, env: { ...process.env, KUBECONFIG: join(d, 'kubeconfig') } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' };
}

const status = (d = dir): Status => JSON.parse(flotilla(['status', '--data-dir', d, '-o', 'json']).stdout);
const component = (name: string, d = dir): Component => status(d).components.find((c) => c.name === name) as Component;

/** Processes whose command line names the data dir. */
function processesOf(d: string): string[] {
  return spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(d));
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter((p) => {
    try {
      const s = readFileSync(`/proc/${p}/stat`, 'utf8');
      return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) === pid;
    } catch {
      return false;
    }
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

function readyCondition(d = dir, node = NODE): { status: string; reason: string; message: string } | undefined {
  const r = kubectl(d, ['get', 'node', node, '-o', 'json']);
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout).status.conditions as Array<{ type: string; status: string; reason: string; message: string }>).find((c) => c.type === 'Ready');
}

function logs(d = dir): string {
  try {
    return readdirSync(join(d, 'logs')).map((f) => `--- ${f}\n${readFileSync(join(d, 'logs', f), 'utf8').split('\n').slice(-12).join('\n')}`).join('\n');
  } catch {
    return '';
  }
}

let ports: { api: number; registry: number; agent: number };

before(async () => {
  if (skip) return;
  const [api, registry, agent, etcdClient, etcdPeer] = await freePorts(5) as [number, number, number, number, number];
  ports = { api, registry, agent };
  ok(['up', '--data-dir', dir, '--port', String(ports.api), '--registry-port', String(ports.registry), '--node-agent-port', String(ports.agent),
    '--etcd-client-port', String(etcdClient), '--etcd-peer-port', String(etcdPeer), '--node-name', NODE, '--service-cluster-ip-range', claimServiceRange(), '--cgroup-root', cgroupRootOf(dir)]);
});

after(async () => {
  if (!skip) {
    for (const d of [other, dir]) flotilla(['down', '--data-dir', d]);
    for (const d of [dir, other]) {
      assert.deepEqual(processesOf(d), [], `no process of ${d} is left`);
      assert.deepEqual(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(d)), [], `no mount of ${d} is left`);
      removeCgroupTree(cgroupRootOf(d));
    }
  }
  if (!process.env.FLOTILLA_KEEP_TEST_DIRS) for (const d of [dir, other]) rmSync(d, { recursive: true, force: true });
});

test('status shows every component running under one supervisor, as a table and as JSON', { skip }, () => {
  const s = status();
  assert.equal(s.supervisor.state, 'running');
  assert.deepEqual(s.components.map((c) => [c.name, c.phase, c.restarts]).sort(), [
    ['apiserver', 'running', 0], ['controller-manager', 'running', 0], ['node-agent', 'running', 0], ['runtime', 'running', 0], ['scheduler', 'running', 0],
  ]);
  for (const c of s.components) assert.ok(c.pid && alive(c.pid), `${c.name} has a live pid`);
  assert.deepEqual(s.cluster && [s.cluster.apiserverPort, s.cluster.registryPort, s.cluster.nodeAgentPort], [ports.api, ports.registry, ports.agent]);
  const table = flotilla(['status', '--data-dir', dir]);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /COMPONENT\s+STATE\s+PID\s+RESTARTS\s+UPTIME\s+LAST EXIT\n/);
  assert.match(table.stdout, new RegExp(`\\nsupervisor\\s+running\\s+${s.supervisor.pid}\\s`));
  assert.match(table.stdout, /\nnode-agent\s+running\s+\d+\s+0\s+\S+\s+-\n/);
});

test('a second up on the running data dir says so and changes nothing', { skip }, () => {
  const before = status();
  const r = flotilla(['up', '--data-dir', dir, '--port', String(ports.api)]);
  assert.equal(r.code, 0, r.stderr);
  const url = `https://127\\.0\\.0\\.1:${ports.api}`;
  const said = `^Flotilla is already running in ${dir} \\(supervisor pid ${before.supervisor.pid}, API server ${url}\\); nothing was changed\\.`;
  assert.match(r.stdout, new RegExp(said));
  const after = status();
  assert.equal(after.supervisor.pid, before.supervisor.pid);
  assert.deepEqual(after.components.map((c) => c.pid), before.components.map((c) => c.pid));
});

test('every component SIGKILLed is restarted: status shows the restart and the signal, and the cluster serves again', { skip }, async () => {
  for (const name of ['controller-manager', 'scheduler', 'node-agent', 'runtime', 'apiserver']) {
    const was = component(name);
    const orphans = name === 'apiserver' ? childrenOf(was.pid as number) : []; // its embedded etcd
    process.kill(was.pid as number, 'SIGKILL');
    const now = await waitFor(`${name} to be restarted`, async () => {
      const c = component(name);
      return c.restarts === was.restarts + 1 && c.phase === 'running' && c.pid !== was.pid ? c : undefined;
    }, 120_000, 250);
    assert.deepEqual(now.lastExit && { code: now.lastExit.code, signal: now.lastExit.signal }, { code: null, signal: 'SIGKILL' });
    for (const p of orphans) assert.equal(alive(p), false, `${name}'s child ${p} did not outlive it`);
  }
  await waitFor('the node to be Ready again', async () => readyCondition()?.status === 'True', 120_000, 500);
  const created = kubectl(dir, ['create', 'configmap', 'after-kills', '--from-literal=k=v']);
  assert.equal(created.code, 0, created.stderr + logs());
  // (a component may have restarted once more: a node agent starting while the runtime or the API server is killed
  // exits and comes back; wait until every one is running again before reading the table)
  const names = ['apiserver', 'runtime', 'controller-manager', 'scheduler', 'node-agent'];
  const table = await waitFor('every component running again', async () => {
    const t = ok(['status', '--data-dir', dir]);
    return names.every((n) => new RegExp(`\\n${n}\\s+running\\s`).test(t)) ? t : undefined;
  }, 120_000, 500);
  for (const name of names) {
    assert.match(table, new RegExp(`\\n${name}\\s+running\\s+\\d+\\s+[1-9]\\d*\\s+\\S+\\s+(SIGKILL|exit code \\d+), `));
  }
});

const runtimeTitle = 'a dead runtime: the node goes NotReady ("container runtime is down"), exec and logs fail fast; Ready again once containerd is back';
test(runtimeTitle, { skip }, async () => {
  ok(['status', '--data-dir', dir]);
  const created = kubectl(dir, ['run', 'probe', `--image=127.0.0.1:${ports.registry}/flotilla/web:v1`]);
  assert.equal(created.code, 0, created.stderr);
  await waitFor('the pod to run', async () => /Running/.test(kubectl(dir, ['get', 'pod', 'probe', '--no-headers']).stdout), 120_000, 500);
  const runtime = component('runtime').pid as number;
  const runtimeRestarts = component('runtime').restarts;
  const containerd = childrenOf(runtime).find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('/usr/bin/containerd')) as number;
  assert.ok(containerd, 'containerd runs under the runtime component');
  // Hold the runtime component so it cannot restart containerd while the node agent notices the outage.
  process.kill(runtime, 'SIGSTOP');
  try {
    process.kill(containerd, 'SIGKILL');
    const exec = kubectl(dir, ['exec', 'probe', '--', 'true'], 20_000);
    assert.equal(exec.timedOut, false, 'exec through a dead runtime fails instead of hanging');
    assert.equal(exec.code, 1);
    assert.match(exec.stderr, /^Error from server \(InternalError\): .*UNAVAILABLE/);
    const logs = kubectl(dir, ['logs', 'probe'], 20_000);
    assert.equal(logs.timedOut, false, 'logs through a dead runtime fail instead of hanging');
    assert.equal(logs.code, 1);
    assert.match(logs.stderr, /UNAVAILABLE/);
    const down = await waitFor('the node to go NotReady', async () => {
      const c = readyCondition();
      return c?.status === 'False' ? c : undefined;
    }, 90_000, 1000);
    assert.deepEqual({ reason: down.reason, message: down.message }, { reason: 'KubeletNotReady', message: 'container runtime is down' });
  } finally {
    process.kill(runtime, 'SIGCONT');
  }
  await waitFor('the node to be Ready again', async () => readyCondition()?.status === 'True', 90_000, 1000);
  assert.equal(readyCondition()?.reason, 'KubeletReady');
  await waitFor('exec to work again', async () => kubectl(dir, ['exec', 'probe', '--', 'echo', 'back']).stdout === 'back\n', 60_000, 1000);
  assert.equal(component('runtime').restarts, runtimeRestarts, 'the runtime component itself was not restarted: it restarted containerd');
  // a pod started after the restart is on the same pod network as the one that lived through it
  assert.equal(kubectl(dir, ['run', 'probe2', `--image=127.0.0.1:${ports.registry}/flotilla/web:v1`]).code, 0);
  const ip = async (pod: string) => kubectl(dir, ['get', 'pod', pod, '-o', 'jsonpath={.status.podIP}']).stdout;
  const second = await waitFor('probe2 to get an IP', async () => (await ip('probe2')) || undefined, 120_000, 500);
  assert.equal(second.split('.').slice(0, 2).join('.'), (await ip('probe')).split('.').slice(0, 2).join('.'), 'the same pod subnet');
  kubectl(dir, ['delete', 'pod', 'probe', 'probe2', '--grace-period=1']);
});

const secondTitle = 'a second cluster: default ports that the first holds move to free ones (recorded, the kubeconfig follows); '
  + 'a taken explicit port is refused';
test(secondTitle, { skip }, async () => {
  // the other data dir last ran on the ports the first cluster now holds, as two clusters on the default ports would
  const last = { dataDir: other, apiserverPort: ports.api, registryPort: ports.registry, nodeAgentPort: ports.agent, nodeName: 'second', hollowNodes: 0 };
  writeFileSync(join(other, 'cluster.json'), JSON.stringify(last));
  const etcd = async () => (await freePorts(2)).flatMap((p, i) => [i ? '--etcd-peer-port' : '--etcd-client-port', String(p)]);
  const refused = flotilla(['up', '--data-dir', other, '--port', String(ports.api), ...(await etcd())]);
  assert.equal(refused.code, 1);
  const holder = `is in use by the Flotilla cluster in ${dir} \\(pid \\d+: `;
  assert.match(refused.stderr, new RegExp(`^flotilla: port ${ports.api} for the API server \\(--port\\) ${holder}`));
  assert.deepEqual(processesOf(other), [], 'nothing was started');

  const r = flotilla(['up', '--data-dir', other, '--node-name', 'second', '--service-cluster-ip-range', claimServiceRange(), '--cgroup-root', cgroupRootOf(other),
    ...(await etcd())]);
  assert.equal(r.code, 0, r.stdout + r.stderr + logs(other));
  for (const [port, what] of [[ports.api, 'the API server'], [ports.registry, 'the image registry'], [ports.agent, 'the node agent']] as const) {
    assert.match(r.stdout, new RegExp(`note: port ${port} for ${what} is in use by the Flotilla cluster in ${dir} .*; using \\d+ instead`));
  }
  const second = status(other).cluster as NonNullable<Status['cluster']>;
  assert.notEqual(second.apiserverPort, ports.api);
  assert.notEqual(second.registryPort, ports.registry);
  assert.notEqual(second.nodeAgentPort, ports.agent);
  assert.match(r.stdout, new RegExp(`API server +https://127\\.0\\.0\\.1:${second.apiserverPort} `));
  assert.match(readFileSync(join(other, 'kubeconfig'), 'utf8'), new RegExp(`server: https://127\\.0\\.0\\.1:${second.apiserverPort}\\n`));
  // two clusters, nothing shared: each sees its own node and objects
  assert.equal(kubectl(other, ['create', 'configmap', 'only-in-second']).code, 0);
  assert.deepEqual(kubectl(other, ['get', 'nodes', '-o', 'name']).stdout.trim(), 'node/second');
  assert.deepEqual(kubectl(dir, ['get', 'nodes', '-o', 'name']).stdout.trim(), `node/${NODE}`);
  assert.equal(kubectl(dir, ['get', 'configmap', 'only-in-second']).code, 1, 'the first cluster does not see the second one\'s objects');
  // and the second's processes are its own: no component of the first was touched
  assert.ok(status().components.every((c) => c.phase === 'running'));
  ok(['down', '--data-dir', other]);
  assert.deepEqual(processesOf(other), []);
  assert.equal(status().supervisor.state, 'running', 'the first cluster still runs');
});

test('a SIGKILLed supervisor takes every component with it; down cleans up and up brings the cluster back', { skip }, async () => {
  const s = status();
  process.kill(s.supervisor.pid as number, 'SIGKILL');
  await waitFor('every process of the cluster to exit', async () => processesOf(dir).length === 0, 120_000, 250);
  const after = flotilla(['status', '--data-dir', dir]);
  assert.equal(after.code, 1);
  assert.match(after.stdout, /The supervisor died without stopping its components/);
  assert.match(ok(['down', '--data-dir', dir]), /nothing is running/);
  assert.deepEqual(readdirSync(join(dir, 'run')).filter((f) => f.endsWith('.pid')), [], 'down removed the pid files');
  ok(['up', '--data-dir', dir]);
  const again = status();
  assert.equal(again.supervisor.state, 'running');
  assert.deepEqual(kubectl(dir, ['get', 'configmap', 'after-kills', '-o', 'jsonpath={.data.k}']).stdout, 'v', 'objects written before are there');
  assert.match(ok(['down', '--data-dir', dir]), /Flotilla is down/);
  assert.deepEqual(processesOf(dir), [], 'down leaves no process');
});
