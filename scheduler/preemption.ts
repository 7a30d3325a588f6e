// Preemption, after kube-scheduler's DefaultPreemption PostFilter: a pod that fits nowhere may evict pods of lower
// priority. On each node the filters rejected, every lower-priority pod is taken off (in a copy of the node) and the
// pod tried; if it fits, victims are given back one at a time, the most important first and the ones whose
// eviction would break a PodDisruptionBudget before the others, as long as the pod still fits. Among the nodes
// where it works the scheduler picks the one with the fewest budget violations, then the lowest highest victim
// priority, the smallest priority sum, the fewest victims, and the most recently started victims. Pods whose
// preemptionPolicy is Never, and nodes rejected for reasons eviction can't fix, are left out.
import { matchesLabelSelector } from '../lib/api/selectors/index.js';
import type { KubeObject } from '../lib/api/types.js';
import { keyOf } from '../lib/client/informer.js';
import type { Snapshot } from './cache.js';
import { CycleContext, SKIP, type Framework } from './framework.js';
import { NodeInfo } from './nodeinfo.js';

export const priorityOf = (pod: KubeObject): number => (typeof pod.spec?.priority === 'number' ? pod.spec.priority : 0);
const startOf = (pod: KubeObject): number => Date.parse((pod.status?.startTime as string | undefined) ?? pod.metadata.creationTimestamp ?? '') || 0;

export interface Candidate {
  node: string;
  victims: KubeObject[];
  pdbViolations: number;
}

/** Runs the framework's filters for the pod on one node (its preFilters first, on a fresh cycle). */
function fits(fw: Framework, snapshot: Snapshot, pod: KubeObject, node: NodeInfo): boolean {
  const cx = new CycleContext(pod, snapshot);
  for (const f of fw.filters) {
    const st = f.preFilter?.(cx);
    if (st === SKIP) continue;
    if (st) return false;
    if (f.filter(cx, node)) return false;
  }
  return true;
}

/** A copy of the node's info holding only the pods kept. */
function withPods(info: NodeInfo, keep: Iterable<[string, KubeObject]>): NodeInfo {
  const copy = new NodeInfo(info.name);
  if (info.node) copy.setNode(info.node);
  for (const [k, p] of keep) copy.addPod(k, p);
  return copy;
}

/** Budgets whose disruptionsAllowed the evictions would overdraw, counted per victim (as filterPodsWithPDBViolation). */
function splitByBudget(victims: KubeObject[], pdbs: readonly KubeObject[]): { violating: KubeObject[]; fine: KubeObject[] } {
  const allowed = new Map(pdbs.map((b) => [b, Number(b.status?.disruptionsAllowed ?? 0)]));
  const violating: KubeObject[] = [];
  const fine: KubeObject[] = [];
  for (const v of victims) {
    let breaks = false;
    for (const b of pdbs) {
      if (b.metadata.namespace !== v.metadata.namespace || !b.spec?.selector) continue;
      if (!matchesLabelSelector(b.spec.selector, v.metadata.labels ?? {})) continue;
      const left = (allowed.get(b) ?? 0) - 1;
      allowed.set(b, left);
      if (left < 0) breaks = true;
    }
    (breaks ? violating : fine).push(v);
  }
  return { violating, fine };
}

/** The victims on one node that make room for the pod, or undefined when evicting can't. */
export function selectVictimsOnNode(fw: Framework, snapshot: Snapshot, pod: KubeObject, info: NodeInfo, pdbs: readonly KubeObject[]): Candidate | undefined {
  const p = priorityOf(pod);
  const lower = [...info.pods].filter(([, v]) => priorityOf(v) < p && !v.metadata.deletionTimestamp);
  if (!lower.length) return undefined;
  const lowerKeys = new Set(lower.map(([k]) => k));
  const kept = new Map([...info.pods].filter(([k]) => !lowerKeys.has(k)));
  if (!fits(fw, snapshot, pod, withPods(info, kept))) return undefined;
  // most important first; among equals the longest running first (it is the last to go)
  const byImportance = lower.map(([, v]) => v).sort((a, b) => priorityOf(b) - priorityOf(a) || startOf(a) - startOf(b));
  const { violating, fine } = splitByBudget(byImportance, pdbs);
  const victims: KubeObject[] = [];
  let pdbViolations = 0;
  const reprieve = (v: KubeObject): boolean => {
    kept.set(keyOf(v), v);
    if (fits(fw, snapshot, pod, withPods(info, kept))) return true;
    kept.delete(keyOf(v));
    victims.push(v);
    return false;
  };
  for (const v of violating) if (!reprieve(v)) pdbViolations++;
  for (const v of fine) reprieve(v);
  return { node: info.name, victims, pdbViolations };
}

/** pickOneNodeForPreemption. */
export function pickCandidate(candidates: Candidate[]): Candidate | undefined {
  const highest = (c: Candidate) => Math.max(...c.victims.map(priorityOf));
  const sum = (c: Candidate) => c.victims.reduce((s, v) => s + priorityOf(v) + 1, 0);
  const latestStart = (c: Candidate) => Math.min(...c.victims.filter((v) => priorityOf(v) === highest(c)).map(startOf));
  return [...candidates].sort((a, b) => a.pdbViolations - b.pdbViolations || highest(a) - highest(b) || sum(a) - sum(b)
    || a.victims.length - b.victims.length || latestStart(b) - latestStart(a))[0];
}

/** Whether the pod may preempt at all. */
export function mayPreempt(pod: KubeObject): boolean {
  return pod.spec?.preemptionPolicy !== 'Never';
}

/** The node and victims for a pod that fits nowhere, if evicting lower-priority pods can make room. */
export function findPreemption(fw: Framework, snapshot: Snapshot, pod: KubeObject, pdbs: readonly KubeObject[],
  unresolvable: ReadonlySet<string>): Candidate | undefined {
  if (!mayPreempt(pod)) return undefined;
  const candidates: Candidate[] = [];
  for (const info of snapshot.nodes()) {
    if (unresolvable.has(info.name)) continue;
    const c = selectVictimsOnNode(fw, snapshot, pod, info, pdbs);
    if (c && c.victims.length) candidates.push(c);
  }
  return pickCandidate(candidates);
}
