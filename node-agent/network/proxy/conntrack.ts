// Stale UDP conntrack entries. UDP has no connection to close: once conntrack has an entry mapping a client's flow to
// an endpoint, every later datagram follows it, even after that endpoint is gone from the rules (a DNS client on a
// fixed source port would keep talking to a dead pod). So after each sync the entries for endpoints that were
// removed are deleted, and so are those of a Service that just got its first endpoint (datagrams sent while it had
// none were not DNATed, and their entries would keep the next ones from being DNATed). TCP needs none of this: a
// dead endpoint's connections fail and the client reconnects through the rules.
import type { CommandRunner } from '../exec.js';
import type { ServicePortPlan } from './endpoints.js';

/** One `conntrack -D` filter. */
export interface ConntrackDeletion {
  family: 4 | 6;
  /** Original destination address (a ClusterIP or LB IP); absent for a node port. */
  origDst?: string;
  origPortDst: number;
  /** The endpoint that answered (reply source); absent: every flow to the destination. */
  replySrc?: string;
}

function endpointIPs(p: ServicePortPlan | undefined): Set<string> {
  return new Set(p ? [...p.clusterEndpoints, ...p.localEndpoints].map((e) => e.ip) : []);
}

function destinations(p: ServicePortPlan): { origDst?: string; origPortDst: number }[] {
  const out: { origDst?: string; origPortDst: number }[] = [];
  for (const ip of [...p.clusterIPs, ...p.loadBalancerIPs]) out.push({ origDst: ip, origPortDst: p.port.port });
  if (p.nodePort !== undefined) out.push({ origPortDst: p.nodePort });
  return out;
}

/** The deletions that take conntrack from what `prev` programmed to what `next` programs (UDP only). */
export function staleUdpFlows(prev: ServicePortPlan[], next: ServicePortPlan[]): ConntrackDeletion[] {
  const id = (p: ServicePortPlan) => `${p.family}|${p.key}`;
  const before = new Map(prev.filter((p) => p.protocol === 'UDP').map((p) => [id(p), p]));
  const after = new Map(next.filter((p) => p.protocol === 'UDP').map((p) => [id(p), p]));
  const out: ConntrackDeletion[] = [];
  const seen = new Set<string>();
  const add = (d: ConntrackDeletion) => {
    const k = `${d.family}|${d.origDst ?? ''}|${d.origPortDst}|${d.replySrc ?? ''}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(d);
    }
  };
  for (const [k, old] of before) {
    const cur = after.get(k);
    const keep = endpointIPs(cur);
    const removed = [...endpointIPs(old)].filter((ip) => !keep.has(ip));
    // Destinations as they were and as they are: a removed ClusterIP or node port takes its flows with it too.
    const dsts = [...destinations(old), ...(cur ? destinations(cur) : [])];
    for (const dst of dsts) for (const ip of removed) add({ family: old.family, ...dst, replySrc: ip });
  }
  for (const [k, cur] of after) {
    const old = before.get(k);
    if (endpointIPs(cur).size && !endpointIPs(old).size) for (const dst of destinations(cur)) add({ family: cur.family, ...dst });
  }
  return out;
}

/** `conntrack` arguments for one deletion. */
export function conntrackArgs(d: ConntrackDeletion): string[] {
  const args = ['-D', '-f', d.family === 4 ? 'ipv4' : 'ipv6', '-p', 'udp'];
  if (d.origDst) args.push('--orig-dst', d.origDst);
  args.push('--orig-port-dst', String(d.origPortDst));
  if (d.replySrc) args.push('--reply-src', d.replySrc);
  return args;
}

/**
 * Runs the deletions; returns how many entries went. A filter that matches nothing is not an error (conntrack exits 1
 * saying "0 flow entries"). A missing `conntrack` binary is reported once by the caller through the thrown error.
 */
export async function deleteFlows(runner: CommandRunner, deletions: ConntrackDeletion[]): Promise<number> {
  let deleted = 0;
  for (const d of deletions) {
    const r = await runner('conntrack', conntrackArgs(d));
    const n = /(\d+) flow entries have been deleted/.exec(r.stderr + r.stdout);
    if (n) deleted += Number(n[1]);
    else if (r.code !== 0) throw new Error(`conntrack ${conntrackArgs(d).join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  }
  return deleted;
}
