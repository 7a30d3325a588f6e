// `flotilla node add | remove`: one more local node for a running `flotilla up --nodes N` cluster, or one fewer. The
// command records the new number in cluster.json and sends the supervisor SIGHUP; the supervisor makes or removes
// the node's namespace and starts or stops its `flotilla agent` (supervise.ts). Nodes are numbered 2..N, so the one
// removed is the last; it is drained first, as `kubectl drain` would, and its Node is deleted once its agent stopped.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { dataDirFlag, type Command } from './command.js';
import type { ClusterConfig } from '../cluster.js';

const timeoutFlag = { name: 'timeout', type: 'seconds' as const, value: 'S', help: 'how long to wait for the node', default: 300 };

/** The running cluster of the data dir with local nodes, and its supervisor's pid; throws a clear error otherwise. */
async function runningWithLocalNodes(dir: string): Promise<{ config: ClusterConfig; supervisor: number }> {
  const [{ readClusterConfig }, { pidFile, readPid }, { alive }] = await Promise.all([import('../cluster.js'), import('../supervisor/state.js'), import('../supervisor/procfs.js')]);
  const dataDir = resolve(dir);
  const config = readClusterConfig(dataDir);
  if (!config) throw new Error(`no cluster in ${dataDir} ("flotilla up" makes one)`);
  const supervisor = readPid(pidFile(dataDir, 'supervisor'));
  if (!supervisor || !alive(supervisor)) throw new Error(`the cluster in ${dataDir} is not running ("flotilla up" first)`);
  if (!config.nodeNetwork) throw new Error(`the cluster in ${dataDir} runs without local nodes: "flotilla down", then "flotilla up --nodes N"`);
  return { config, supervisor };
}

/** Records the number of nodes and tells the supervisor. */
async function resize(c: ClusterConfig, supervisor: number, nodes: number): Promise<void> {
  (await import('../cluster.js')).writeClusterConfig({ ...c, nodes });
  process.kill(supervisor, 'SIGHUP');
}

async function adminClient(c: ClusterConfig) {
  const [{ Client, loadKubeConfig }, { clusterFiles }] = await Promise.all([import('../../lib/client/index.js'), import('../credentials.js')]);
  return new Client(loadKubeConfig({ kubeconfig: clusterFiles(c.dataDir).adminKubeconfig }));
}

/** Polls check (a failed look counts as not yet) every 500 ms; throws naming `what` after timeoutMs. */
async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const { until } = await import('../supervisor/procfs.js');
  if (!(await until(() => check().catch(() => false), timeoutMs, 500))) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
}

export const nodeAdd: Command = {
  spec: {
    name: 'node add',
    summary: 'Add a node to a running local cluster (one more network namespace joined as a machine would)',
    description: 'The cluster must have been started with "flotilla up --nodes N". Returns once the new node is Ready.',
    flags: [dataDirFlag('the cluster'), timeoutFlag],
  },
  async run(f) {
    const [{ config, supervisor }, { localNodesPlan }, { findByKind }] = await Promise.all([
      runningWithLocalNodes(f.string('data-dir') as string), import('../local-nodes/plan.js'), import('../../lib/api/kinds.js')]);
    const count = (config.nodes ?? 1) + 1;
    const plan = localNodesPlan({ dataDir: config.dataDir, nodeName: config.nodeName, count, segment: config.nodeNetwork as string,
      cgroupRoot: config.cgroupRoot });
    const n = plan.nodes.at(-1) as (typeof plan.nodes)[number];
    await resize(config, supervisor, count);
    const client = await adminClient(config);
    try {
      await waitUntil(`node ${n.name} to be Ready`, f.ms('timeout'), async () => {
        const node = await client.get(findByKind('v1', 'Node')!, n.name);
        return ((node.status?.conditions ?? []) as Array<{ type: string; status: string }>).some((x) => x.type === 'Ready' && x.status === 'True');
      });
    } finally {
      client.close();
    }
    process.stdout.write(`node/${n.name} added (${n.ip}, network namespace ${n.netns}), Ready\n`);
  },
};

export const nodeRemove: Command = {
  spec: {
    name: 'node remove',
    summary: 'Drain and remove the last node of a running local cluster',
    description: `Nodes 2..N of "flotilla up --nodes N" are numbered, so the one removed is the last (NAME, if given,
must be it). Its pods are evicted first (as "kubectl drain --ignore-daemonsets --delete-emptydir-data --force"), then
its agent is stopped, its namespace removed and its Node deleted.`,
    args: { usage: '[NAME]', min: 0, max: 1 },
    flags: [dataDirFlag('the cluster'), timeoutFlag],
  },
  async run(f) {
    const [{ config, supervisor }, { localNodesPlan }, { findByKind }, { readState }, { spawnSync }, { FLOTCTL_BIN }, { clusterFiles }, { isNotFound }] =
      await Promise.all([
      runningWithLocalNodes(f.string('data-dir') as string), import('../local-nodes/plan.js'), import('../../lib/api/kinds.js'),
      import('../supervisor/state.js'), import('node:child_process'), import('../cluster.js'), import('../credentials.js'), import('../../lib/client/index.js')]);
    const count = config.nodes ?? 1;
    if (count < 2) throw new Error('the cluster has no local node left to remove');
    const plan = localNodesPlan({ dataDir: config.dataDir, nodeName: config.nodeName, count, segment: config.nodeNetwork as string,
      cgroupRoot: config.cgroupRoot });
    const n = plan.nodes.at(-1) as (typeof plan.nodes)[number];
    const asked = f.positionals[0];
    if (asked !== undefined && asked !== n.name) throw new Error(`only the last local node (${n.name}) can be removed: the nodes are numbered 2..${count}`);
    // drained as an operator would: flotctl's drain (cordon, then evictions honouring disruption budgets)
    const drained = spawnSync(process.execPath, [FLOTCTL_BIN, 'drain', n.name, '--ignore-daemonsets', '--delete-emptydir-data', '--force',
      `--timeout=${Math.round(f.ms('timeout') / 1000)}s`, '--kubeconfig', clusterFiles(config.dataDir).adminKubeconfig], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (drained.status !== 0) throw new Error(`draining ${n.name} failed (exit ${drained.status}); nothing was removed`);
    await resize(config, supervisor, count - 1);
    const namespaces = () => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]);
    // its data dir goes last, once its namespace, veth and cgroups are gone (cleanUpLocalNode)
    await waitUntil(`the supervisor to stop ${n.name} and remove what it had`, f.ms('timeout'),
      async () => !readState(config.dataDir)?.components.some((x) => x.name === n.name) && !namespaces().includes(n.netns) && !existsSync(n.dataDir));
    const client = await adminClient(config);
    try {
      await client.delete(findByKind('v1', 'Node')!, n.name).catch((e: Error) => {
        if (!isNotFound(e)) throw e;
      });
    } finally {
      client.close();
    }
    process.stdout.write(`node/${n.name} removed\n`);
  },
};
