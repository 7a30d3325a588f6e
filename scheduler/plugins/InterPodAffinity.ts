// Required inter-pod affinity and anti-affinity, both directions: the incoming pod's own terms, and existing pods'
// required anti-affinity against the incoming pod. kubernetes.io/hostname terms are checked against the node's
// own pods (memoized per node); other topology keys are resolved once per cycle into the domains holding
// matching pods. Pods without such rules skip the plugin entirely.
import type { KubeObject } from '../../lib/api/types.js';
import { SKIP, unresolvable, unschedulable, type CycleContext, type FilterPlugin } from '../framework.js';
import { HOSTNAME_LABEL, type NodeInfo } from '../nodeinfo.js';
import { compileTerm, type CompiledTerm, type PodAffinityTerm } from './helpers.js';

export const REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

interface State {
  affinity: Array<{ term: CompiledTerm; domains: Set<string> }>;
  /** No pod anywhere matches the affinity terms, yet the pod matches them itself: the first of a group may go anywhere. */
  affinitySelfSatisfied: boolean;
  anti: Array<{ term: CompiledTerm; domains?: Set<string> }>;
  /** topologyKey -> values where an existing pod's anti-affinity forbids this pod. */
  forbidden: Map<string, Set<string>>;
}

const required = (pod: KubeObject, kind: 'podAffinity' | 'podAntiAffinity'): PodAffinityTerm[] =>
  (pod.spec?.affinity?.[kind]?.requiredDuringSchedulingIgnoredDuringExecution ?? []) as PodAffinityTerm[];

/** Topology values (of the term's key) whose nodes hold at least one pod the term selects. */
function domainsWithMatches(nodes: readonly NodeInfo[], term: CompiledTerm): Set<string> {
  const out = new Set<string>();
  for (const n of nodes) {
    const v = n.topologyValue(term.topologyKey);
    if (v !== undefined && !out.has(v) && n.countPods(term.key, term.matches) > 0) out.add(v);
  }
  return out;
}

function existingForbidden(cx: CycleContext): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const n of cx.snapshot.nodesWithAntiAffinityPods()) {
    for (const existing of n.antiAffinityPods.values()) {
      for (const t of required(existing, 'podAntiAffinity')) {
        const term = compileTerm(t, existing.metadata.namespace ?? 'default');
        const v = n.topologyValue(term.topologyKey);
        if (v === undefined || !term.matches(cx.pod)) continue;
        let set = out.get(term.topologyKey);
        if (!set) out.set(term.topologyKey, (set = new Set()));
        set.add(v);
      }
    }
  }
  return out;
}

export function interPodAffinity(): FilterPlugin {
  return {
    name: 'InterPodAffinity',
    events: ['NodeAdd', 'NodeLabelChange', 'AssignedPodAdd', 'AssignedPodDelete', 'AssignedPodLabelChange'],
    preFilter(cx) {
      const nodes = cx.snapshot.nodes();
      const affinityTerms = required(cx.pod, 'podAffinity').map((t) => compileTerm(t, cx.namespace));
      const antiTerms = required(cx.pod, 'podAntiAffinity').map((t) => compileTerm(t, cx.namespace));
      const forbidden = existingForbidden(cx);
      if (!affinityTerms.length && !antiTerms.length && !forbidden.size) return SKIP;
      const affinity = affinityTerms.map((term) => ({ term, domains: domainsWithMatches(nodes, term) }));
      const state: State = {
        affinity,
        affinitySelfSatisfied: affinity.every((a) => a.domains.size === 0) && affinityTerms.every((t) => t.matches(cx.pod)),
        anti: antiTerms.map((term) => ({ term, domains: term.topologyKey === HOSTNAME_LABEL ? undefined : domainsWithMatches(nodes, term) })),
        forbidden,
      };
      cx.state.set('InterPodAffinity', state);
      return undefined;
    },
    filter(cx, node) {
      const s = cx.state.get('InterPodAffinity') as State;
      if (!s.affinitySelfSatisfied) {
        for (const { term, domains } of s.affinity) {
          const v = node.topologyValue(term.topologyKey);
          if (v === undefined || !domains.has(v)) return unresolvable(REASON_AFFINITY);
        }
      }
      for (const { term, domains } of s.anti) {
        if (domains === undefined) {
          if (node.countPods(term.key, term.matches) > 0) return unschedulable(REASON_ANTI_AFFINITY);
        } else {
          const v = node.topologyValue(term.topologyKey);
          if (v !== undefined && domains.has(v)) return unschedulable(REASON_ANTI_AFFINITY);
        }
      }
      for (const [key, values] of s.forbidden) {
        const v = node.topologyValue(key);
        if (v !== undefined && values.has(v)) return unschedulable(REASON_EXISTING_ANTI_AFFINITY);
      }
      return undefined;
    },
  };
}
