// The API server's authorizer chain over an RBAC policy, in Kubernetes' order: the dashboard's static files, the
// system:masters group, the Node authorizer (NODE_AUTHORIZER_SLOT), then RBAC. Also a fixed policy source for
// tests and tools that have the objects in hand.
import type { KubeObject } from '../../../lib/api/types.js';
import { AuthorizerChain, DashboardAuthorizer } from '../authorizer.js';
import type { Authorizer } from '../index.js';
import { MastersAuthorizer, RbacAuthorizer } from './authorizer.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';
import { PolicyIndex, type PolicySource, type RbacResource } from './policy-index.js';

export interface AuthorizationSetup {
  chain: AuthorizerChain;
  rbac: RbacAuthorizer;
}

/**
 * The Node authorizer goes here (before RBAC, as in Kubernetes' `--authorization-mode=Node,RBAC`): it decides the
 * requests of system:node:<name> users, and has no opinion on anyone else's.
 */
export const NODE_AUTHORIZER_SLOT: Authorizer[] = [];

export function authorizationChain(source: PolicySource, nodeAuthorizers: Authorizer[] = NODE_AUTHORIZER_SLOT): AuthorizationSetup {
  const rbac = new RbacAuthorizer(new PolicyIndex(source));
  return { chain: new AuthorizerChain([new DashboardAuthorizer(), new MastersAuthorizer(), ...nodeAuthorizers, rbac]), rbac };
}

/** A policy source over fixed objects (changed through `set`), for tests. */
export function staticPolicySource(objects: KubeObject[] = []): PolicySource & { set(objects: KubeObject[]): void } {
  let all = objects;
  const listeners: Array<() => void> = [];
  const resourceOf: Record<string, RbacResource> = { Role: 'roles', ClusterRole: 'clusterroles', RoleBinding: 'rolebindings', ClusterRoleBinding: 'clusterrolebindings' };
  return {
    list: (resource) => all.filter((o) => resourceOf[o.kind ?? ''] === resource),
    onChange: (_resource, fn) => listeners.push(fn),
    set(objects) {
      all = objects;
      for (const l of listeners) l();
    },
  };
}

/** The default roles and bindings as objects (what the API server makes at start). */
export const bootstrapPolicy = (): KubeObject[] => [...bootstrapClusterRoles(), ...bootstrapClusterRoleBindings()];
