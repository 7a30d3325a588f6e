// What nodes 2..N of a local cluster leave when they are not stopped in order (the supervisor was killed, a node's
// agent was): their components (each node's own supervisor state names them), their containers, shims and mounts
// (their containerd ran in the host's mount namespace, under the node's data dir), their pods' cgroups, and then the
// namespaces, the segment and the guard table. Found from the data dir alone, whatever --nodes the last run had.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { endLeftovers } from '../supervisor/leftovers.js';
import { localNodesPlan, type LocalNode, type LocalNodesPlan } from './plan.js';
import { tearDownLocalNode, tearDownLocalNodes } from './network.js';

/** The names a cluster's local nodes use, whatever their number and segment (for clean-up). */
function namesOnly(dataDir: string, nodeName: string, cgroupRoot: string | undefined, plan?: LocalNodesPlan): LocalNodesPlan {
  // the segment is irrelevant to tearing down: everything is found by name
  return plan ?? localNodesPlan({ dataDir, nodeName, count: 1, segment: '10.0.0.0/24', cgroupRoot });
}

/** Ends, unmounts and removes everything of the local nodes of dataDir; returns what it found. */
export async function cleanUpLocalNodes(dataDir: string, o: { nodeName: string; cgroupRoot?: string; plan?: LocalNodesPlan }): Promise<string[]> {
  const plan = namesOnly(dataDir, o.nodeName, o.cgroupRoot, o.plan);
  const done: string[] = [];
  const nodesDir = join(dataDir, 'nodes');
  const dirs = existsSync(nodesDir) ? readdirSync(nodesDir).map((d) => join(nodesDir, d)) : [];
  for (const dir of dirs) done.push(...(await cleanUpNodeDir(dir)));
  done.push(...(await tearDownLocalNodes(plan)));
  const { removeCgroupTree } = await import('../../node-agent/runtime/cleanup.js');
  if (removeCgroupTree(plan.cgroupParent)) done.push(`cgroups under ${plan.cgroupParent}`);
  return done;
}

/** What one node's data dir still holds running or mounted: its components, containers, shims and mounts. */
async function cleanUpNodeDir(dir: string): Promise<string[]> {
  const done: string[] = [];
  const [{ forceCleanupDataDir }, { unmountAllUnder }] = await Promise.all([
    import('../../node-agent/runtime/containerd.js'), import('../../node-agent/runtime/cleanup.js')]);
  done.push(...(await endLeftovers(dir)).map((e) => `${e} of ${dir}`));
  if (existsSync(join(dir, 'containerd/config.toml'))) await forceCleanupDataDir(join(dir, 'containerd'));
  const mounts = await unmountAllUnder(dir);
  if (mounts.length) done.push(`${mounts.length} mounts under ${dir}`);
  return done;
}

/** Removes one local node (`flotilla node remove`, once its agent stopped): its leftovers, namespace, veth, cgroups, data dir. */
export async function cleanUpLocalNode(n: LocalNode): Promise<string[]> {
  const done = await cleanUpNodeDir(n.dataDir);
  done.push(...(await tearDownLocalNode(n)));
  const { removeCgroupTree } = await import('../../node-agent/runtime/cleanup.js');
  if (removeCgroupTree(n.cgroupRoot)) done.push(`cgroups under ${n.cgroupRoot}`);
  rmSync(n.dataDir, { recursive: true, force: true });
  return done;
}
