// What the four RBAC kinds share: names that are path segments (so `system:basic-user` is one), the checks on
// rules, role references and subjects as Kubernetes' rbac validation makes them, the v1 defaults, the table cells
// kubectl prints, and the escalation checks on writes (apiserver/auth/rbac/escalation.ts).
import type { KubeObject } from '../../../lib/api/types.js';
import { confirmBindingWrite, confirmRoleWrite } from '../../auth/rbac/escalation.js';
import { asRule } from '../../auth/rbac/rules.js';
import { AGE, NAME, age, type Printer } from '../../printers/columns.js';
import { asArr, asObj, asStr, goRaw, invalid, isObj, notSupported, objects, required, type FieldCause, type Obj } from '../../validation/field.js';
import { isDNS1123Subdomain, type NameCheck } from '../../validation/names.js';
import { semanticEqual } from '../../validation/update.js';
import type { WriteContext } from '../types.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Kubernetes' path.IsValidPathSegmentName (a name must fit in a URL path segment), and its prefix form. */
export const nameIsPathSegment: NameCheck = (name, prefix) => {
  const out: string[] = [];
  if (!prefix && (name === '.' || name === '..')) out.push(`may not be '${name}'`);
  for (const bad of ['/', '%']) if (name.includes(bad)) out.push(`may not contain '${bad}'`);
  return out;
};

