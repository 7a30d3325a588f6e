// Which pod a command means, as kubectl decides it: a POD or TYPE/NAME argument, the label selector an object stands
// for, kubectl's two pod orderings (the pod best for reading logs; the pod exec and attach pick), waiting for a first
// pod to appear, and a pod's default container. Shared by `logs` and `exec`.
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { resourcePath } from '../../lib/client/rest.js';
import { CliError, type Ctx } from './context.js';

export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string; restartPolicy?: string }[]; ephemeralContainers?: { name: string }[];
  };
  status?: {
    phase?: string; conditions?: { type: string; status: string; lastTransitionTime?: string }[]; containerStatuses?: { restartCount?: number }[];
    initContainerStatuses?: { name: string; restartCount?: number }[];
  };
}

export const DEFAULT_CONTAINER = 'kubectl.kubernetes.io/default-container';

/** `a, b, c (ephem), d (init)`: how kubectl lists a pod's containers. */
export function allContainerNames(pod: Pod): string {
  const s = pod.spec ?? {};
  return [...(s.containers ?? []).map((c) => c.name), ...(s.ephemeralContainers ?? []).map((c) => `${c.name} (ephem)`), ...(s.initContainers ?? []).map((c) => `${c.name} (init)`)].join(', ');
}

export const hasContainer = (pod: Pod, name: string) =>
  [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].some((c) => c.name === name);

/** True when the first container was picked among several (kubectl then says so). */
export const manyContainers = (pod: Pod) =>
  (pod.spec?.containers?.length ?? 0) > 1 || !!pod.spec?.initContainers?.length || !!pod.spec?.ephemeralContainers?.length;

