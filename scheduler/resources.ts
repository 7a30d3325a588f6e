// Resource arithmetic as kube-scheduler does it: a pod's effective request is the sum of its containers' requests,
// max'ed with each init container's request (sidecars, restartPolicy Always, keep running and add up), plus
// spec.overhead. CPU is kept in millicores and everything else in integer units, so sums never drift.
import { parseQuantity } from '../lib/api/quantity.js';
import type { KubeObject } from '../lib/api/types.js';

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL = 'ephemeral-storage';
export const PODS = 'pods';

/** What least-allocated scoring assumes a container without requests uses (kube's non-zero defaults). */
export const DEFAULT_MILLI_CPU = 100;
export const DEFAULT_MEMORY = 200 * 1024 * 1024;

/** Requests or capacity by resource name; cpu in millicores, `pods` as a count, the rest in base units. */
export type Resources = Map<string, number>;

interface ContainerLike {
  resources?: { requests?: Record<string, unknown> };
  restartPolicy?: string;
  ports?: Array<{ hostPort?: number; containerPort?: number; protocol?: string; hostIP?: string }>;
}

/** Parses a quantity into the integer unit the scheduler computes in (millicores for cpu). */
export function quantityValue(name: string, q: unknown): number {
  const v = parseQuantity(q);
  if (v === undefined || v <= 0) return 0;
  const scaled = name === CPU ? v * 1000 : v;
  return Math.ceil(Math.round(scaled * 1000) / 1000); // round away float noise (0.1*1000), then round up like kube
}

export function parseResourceList(list: Record<string, unknown> | undefined): Resources {
  const r: Resources = new Map();
  for (const [k, q] of Object.entries(list ?? {})) r.set(k, quantityValue(k, q));
  return r;
}

function addInto(into: Resources, r: Resources): void {
  for (const [k, v] of r) into.set(k, (into.get(k) ?? 0) + v);
}

function maxInto(into: Resources, r: Resources): void {
  for (const [k, v] of r) if (v > (into.get(k) ?? 0)) into.set(k, v);
}

function plus(a: Resources, b: Resources): Resources {
  const r = new Map(a);
  addInto(r, b);
  return r;
}

export interface PodRequests {
  /** Effective requests, what the NodeResourcesFit filter compares against allocatable. */
  requests: Resources;
  /** cpu and memory with kube's defaults for containers that request none: what scoring uses. */
  nonZeroMilliCPU: number;
  nonZeroMemory: number;
}

function effective(pod: KubeObject, nonZero: boolean): Resources {
  const spec = pod.spec ?? {};
  const reqOf = (c: ContainerLike): Resources => {
    const r = parseResourceList(c.resources?.requests);
    if (nonZero) {
      if (!r.get(CPU)) r.set(CPU, DEFAULT_MILLI_CPU);
      if (!r.get(MEMORY)) r.set(MEMORY, DEFAULT_MEMORY);
    }
    return r;
  };
  const sum: Resources = new Map();
  for (const c of (spec.containers ?? []) as ContainerLike[]) addInto(sum, reqOf(c));
  const sidecars: Resources = new Map();
  const initMax: Resources = new Map();
  for (const c of (spec.initContainers ?? []) as ContainerLike[]) {
    const r = reqOf(c);
    if (c.restartPolicy === 'Always') {
      addInto(sidecars, r); // a sidecar keeps running next to later init containers and the app containers
      maxInto(initMax, sidecars);
    } else maxInto(initMax, plus(r, sidecars));
  }
  const result = plus(sum, sidecars);
  maxInto(result, initMax);
  addInto(result, parseResourceList(spec.overhead));
  return result;
}

const memo = new WeakMap<KubeObject, PodRequests>();

/** A pod's requests, computed once per pod object (informers hand out a new object on every change). */
export function podRequests(pod: KubeObject): PodRequests {
  let r = memo.get(pod);
  if (!r) {
    const nz = effective(pod, true);
    r = { requests: effective(pod, false), nonZeroMilliCPU: nz.get(CPU) ?? 0, nonZeroMemory: nz.get(MEMORY) ?? 0 };
    memo.set(pod, r);
  }
  return r;
}

export interface HostPort {
  hostIP: string;
  protocol: string;
  port: number;
}

/** The host ports a pod asks for (containerPort entries with a hostPort). */
export function podHostPorts(pod: KubeObject): HostPort[] {
  const out: HostPort[] = [];
  const spec = pod.spec ?? {};
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])] as ContainerLike[]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ hostIP: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}
