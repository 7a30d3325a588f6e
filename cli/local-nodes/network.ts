// The "machines" of `flotilla up --nodes N` on this host: the segment bridge with the host's address, and per node a
// network namespace (`ip netns add`) wired to it by a veth, with its own address, a default route through the host,
// and IP forwarding on (it routes its pods' traffic, as any node does). A guard table keeps whatever the namespaces
// send on this machine: forwarded traffic from the segment may go to the segment or to this cluster's pod bridge,
// nothing else (a node in a namespace has no business with the host's uplink). Tearing down is the reverse, and also
// what `down` and the next `up` do with what a killed run left: processes still inside a namespace are killed (they
// are ours by construction), then the namespaces, the bridge (its routes go with it) and the table are deleted.
import { run, runOk } from '../../node-agent/runtime/proc.js';
import type { LocalNode, LocalNodesPlan } from './plan.js';

/** Runs an `ip -batch` script; rejects with its error. */
const ipBatch = (script: string[]) => runOk('ip', ['-batch', '-'], { input: script.join('\n') + '\n' });

/** The guard table: from the segment, forward only to the segment and to the cluster's pod bridge (node 1's pods). */
export function guardTableScript(plan: LocalNodesPlan, podBridge: string): string {
  const t = `ip ${plan.guardTable}`;
  return [
    `add table ${t}`, `delete table ${t}`,
    `add table ${t} { comment "flotilla up --nodes: the node namespaces' traffic stays on this machine"; }`,
    `add chain ${t} forward { type filter hook forward priority filter - 10; policy accept; }`,
    `add rule ${t} forward iifname "${plan.bridge}" oifname "${plan.bridge}" accept`,
    `add rule ${t} forward iifname "${plan.bridge}" oifname "${podBridge}" accept`,
    `add rule ${t} forward iifname "${plan.bridge}" drop`,
    '',
  ].join('\n');
}

/** Makes the segment and every node's namespace (after removing what an earlier run left). */
export async function setUpLocalNodes(plan: LocalNodesPlan, podBridge: string): Promise<void> {
  await tearDownLocalNodes(plan);
  try {
    await ipBatch([`link add ${plan.bridge} type bridge`, `addr add ${plan.hostIP}/${plan.prefixLength} dev ${plan.bridge}`, `link set ${plan.bridge} up`]);
    await runOk('nft', ['-f', '-'], { input: guardTableScript(plan, podBridge) });
    for (const n of plan.nodes) await addNodeNamespace(plan, n);
  } catch (e) {
    await tearDownLocalNodes(plan);
    throw e;
  }
}

/** One node's namespace on the segment: its veth, address, default route through the host, forwarding on. */
async function addNodeNamespace(plan: LocalNodesPlan, n: LocalNode): Promise<void> {
  await runOk('ip', ['netns', 'add', n.netns]);
  await ipBatch([`link add ${n.veth} type veth peer name eth0 netns ${n.netns}`, `link set ${n.veth} master ${plan.bridge}`, `link set ${n.veth} up`]);
  await runOk('ip', ['-n', n.netns, '-batch', '-'], { input: ['link set lo up', `addr add ${n.ip}/${plan.prefixLength} dev eth0`, 'link set eth0 up',
    `route add default via ${plan.hostIP}`].join('\n') + '\n' });
  // a node forwards its pods' traffic (a new namespace starts with forwarding off)
  await runOk('ip', ['netns', 'exec', n.netns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
}

/** A node added to a running cluster's segment (`flotilla node add`): whatever an earlier one of its name left goes first. */
export async function setUpLocalNode(plan: LocalNodesPlan, n: LocalNode): Promise<void> {
  await tearDownLocalNode(n);
  try {
    await addNodeNamespace(plan, n);
  } catch (e) {
    await tearDownLocalNode(n);
    throw e;
  }
}

/** One node's namespace (with whatever still runs in it) and its veth; returns what it removed. */
export async function tearDownLocalNode(n: LocalNode): Promise<string[]> {
  const removed: string[] = [];
  if ((await namespacesWith(n.netns)).includes(n.netns)) removed.push(await deleteNamespace(n.netns));
  if ((await run('ip', ['link', 'delete', n.veth])).code === 0) removed.push(`veth ${n.veth}`);
  return removed;
}

/** Namespaces whose name starts with prefix. */
async function namespacesWith(prefix: string): Promise<string[]> {
  const out = (await run('ip', ['netns', 'list'])).stdout;
  return out.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(prefix));
}

/** Kills what still runs inside a namespace (SIGKILL) and waits until it is empty. */
async function emptyNamespace(netns: string): Promise<number[]> {
  const pids = async () => (await run('ip', ['netns', 'pids', netns])).stdout.split('\n').map(Number).filter((p) => Number.isInteger(p) && p > 0 && p !== process.pid);
  const found = await pids();
  for (const p of found) {
    try {
      process.kill(p, 'SIGKILL');
    } catch { /* gone */ }
  }
  for (let i = 0; i < 100 && (await pids()).length; i++) await new Promise((r) => setTimeout(r, 50));
  return found;
}

/** Deletes a namespace after killing what still runs in it; says what it removed. */
async function deleteNamespace(ns: string): Promise<string> {
  const killed = await emptyNamespace(ns);
  // the namespace goes with its devices (the veth pair too) and its tables once nothing holds it
  await run('ip', ['netns', 'delete', ns]);
  return `network namespace ${ns}${killed.length ? ` (and ${killed.length} processes left in it)` : ''}`;
}

/** Removes every namespace, veth, the bridge and the guard table of the plan's cluster; returns what it removed. */
export async function tearDownLocalNodes(plan: LocalNodesPlan): Promise<string[]> {
  const removed: string[] = [];
  for (const ns of await namespacesWith(plan.netnsPrefix)) removed.push(await deleteNamespace(ns));
  // host-side veths of namespaces that are gone already went with them; one whose peer was never moved has not
  for (const n of plan.nodes) if ((await run('ip', ['link', 'delete', n.veth])).code === 0) removed.push(`veth ${n.veth}`);
  if ((await run('ip', ['link', 'delete', plan.bridge])).code === 0) removed.push(`bridge ${plan.bridge} (and the routes through it)`);
  if ((await run('nft', ['delete', 'table', 'ip', plan.guardTable])).code === 0) removed.push(`nftables table ip ${plan.guardTable}`);
  return removed;
}
