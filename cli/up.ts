// `flotilla up` / `flotilla down`: a whole local cluster under one data dir. Every component runs as its own
// background process (as it would on separate machines), logs to <data-dir>/logs/<name>.log and records its pid
// in <data-dir>/run/<name>.pid, so `down` (or an `up` after a crash) finds exactly what to stop. State lives in the
// embedded etcd under the data dir, so `up` after `down` comes back with every object intact.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, findByKind, loadKubeConfig } from '../lib/client/index.js';

const NODE = findByKind('v1', 'Node')!;

const BIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../bin/flotilla.js');

export interface UpOptions {
  dataDir: string;
  port: number;
  hollowNodes: number;
  registryPort: number;
  agentPort: number;
  nodeName: string;
}

interface Component {
  name: string;
  args: string[];
}

const pidFile = (dataDir: string, name: string) => join(dataDir, 'run', `${name}.pid`);

/** True while pid runs (a zombie waiting to be reaped counts as dead). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function runningPid(dataDir: string, name: string): number | undefined {
  const f = pidFile(dataDir, name);
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8').trim());
  return pid > 0 && alive(pid) ? pid : undefined;
}

function start(dataDir: string, c: Component): number {
  const fd = openSync(join(dataDir, 'logs', `${c.name}.log`), 'a');
  try {
    const p = spawn(process.execPath, [BIN, ...c.args], { detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, FLOTILLA_LOG_LEVEL: process.env.FLOTILLA_LOG_LEVEL ?? 'info' } });
    p.unref();
    writeFileSync(pidFile(dataDir, c.name), `${p.pid}\n`);
    return p.pid as number;
  } finally {
    closeSync(fd);
  }
}

async function waitUntil(what: string, fn: () => Promise<boolean>, timeoutMs: number, logHint: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; see ${logHint}`);
}

export async function up(o: UpOptions): Promise<void> {
  const dataDir = resolve(o.dataDir);
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  mkdirSync(join(dataDir, 'run'), { recursive: true });
  const kubeconfig = join(dataDir, 'kubeconfig');
  const components: Component[] = [
    { name: 'apiserver', args: ['apiserver', '--data-dir', dataDir, '--port', String(o.port)] },
    { name: 'runtime', args: ['runtime', '--data-dir', dataDir, '--registry-port', String(o.registryPort)] },
    { name: 'controller-manager', args: ['controller-manager', '--kubeconfig', kubeconfig] },
    { name: 'scheduler', args: ['scheduler', '--kubeconfig', kubeconfig] },
    { name: 'node-agent', args: ['node-agent', '--kubeconfig', kubeconfig, '--data-dir', dataDir, '--node-name', o.nodeName, '--port', String(o.agentPort)] },
  ];
  if (o.hollowNodes > 0) components.push({ name: 'hollow-nodes', args: ['hollow-nodes', '--kubeconfig', kubeconfig, '--count', String(o.hollowNodes)] });

  for (const c of components) {
    const pid = runningPid(dataDir, c.name);
    if (pid) {
      say(`${c.name} is already running (pid ${pid})`);
      continue;
    }
    say(`starting ${c.name}`);
    start(dataDir, c);
    if (c.name === 'apiserver') {
      await waitUntil('the API server', async () => (await fetch(`http://127.0.0.1:${o.port}/readyz`)).ok, 60_000, join(dataDir, 'logs/apiserver.log'));
    }
    if (c.name === 'runtime') await waitForRuntime(dataDir);
  }
  const client = new Client(loadKubeConfig({ kubeconfig }));
  try {
    const want = o.hollowNodes + 1;
    await waitUntil(`${want} Ready node(s)`, async () => {
      const nodes = await client.list(NODE);
      return nodes.items.filter((n) => (n.status?.conditions as Array<{ type: string; status: string }> | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= want;
    }, 120_000, join(dataDir, 'logs/node-agent.log'));
  } finally {
    client.close();
  }
  say(`\nFlotilla is up: API server http://127.0.0.1:${o.port}, state and logs in ${dataDir}\n\nTry:\n  export KUBECONFIG=${kubeconfig}\n  kubectl get nodes\n  kubectl apply -f manifests/demo/\n  kubectl get pods -o wide\n  kubectl set image deployment/web web=127.0.0.1:${o.registryPort}/flotilla/web:v2 && kubectl rollout status deployment/web\n\nStop it with: flotilla down --data-dir ${o.dataDir}`);
}

/** The runtime is ready once containerd answers on its socket (the registry and images come first). */
async function waitForRuntime(dataDir: string): Promise<void> {
  const { CriClient } = await import('../node-agent/cri/client.js');
  const cri = new CriClient({ endpoint: join(dataDir, 'containerd/containerd.sock'), timeoutMs: 2000 });
  try {
    await waitUntil('containerd', async () => {
      if (!existsSync(join(dataDir, 'containerd/containerd.sock'))) return false;
      await cri.version();
      return true;
    }, 300_000, join(dataDir, 'logs/runtime.log'));
  } finally {
    cri.close();
  }
}

/** Stops every component recorded under dataDir, newest first; SIGKILL after 15 s. */
export async function down(dataDirArg: string): Promise<void> {
  const dataDir = resolve(dataDirArg);
  const run = join(dataDir, 'run');
  if (!existsSync(run)) {
    say('nothing is running');
    return;
  }
  const order = ['hollow-nodes', 'node-agent', 'scheduler', 'controller-manager', 'runtime', 'apiserver'];
  const names = readdirSync(run).filter((f) => f.endsWith('.pid')).map((f) => f.slice(0, -4)).sort((a, b) => rank(order, a) - rank(order, b));
  for (const name of names) {
    const pid = runningPid(dataDir, name);
    if (pid) {
      say(`stopping ${name} (pid ${pid})`);
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 15_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(pidFile(dataDir, name), { force: true });
  }
  // the node is going away: the tmpfs volumes (Secrets, emptyDir Memory) the node agent left mounted for its pods go
  // too, as they would with the machine; the agent removes the directories on its next start
  const { unmountAllUnder } = await import('../node-agent/runtime/cleanup.js');
  if (existsSync(join(dataDir, 'pods'))) await unmountAllUnder(join(dataDir, 'pods'));
  say('Flotilla is down');
}

const rank = (order: string[], name: string) => {
  const i = order.indexOf(name);
  return i < 0 ? -1 : i;
};


function say(s: string): void {
  process.stdout.write(`${s}\n`);
}