export function validateRules(obj: Obj, namespaced: boolean): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [rule, i] of objects(obj.rules)) {
    const at = `rules[${i}]`;
    if (!asArr(rule.verbs).length) out.push(required(`${at}.verbs`, 'verbs must contain at least one value'));
    const urls = asArr(rule.nonResourceURLs);
    if (urls.length) {
      if (namespaced) out.push(invalid(`${at}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
      if (asArr(rule.apiGroups).length || asArr(rule.resources).length || asArr(rule.resourceNames).length) {
        out.push(invalid(`${at}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      continue;
    }
    if (!asArr(rule.apiGroups).length) out.push(required(`${at}.apiGroups`, 'resource rules must supply at least one api group'));
    if (!asArr(rule.resources).length) out.push(required(`${at}.resources`, 'resource rules must supply at least one resource'));
  }
  return out;
}

/** The v1 defaults: a roleRef's and User/Group subjects' apiGroup is RBAC's. */
export function defaultBinding(obj: Obj): void {
  const ref = asObj(obj.roleRef);
  if (ref && !ref.apiGroup) ref.apiGroup = RBAC_GROUP;
  for (const [s] of objects(obj.subjects)) {
    if (!s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = RBAC_GROUP;
  }
}

export function validateBinding(obj: Obj, namespaced: boolean): FieldCause[] {
  const out: FieldCause[] = [];
  const ref = asObj(obj.roleRef) ?? {};
  if (asStr(ref.apiGroup) !== RBAC_GROUP) out.push(notSupported('roleRef.apiGroup', asStr(ref.apiGroup), [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(asStr(ref.kind))) out.push(notSupported('roleRef.kind', asStr(ref.kind), kinds));
  const name = asStr(ref.name);
  if (!name) out.push(required('roleRef.name'));
  else for (const m of nameIsPathSegment(name, false)) out.push(invalid('roleRef.name', name, m));
  for (const [s, i] of objects(obj.subjects)) {
    const at = `subjects[${i}]`;
    const sname = asStr(s.name);
    if (!sname) out.push(required(`${at}.name`));
    const group = asStr(s.apiGroup);
    switch (s.kind) {
      case 'ServiceAccount':
        if (sname) for (const m of isDNS1123Subdomain(sname)) out.push(invalid(`${at}.name`, sname, m));
        if (group !== '') out.push(notSupported(`${at}.apiGroup`, group, ['']));
        if (!namespaced && !asStr(s.namespace)) out.push(required(`${at}.namespace`));
        break;
      case 'User':
      case 'Group':
        if (group !== RBAC_GROUP) out.push(notSupported(`${at}.apiGroup`, group, [RBAC_GROUP]));
        break;
      default:
        out.push(notSupported(`${at}.kind`, asStr(s.kind), ['ServiceAccount', 'User', 'Group']));
    }
  }
  return out;
}

/** A binding's roleRef is fixed: to change it, delete the binding and make another (Kubernetes' words). */
export function validateBindingUpdate(obj: Obj, old: Obj): FieldCause[] {
  if (semanticEqual(obj.roleRef, old.roleRef)) return [];
  const r = asObj(obj.roleRef) ?? {};
  return [invalid('roleRef', goRaw(`rbac.RoleRef{APIGroup:${JSON.stringify(asStr(r.apiGroup))}, Kind:${JSON.stringify(asStr(r.kind))}, Name:${JSON.stringify(asStr(r.name))}}`), 'cannot change roleRef')];
}

/** Roles print their name and creation time, as kubectl shows them. */
export const ROLE_PRINTER: Printer = {
  columns: [NAME, ['Created At', 'date', 0, 'Time the role was created.']],
  row: (o) => [o.metadata.name ?? '', o.metadata.creationTimestamp ?? ''],
};

type SubjectLike = { kind?: string; name?: string; namespace?: string };
const subjectsOf = (o: KubeObject, kind: string): SubjectLike[] =>
  (Array.isArray(o.subjects) ? (o.subjects as SubjectLike[]) : []).filter((s) => s.kind === kind);
const joined = (xs: string[]): string => xs.join(', ');

/** Bindings: the role, age, and with -o wide who is bound. */
export const BINDING_PRINTER: Printer = {
  columns: [NAME, ['Role', 'string', 0, 'Role indicates the role this binding grants.'], AGE,
    ['Users', 'string', 1, 'Users in the binding.'], ['Groups', 'string', 1, 'Groups in the binding.'],
    ['ServiceAccounts', 'string', 1, 'ServiceAccounts in the binding.']],
  row: (o, now) => {
    const ref = (o.roleRef ?? {}) as { kind?: string; name?: string };
    return [o.metadata.name ?? '', `${ref.kind ?? ''}/${ref.name ?? ''}`, age(o.metadata.creationTimestamp, now),
      joined(subjectsOf(o, 'User').map((s) => s.name ?? '')), joined(subjectsOf(o, 'Group').map((s) => s.name ?? '')),
      joined(subjectsOf(o, 'ServiceAccount').map((s) => `${s.namespace ?? ''}:${s.name ?? ''}`))];
  },
};

/**
 * Kubernetes lets a write through unchecked when it only changes what the garbage collector needs to remove the
 * object (owner references, finalizers).
 */
function onlyGarbageCollectionFields(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { ownerReferences: _o, finalizers: _f, resourceVersion: _r, managedFields: _m, ...meta } = o.metadata;
    return { ...o, metadata: meta };
  };
  return semanticEqual(strip(obj), strip(old));
}

export async function authorizeRoleWrite(resource: 'roles' | 'clusterroles', obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext): Promise<void> {
  if (!ctx.access || (old && onlyGarbageCollectionFields(obj, old))) return;
  const rules = (Array.isArray(obj.rules) ? obj.rules : []).map(asRule);
  await confirmRoleWrite(ctx.access, resource, obj.metadata.namespace ?? '', obj.metadata.name ?? '', rules, isObj(obj.aggregationRule));
}

export async function authorizeBindingWrite(resource: 'rolebindings' | 'clusterrolebindings', obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext): Promise<void> {
  if (!ctx.access || (old && onlyGarbageCollectionFields(obj, old))) return;
  const ref = (obj.roleRef ?? {}) as { kind: string; name: string };
  await confirmBindingWrite(ctx.access, resource, obj.metadata.namespace ?? '', obj.metadata.name ?? '', ref);
}
