// LimitRanger admission (Kubernetes' LimitRanger plugin) on pod create: the namespace's LimitRanges fill in each
// container's missing limits (default) and requests (defaultRequest, else the limit), recorded in the
// kubernetes.io/limit-ranger annotation, then min, max and maxLimitRequestRatio are checked per Container and per
// Pod; a violation is a 403 Forbidden in Kubernetes' words ("maximum cpu usage per Container is 500m, but limit is 1").
import { parseQuantity } from '../../lib/api/quantity.js';
import type { KubeObject } from '../../lib/api/types.js';
import { errors } from '../errors.js';

type RL = Record<string, string>;
type Container = { name?: string; resources?: { requests?: RL; limits?: RL } };
type Item = { type?: string; min?: RL; max?: RL; default?: RL; defaultRequest?: RL; maxLimitRequestRatio?: RL };

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';
const q = (v: unknown): number => parseQuantity(v) ?? 0;

function items(ranges: KubeObject[], type: string): Item[] {
  return ranges.flatMap((r) => ((r.spec?.limits ?? []) as Item[]).filter((i) => i.type === type));
}

/** Fills defaults in; returns the annotation text (what was set), '' when nothing. */
function applyDefaults(pod: KubeObject, containerItems: Item[]): string {
  const notes: string[] = [];
  for (const c of [...((pod.spec?.containers ?? []) as Container[]), ...((pod.spec?.initContainers ?? []) as Container[])]) {
    const setReq: string[] = [];
    const setLim: string[] = [];
    for (const it of containerItems) {
      c.resources ??= {};
      for (const [r, v] of Object.entries(it.default ?? {})) {
        if (c.resources.limits?.[r] === undefined) {
          (c.resources.limits ??= {})[r] = v;
          setLim.push(r);
        }
      }
      for (const [r, v] of Object.entries(it.defaultRequest ?? {})) {
        if (c.resources.requests?.[r] === undefined) {
          (c.resources.requests ??= {})[r] = c.resources.limits?.[r] !== undefined && !setLim.includes(r) ? c.resources.limits[r] as string : v;
          setReq.push(r);
        }
      }
    }
    if (setReq.length) notes.push(`${setReq.join(', ')} request for container ${c.name ?? ''}`);
    if (setLim.length) notes.push(`${setLim.join(', ')} limit for container ${c.name ?? ''}`);
  }
  return notes.length ? `LimitRanger plugin set: ${notes.join('; ')}` : '';
}

function check(kind: 'Container' | 'Pod', it: Item, requests: RL, limits: RL): string[] {
  const out: string[] = [];
  for (const [r, min] of Object.entries(it.min ?? {})) {
    if (requests[r] === undefined && limits[r] === undefined) out.push(`minimum ${r} usage per ${kind} is ${min}.  No request is specified`);
    else if (requests[r] !== undefined && q(requests[r]) < q(min)) out.push(`minimum ${r} usage per ${kind} is ${min}, but request is ${requests[r]}`);
    else if (limits[r] !== undefined && q(limits[r]) < q(min)) out.push(`minimum ${r} usage per ${kind} is ${min}, but limit is ${limits[r]}`);
  }
  for (const [r, max] of Object.entries(it.max ?? {})) {
    if (limits[r] === undefined) out.push(`maximum ${r} usage per ${kind} is ${max}.  No limit is specified`);
    else if (q(limits[r]) > q(max)) out.push(`maximum ${r} usage per ${kind} is ${max}, but limit is ${limits[r]}`);
  }
  for (const [r, ratio] of Object.entries(it.maxLimitRequestRatio ?? {})) {
    if (limits[r] === undefined) out.push(`${r} max limit to request ratio per ${kind} is ${ratio}, but no limit is specified`);
    else if (requests[r] === undefined || q(requests[r]) === 0) out.push(`${r} max limit to request ratio per ${kind} is ${ratio}, but no request is specified or request is 0`);
    else if (q(limits[r]) / q(requests[r]) > q(ratio)) {
      out.push(`${r} max limit to request ratio per ${kind} is ${ratio}, but provided ratio is ${(q(limits[r]) / q(requests[r])).toFixed(6)}`);
    }
  }
  return out;
}

function sum(cs: Container[], field: 'requests' | 'limits'): RL {
  const total: Record<string, number> = {};
  for (const c of cs) for (const [r, v] of Object.entries(c.resources?.[field] ?? {})) total[r] = (total[r] ?? 0) + q(v);
  return Object.fromEntries(Object.entries(total).map(([r, v]) => [r, String(v)]));
}

/** Applies the namespace's LimitRanges to a pod being created (mutates it); throws 403 on a violation. */
export function admitLimitRanges(pod: KubeObject, ranges: KubeObject[]): void {
  if (!ranges.length) return;
  const containerItems = items(ranges, 'Container');
  const note = applyDefaults(pod, containerItems);
  if (note) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: note };
  const problems: string[] = [];
  const cs = [...((pod.spec?.containers ?? []) as Container[]), ...((pod.spec?.initContainers ?? []) as Container[])];
  for (const it of containerItems) for (const c of cs) problems.push(...check('Container', it, c.resources?.requests ?? {}, c.resources?.limits ?? {}));
  const regular = (pod.spec?.containers ?? []) as Container[];
  for (const it of items(ranges, 'Pod')) problems.push(...check('Pod', it, sum(regular, 'requests'), sum(regular, 'limits')));
  if (problems.length) {
    const name = pod.metadata.name ?? '';
    throw errors.forbidden(`pods "${name}" is forbidden: ${problems.length === 1 ? problems[0] : `[${problems.join(', ')}]`}`, { name, kind: 'pods' });
  }
}
