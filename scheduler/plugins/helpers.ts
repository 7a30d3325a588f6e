// Matching rules shared by several plugins: tolerations against taints, node selector terms, pod affinity terms.
import { tolerates, type Taint, type Toleration } from '../../lib/api/taints.js';
import type { KubeObject, LabelSelector } from '../../lib/api/types.js';
import { labelSelectorFromObject, matchesLabels, type LabelSelectorParsed } from '../../lib/api/selectors/index.js';

export { tolerates, type Taint, type Toleration } from '../../lib/api/taints.js';

export const tolerationsOf = (pod: KubeObject): Toleration[] => (pod.spec?.tolerations ?? []) as Toleration[];
export const taintsOf = (node: KubeObject | undefined): Taint[] => (node?.spec?.taints ?? []) as Taint[];

export function toleratesTaint(pod: KubeObject, taint: Taint): boolean {
  return tolerationsOf(pod).some((t) => tolerates(t, taint));
}

interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0] as string)) return false;
      const a = BigInt(value);
      const b = BigInt(values[0] as string);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A term matches when all its expressions and fields do; an empty term matches nothing (as Kubernetes). */
export function termMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata.labels ?? {};
  for (const r of exprs) if (!requirementMatches(r, labels[r.key])) return false;
  for (const r of fields) {
    if (r.key !== 'metadata.name' || !requirementMatches(r, node.metadata.name)) return false;
  }
  return true;
}

/** Terms are ORed. */
export function anyTermMatches(terms: NodeSelectorTerm[], node: KubeObject): boolean {
  return terms.some((t) => termMatches(t, node));
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector | null;
  namespaces?: string[];
  namespaceSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | null;
  topologyKey: string;
}

/** A pod affinity term compiled once per cycle: which pods it selects. */
export interface CompiledTerm {
  topologyKey: string;
  /** A stable string for memoizing per-node counts. */
  key: string;
  matches(pod: KubeObject): boolean;
}

/**
 * Compiles a term of `owner` (the pod declaring it). Namespaces: the listed ones, else the owner's own; an empty
 * namespaceSelector means all namespaces. A non-empty namespaceSelector needs namespace labels, which the
 * scheduler does not watch: it then only counts the listed namespaces.
 */
export function compileTerm(term: PodAffinityTerm, ownerNamespace: string): CompiledTerm {
  const sel: LabelSelectorParsed | undefined = term.labelSelector ? labelSelectorFromObject(term.labelSelector) : undefined;
  const nsSel = term.namespaceSelector;
  const allNamespaces = !!nsSel && !Object.keys(nsSel.matchLabels ?? {}).length && !(nsSel.matchExpressions ?? []).length;
  const namespaces = new Set(term.namespaces?.length ? term.namespaces : nsSel ? [] : [ownerNamespace]);
  return {
    topologyKey: term.topologyKey,
    key: `${allNamespaces ? '*' : [...namespaces].sort().join(',')}|${JSON.stringify(term.labelSelector ?? null)}`,
    matches: (pod) => !!sel && (allNamespaces || namespaces.has(pod.metadata.namespace ?? 'default')) && matchesLabels(sel, pod.metadata.labels),
  };
}
