// Acceptance (issue 10, RBAC) on the real stack: real etcd, the API server process over HTTPS, the controller-manager
// under its own identity (system:kube-controller-manager, so its RBAC role is what lets it work), the real kubectl.
// A user bound to `view` in one namespace reads there and nowhere else, gets Kubernetes' exact 403s, and
// `kubectl auth can-i --list` tells the truth about it; `can-i --as`; `auth whoami` (kubectl 1.32, 1.27, 1.28); a
// user who may edit RBAC objects cannot grant more than they hold; a ClusterRole labelled aggregate-to-view joins
// `view`; kubectl's columns for bindings; roleRef is immutable; SubjectAccessReview.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ComponentProcess, TestCluster, waitFor, type UserClient } from './harness.js';

let c: TestCluster;
let viewer: UserClient;

const NS = 'team-a';
const OTHER = 'team-b';

/** kubectl of another version with a user's kubeconfig. */
function kubectlVersion(version: string, kubeconfig: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(`/usr/lib/google-cloud-sdk/bin/kubectl.${version}`, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: kubeconfig } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  c = await TestCluster.start();
  // the controller-manager with its own certificate: aggregation (view's rules) only happens if its role allows it
  const cm = await c.as('system:kube-controller-manager');
  const proc = new ComponentProcess(c.dir, 'controller-manager', ['controller-manager', '--kubeconfig', cm.kubeconfig]);
  c.components.push(proc);
  proc.start();
  for (const ns of [NS, OTHER]) c.ok(['create', 'namespace', ns]);
  c.ok(['create', 'configmap', 'settings', '-n', NS, '--from-literal=a=b']);
  c.ok(['create', 'secret', 'generic', 'token', '-n', NS, '--from-literal=t=s3cr3t']);
  c.ok(['create', 'configmap', 'elsewhere', '-n', OTHER]);
  // view's rules are aggregated by the controller-manager
  await waitFor('view aggregated', async () => {
    const v = JSON.parse(c.ok(['get', 'clusterrole', 'view', '-o', 'json'])) as { rules?: Array<{ resources?: string[] }> };
    return v.rules?.some((r) => r.resources?.includes('pods'));
  }, 30_000, 200);
  viewer = await c.as('viewer-x');
  c.ok(['create', 'rolebinding', 'viewers', '-n', NS, '--clusterrole=view', '--user=viewer-x']);
  // the authorizer's index follows the watch cache: wait until the binding is seen
  await waitFor('binding effective', async () => (await viewer.request('GET', `/api/v1/namespaces/${NS}/configmaps`)).status === 200, 10_000, 100);
});

after(async () => {
  await c?.stop();
});

test('a user bound to view in one namespace: reads there; 403 with Kubernetes\' message on Secrets, writes and other namespaces', () => {
  const pods = viewer.kubectl(['get', 'configmaps', '-n', NS, '-o', 'name']);
  assert.equal(pods.code, 0, pods.stderr);
  assert.match(pods.stdout, /configmap\/settings/);
  assert.equal(viewer.kubectl(['get', 'pods', '-n', NS]).code, 0);

  const secrets = viewer.kubectl(['get', 'secrets', '-n', NS]);
  assert.notEqual(secrets.code, 0);
  assert.match(secrets.stderr, /Error from server \(Forbidden\): secrets is forbidden: User "viewer-x" cannot list resource "secrets" in API group "" in the namespace "team-a"/);
  const one = viewer.kubectl(['get', 'secret', 'token', '-n', NS]);
  assert.match(one.stderr, /secrets "token" is forbidden: User "viewer-x" cannot get resource "secrets" in API group "" in the namespace "team-a"/);

  const write = viewer.kubectl(['create', 'configmap', 'mine', '-n', NS]);
  assert.notEqual(write.code, 0);
  assert.match(write.stderr, /configmaps is forbidden: User "viewer-x" cannot create resource "configmaps" in API group "" in the namespace "team-a"/);
  const del = viewer.kubectl(['delete', 'configmap', 'settings', '-n', NS]);
  assert.match(del.stderr, /configmaps "settings" is forbidden: User "viewer-x" cannot delete resource "configmaps" in API group "" in the namespace "team-a"/);
  const scale = viewer.kubectl(['label', 'configmap', 'settings', '-n', NS, 'x=y']);
  assert.match(scale.stderr, /cannot patch resource "configmaps"/);
  assert.equal(c.ok(['get', 'configmap', 'settings', '-n', NS, '-o', 'jsonpath={.metadata.labels}']), '', 'nothing changed');

  const other = viewer.kubectl(['get', 'configmaps', '-n', OTHER]);
  assert.match(other.stderr, /configmaps is forbidden: User "viewer-x" cannot list resource "configmaps" in API group "" in the namespace "team-b"/);
  const all = viewer.kubectl(['get', 'configmaps', '-A']);
  assert.match(all.stderr, /configmaps is forbidden: User "viewer-x" cannot list resource "configmaps" in API group "" at the cluster scope/);
});

