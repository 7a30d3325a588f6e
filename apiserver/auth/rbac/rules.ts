// RBAC's rule vocabulary and matching, as Kubernetes' rbac authorizer matches: a rule allows a request when its
// verb, API group, resource (or `resource/subresource`, `*/subresource`, `*`) and name all match, or, for a
// non-resource request, its verb and path (exact, `*`, or a prefix ending in `*`).
import type { Attributes } from '../index.js';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export const ALL = '*';

/** A rule as stored in a role, read defensively (the object came through validation, but may be old data). */
export function asRule(v: unknown): PolicyRule {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const strs = (x: unknown): string[] | undefined => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : undefined);
  const r: PolicyRule = { verbs: strs(o.verbs) ?? [] };
  const g = strs(o.apiGroups);
  if (g) r.apiGroups = g;
  const res = strs(o.resources);
  if (res) r.resources = res;
  const n = strs(o.resourceNames);
  if (n) r.resourceNames = n;
  const u = strs(o.nonResourceURLs);
  if (u) r.nonResourceURLs = u;
  return r;
}

export const verbMatches = (r: PolicyRule, verb: string): boolean => r.verbs.some((v) => v === ALL || v === verb);

export const apiGroupMatches = (r: PolicyRule, group: string): boolean => (r.apiGroups ?? []).some((g) => g === ALL || g === group);

/** `combined` is `resource` or `resource/subresource`. */
export function resourceMatches(r: PolicyRule, combined: string, subresource: string): boolean {
  for (const res of r.resources ?? []) {
    if (res === ALL || res === combined) return true;
    // "*/scale" is the scale subresource of every resource
    if (subresource && res.length === subresource.length + 2 && res.startsWith('*/') && res.endsWith(subresource)) return true;
  }
  return false;
}

export const resourceNameMatches = (r: PolicyRule, name: string): boolean => !r.resourceNames?.length || r.resourceNames.includes(name);

export function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  for (const u of r.nonResourceURLs ?? []) {
    if (u === ALL || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** Does the rule allow the request? */
export function ruleAllows(a: Pick<Attributes, 'verb' | 'isResourceRequest' | 'path' | 'apiGroup' | 'resource' | 'subresource' | 'name'>, r: PolicyRule): boolean {
  if (!verbMatches(r, a.verb)) return false;
  if (!a.isResourceRequest) return nonResourceURLMatches(r, a.path);
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return apiGroupMatches(r, a.apiGroup) && resourceMatches(r, combined, a.subresource) && resourceNameMatches(r, a.name);
}

/**
 * A rule in Kubernetes' compact form for messages: `{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`, each
 * field only when set, strings quoted as Go's %q quotes them.
 */
export function compactString(r: PolicyRule): string {
  const q = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${q(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${q(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${q(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${q(r.resourceNames)}`);
  if (r.verbs.length) parts.push(`Verbs:${q(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}
