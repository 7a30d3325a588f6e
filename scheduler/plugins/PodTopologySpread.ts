// topologySpreadConstraints: DoNotSchedule constraints filter (placing the pod must keep the domain's matching-pod
// count within maxSkew of the least loaded eligible domain); ScheduleAnyway constraints score (fewer matching pods
// in the node's domain is better). Counts come from per-node memos, so repeated pods of one workload only recount
// nodes that changed.
import { labelSelectorFromObject, matchesLabels } from '../../lib/api/selectors/index.js';
import type { KubeObject, LabelSelector } from '../../lib/api/types.js';
import { MAX_NODE_SCORE, SKIP, unresolvable, unschedulable, type CycleContext, type FilterPlugin, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../nodeinfo.js';
import { matchesNodeSelectorAndAffinity } from './NodeAffinity.js';

export const REASON_SPREAD = "node(s) didn't match pod topology spread constraints";
export const REASON_SPREAD_MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";

interface Constraint {
  maxSkew?: number;
  topologyKey: string;
  whenUnsatisfiable?: string;
  labelSelector?: LabelSelector | null;
  matchLabelKeys?: string[];
  minDomains?: number;
  nodeAffinityPolicy?: string;
}

interface Compiled {
  c: Constraint;
  key: string;
  matches: (pod: KubeObject) => boolean;
  selfMatch: number;
  counts: Map<string, number>;
  min: number;
}

function compile(cx: CycleContext, c: Constraint): Compiled {
  const sel: (LabelSelector & { matchLabels: Record<string, string> }) | undefined = c.labelSelector ? { ...c.labelSelector,
    matchLabels: { ...(c.labelSelector.matchLabels ?? {}) } } : undefined;
  const own = cx.pod.metadata.labels ?? {};
  if (sel) for (const k of c.matchLabelKeys ?? []) if (own[k] !== undefined) sel.matchLabels[k] = own[k];
  const parsed = sel ? labelSelectorFromObject(sel) : undefined;
  const ns = cx.namespace;
  const matches = (p: KubeObject): boolean => !!parsed && (p.metadata.namespace ?? 'default') === ns && !p.metadata.deletionTimestamp && matchesLabels(parsed, p.metadata.labels);
  return { c, key: `spread|${ns}|${JSON.stringify(sel ?? null)}`, matches, selfMatch: parsed && matchesLabels(parsed, own) ? 1 : 0, counts: new Map(), min: 0 };
}

/** Matching pods per domain over the nodes the pod could go to at all (node affinity honoured, as kube's default). */
function countDomains(cx: CycleContext, k: Compiled, nodes: readonly NodeInfo[]): void {
  for (const n of nodes) {
    if (k.c.nodeAffinityPolicy !== 'Ignore' && n.node && !matchesNodeSelectorAndAffinity(cx.pod, n.node)) continue;
    const v = n.topologyValue(k.c.topologyKey);
    if (v === undefined) continue;
    k.counts.set(v, (k.counts.get(v) ?? 0) + n.countPods(k.key, k.matches));
  }
  let min = Infinity;
  for (const v of k.counts.values()) if (v < min) min = v;
  k.min = min === Infinity || k.counts.size < (k.c.minDomains ?? 1) ? 0 : min;
}

function constraints(pod: KubeObject, hard: boolean): Constraint[] {
  const all = (pod.spec?.topologySpreadConstraints ?? []) as Constraint[];
  return all.filter((c) => (c.whenUnsatisfiable === 'ScheduleAnyway') !== hard);
}

export function podTopologySpread(): FilterPlugin & ScorePlugin {
  return {
    name: 'PodTopologySpread',
    events: ['NodeAdd', 'NodeLabelChange', 'AssignedPodAdd', 'AssignedPodDelete', 'AssignedPodLabelChange'],
    preFilter(cx) {
      const hard = constraints(cx.pod, true);
      if (!hard.length) return SKIP;
      const compiled = hard.map((c) => compile(cx, c));
      for (const k of compiled) countDomains(cx, k, cx.snapshot.nodes());
      cx.state.set('PodTopologySpread/filter', compiled);
      return undefined;
    },
    filter(cx, node) {
      for (const k of cx.state.get('PodTopologySpread/filter') as Compiled[]) {
        const v = node.topologyValue(k.c.topologyKey);
        if (v === undefined) return unresolvable(REASON_SPREAD_MISSING_LABEL);
        if ((k.counts.get(v) ?? 0) + k.selfMatch - k.min > (k.c.maxSkew ?? 1)) return unschedulable(REASON_SPREAD);
      }
      return undefined;
    },
    preScore(cx) {
      const soft = constraints(cx.pod, false);
      if (!soft.length) return SKIP;
      const compiled = soft.map((c) => compile(cx, c));
      for (const k of compiled) countDomains(cx, k, cx.snapshot.nodes());
      cx.state.set('PodTopologySpread/score', compiled);
      return undefined;
    },
    score(cx, node) {
      let raw = 0;
      for (const k of cx.state.get('PodTopologySpread/score') as Compiled[]) {
        const v = node.topologyValue(k.c.topologyKey);
        if (v === undefined) return -1; // lacks the key: ranked last in normalize
        raw += k.counts.get(v) ?? 0;
      }
      return raw;
    },
    normalize(_cx, scores) {
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) {
        if (s < 0) continue;
        min = Math.min(min, s);
        max = Math.max(max, s);
      }
      for (let i = 0; i < scores.length; i++) {
        const s = scores[i] as number;
        scores[i] = s < 0 ? 0 : max === min ? MAX_NODE_SCORE : (MAX_NODE_SCORE * (max - s)) / (max - min);
      }
    },
  };
}