/** `kubectl auth can-i --list` rows: resource -> verbs (resource names and URLs dropped). */
function canIList(out: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of out.trim().split('\n').slice(1)) {
    const cols = line.trim().split(/\s{2,}/);
    const verbs = (cols.at(-1) ?? '').replace(/^\[|\]$/g, '').split(' ').filter(Boolean);
    rows.set(cols[0] ?? '', verbs);
  }
  return rows;
}

test('kubectl auth can-i --list as the viewer matches what they can really do', async () => {
  const r = viewer.kubectl(['auth', 'can-i', '--list', '-n', NS]);
  assert.equal(r.code, 0, r.stderr);
  const rows = canIList(r.stdout);
  assert.deepEqual(rows.get('pods'), ['get', 'list', 'watch']);
  assert.deepEqual(rows.get('deployments.apps'), ['get', 'list', 'watch']);
  assert.deepEqual(rows.get('selfsubjectaccessreviews.authorization.k8s.io'), ['create']);
  assert.ok(!rows.has('secrets'), 'secrets are not listed');
  // check rows against real requests: what is listed works, what isn't is refused
  assert.equal((await viewer.request('GET', `/api/v1/namespaces/${NS}/pods`)).status, 200);
  assert.equal((await viewer.request('GET', `/apis/apps/v1/namespaces/${NS}/deployments`)).status, 200);
  assert.equal((await viewer.request('GET', `/apis/batch/v1/namespaces/${NS}/jobs`)).status, 200);
  assert.equal((await viewer.request('GET', `/api/v1/namespaces/${NS}/secrets`)).status, 403);
  assert.equal((await viewer.request('POST', `/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'nope' } })).status, 403);
  const ssar = await viewer.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'list', resource: 'pods', namespace: NS } } });
  assert.equal(ssar.status, 201);
  assert.equal((ssar.body as { status: { allowed: boolean } }).status.allowed, true);
  // in another namespace only the cluster-wide rules remain
  const elsewhere = canIList(viewer.kubectl(['auth', 'can-i', '--list', '-n', OTHER]).stdout);
  assert.ok(!elsewhere.has('pods'));
  assert.deepEqual(elsewhere.get('selfsubjectreviews.authentication.k8s.io'), ['create']);
});

test('kubectl auth can-i: as the user, with --as, on subresources', () => {
  const yes = (args: string[]) => c.kubectl(['auth', 'can-i', ...args]);
  assert.equal(viewer.kubectl(['auth', 'can-i', 'list', 'pods', '-n', NS]).stdout.trim(), 'yes');
  const no = viewer.kubectl(['auth', 'can-i', 'list', 'secrets', '-n', NS]);
  assert.equal(no.stdout.trim(), 'no');
  assert.equal(no.code, 1);
  assert.equal(yes(['list', 'pods', '-n', NS, '--as', 'viewer-x']).stdout.trim(), 'yes');
  assert.equal(yes(['list', 'pods', '-n', OTHER, '--as', 'viewer-x']).stdout.trim(), 'no');
  assert.equal(yes(['get', 'pods', '--subresource=log', '-n', NS, '--as', 'viewer-x']).stdout.trim(), 'yes');
  assert.equal(yes(['create', 'pods', '--subresource=exec', '-n', NS, '--as', 'viewer-x']).stdout.trim(), 'no');
  assert.equal(yes(['scale', 'deployments', '-n', NS, '--as', 'viewer-x']).stdout.trim(), 'no');
  assert.equal(yes(['get', 'deployments.apps', '--subresource=scale', '-n', NS, '--as', 'viewer-x']).stdout.trim(), 'yes');
  // the admin (system:masters) may do anything
  assert.equal(yes(['delete', 'secrets', '-n', NS]).stdout.trim(), 'yes');
  assert.equal(yes(['get', '/healthz', '--as', 'viewer-x']).stdout.trim(), 'yes');
  assert.equal(yes(['get', '/metrics', '--as', 'viewer-x']).stdout.trim(), 'no');
  // impersonating takes the right to impersonate: the viewer has none
  const imp = viewer.kubectl(['get', 'pods', '-n', NS, '--as', 'someone-else']);
  assert.match(imp.stderr, /users "someone-else" is forbidden: User "viewer-x" cannot impersonate resource "users" in API group "" at the cluster scope/);
});

test('kubectl auth whoami for a certificate user, with kubectl 1.32, 1.27 and 1.28, and with --as', () => {
  const me = viewer.kubectl(['auth', 'whoami', '-o', 'json']);
  assert.equal(me.code, 0, me.stderr);
  const review = JSON.parse(me.stdout) as { apiVersion: string; kind: string; status: { userInfo: { username: string; groups: string[] } } };
  assert.equal(review.kind, 'SelfSubjectReview');
  assert.deepEqual(review.status.userInfo, { username: 'viewer-x', groups: ['system:authenticated'] });
  for (const v of ['1.27', '1.28']) {
    const r = kubectlVersion(v, viewer.kubeconfig, ['auth', 'whoami']);
    assert.equal(r.code, 0, `kubectl ${v}: ${r.stderr}`);
    assert.match(r.stdout, /Username\s+viewer-x/, v);
    assert.match(r.stdout, /Groups\s+\[system:authenticated\]/, v);
  }
  const admin = c.ok(['auth', 'whoami', '--as', 'viewer-x', '--as-group', 'devs']);
  assert.match(admin, /Username\s+viewer-x/);
  assert.match(admin, /Groups\s+\[devs system:authenticated\]/);
});

test('escalation: a user who may edit RBAC objects cannot bind cluster-admin nor write a role granting more than they hold', async () => {
  c.ok(['create', 'clusterrole', 'rbac-editor', '--verb=get,list,watch,create,update,patch,delete',
    '--resource=roles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io,clusterroles.rbac.authorization.k8s.io,clusterrolebindings.rbac.authorization.k8s.io,pods']);
  c.ok(['create', 'clusterrolebinding', 'rbac-editor', '--clusterrole=rbac-editor', '--user=rbac-editor']);
  const ed = await c.as('rbac-editor');
  await waitFor('editor bound', async () => (await ed.request('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles')).status === 200, 10_000, 100);

  const bind = await ed.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'evil' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'rbac-editor' }],
  });
  assert.equal(bind.status, 403);
  assert.equal((bind.body as { message: string }).message, 'clusterrolebindings.rbac.authorization.k8s.io "evil" is forbidden: user "rbac-editor" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
    + '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}');
  assert.equal((bind.body as { reason: string }).reason, 'Forbidden');
  // the same through kubectl, and nothing was written
  const k = ed.kubectl(['create', 'rolebinding', 'evil', '-n', NS, '--clusterrole=cluster-admin', '--user=rbac-editor']);
  assert.match(k.stderr, /rolebindings.rbac.authorization.k8s.io "evil" is forbidden: user "rbac-editor" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held/);
  assert.equal(c.kubectl(['get', 'clusterrolebinding', 'evil']).code, 1);
  assert.equal(c.kubectl(['get', 'rolebinding', 'evil', '-n', NS]).code, 1);

  const role = await ed.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'more' },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }, { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
  });
  assert.equal(role.status, 403);
  assert.equal((role.body as { message: string }).message, 'roles.rbac.authorization.k8s.io "more" is forbidden: user "rbac-editor" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
    + '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}');
  // what they do hold they may grant, and bind
  const fair = ed.kubectl(['create', 'role', 'pod-reader', '-n', NS, '--verb=get,list', '--resource=pods']);
  assert.equal(fair.code, 0, fair.stderr);
  const fairBinding = ed.kubectl(['create', 'rolebinding', 'pod-readers', '-n', NS, '--role=pod-reader', '--user=someone']);
  assert.equal(fairBinding.code, 0, fairBinding.stderr);
  // raising a role they may update past what they hold is refused too
  const raise = ed.kubectl(['patch', 'role', 'pod-reader', '-n', NS, '--type=json', '-p', '[{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["secrets"],"verbs":["delete"]}}]']);
  assert.match(raise.stderr, /roles.rbac.authorization.k8s.io "pod-reader" is forbidden: user "rbac-editor" .* is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["delete"\]\}/);
  // with `bind` on cluster-admin the binding is allowed
  c.ok(['create', 'clusterrole', 'bind-admin', '--verb=bind', '--resource=clusterroles', '--resource-name=cluster-admin']);
  c.ok(['create', 'clusterrolebinding', 'bind-admin', '--clusterrole=bind-admin', '--user=rbac-editor']);
  await waitFor('bind granted', async () => (await ed.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'admins' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'ops' }],
  })).status === 201, 10_000, 100);
});

test('aggregation: a ClusterRole labelled aggregate-to-view joins view (and the viewer gets its rights)', async () => {
  c.ok(['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name: 'widgets-view', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
    rules: [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get', 'list'] }],
  }) });
  await waitFor('widgets in view', async () => {
    const v = JSON.parse(c.ok(['get', 'clusterrole', 'view', '-o', 'json'])) as { rules?: Array<{ apiGroups?: string[] }> };
    return v.rules?.some((r) => r.apiGroups?.includes('example.com'));
  }, 20_000, 200);
  // edit and admin aggregate view's rules too
  await waitFor('widgets in admin', async () => c.ok(['get', 'clusterrole', 'admin', '-o', 'json']).includes('example.com'), 20_000, 200);
  // (no such resource is served: kubectl can-i would not know its group, so the review is asked directly)
  const mayList = async () => ((await viewer.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'list', group: 'example.com', resource: 'widgets', namespace: NS } } })).body as { status: { allowed: boolean } }).status.allowed;
  await waitFor('viewer may list widgets', mayList, 10_000, 200);
  c.ok(['delete', 'clusterrole', 'widgets-view']);
  await waitFor('widgets gone from view', async () => !c.ok(['get', 'clusterrole', 'view', '-o', 'json']).includes('example.com'), 20_000, 200);
  await waitFor('viewer may no longer list widgets', async () => !(await mayList()), 10_000, 200);
});

test('kubectl get shows bindings and roles with kubectl\'s columns; roleRef cannot change; bad subjects are 422', () => {
  const wide = c.ok(['get', 'rolebinding', 'viewers', '-n', NS, '-o', 'wide']);
  const [header, row] = wide.trim().split('\n');
  assert.deepEqual(header?.split(/\s+/), ['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS']);
  assert.match(row ?? '', /^viewers\s+ClusterRole\/view\s+\S+\s+viewer-x\s*$/);
  const roles = c.ok(['get', 'clusterrole', 'view']);
  assert.deepEqual(roles.split('\n')[0]?.split(/\s{2,}/), ['NAME', 'CREATED AT']);
  assert.match(roles, /^view\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
  const change = c.kubectl(['patch', 'rolebinding', 'viewers', '-n', NS, '--type=merge', '-p', '{"roleRef":{"name":"edit"}}']);
  // (kubectl patch words the 422 its own way: `The RoleBinding "viewers" is invalid: ...`)
  assert.match(change.stderr, /RoleBinding "viewers" is invalid: roleRef: Invalid value: rbac.RoleRef\{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"\}: cannot change roleRef/);
  const bad = c.kubectl(['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'bad' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'x' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }, { kind: 'Robot', name: 'r' }],
  }) });
  assert.match(bad.stderr, /roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"/);
  assert.match(bad.stderr, /subjects\[0\].namespace: Required value/);
  assert.match(bad.stderr, /subjects\[1\].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"/);
});

test('SubjectAccessReview and LocalSubjectAccessReview answer for others; the reviews are create-only', async () => {
  const sar = await c.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'viewer-x', resourceAttributes: { verb: 'get', resource: 'secrets', namespace: NS } },
  });
  assert.equal(sar.status, 201);
  assert.equal((sar.body as { status: { allowed: boolean } }).status.allowed, false);
  const sa = await c.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'viewer-x', groups: ['system:authenticated'], resourceAttributes: { verb: 'watch', resource: 'pods', namespace: NS } },
  });
  assert.equal((sa.body as { status: { allowed: boolean; reason: string } }).status.allowed, true);
  assert.match((sa.body as { status: { reason: string } }).status.reason, /RoleBinding "viewers\/team-a" of ClusterRole "view" to User "viewer-x"/);
  const local = await c.request('POST', `/apis/authorization.k8s.io/v1/namespaces/${OTHER}/localsubjectaccessreviews`, {
    apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', spec: { user: 'viewer-x', resourceAttributes: { verb: 'list', resource: 'pods', namespace: NS } },
  });
  assert.equal(local.status, 422);
  assert.match((local.body as { message: string }).message, /spec.resourceAttributes.namespace: Invalid value: must match metadata.namespace/);
  const none = await c.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'x' } });
  assert.equal(none.status, 422);
  assert.equal((await c.request('GET', '/apis/authorization.k8s.io/v1/subjectaccessreviews')).status, 405);
  // the viewer may not ask about others
  const theirs = await viewer.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'x', nonResourceAttributes: { path: '/', verb: 'get' } } });
  assert.equal(theirs.status, 403);
});

test('impersonation is RBAC\'s `impersonate` verb: on the users (and groups) named, nothing more', async () => {
  c.ok(['create', 'clusterrole', 'impersonate-viewer', '--verb=impersonate', '--resource=users', '--resource-name=viewer-x']);
  c.ok(['create', 'clusterrolebinding', 'impersonate-viewer', '--clusterrole=impersonate-viewer', '--user=helpdesk']);
  const helpdesk = await c.as('helpdesk');
  await waitFor('impersonation granted', async () => helpdesk.kubectl(['get', 'configmaps', '-n', NS, '--as', 'viewer-x']).code === 0, 10_000, 200);
  // acting as the viewer, the viewer's rights and no more
  assert.match(helpdesk.kubectl(['get', 'secrets', '-n', NS, '--as', 'viewer-x']).stderr, /secrets is forbidden: User "viewer-x" cannot list resource "secrets"/);
  assert.match(helpdesk.kubectl(['get', 'configmaps', '-n', NS, '--as', 'admin']).stderr, /users "admin" is forbidden: User "helpdesk" cannot impersonate resource "users" in API group "" at the cluster scope/);
  assert.match(helpdesk.kubectl(['get', 'configmaps', '-n', NS, '--as', 'viewer-x', '--as-group', 'system:masters']).stderr,
    /groups "system:masters" is forbidden: User "helpdesk" cannot impersonate resource "groups" in API group "" at the cluster scope/);
  assert.match(helpdesk.kubectl(['auth', 'whoami', '--as', 'viewer-x']).stdout, /Username\s+viewer-x/);
});
