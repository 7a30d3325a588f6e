// A pod's QoS class and the cpu arithmetic of its cgroups, as the kubelet computes them: the class from the
// containers' cpu and memory requests and limits; the pod's effective cpu request and limit (the app containers and
// sidecars together, or the largest init container with the sidecars started before it, whichever is more, plus the
// pod overhead); cpu.shares and the CFS quota from millicores; and cgroup v2's cpu.weight from shares.
import { parseQuantity } from '../../lib/api/quantity.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isSidecar, specOf, type ContainerSpec } from './spec.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** The kernel's bounds on cpu.shares (the kubelet clamps to them). */
export const MIN_SHARES = 2;
export const MAX_SHARES = 262_144;
/** The CFS period the kubelet uses (100 ms) and the smallest quota it writes (1 ms). */
export const CPU_PERIOD_US = 100_000;
export const MIN_QUOTA_US = 1_000;

/** Millicores of a quantity, rounded up as Kubernetes' MilliValue() does; 0 when absent or invalid. */
export function milli(q: unknown): number {
  const v = parseQuantity(q);
  if (v === undefined || !(v > 0)) return 0;
  // round first so that 0.1 * 1000 = 100.00000000000001 is not taken up to 101
  return Math.ceil(Math.round(v * 1e9) / 1e6);
}

const COMPUTE = ['cpu', 'memory'] as const;

/**
 * Guaranteed (every container has cpu and memory limits, and requests equal to them), BestEffort (no container
 * requests or limits any cpu or memory), else Burstable. Init and app containers count alike; zero amounts are
 * as good as none. Ephemeral containers have no resources.
 */
export function podQOSClass(pod: KubeObject): QOSClass {
  const spec = specOf(pod);
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const add = (m: Map<string, number>, r: string, q: unknown) => {
    const v = parseQuantity(q);
    if (v !== undefined && v > 0) m.set(r, (m.get(r) ?? 0) + v);
  };
  for (const c of [...spec.initContainers, ...spec.containers]) {
    for (const r of COMPUTE) {
      add(requests, r, c.resources?.requests?.[r]);
      const lim = parseQuantity(c.resources?.limits?.[r]);
      if (lim !== undefined && lim > 0) add(limits, r, lim);
      else guaranteed = false;
    }
  }
  if (!requests.size && !limits.size) return 'BestEffort';
  if (!guaranteed) return 'Burstable';
  // requests equal to limits (an absent request was defaulted to its limit by the API server)
  for (const r of COMPUTE) {
    const req = requests.get(r);
    if (req !== undefined && req !== limits.get(r)) return 'Burstable';
  }
  return 'Guaranteed';
}

/** The pod's QoS class: status.qosClass as the API server set it, else computed from the spec. */
export function qosClassOf(pod: KubeObject): QOSClass {
  const s = pod.status?.qosClass;
  return s === 'Guaranteed' || s === 'Burstable' || s === 'BestEffort' ? s : podQOSClass(pod);
}

/**
 * The pod's effective amount of a container quantity (millicores for cpu): the app containers plus the sidecars,
 * or the largest regular init container plus the sidecars started before it, whichever is more; plus the overhead.
 */
function podAmount(pod: KubeObject, of: (c: ContainerSpec) => number, overhead: number): number {
  const spec = specOf(pod);
  let app = spec.containers.reduce((sum, c) => sum + of(c), 0);
  let sidecars = 0;
  let init = 0;
  for (const c of spec.initContainers) {
    if (isSidecar(c)) {
      app += of(c);
      sidecars += of(c);
    } else init = Math.max(init, of(c) + sidecars);
  }
  return Math.max(app, init) + overhead;
}

/** A container's cpu request in millicores (its limit when no request is set, as the API server defaults it). */
const cpuRequest = (c: ContainerSpec): number => milli(c.resources?.requests?.cpu ?? c.resources?.limits?.cpu);

/** The pod's cpu request, in millicores. */
export function podCpuRequestMilli(pod: KubeObject): number {
  return podAmount(pod, cpuRequest, milli(pod.spec?.overhead?.cpu));
}

/** The pod's cpu limit in millicores when every init and app container has one; undefined otherwise (no quota). */
export function podCpuLimitMilli(pod: KubeObject): number | undefined {
  const spec = specOf(pod);
  if ([...spec.initContainers, ...spec.containers].some((c) => milli(c.resources?.limits?.cpu) === 0)) return undefined;
  return podAmount(pod, (c) => milli(c.resources?.limits?.cpu), milli(pod.spec?.overhead?.cpu));
}

/** cpu.shares for a cpu amount in millicores (MilliCPUToShares): milli × 1024 / 1000, at least 2. */
export function milliCPUToShares(m: number): number {
  if (m <= 0) return MIN_SHARES;
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((m * 1024) / 1000)));
}

/** The CFS quota (µs per period) of a cpu limit in millicores (MilliCPUToQuota); 0 for none. */
export function milliCPUToQuota(m: number, periodUs = CPU_PERIOD_US): number {
  if (m <= 0) return 0;
  return Math.max(MIN_QUOTA_US, Math.floor((m * periodUs) / 1000));
}

/** cgroup v2's cpu.weight (1-10000) for v1 cpu.shares (2-262144), as the kubelet converts them. */
export function sharesToWeight(shares: number): number {
  if (shares <= 0) return 0;
  return 1 + Math.floor(((shares - MIN_SHARES) * 9999) / (MAX_SHARES - MIN_SHARES));
}

/** The cgroup settings of a pod: shares from its cpu request, a quota when every container has a cpu limit. */
export interface PodCpuConfig {
  shares: number;
  quotaUs?: number;
  periodUs?: number;
}

export function podCpuConfig(pod: KubeObject): PodCpuConfig {
  if (qosClassOf(pod) === 'BestEffort') return { shares: MIN_SHARES };
  const limit = podCpuLimitMilli(pod);
  const cfg: PodCpuConfig = { shares: milliCPUToShares(podCpuRequestMilli(pod)) };
  if (limit !== undefined) {
    cfg.quotaUs = milliCPUToQuota(limit);
    cfg.periodUs = CPU_PERIOD_US;
  }
  return cfg;
}
