// The RBAC rule matcher and authorizer on fixed objects: verbs, groups, resources (`*`, `resource/subresource`,
// `*/subresource`), resource names, non-resource URLs with a trailing `*`; RoleBindings to Roles and ClusterRoles;
// ServiceAccount subjects; the index following changes; system:masters in front; the rules a user has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import type { Attributes, UserInfo } from '../index.js';
import { authorizationChain, bootstrapPolicy, staticPolicySource } from './chain.js';
import { ruleAllows, type PolicyRule } from './rules.js';

const res = (verb: string, resource: string, o: Partial<Attributes> = {}): Attributes => ({
  user: { username: 'u', groups: [] }, verb, isResourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', namespace: 'ns', resource, subresource: '', name: '', ...o,
});
const url = (verb: string, path: string): Attributes => ({ ...res(verb, ''), isResourceRequest: false, path, namespace: '' });

test('rules: verbs, groups and resources, `*`, subresources and `*/subresource`, names', () => {
  const r: PolicyRule = { verbs: ['get', 'list'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments/scale'] };
  assert.ok(ruleAllows(res('get', 'pods'), r));
  assert.ok(ruleAllows(res('list', 'pods', { apiGroup: 'apps' }), r));
  assert.ok(!ruleAllows(res('delete', 'pods'), r), 'verb');
  assert.ok(!ruleAllows(res('get', 'pods', { apiGroup: 'batch' }), r), 'group');
  assert.ok(!ruleAllows(res('get', 'pods', { subresource: 'log' }), r), 'pods does not cover pods/log');
  assert.ok(ruleAllows(res('get', 'deployments', { apiGroup: 'apps', subresource: 'scale' }), r));
  assert.ok(!ruleAllows(res('get', 'deployments', { apiGroup: 'apps' }), r), 'deployments/scale does not cover deployments');
  const star: PolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };
  assert.ok(ruleAllows(res('escalate', 'roles', { apiGroup: 'rbac.authorization.k8s.io' }), star));
  assert.ok(ruleAllows(res('get', 'pods', { subresource: 'exec' }), star), '* covers subresources');
  const anyScale: PolicyRule = { verbs: ['update'], apiGroups: ['*'], resources: ['*/scale'] };
  assert.ok(ruleAllows(res('update', 'replicasets', { apiGroup: 'apps', subresource: 'scale' }), anyScale));
  assert.ok(!ruleAllows(res('update', 'replicasets', { apiGroup: 'apps' }), anyScale));
  assert.ok(!ruleAllows(res('update', 'replicasets', { apiGroup: 'apps', subresource: 'status' }), anyScale));
  const named: PolicyRule = { verbs: ['get', 'update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'] };
  assert.ok(ruleAllows(res('get', 'configmaps', { name: 'settings' }), named));
  assert.ok(!ruleAllows(res('get', 'configmaps', { name: 'other' }), named));
  assert.ok(!ruleAllows(res('get', 'configmaps'), named), 'a list has no name: resourceNames do not match it');
  assert.ok(!ruleAllows(res('get', 'configmaps', { name: 'settings' }), { verbs: ['get'], resources: ['configmaps'] }), 'no apiGroups matches nothing');
});

test('rules: non-resource URLs, exact, `*` and prefixes ending in `*`; a resource rule never matches a path', () => {
  const r: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
  assert.ok(ruleAllows(url('get', '/healthz'), r));
  assert.ok(!ruleAllows(url('get', '/healthz/etcd'), r));
  assert.ok(ruleAllows(url('get', '/apis/apps/v1'), r));
  assert.ok(ruleAllows(url('get', '/apis/'), r));
  assert.ok(!ruleAllows(url('get', '/apis'), r), '/apis/* does not cover /apis');
  assert.ok(!ruleAllows(url('post', '/healthz'), r));
  assert.ok(ruleAllows(url('put', '/anything'), { verbs: ['*'], nonResourceURLs: ['*'] }));
  assert.ok(!ruleAllows(url('get', '/healthz'), { verbs: ['get'], apiGroups: ['*'], resources: ['*'] }));
  assert.ok(!ruleAllows(res('get', 'pods'), r));
});

const role = (kind: 'Role' | 'ClusterRole', name: string, rules: PolicyRule[], namespace?: string): KubeObject =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, rules });
const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, roleRef: { kind: string; name: string }, subjects: object[], namespace?: string): KubeObject =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef }, subjects });

const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] };
const devs: UserInfo = { username: 'bob', groups: ['devs', 'system:authenticated'] };
const sa: UserInfo = { username: 'system:serviceaccount:ns1:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'] };

