// What an object costs a ResourceQuota, shared by the ResourceQuota admission plugin (which charges creates) and the
// resource quota controller (which recounts): object counts (`pods`, `services`, ..., `count/<resource>.<group>`),
// a pod's compute (`requests.cpu`/`cpu`, `requests.memory`/`memory`, `limits.cpu`, `limits.memory`), and which pods
// a quota's scopes (Terminating, NotTerminating, BestEffort, NotBestEffort) take in. Amounts are milli-units.
import { parseQuantity } from './quantity.js';
import type { KubeObject } from './types.js';

export type Usage = Map<string, number>;

/** The count a quota names core kinds by (`pods`), beside the generic `count/<resource>[.<group>]`. */
const CORE_COUNTS = new Set(['pods', 'services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas']);

const milli = (q: unknown): number => Math.round((parseQuantity(q) ?? 0) * 1000);

type Resources = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
type Container = { name?: string; resources?: Resources };

function containers(pod: KubeObject): { regular: Container[]; init: Container[] } {
  return { regular: (pod.spec?.containers ?? []) as Container[], init: (pod.spec?.initContainers ?? []) as Container[] };
}

/** A container's request of r: the request, else its limit (as the API's defaulting fills it in). */
const requestOf = (c: Container, r: string): number => milli(c.resources?.requests?.[r] ?? c.resources?.limits?.[r]);
const limitOf = (c: Container, r: string): number => milli(c.resources?.limits?.[r]);

/** The pod's effective amount: the sum over its containers, or its largest init container when that is more. */
function podAmount(pod: KubeObject, r: string, of: (c: Container, r: string) => number): number {
  const { regular, init } = containers(pod);
  const sum = regular.reduce((s, c) => s + of(c, r), 0);
  return Math.max(sum, ...init.map((c) => of(c, r)));
}

const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];

/** A pod without any request or limit. */
export function isBestEffort(pod: KubeObject): boolean {
  const { regular, init } = containers(pod);
  return [...regular, ...init].every((c) => !Object.keys(c.resources?.requests ?? {}).length && !Object.keys(c.resources?.limits ?? {}).length);
}

/** Is the pod still counted: not Succeeded or Failed, not past its deletion grace period. */
export function podCounts(pod: KubeObject, now = Date.now()): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const del = pod.metadata.deletionTimestamp;
  if (del && pod.metadata.deletionGracePeriodSeconds !== undefined && Date.parse(del) <= now) return false;
  return true;
}

export function podUsage(pod: KubeObject): Usage {
  const u: Usage = new Map([['pods', 1000], ['count/pods', 1000]]);
  for (const r of COMPUTE) {
    const req = podAmount(pod, r, requestOf);
    const lim = podAmount(pod, r, limitOf);
    if (req) {
      u.set(`requests.${r}`, req);
      u.set(r, req);
    }
    if (lim) u.set(`limits.${r}`, lim);
  }
  return u;
}

/** What one object of a kind costs. */
export function objectUsage(resource: string, group: string, obj: KubeObject): Usage {
  if (group === '' && resource === 'pods') return podUsage(obj);
  const count = `count/${resource}${group ? `.${group}` : ''}`;
  const u: Usage = new Map([[count, 1000]]);
  if (group === '' && CORE_COUNTS.has(resource)) u.set(resource, 1000);
  if (group === '' && resource === 'services') {
    const type = obj.spec?.type;
    if (type === 'LoadBalancer') u.set('services.loadbalancers', 1000);
    if (type === 'NodePort' || type === 'LoadBalancer') u.set('services.nodeports', 1000 * ((obj.spec?.ports ?? []) as unknown[]).length);
  }
  if (group === '' && resource === 'persistentvolumeclaims') u.set('requests.storage', milli(obj.spec?.resources?.requests?.storage));
  return u;
}

/** Does the quota's scopes take the object in (scopes apply to pods only). */
export function matchesScopes(quota: KubeObject, resource: string, group: string, obj: KubeObject): boolean {
  const scopes = (quota.spec?.scopes ?? []) as string[];
  if (!scopes.length) return true;
  if (!(group === '' && resource === 'pods')) return false;
  return scopes.every((s) => {
    const terminating = typeof obj.spec?.activeDeadlineSeconds === 'number' && obj.spec.activeDeadlineSeconds >= 0;
    switch (s) {
      case 'Terminating': return terminating;
      case 'NotTerminating': return !terminating;
      case 'BestEffort': return isBestEffort(obj);
      case 'NotBestEffort': return !isBestEffort(obj);
      default: return true;
    }
  });
}

/** A milli-amount as the quantity a quota status shows: counts whole, cpu in m, bytes with a binary suffix when exact. */
export function formatAmount(resource: string, amount: number): string {
  if (resource.endsWith('cpu')) return amount % 1000 === 0 ? String(amount / 1000) : `${amount}m`;
  if (/memory|storage/.test(resource)) {
    const bytes = amount / 1000;
    if (!Number.isInteger(bytes)) return `${amount}m`;
    for (const [suffix, size] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) if (bytes && bytes % size === 0) return `${bytes / size}${suffix}`;
    return String(bytes);
  }
  return amount % 1000 === 0 ? String(amount / 1000) : `${amount}m`;
}

export const parseAmount = milli;

/** `a=1,b=2`, sorted by name, as Kubernetes prints a ResourceList in quota messages. */
export function prettyPrint(list: Record<string, string>): string {
  return Object.keys(list).sort().map((k) => `${k}=${list[k]}`).join(',');
}
