// The Node object a node agent registers and keeps current: capacity and allocatable from the machine, addresses,
// nodeInfo with the runtime's version, and conditions from the runtime's health.
import { readFileSync, statfsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { cpus, networkInterfaces, release, totalmem } from 'node:os';
import type { KubeObject } from '../../lib/api/types.js';
import type { VersionResponse } from '../cri/types.js';
import { rfc3339 } from '../../lib/api/time.js';

export const MAX_PODS = 110;
export const AGENT_VERSION = 'v1.32.0-flotilla';

/** The machine's first non-loopback IPv4 address (what pods see as status.hostIP). */
export function primaryIPv4(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.')) return a.address;
  }
  return '127.0.0.1';
}

function osImage(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

export function capacity(dataDir: string): Record<string, string> {
  let storage = 0;
  try {
    const s = statfsSync(dataDir);
    storage = s.blocks * s.bsize;
  } catch {
    /* unknown */
  }
  return { cpu: String(cpus().length), memory: `${Math.floor(totalmem() / 1024)}Ki`, pods: String(MAX_PODS), 'ephemeral-storage': `${Math.floor(storage / 1024)}Ki` };
}

type Condition = { type: string; status: string; reason: string; message: string; lastHeartbeatTime: string; lastTransitionTime: string };

/** The Ready condition as the runtime health check computes it (see runtime-health.ts). */
export interface ReadyState {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface NodeFacts {
  dataDir: string;
  hostIP: string;
  hostname: string;
  port: number;
  /** The runtime's version from its last answer (undefined before the first). */
  version: VersionResponse | undefined;
  ready: ReadyState;
}

export function nodeStatus(prev: KubeObject | undefined, o: NodeFacts): Record<string, unknown> {
  const now = rfc3339();
  const before = new Map(((prev?.status?.conditions as Condition[] | undefined) ?? []).map((c) => [c.type, c]));
  const cond = (type: string, status: string, reason: string, message: string): Condition => ({
    type, status, reason, message, lastHeartbeatTime: now,
    lastTransitionTime: before.get(type)?.status === status ? (before.get(type)?.lastTransitionTime as string) : now,
  });
  const cap = capacity(o.dataDir);
  return {
    capacity: cap,
    allocatable: cap,
    conditions: [
      cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      cond('Ready', o.ready.status, o.ready.reason, o.ready.message),
    ],
    addresses: [{ type: 'InternalIP', address: o.hostIP }, { type: 'Hostname', address: o.hostname }],
    daemonEndpoints: { kubeletEndpoint: { Port: o.port } },
    nodeInfo: {
      machineID: readOr('/etc/machine-id'),
      systemUUID: readOr('/sys/class/dmi/id/product_uuid'),
      bootID: readOr('/proc/sys/kernel/random/boot_id'),
      kernelVersion: release(),
      osImage: osImage(),
      // the kubelet's "Unknown" when the runtime has not answered yet
      containerRuntimeVersion: o.version ? `${o.version.runtimeName}://${o.version.runtimeVersion}` : 'containerd://Unknown',
      kubeletVersion: AGENT_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    },
  };
}

/**
 * How often an unchanged status is written anyway (the kubelet's nodeStatusReportFrequency once node leases carry
 * the heartbeat): the Lease, renewed every 10 s, is what tells the control plane the node is alive.
 */
export const STATUS_REPORT_EVERY_MS = 5 * 60_000;

/** A status without its conditions' heartbeat times: what must differ for a write to be worth it. */
function withoutHeartbeats(status: Record<string, unknown>): Record<string, unknown> {
  const conditions = status.conditions as Condition[] | undefined;
  return { ...status, conditions: conditions?.map(({ lastHeartbeatTime: _, ...c }) => c) };
}

/**
 * Whether the node's status must be written: some field the agent reports differs from the server's (heartbeat
 * times aside), or the last report (the server's Ready heartbeat) is STATUS_REPORT_EVERY_MS old, as the kubelet does.
 */
export function statusToReport(server: KubeObject | undefined, next: Record<string, unknown>, nowMs = Date.now()): boolean {
  const cur = (server?.status ?? {}) as Record<string, unknown>;
  const ready = (cur.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready');
  const reported = Date.parse(ready?.lastHeartbeatTime ?? '');
  if (!(nowMs - reported < STATUS_REPORT_EVERY_MS)) return true;
  const mine = withoutHeartbeats(next);
  const theirs = withoutHeartbeats(cur);
  return Object.keys(mine).some((k) => !isDeepStrictEqual(mine[k], theirs[k]));
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