test('the authorizer: RoleBindings grant Roles and ClusterRoles in their namespace only, ClusterRoleBindings everywhere; users, groups, ServiceAccounts', async () => {
  const source = staticPolicySource([
    role('ClusterRole', 'reader', [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }]),
    role('Role', 'cm-writer', [{ verbs: ['create'], apiGroups: [''], resources: ['configmaps'] }], 'ns1'),
    role('ClusterRole', 'node-reader', [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }]),
    binding('RoleBinding', 'alice-reads', { kind: 'ClusterRole', name: 'reader' }, [{ kind: 'User', name: 'alice' }], 'ns1'),
    binding('RoleBinding', 'devs-write', { kind: 'Role', name: 'cm-writer' }, [{ kind: 'Group', name: 'devs' }], 'ns1'),
    // a ServiceAccount subject without a namespace is the binding's namespace's
    binding('RoleBinding', 'builder', { kind: 'Role', name: 'cm-writer' }, [{ kind: 'ServiceAccount', name: 'builder' }], 'ns1'),
    binding('ClusterRoleBinding', 'nodes', { kind: 'ClusterRole', name: 'node-reader' }, [{ kind: 'ServiceAccount', name: 'builder', namespace: 'ns1' }]),
    // a binding to a role that does not exist grants nothing
    binding('RoleBinding', 'dangling', { kind: 'Role', name: 'missing' }, [{ kind: 'User', name: 'alice' }], 'ns2'),
  ]);
  const { chain } = authorizationChain(source);
  const ask = async (user: UserInfo, verb: string, resource: string, namespace: string) =>
    (await chain.authorize({ ...res(verb, resource), user, namespace })).decision;
  assert.equal(await ask(alice, 'list', 'pods', 'ns1'), 'allow');
  assert.equal(await ask(alice, 'list', 'pods', 'ns2'), 'noOpinion', 'a RoleBinding grants in its namespace only');
  assert.equal(await ask(alice, 'list', 'pods', ''), 'noOpinion', 'nor across namespaces');
  assert.equal(await ask(alice, 'create', 'configmaps', 'ns1'), 'noOpinion');
  assert.equal(await ask(devs, 'create', 'configmaps', 'ns1'), 'allow', 'by group');
  assert.equal(await ask(devs, 'create', 'configmaps', 'ns2'), 'noOpinion');
  assert.equal(await ask(sa, 'create', 'configmaps', 'ns1'), 'allow', 'ServiceAccount subject');
  assert.equal(await ask({ ...sa, username: 'system:serviceaccount:ns2:builder' }, 'create', 'configmaps', 'ns1'), 'noOpinion', 'the same name in another namespace');
  assert.equal(await ask(sa, 'get', 'nodes', ''), 'allow');
  assert.equal(await ask({ username: 'builder', groups: [] }, 'get', 'nodes', ''), 'noOpinion', 'a user named like the ServiceAccount is not it');
  const reason = (await chain.authorize({ ...res('get', 'pods'), user: alice, namespace: 'ns1' })).reason;
  assert.equal(reason, 'RBAC: allowed by RoleBinding "alice-reads/ns1" of ClusterRole "reader" to User "alice"');
  // the index follows changes
  source.set([]);
  assert.equal(await ask(alice, 'list', 'pods', 'ns1'), 'noOpinion');
  // system:masters may do anything, RBAC or not
  assert.equal(await ask({ username: 'root', groups: ['system:masters'] }, 'delete', 'nodes', ''), 'allow');
});

test('the default policy: discovery and health for the authenticated, health for anyone, reviews for everyone, cluster-admin for masters', async () => {
  const { chain, rbac } = authorizationChain(staticPolicySource(bootstrapPolicy()));
  const anon: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
  const allowed = async (a: Attributes) => (await chain.authorize(a)).decision === 'allow';
  assert.ok(await allowed({ ...url('get', '/healthz'), user: anon }));
  assert.ok(await allowed({ ...url('get', '/version'), user: anon }));
  assert.ok(!(await allowed({ ...url('get', '/api'), user: anon })));
  assert.ok(await allowed({ ...url('get', '/apis/apps/v1'), user: alice }));
  assert.ok(await allowed({ ...url('get', '/openapi/v3'), user: alice }));
  assert.ok(!(await allowed({ ...url('get', '/metrics'), user: alice })));
  assert.ok(await allowed({ ...url('get', '/metrics'), user: { username: 'prom', groups: ['system:monitoring'] } }));
  assert.ok(await allowed({ ...res('create', 'selfsubjectaccessreviews', { apiGroup: 'authorization.k8s.io', namespace: '' }), user: alice }));
  assert.ok(await allowed({ ...res('create', 'selfsubjectreviews', { apiGroup: 'authentication.k8s.io', namespace: '' }), user: alice }));
  assert.ok(!(await allowed({ ...res('list', 'pods'), user: alice })));
  const admin: UserInfo = { username: 'root', groups: ['system:masters'] };
  // RBAC itself (not only the masters authorizer) grants masters everything: can-i --list shows it
  assert.ok(rbac.decide({ ...res('delete', 'secrets'), user: admin }).decision === 'allow');
  assert.deepEqual(rbac.rulesFor(admin, 'x').find((r) => r.verbs.includes('*') && r.resources?.includes('*')), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
  // the components
  const scheduler: UserInfo = { username: 'system:kube-scheduler', groups: ['system:authenticated'] };
  assert.ok(await allowed({ ...res('create', 'pods', { subresource: 'binding' }), user: scheduler }));
  assert.ok(!(await allowed({ ...res('get', 'secrets'), user: scheduler })));
  const node: UserInfo = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
  // nodes hold no RBAC role: the Node authorizer (ahead of RBAC) decides for them, as in Kubernetes
  assert.ok(!(await allowed({ ...res('patch', 'nodes', { subresource: 'status', namespace: '', name: 'n1' }), user: node })));
  assert.ok(await allowed({ ...res('patch', 'nodes', { subresource: 'status', namespace: '', name: 'n1' }), user: { username: 'system:flotilla-hollow-nodes', groups: ['system:authenticated'] } }));
  assert.ok(!(await allowed({ ...res('create', 'pods'), user: node })));
  const cm: UserInfo = { username: 'system:kube-controller-manager', groups: ['system:authenticated'] };
  assert.ok(await allowed({ ...res('create', 'replicasets', { apiGroup: 'apps' }), user: cm }));
  assert.ok(await allowed({ ...res('deletecollection', 'roles', { apiGroup: 'rbac.authorization.k8s.io' }), user: cm }), 'the namespace controller empties namespaces');
  assert.ok(!(await allowed({ ...res('create', 'secrets'), user: cm })));
  assert.ok(!(await allowed({ ...res('impersonate', 'users', { namespace: '' }), user: cm })));
});
