// Which webhooks a write goes to, as Kubernetes matches them (admission/plugin/webhook/predicates): a rule's
// operation, group, version, resource/subresource and scope, then the namespace and object selectors.
// Webhook configurations themselves never go to webhooks, so a broken webhook can always be removed.
import { matchesLabels } from '../../../lib/api/selectors/index.js';
import type { KubeObject } from '../../../lib/api/types.js';
import type { AdmissionAttributes, RuleWithOperations, Webhook } from './types.js';

const ADMISSION_GROUP = 'admissionregistration.k8s.io';
const EXEMPT_RESOURCES = new Set(['mutatingwebhookconfigurations', 'validatingwebhookconfigurations']);

export function isExempt(a: Pick<AdmissionAttributes, 'kind'>): boolean {
  return a.kind.group === ADMISSION_GROUP && EXEMPT_RESOURCES.has(a.kind.resource);
}

const anyOf = (values: string[], v: string): boolean => values.includes('*') || values.includes(v);

function resourceMatches(resources: string[], resource: string, subresource: string): boolean {
  return resources.some((rs) => {
    const slash = rs.indexOf('/');
    const [res, sub] = slash < 0 ? [rs, ''] : [rs.slice(0, slash), rs.slice(slash + 1)];
    return (res === '*' || res === resource) && (sub === '*' || sub === subresource);
  });
}

function scopeMatches(scope: string, a: AdmissionAttributes): boolean {
  // a Namespace is cluster-scoped, though its requests carry its own name as their namespace
  const isNamespace = a.kind.group === '' && a.kind.resource === 'namespaces';
  if (scope === 'Namespaced') return !isNamespace && a.namespace !== '';
  if (scope === 'Cluster') return isNamespace || a.namespace === '';
  return true;
}

/**
 * Does the rule match? `anyVersion`: matchPolicy Equivalent, where a request reaching the same objects through
 * another version of the resource matches too (the store sees its objects in one version whatever the request's).
 */
export function ruleMatches(rule: RuleWithOperations, a: AdmissionAttributes, anyVersion: boolean): boolean {
  return anyOf(rule.operations, a.operation)
    && anyOf(rule.apiGroups, a.kind.group)
    && (anyVersion || anyOf(rule.apiVersions, a.kind.version))
    && resourceMatches(rule.resources, a.kind.resource, a.subresource)
    && scopeMatches(rule.scope, a);
}

function labelsOf(o: KubeObject | undefined): Record<string, string> | undefined {
  const l = o?.metadata?.labels;
  return l && typeof l === 'object' ? l : {};
}

/** The object selector: the new or the old object's labels; an absent object never matches a non-empty selector. */
export function objectSelectorMatches(h: Webhook, a: AdmissionAttributes): boolean {
  const sel = h.objectSelector;
  if (!sel) return false;
  if (!sel.length) return true;
  return [a.object, a.oldObject].some((o) => o !== undefined && matchesLabels(sel, labelsOf(o)));
}

/**
 * The namespace selector. A Namespace is matched by its own labels, other cluster-scoped objects always match, and a
 * namespaced object by its namespace's labels (`namespaceLabels`, from the watch cache; undefined: no such namespace,
 * which matches only a selector everything matches).
 */
export function namespaceSelectorMatches(h: Webhook, a: AdmissionAttributes, namespaceLabels: Record<string, string> | undefined): boolean {
  const sel = h.namespaceSelector;
  if (!sel) return false;
  if (!sel.length) return true;
  if (a.kind.group === '' && a.kind.resource === 'namespaces') return matchesLabels(sel, labelsOf(a.object ?? a.oldObject));
  if (a.namespace === '') return true;
  return matchesLabels(sel, namespaceLabels ?? {});
}

/** Whether the webhook's rules take the request (before its selectors, which may need a lookup). */
export function rulesMatch(h: Webhook, a: AdmissionAttributes): boolean {
  if (isExempt(a)) return false;
  const exact = h.rules.some((r) => ruleMatches(r, a, false));
  return exact || (h.matchPolicy === 'Equivalent' && h.rules.some((r) => ruleMatches(r, a, true)));
}
