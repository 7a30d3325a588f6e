// Escalation prevention: the policy comparator (a `*` is covered only by a `*`, `*/sub` covers subresources, names
// narrow), the missing rules in Kubernetes' compact words, and the role and binding checks (system:masters, the
// `escalate` and `bind` verbs, aggregationRule needing everything).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import { ApiError } from '../../errors.js';
import type { UserInfo } from '../index.js';
import { authorizationChain, staticPolicySource } from './chain.js';
import { compactRules, confirmBindingWrite, confirmRoleWrite, covers, ruleCovers, type AccessContext } from './escalation.js';
import { compactString } from './rules.js';

test('ruleCovers: verbs, groups, resources, names and URLs; a `*` only by a `*`', () => {
  const owner = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', '*/status'] };
  assert.ok(ruleCovers(owner, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
  assert.ok(ruleCovers(owner, { verbs: ['list'], apiGroups: [''], resources: ['deployments/status'] }), '*/status covers any status');
  assert.ok(!ruleCovers(owner, { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }));
  assert.ok(!ruleCovers(owner, { verbs: ['*'], apiGroups: [''], resources: ['pods'] }), 'a * verb is not covered by a list');
  assert.ok(!ruleCovers(owner, { verbs: ['get'], apiGroups: ['*'], resources: ['pods'] }));
  assert.ok(ruleCovers(owner, { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['p'] }), 'no names covers any name');
  assert.ok(!ruleCovers({ ...owner, resourceNames: ['p'] }, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }), 'names do not cover all');
  assert.ok(ruleCovers({ verbs: ['get'], nonResourceURLs: ['/apis/*'] }, { verbs: ['get'], nonResourceURLs: ['/apis/apps'] }));
  assert.ok(!ruleCovers({ verbs: ['get'], nonResourceURLs: ['/apis/apps'] }, { verbs: ['get'], nonResourceURLs: ['/apis/*'] }));
});

test('covers breaks rules down and reports the pieces missing, compacted as Kubernetes prints them', () => {
  const owner = [{ verbs: ['get'], apiGroups: [''], resources: ['pods', 'secrets'] }];
  const r = covers(owner, [{ verbs: ['get', 'list', 'delete'], apiGroups: [''], resources: ['pods', 'secrets'] }, { verbs: ['get'], nonResourceURLs: ['/metrics'] }]);
  assert.equal(r.covered, false);
  assert.deepEqual(compactRules(r.missing).map(compactString).sort(), [
    '{APIGroups:[""], Resources:["pods"], Verbs:["list" "delete"]}',
    '{APIGroups:[""], Resources:["secrets"], Verbs:["list" "delete"]}',
    '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
  ]);
  assert.equal(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a', 'b'] }]).covered, true);
});

const rbacObj = (kind: string, name: string, extra: object, namespace?: string): KubeObject =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...extra });

function accessFor(user: UserInfo, objects: KubeObject[]): AccessContext {
  const { chain, rbac } = authorizationChain(staticPolicySource(objects));
  return { user, authorizer: chain, rules: rbac };
}

const refusal = async (p: Promise<void>): Promise<ApiError> => {
  const e = await p.then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof ApiError, 'refused');
  return e;
};

const carol: UserInfo = { username: 'carol', groups: ['team', 'system:authenticated'] };
const policy = [
  rbacObj('ClusterRole', 'pods-rw', { rules: [{ verbs: ['get', 'list', 'create'], apiGroups: [''], resources: ['pods'] }] }),
  rbacObj('ClusterRole', 'cluster-admin', { rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }] }),
  rbacObj('RoleBinding', 'carol', { roleRef: { kind: 'ClusterRole', name: 'pods-rw' }, subjects: [{ kind: 'Group', name: 'team' }] }, 'ns1'),
];

test('a role write needs every permission it grants, in the namespace it is written to', async () => {
  const access = accessFor(carol, policy);
  await confirmRoleWrite(access, 'roles', 'ns1', 'ok', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], false);
  const e = await refusal(confirmRoleWrite(access, 'roles', 'ns1', 'more', [{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods'] }], false));
  assert.equal(e.code, 403);
  assert.equal(e.message, 'roles.rbac.authorization.k8s.io "more" is forbidden: user "carol" (groups=["team" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}');
  assert.deepEqual(e.details, { name: 'more', group: 'rbac.authorization.k8s.io', kind: 'roles' });
  // the same rules in another namespace, or cluster-wide, are not held
  await refusal(confirmRoleWrite(access, 'roles', 'ns2', 'ok', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], false));
  await refusal(confirmRoleWrite(access, 'clusterroles', '', 'ok', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], false));
  // escalate on roles lets anything through; system:masters too
  const escalate = [...policy, rbacObj('ClusterRole', 'esc', { rules: [{ verbs: ['escalate'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'] }] }),
    rbacObj('RoleBinding', 'esc', { roleRef: { kind: 'ClusterRole', name: 'esc' }, subjects: [{ kind: 'User', name: 'carol' }] }, 'ns1')];
  await confirmRoleWrite(accessFor(carol, escalate), 'roles', 'ns1', 'more', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], false);
  await confirmRoleWrite(accessFor({ username: 'root', groups: ['system:masters'] }, []), 'clusterroles', '', 'x', [{ verbs: ['*'], nonResourceURLs: ['*'] }], true);
});

test('an aggregationRule takes cluster-admin\'s permissions', async () => {
  const e = await refusal(confirmRoleWrite(accessFor(carol, policy), 'clusterroles', '', 'agg', [], true));
  assert.equal(e.message, 'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule');
  const admins = [...policy, rbacObj('ClusterRoleBinding', 'carol-admin', { roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'carol' }] })];
  await confirmRoleWrite(accessFor(carol, admins), 'clusterroles', '', 'agg', [], true);
});

test('a binding write needs the role\'s permissions or `bind` on it', async () => {
  const access = accessFor(carol, policy);
  await confirmBindingWrite(access, 'rolebindings', 'ns1', 'b', { kind: 'ClusterRole', name: 'pods-rw' });
  const e = await refusal(confirmBindingWrite(access, 'rolebindings', 'ns1', 'evil', { kind: 'ClusterRole', name: 'cluster-admin' }));
  assert.equal(e.message, 'rolebindings.rbac.authorization.k8s.io "evil" is forbidden: user "carol" (groups=["team" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
    + '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}');
  const missing = await refusal(confirmBindingWrite(access, 'rolebindings', 'ns1', 'x', { kind: 'Role', name: 'nope' }));
  assert.equal(missing.message, 'rolebindings.rbac.authorization.k8s.io "x" is forbidden: roles.rbac.authorization.k8s.io "nope" not found');
  const binder = [...policy, rbacObj('ClusterRole', 'binder', { rules: [{ verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['cluster-admin'] }] }),
    rbacObj('RoleBinding', 'binder', { roleRef: { kind: 'ClusterRole', name: 'binder' }, subjects: [{ kind: 'User', name: 'carol' }] }, 'ns1')];
  await confirmBindingWrite(accessFor(carol, binder), 'rolebindings', 'ns1', 'ok', { kind: 'ClusterRole', name: 'cluster-admin' });
  await refusal(confirmBindingWrite(accessFor(carol, binder), 'clusterrolebindings', '', 'ok', { kind: 'ClusterRole', name: 'cluster-admin' }));
});
