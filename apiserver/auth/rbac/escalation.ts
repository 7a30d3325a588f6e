// Escalation prevention (Kubernetes' ConfirmNoEscalation and policy comparator): no one grants what they don't
// hold. Writing a Role or ClusterRole needs every permission it grants (or `escalate` on it); writing a binding needs
// every permission of the role it references (or `bind` on that role). system:masters may do both.
import { ApiError } from '../../errors.js';
import { MASTERS_GROUP, type Authorizer, type UserInfo } from '../index.js';
import type { RuleResolver } from './authorizer.js';
import { ALL, compactString, type PolicyRule } from './rules.js';

const has = (set: string[] | undefined, x: string): boolean => (set ?? []).includes(x);
const hasAll = (set: string[] | undefined, xs: string[] | undefined): boolean => (xs ?? []).every((x) => has(set, x));

function resourceCoversAll(set: string[] | undefined, covers: string[] | undefined): boolean {
  if (has(set, ALL) || hasAll(set, covers)) return true;
  for (const path of covers ?? []) {
    if (has(set, path)) continue;
    const slash = path.indexOf('/');
    // a subresource is covered by "*/<subresource>"; a resource by nothing more than itself or "*"
    if (slash < 0 || !has(set, `*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

const nonResourceURLCovers = (owner: string, sub: string): boolean =>
  owner === sub || (owner.endsWith('*') && sub.startsWith(owner.replace(/\*+$/, '')));

/** Does ownerRule allow everything subRule allows? A "*" is covered only by a "*". */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, ALL) || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = (sub.nonResourceURLs ?? []).every((p) => (owner.nonResourceURLs ?? []).some((o) => nonResourceURLCovers(o, p)));
  const names = !sub.resourceNames?.length ? !owner.resourceNames?.length : !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && urls && names;
}

/** A rule split into rules of one group, one resource, one verb (and one name), or one URL and one verb. */
export function breakdownRule(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of r.apiGroups ?? []) {
    for (const res of r.resources ?? []) {
      for (const v of r.verbs) {
        if (r.resourceNames?.length) for (const n of r.resourceNames) out.push({ apiGroups: [g], resources: [res], verbs: [v], resourceNames: [n] });
        else out.push({ apiGroups: [g], resources: [res], verbs: [v] });
      }
    }
  }
  for (const u of r.nonResourceURLs ?? []) for (const v of r.verbs) out.push({ nonResourceURLs: [u], verbs: [v] });
  return out;
}

/** Whether the owner's rules cover the servant's, and the pieces they don't. */
export function covers(owner: PolicyRule[], servant: PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing = servant.flatMap(breakdownRule).filter((s) => !owner.some((o) => ruleCovers(o, s)));
  return { covered: missing.length === 0, missing };
}

/** Missing pieces gathered back: the verbs of one group and resource (and name) in one rule. */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = r.apiGroups?.length === 1 && r.resources?.length === 1 && !r.nonResourceURLs?.length && (r.resourceNames?.length ?? 0) <= 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups, r.resources, r.resourceNames ?? []]);
    const prev = simple.get(key);
    if (prev) prev.verbs.push(...r.verbs);
    else simple.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...out, ...simple.values()];
}

/** What the caller of a write is and may do: set on every API request's write context. */
export interface AccessContext {
  user: UserInfo;
  authorizer: Authorizer;
  /** Absent where RBAC is not served (the benchmarks' plain server, whose callers are all system:masters). */
  rules?: RuleResolver;
}

/** Kubernetes' EscalationAllowed: the privileged group escapes the checks. */
const escalationAllowed = (access: AccessContext): boolean => access.user.groups.includes(MASTERS_GROUP);

/** The rules the user lacks, as Kubernetes words it (undefined: nothing is lacking). */
export function noEscalation(access: AccessContext, namespace: string, rules: PolicyRule[]): string | undefined {
  const owner = access.rules?.rulesFor(access.user, namespace) ?? [];
  const { covered, missing } = covers(owner, rules);
  if (covered) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  const groups = `[${access.user.groups.map((g) => JSON.stringify(g)).join(' ')}]`;
  return `user ${JSON.stringify(access.user.username)} (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
}

const forbiddenOn = (resource: string, name: string, why: string): ApiError =>
  new ApiError(403, 'Forbidden', `${resource}.rbac.authorization.k8s.io ${JSON.stringify(name)} is forbidden: ${why}`,
    { name, group: 'rbac.authorization.k8s.io', kind: resource });

const allowed = async (access: AccessContext, verb: string, resource: string, namespace: string, name: string): Promise<boolean> =>
  (await access.authorizer.authorize({ user: access.user, verb, isResourceRequest: true, path: '', apiGroup: 'rbac.authorization.k8s.io', apiVersion: '*',
    namespace, resource, subresource: '', name })).decision === 'allow';

/** Kubernetes' full authority: what only cluster-admin holds. */
const FULL_AUTHORITY: PolicyRule[] = [{ verbs: [ALL], apiGroups: [ALL], resources: [ALL] }, { verbs: [ALL], nonResourceURLs: [ALL] }];

/** A Role or ClusterRole write: 403 unless the writer holds every rule it grants (or may `escalate`). */
export async function confirmRoleWrite(access: AccessContext, resource: 'roles' | 'clusterroles', namespace: string, name: string,
  rules: PolicyRule[], aggregation: boolean): Promise<void> {
  if (escalationAllowed(access) || (await allowed(access, 'escalate', resource, namespace, name))) return;
  const why = noEscalation(access, namespace, rules);
  if (why) throw forbiddenOn(resource, name, why);
  // an aggregationRule can gather anything, so setting one takes everything
  if (aggregation && noEscalation(access, namespace, FULL_AUTHORITY)) {
    throw forbiddenOn(resource, name, 'must have cluster-admin privileges to use the aggregationRule');
  }
}

/** A RoleBinding or ClusterRoleBinding write: 403 unless the writer may `bind` the role or holds all its rules. */
export async function confirmBindingWrite(access: AccessContext, resource: 'rolebindings' | 'clusterrolebindings', namespace: string, name: string,
  roleRef: { kind: string; name: string }): Promise<void> {
  if (escalationAllowed(access)) return;
  const roleResource = roleRef.kind === 'Role' ? 'roles' : 'clusterroles';
  if (await allowed(access, 'bind', roleResource, namespace, roleRef.name)) return;
  const rules = access.rules?.roleRules(roleRef, namespace);
  if (!rules) throw forbiddenOn(resource, name, `${roleResource}.rbac.authorization.k8s.io ${JSON.stringify(roleRef.name)} not found`);
  const why = noEscalation(access, namespace, rules);
  if (why) throw forbiddenOn(resource, name, why);
}
