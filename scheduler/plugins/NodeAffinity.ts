// spec.nodeSelector and required node affinity filter; preferred node affinity scores by the summed weights of the
// terms a node matches, scaled so the best node gets 100.
import type { KubeObject } from '../../lib/api/types.js';
import { SKIP, normalizeToMax, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework.js';
import { anyTermMatches, termMatches, type NodeSelectorTerm } from './helpers.js';

export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

/** Whether a node satisfies the pod's nodeSelector and required node affinity (also used by PodTopologySpread). */
export function matchesNodeSelectorAndAffinity(pod: KubeObject, node: KubeObject): boolean {
  const sel = pod.spec?.nodeSelector as Record<string, string> | undefined;
  if (sel) {
    const labels = node.metadata.labels ?? {};
    for (const k in sel) if (labels[k] !== sel[k]) return false;
  }
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms as NodeSelectorTerm[] | undefined;
  return !terms || anyTermMatches(terms, node);
}

interface Preferred {
  weight: number;
  preference: NodeSelectorTerm;
}

export function nodeAffinity(): FilterPlugin & ScorePlugin {
  return {
    name: 'NodeAffinity',
    events: ['NodeAdd', 'NodeLabelChange'],
    preFilter(cx) {
      const spec = cx.pod.spec ?? {};
      return spec.nodeSelector || spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ? undefined : SKIP;
    },
    filter: (cx, node) => (node.node && matchesNodeSelectorAndAffinity(cx.pod, node.node) ? undefined : unresolvable(REASON_NODE_AFFINITY)),
    preScore: (cx) => (cx.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ? undefined : SKIP),
    score(cx, node) {
      const prefs = (cx.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) as Preferred[];
      let sum = 0;
      for (const p of prefs) if (p.weight && node.node && termMatches(p.preference, node.node)) sum += p.weight;
      return sum;
    },
    normalize: (_cx, scores) => normalizeToMax(scores, false),
  };
}
