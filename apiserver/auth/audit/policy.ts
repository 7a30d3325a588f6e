// The audit policy (`--audit-policy-file`, audit.k8s.io/v1 Policy): which requests are logged and how much of each.
// Rules are tried in order and the first that matches sets the level; no match is level None. Matching follows
// Kubernetes' policy checker: users, userGroups, verbs, then either resources/namespaces or nonResourceURLs.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { UserInfo } from '../index.js';

export type Level = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type Stage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';
export const LEVELS: readonly Level[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES: readonly Stage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

export interface Policy {
  rules: PolicyRule[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

/** What the policy is asked about: the request's user and its authorizer attributes. */
export interface AuditAttributes {
  user?: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  path: string;
  apiGroup: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

export interface RequestAuditConfig {
  level: Level;
  omitStages: Stage[];
  omitManagedFields: boolean;
}

export function loadPolicy(path: string): Policy {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`failed to read the audit policy file ${path}: ${(e as Error).message}`);
  }
  return parsePolicy(doc, path);
}

/** Checks a Policy document as Kubernetes' validation does; the errors name the field. */
export function parsePolicy(doc: unknown, source = 'policy'): Policy {
  const fail = (m: string): never => {
    throw new Error(`invalid audit policy ${source}: ${m}`);
  };
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) fail('not an object');
  const d = doc as Record<string, unknown>;
  if (d.kind !== 'Policy') fail(`kind must be "Policy", not ${JSON.stringify(d.kind)}`);
  if (d.apiVersion !== 'audit.k8s.io/v1') fail(`apiVersion must be "audit.k8s.io/v1", not ${JSON.stringify(d.apiVersion)}`);
  const stages = (v: unknown, field: string): Stage[] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) fail(`${field}: must be a list`);
    for (const [i, s] of (v as unknown[]).entries()) if (!STAGES.includes(s as Stage)) fail(`${field}[${i}]: Unsupported value: ${JSON.stringify(s)}: supported values: ${STAGES.map((x) => `"${x}"`).join(', ')}`);
    return v as Stage[];
  };
  const strings = (v: unknown, field: string): string[] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(`${field}: must be a list of strings`);
    return v as string[];
  };
  if (!Array.isArray(d.rules)) fail('rules: Required value');
  const rules = (d.rules as unknown[]).map((raw, i): PolicyRule => {
    const f = `rules[${i}]`;
    if (!raw || typeof raw !== 'object') fail(`${f}: must be an object`);
    const r = raw as Record<string, unknown>;
    if (!LEVELS.includes(r.level as Level)) fail(`${f}.level: ${r.level === undefined ? 'Required value' : `Unsupported value: ${JSON.stringify(r.level)}`}: supported values: ${LEVELS.map((x) => `"${x}"`).join(', ')}`);
    const nonResourceURLs = strings(r.nonResourceURLs, `${f}.nonResourceURLs`);
    const namespaces = strings(r.namespaces, `${f}.namespaces`);
    let resources: GroupResources[] | undefined;
    if (r.resources !== undefined && r.resources !== null) {
      if (!Array.isArray(r.resources)) fail(`${f}.resources: must be a list`);
      resources = (r.resources as unknown[]).map((g, j) => {
        if (!g || typeof g !== 'object') fail(`${f}.resources[${j}]: must be an object`);
        const gr = g as Record<string, unknown>;
        if (gr.group !== undefined && typeof gr.group !== 'string') fail(`${f}.resources[${j}].group: must be a string`);
        return { group: (gr.group as string | undefined) ?? '', resources: strings(gr.resources, `${f}.resources[${j}].resources`), resourceNames: strings(gr.resourceNames, `${f}.resources[${j}].resourceNames`) };
      });
    }
    if (nonResourceURLs?.length && (resources?.length || namespaces?.length)) fail(`${f}.nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs`);
    for (const [j, u] of (nonResourceURLs ?? []).entries()) {
      if (u !== '*' && !u.startsWith('/')) fail(`${f}.nonResourceURLs[${j}]: Invalid value: ${JSON.stringify(u)}: non-resource URL rules must begin with a '/' character`);
      if (u.slice(0, -1).includes('*')) fail(`${f}.nonResourceURLs[${j}]: Invalid value: ${JSON.stringify(u)}: non-resource URL wildcards '*' must be the final character of the rule`);
    }
    return {
      level: r.level as Level,
      users: strings(r.users, `${f}.users`), userGroups: strings(r.userGroups, `${f}.userGroups`), verbs: strings(r.verbs, `${f}.verbs`),
      resources, namespaces, nonResourceURLs, omitStages: stages(r.omitStages, `${f}.omitStages`),
      omitManagedFields: typeof r.omitManagedFields === 'boolean' ? r.omitManagedFields : undefined,
    };
  });
  return { rules, omitStages: stages(d.omitStages, 'omitStages'), omitManagedFields: d.omitManagedFields === true };
}

/** The level and stages for one request: the first matching rule's, or None. */
export function evaluatePolicy(p: Policy, a: AuditAttributes): RequestAuditConfig {
  for (const r of p.rules) {
    if (ruleMatches(r, a)) {
      const omitStages = [...new Set([...(p.omitStages ?? []), ...(r.omitStages ?? [])])];
      return { level: r.level, omitStages, omitManagedFields: r.omitManagedFields ?? p.omitManagedFields ?? false };
    }
  }
  return { level: 'None', omitStages: [], omitManagedFields: false };
}

export function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (r.users?.length && (!a.user || !r.users.includes(a.user.username))) return false;
  if (r.userGroups?.length && (!a.user || !a.user.groups.some((g) => r.userGroups?.includes(g)))) return false;
  if (r.verbs?.length && !r.verbs.includes(a.verb)) return false;
  if (r.namespaces?.length || r.resources?.length) return resourceMatches(r, a);
  if (r.nonResourceURLs?.length) return !a.isResourceRequest && r.nonResourceURLs.some((spec) => pathMatches(a.path, spec));
  return true;
}

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.slice(0, -1));
}

function resourceMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (!a.isResourceRequest) return false;
  // a cluster-scoped resource's namespace is "": a rule naming "" matches them
  if (r.namespaces?.length && !r.namespaces.includes(a.namespace)) return false;
  if (!r.resources?.length) return true;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  for (const gr of r.resources) {
    if ((gr.group ?? '') !== a.apiGroup) continue;
    if (!gr.resources?.length) return true;
    if (gr.resourceNames?.length && !gr.resourceNames.includes(a.name)) continue;
    for (const res of gr.resources) {
      if (res === '*' || res === combined) return true;
      if (a.subresource && res.startsWith('*/') && res.slice(2) === a.subresource) return true;
      if (res.endsWith('/*') && res.slice(0, -2) === a.resource) return true;
    }
  }
  return false;
}
