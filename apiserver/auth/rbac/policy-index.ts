// The RBAC objects in memory, indexed for the authorizer: roles by name, bindings by the subject they name (a user,
// a group, a ServiceAccount), so a decision looks at the bindings of the requester and nothing else. The four kinds'
// watch caches feed it: any change marks the index stale and the next question rebuilds it (RBAC objects change
// rarely and number in the hundreds; no request ever reads etcd).
import type { KubeObject } from '../../../lib/api/types.js';
import type { UserInfo } from '../index.js';
import { asRule, type PolicyRule } from './rules.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export type RbacResource = 'roles' | 'clusterroles' | 'rolebindings' | 'clusterrolebindings';
export const RBAC_RESOURCES: readonly RbacResource[] = ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'];

/** Where the objects come from: the watch caches in the API server, plain arrays in unit tests. */
export interface PolicySource {
  list(resource: RbacResource): KubeObject[];
  /** Calls fn after every change to the resource (and after the cache is reloaded). */
  onChange(resource: RbacResource, fn: () => void): void;
}

export interface RoleRef {
  kind: string;
  name: string;
  apiGroup?: string;
}

export interface Subject {
  kind: string;
  name: string;
  apiGroup?: string;
  namespace?: string;
}

/** A binding as the index holds it. */
export interface IndexedBinding {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  namespace: string;
  roleRef: RoleRef;
  subject: Subject;
}

export const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** A ServiceAccount's user name, split: `system:serviceaccount:<ns>:<name>`. */
export function serviceAccountOf(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
  return parts.length === 2 && parts[0] && parts[1] ? { namespace: parts[0], name: parts[1] } : undefined;
}

/** The index keys a user is found under. */
function keysOf(user: UserInfo): string[] {
  const keys = [`User:${user.username}`, ...user.groups.map((g) => `Group:${g}`)];
  const sa = serviceAccountOf(user.username);
  if (sa) keys.push(`ServiceAccount:${sa.namespace}:${sa.name}`);
  return keys;
}

/** The key a subject is indexed under; a ServiceAccount without a namespace is the binding's namespace's. */
function keyOfSubject(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User':
    case 'Group':
      return `${s.kind}:${s.name}`;
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns ? `ServiceAccount:${ns}:${s.name}` : undefined;
    }
    default:
      return undefined;
  }
}

const rulesOf = (o: KubeObject): PolicyRule[] => (Array.isArray(o.rules) ? o.rules.map(asRule) : []);

interface Snapshot {
  clusterRoles: Map<string, PolicyRule[]>;
  roles: Map<string, PolicyRule[]>;
  clusterBindings: Map<string, IndexedBinding[]>;
  /** namespace -> subject key -> bindings */
  roleBindings: Map<string, Map<string, IndexedBinding[]>>;
}

export class PolicyIndex {
  private snap?: Snapshot;

  constructor(private readonly source: PolicySource) {
    for (const r of RBAC_RESOURCES) source.onChange(r, () => (this.snap = undefined));
  }

  private current(): Snapshot {
    if (this.snap) return this.snap;
    const s: Snapshot = { clusterRoles: new Map(), roles: new Map(), clusterBindings: new Map(), roleBindings: new Map() };
    for (const o of this.source.list('clusterroles')) s.clusterRoles.set(o.metadata.name ?? '', rulesOf(o));
    for (const o of this.source.list('roles')) s.roles.set(`${o.metadata.namespace}/${o.metadata.name}`, rulesOf(o));
    const add = (into: Map<string, IndexedBinding[]>, o: KubeObject, kind: IndexedBinding['kind']) => {
      const ns = o.metadata.namespace ?? '';
      const roleRef = (o.roleRef ?? {}) as RoleRef;
      for (const subject of (Array.isArray(o.subjects) ? o.subjects : []) as Subject[]) {
        const key = keyOfSubject(subject, ns);
        if (!key) continue;
        const list = into.get(key) ?? [];
        list.push({ kind, name: o.metadata.name ?? '', namespace: ns, roleRef, subject });
        into.set(key, list);
      }
    };
    for (const o of this.source.list('clusterrolebindings')) add(s.clusterBindings, o, 'ClusterRoleBinding');
    for (const o of this.source.list('rolebindings')) {
      const ns = o.metadata.namespace ?? '';
      let m = s.roleBindings.get(ns);
      if (!m) s.roleBindings.set(ns, (m = new Map()));
      add(m, o, 'RoleBinding');
    }
    this.snap = s;
    return s;
  }

  /** The rules a role reference grants in a namespace; undefined when the role does not exist. */
  roleRules(ref: RoleRef, namespace: string): PolicyRule[] | undefined {
    const s = this.current();
    if (ref.kind === 'ClusterRole') return s.clusterRoles.get(ref.name);
    if (ref.kind === 'Role') return s.roles.get(`${namespace}/${ref.name}`);
    return undefined;
  }

  /**
   * Visits the rules that apply to the user in a namespace ('' : cluster bindings only), binding by binding, until
   * visit returns false. Kubernetes' VisitRulesFor.
   */
  visitRules(user: UserInfo, namespace: string, visit: (b: IndexedBinding, rules: PolicyRule[]) => boolean): void {
    const s = this.current();
    const keys = keysOf(user);
    const seen = new Set<IndexedBinding>();
    const walk = (index: Map<string, IndexedBinding[]> | undefined, ns: string): boolean => {
      if (!index) return true;
      for (const k of keys) {
        for (const b of index.get(k) ?? []) {
          if (seen.has(b)) continue;
          seen.add(b);
          const rules = this.roleRules(b.roleRef, ns);
          if (rules && !visit(b, rules)) return false;
        }
      }
      return true;
    };
    if (!walk(s.clusterBindings, '')) return;
    if (namespace) walk(s.roleBindings.get(namespace), namespace);
  }

  /** Every rule the user has in a namespace (Kubernetes' RulesFor). */
  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    const out: PolicyRule[] = [];
    this.visitRules(user, namespace, (_b, rules) => {
      out.push(...rules);
      return true;
    });
    return out;
  }
}