/** The object a POD or TYPE/NAME argument names, with its kind. */
export function parseRef(ctx: Ctx, arg: string): { kind: KindInfo; name: string } {
  const slash = arg.indexOf('/');
  if (slash < 0) return { kind: ctx.kind('pods'), name: arg };
  const [t, n] = [arg.slice(0, slash), arg.slice(slash + 1)];
  if (!t || !n || n.includes('/')) throw new CliError(`error: arguments in resource/name form must have a single resource and name`);
  return { kind: ctx.kind(t), name: n };
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** The label selector an object stands for (kubectl's SelectorsForObject), or the error kubectl gives. */
export function selectorOf(kind: KindInfo, obj: KubeObject): string | Error {
  const spec = (obj.spec ?? {}) as { selector?: LabelSelector | Record<string, string> };
  const toStr = (reqs: [string, string][]) => reqs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((r) => r[1]).join(',');
  if (kind.kind === 'Service' || kind.kind === 'ReplicationController') {
    const sel = (spec.selector ?? {}) as Record<string, string>;
    if (kind.kind === 'Service' && !Object.keys(sel).length) return new Error(`invalid service '${obj.metadata.name}': Service is defined without a selector`);
    return toStr(Object.entries(sel).map(([k, v]) => [k, `${k}=${v}`]));
  }
  if (['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job'].includes(kind.kind)) {
    const sel = (spec.selector ?? {}) as LabelSelector;
    const reqs: [string, string][] = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => [k, `${k}=${v}`]);
    for (const e of sel.matchExpressions ?? []) {
      const vals = [...(e.values ?? [])].sort().join(',');
      const s = { In: `${e.key} in (${vals})`, NotIn: `${e.key} notin (${vals})`, Exists: e.key, DoesNotExist: `!${e.key}` }[e.operator];
      if (s === undefined) return new Error(`invalid label selector: "${e.operator}" is not a valid label selector operator`);
      reqs.push([e.key, s]);
    }
    return toStr(reqs);
  }
  return new Error(`selector for *${kind.version}.${kind.kind} not implemented`);
}

type Less = (a: Pod, b: Pod) => boolean;
const readyTime = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime;
const isReady = (p: Pod) => readyTime(p) !== undefined;
const time = (t?: string) => (t ? Date.parse(t) : 0);
/** Go's afterOrZero: t1 is zero, or after t2. */
const afterOrZero = (t1?: string, t2?: string) => (!time(t1) || !time(t2) ? !time(t1) : time(t1) > time(t2));
function restarts(p: Pod): [number, number] {
  const sidecars = new Set((p.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const max = (l: { restartCount?: number }[]) => l.reduce((m, c) => Math.max(m, c.restartCount ?? 0), 0);
  return [max(p.status?.containerStatuses ?? []), max((p.status?.initContainerStatuses ?? []).filter((c) => sidecars.has(c.name)))];
}
function moreRestarts(a: Pod, b: Pod): boolean | undefined {
  const [ra, sa] = restarts(a);
  const [rb, sb] = restarts(b);
  return ra !== rb ? ra > rb : sa !== sb ? sa > sb : undefined;
}

/** kubectl's ByLogging: the pod whose log is most worth reading first (assigned, running, ready longest ...). */
export const byLogging: Less = (a, b) => {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (!na || !nb)) return !!na;
  const rank = (p: Pod) => ({ Running: 0, Unknown: 1, Pending: 2 } as Record<string, number>)[p.status?.phase ?? ''] ?? 0;
  if (rank(a) !== rank(b)) return rank(a) < rank(b);
  if (isReady(a) !== isReady(b)) return isReady(a);
  if (isReady(a) && isReady(b) && time(readyTime(a)) !== time(readyTime(b))) return afterOrZero(readyTime(b), readyTime(a));
  const r = moreRestarts(a, b);
  if (r !== undefined) return r;
  const ca = a.metadata.creationTimestamp as string | undefined;
  const cb = b.metadata.creationTimestamp as string | undefined;
  return time(ca) !== time(cb) ? afterOrZero(cb, ca) : false;
};

/** sort.Reverse(ActivePods): the pod exec and attach pick (running, ready, not being deleted ...). */
export const byActiveReversed: Less = (b, a) => {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (!na || !nb)) return !na;
  const rank = (p: Pod) => ({ Pending: 0, Unknown: 1, Running: 2 } as Record<string, number>)[p.status?.phase ?? ''] ?? 0;
  if (rank(a) !== rank(b)) return rank(a) < rank(b);
  if (isReady(a) !== isReady(b)) return !isReady(a);
  const da = a.metadata.deletionTimestamp as string | undefined;
  const db = b.metadata.deletionTimestamp as string | undefined;
  if (!!da !== !!db) return !!da;
  if (da && db && time(da) !== time(db)) return time(da) < time(db);
  if (isReady(a) && isReady(b) && time(readyTime(a)) !== time(readyTime(b))) return afterOrZero(readyTime(a), readyTime(b));
  const r = moreRestarts(a, b);
  if (r !== undefined) return r;
  const ca = a.metadata.creationTimestamp as string | undefined;
  const cb = b.metadata.creationTimestamp as string | undefined;
  return time(ca) !== time(cb) ? afterOrZero(ca, cb) : false;
};

/** The pods of a selector, best first; if there are none yet, waits (a watch) for one up to timeoutMs. */
export async function podsOf(ctx: Ctx, namespace: string, selector: string, timeoutMs: number, less: Less): Promise<Pod[]> {
  const kind = ctx.kind('pods');
  const list = await ctx.client.list<Pod>(kind, { namespace, labelSelector: selector });
  if (list.items.length) return [...list.items].sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0));
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const q = new URLSearchParams({ watch: 'true', labelSelector: selector, resourceVersion: list.metadata.resourceVersion ?? '' });
    const res = await ctx.client.stream({ method: 'GET', path: `${resourcePath(kind, namespace)}?${q}`, signal: abort.signal });
    let buf = '';
    for await (const chunk of res) {
      buf += String(chunk);
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const ev = JSON.parse(buf.slice(0, nl)) as { type: string; object: Pod };
        buf = buf.slice(nl + 1);
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED') return [ev.object];
      }
    }
  } catch (e) {
    if (!abort.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
  }
  throw new CliError('error: timed out waiting for the condition');
}
