// The access reviews and SelfSubjectReview: objects a client creates to ask the server something (may this user do
// that? what may I do here? who am I?) and gets back with the answer in status, never stored. kubectl auth can-i
// and kubectl auth whoami create them. The questions go to the same authorizer chain every request goes through.
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError, errors } from '../errors.js';
import type { Attributes, UserInfo } from './index.js';
import type { AccessContext } from './rbac/escalation.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function needAccess(access: AccessContext | undefined): AccessContext {
  // every API request carries it (handler.ts); a review without a caller has no one to answer for
  if (!access) throw errors.internal('no user on the request');
  return access;
}

/** The authorizer's attributes for a review's spec, for the given user. */
function attributesOf(spec: Obj, user: UserInfo): Attributes {
  const r = obj(spec.resourceAttributes);
  if (r) {
    return { user, verb: str(r.verb), isResourceRequest: true, path: '', apiGroup: str(r.group), apiVersion: str(r.version), namespace: str(r.namespace),
      resource: str(r.resource), subresource: str(r.subresource), name: str(r.name) };
  }
  const n = obj(spec.nonResourceAttributes) ?? {};
  return { user, verb: str(n.verb), isResourceRequest: false, path: str(n.path), apiGroup: '', apiVersion: '', namespace: '', resource: '', subresource: '', name: '' };
}

/** Exactly one of resourceAttributes and nonResourceAttributes, as Kubernetes' validation says it. */
export function attributeCauses(spec: Obj): Array<{ field: string; message: string }> {
  const hasR = !!obj(spec.resourceAttributes);
  const hasN = !!obj(spec.nonResourceAttributes);
  if (hasR && hasN) return [{ field: 'spec.nonResourceAttributes', message: 'cannot be specified in combination with resourceAttributes' }];
  if (!hasR && !hasN) return [{ field: 'spec.resourceAttributes', message: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' }];
  return [];
}

function invalid(kind: string, causes: Array<{ field: string; message: string }>): ApiError {
  const list = causes.map((c) => `${c.field}: Invalid value: ${c.message}`);
  const message = `${kind}.authorization.k8s.io "" is invalid: ${list.length > 1 ? `[${list.join(', ')}]` : list[0]}`;
  return errors.invalid({ group: 'authorization.k8s.io', kind }, '', message, causes.map((c) => ({ reason: 'FieldValueInvalid', field: c.field, message: `Invalid value: ${c.message}` })));
}

async function decide(access: AccessContext, a: Attributes): Promise<Obj> {
  const d = await access.authorizer.authorize(a);
  const status: Obj = { allowed: d.decision === 'allow' };
  if (d.decision === 'deny') status.denied = true;
  if (d.reason) status.reason = d.reason;
  return status;
}

/** SubjectAccessReview and LocalSubjectAccessReview (namespace: the URL's, which the spec must name). */
export async function subjectAccessReview(o: KubeObject, access: AccessContext | undefined, namespace?: string): Promise<KubeObject> {
  const a = needAccess(access);
  const kind = namespace === undefined ? 'SubjectAccessReview' : 'LocalSubjectAccessReview';
  const spec = obj(o.spec) ?? {};
  const causes = attributeCauses(spec);
  if (namespace !== undefined) {
    if (obj(spec.nonResourceAttributes)) causes.push({ field: 'spec.nonResourceAttributes', message: 'disallowed on this kind of request' });
    const r = obj(spec.resourceAttributes);
    if (r && str(r.namespace) !== namespace) causes.push({ field: 'spec.resourceAttributes.namespace', message: 'must match metadata.namespace' });
  }
  if (!str(spec.user) && !strs(spec.groups).length) causes.push({ field: 'spec.user', message: 'at least one of user or group must be specified' });
  if (causes.length) throw invalid(kind, causes);
  const user: UserInfo = { username: str(spec.user), groups: strs(spec.groups) };
  if (str(spec.uid)) user.uid = str(spec.uid);
  return { ...o, status: await decide(a, attributesOf(spec, user)) };
}

/** SelfSubjectAccessReview: may the caller do this? */
export async function selfSubjectAccessReview(o: KubeObject, access: AccessContext | undefined): Promise<KubeObject> {
  const a = needAccess(access);
  const spec = obj(o.spec) ?? {};
  const causes = attributeCauses(spec);
  if (causes.length) throw invalid('SelfSubjectAccessReview', causes);
  return { ...o, status: await decide(a, attributesOf(spec, a.user)) };
}

/** SelfSubjectRulesReview: what the caller may do in a namespace, rule by rule (RBAC's rules). */
export async function selfSubjectRulesReview(o: KubeObject, access: AccessContext | undefined): Promise<KubeObject> {
  const a = needAccess(access);
  const spec = obj(o.spec) ?? {};
  const namespace = str(spec.namespace);
  const resourceRules: Obj[] = [];
  const nonResourceRules: Obj[] = [];
  for (const r of a.rules?.rulesFor(a.user, namespace) ?? []) {
    if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
    else {
      const rule: Obj = { verbs: r.verbs };
      if (r.apiGroups?.length) rule.apiGroups = r.apiGroups;
      if (r.resources?.length) rule.resources = r.resources;
      if (r.resourceNames?.length) rule.resourceNames = r.resourceNames;
      resourceRules.push(rule);
    }
  }
  // without RBAC (the benchmarks' server) the rules can't be listed
  return { ...o, status: { resourceRules, nonResourceRules, incomplete: !a.rules } };
}

/** SelfSubjectReview: who the server takes the caller for (after impersonation). */
export async function selfSubjectReview(o: KubeObject, access: AccessContext | undefined): Promise<KubeObject> {
  const { user } = needAccess(access);
  const userInfo: Obj = { username: user.username, groups: user.groups };
  if (user.uid) userInfo.uid = user.uid;
  return { ...o, status: { userInfo } };
}
