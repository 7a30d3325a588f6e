// The pure decisions of a DaemonSet sync, given each node's eligibility and the daemon pods on it: which nodes get a
// pod and which pods go (manage), which old pods a rolling update replaces now within maxUnavailable/maxSurge
// (rollout), and the status counts. No I/O here; controller.ts does it.
import { scaledValue } from '../../lib/api/intstr.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isPodAvailable, isPodReady } from '../pods.js';
import { REVISION_HASH_LABEL } from './placement.js';

export interface NodeState {
  node: string;
  shouldRun: boolean;
  shouldContinueRunning: boolean;
  /** The DaemonSet's pods for this node, terminating ones included. */
  pods: KubeObject[];
}

export interface Changes {
  /** Nodes to create a daemon pod on. */
  create: string[];
  /** Pods to delete. */
  delete: KubeObject[];
}

const created = (p: KubeObject): number => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
const oldestFirst = (a: KubeObject, b: KubeObject): number => created(a) - created(b) || String(a.metadata.name).localeCompare(String(b.metadata.name));
const terminating = (p: KubeObject): boolean => !!p.metadata.deletionTimestamp;
export const isUpdated = (p: KubeObject, hash: string): boolean => p.metadata.labels?.[REVISION_HASH_LABEL] === hash;

/** The rolling update's two budgets, from the DaemonSet and the number of nodes that should run its pod. */
export function updateBudget(ds: KubeObject, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec?.updateStrategy?.rollingUpdate ?? {};
  const maxSurge = Math.max(0, scaledValue(ru.maxSurge ?? 0, desired, true) ?? 0);
  let maxUnavailable = Math.max(0, scaledValue(ru.maxUnavailable ?? 1, desired, true) ?? 1);
  // both 0 would never move; validation refuses it, and a percentage of few nodes can round there
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/**
 * Kubernetes' podsShouldBeOnNode over every node: a node that should run the pod and has none (not even one
 * terminating) gets one; failed pods are deleted; of several live pods the oldest stays (with surge, also the
 * oldest updated one while it isn't available yet: the old keeps serving meanwhile); a node that may no longer
 * run it loses all its pods.
 */
export function manage(states: NodeState[], hash: string, surge: boolean, minReadySeconds: number, now = Date.now()): Changes {
  const out: Changes = { create: [], delete: [] };
  for (const s of states) {
    if (s.shouldRun && s.pods.length === 0) {
      out.create.push(s.node);
      continue;
    }
    const live = s.pods.filter((p) => !terminating(p));
    if (!s.shouldContinueRunning) {
      out.delete.push(...live);
      continue;
    }
    const running: KubeObject[] = [];
    for (const p of live) {
      if (p.status?.phase === 'Failed') out.delete.push(p);
      else running.push(p);
    }
    if (running.length <= 1) continue;
    running.sort(oldestFirst);
    let keep = [running[0] as KubeObject];
    if (surge) {
      const updated = running.find((p) => isUpdated(p, hash));
      const old = running.find((p) => !isUpdated(p, hash));
      keep = updated && old && !isPodAvailable(updated, minReadySeconds, now) ? [updated, old] : [updated ?? (running[0] as KubeObject)];
    }
    out.delete.push(...running.filter((p) => !keep.includes(p)));
  }
  return out;
}

/** The one updated and one old live pod on a node; ok false when there are more (manage sorts that out first). */
function splitPods(pods: KubeObject[], hash: string): { updated?: KubeObject; old?: KubeObject; ok: boolean } {
  const live = pods.filter((p) => !terminating(p));
  const updated = live.filter((p) => isUpdated(p, hash));
  const old = live.filter((p) => !isUpdated(p, hash));
  return { updated: updated[0], old: old[0], ok: updated.length <= 1 && old.length <= 1 };
}

/**
 * One step of a rolling update (Kubernetes' rollingUpdate). Without surge: old pods that aren't available go at
 * once; available ones go while fewer than maxUnavailable nodes lack an available pod (their replacement comes from
 * manage once the old pod is gone). With surge: an updated pod is created beside an available old one on up to
 * maxSurge nodes at a time, and the old pod is deleted once the new one is available.
 */
export function rollout(states: NodeState[], hash: string, budget: { maxSurge: number; maxUnavailable: number }, minReadySeconds: number,
  now = Date.now()): Changes {
  const available = (p: KubeObject): boolean => isPodAvailable(p, minReadySeconds, now);
  const eligible = states.filter((s) => s.shouldRun || (s.shouldContinueRunning && s.pods.length));
  if (budget.maxSurge === 0) {
    let unavailable = 0;
    const replaceNow: KubeObject[] = [];
    const candidates: KubeObject[] = [];
    for (const s of eligible) {
      const { updated, old, ok } = splitPods(s.pods, hash);
      if (!ok || (!updated && !old) || (updated && old)) unavailable++;
      else if (updated) {
        if (!available(updated)) unavailable++;
      } else if (old && !available(old)) {
        // it serves nothing now: replacing it costs no availability, but the node counts as unavailable
        replaceNow.push(old);
        unavailable++;
      }
      else if (old && unavailable < budget.maxUnavailable) candidates.push(old);
    }
    const room = Math.min(Math.max(0, budget.maxUnavailable - unavailable), candidates.length);
    return { create: [], delete: [...replaceNow, ...candidates.slice(0, room)] };
  }
  let surging = 0;
  const createNow: string[] = [];
  const candidates: string[] = [];
  const del: KubeObject[] = [];
  for (const s of eligible) {
    if (!s.shouldRun) continue;
    const { updated, old, ok } = splitPods(s.pods, hash);
    if (!ok) {
      surging++;
      continue;
    }
    if (!old) continue;
    if (!updated) {
      if (!available(old)) createNow.push(s.node);
      else if (surging < budget.maxSurge) candidates.push(s.node);
    } else if (!available(updated)) surging++;
    else del.push(old);
  }
  const room = Math.min(Math.max(0, budget.maxSurge - surging), candidates.length);
  return { create: [...createNow, ...candidates.slice(0, room)], delete: del };
}

export interface DaemonSetCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  numberAvailable: number;
  numberUnavailable: number;
  updatedNumberScheduled: number;
}

/** The status counts, from the oldest live pod on each node, as Kubernetes counts them. */
export function counts(states: NodeState[], hash: string, minReadySeconds: number, now = Date.now()): DaemonSetCounts {
  const c = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, numberAvailable: 0, numberUnavailable: 0,
    updatedNumberScheduled: 0 };
  for (const s of states) {
    const live = s.pods.filter((p) => !terminating(p)).sort(oldestFirst);
    if (!s.shouldRun) {
      if (live.length) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    const pod = live[0];
    if (!pod) continue;
    c.currentNumberScheduled++;
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, minReadySeconds, now)) c.numberAvailable++;
    }
    if (isUpdated(pod, hash)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}
