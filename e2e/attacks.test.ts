// Acceptance (issue 10): a catalogue of authentication and authorization attacks on the real API server process over
// HTTPS (real etcd; no containers). Each attack is refused with Kubernetes' code and message, changes nothing (a
// fingerprint of every object an attack could touch, taken as the admin before and after, is the same), and the
// server keeps serving after all of them. Requests are sent with node:https and the path exactly as written (a URL
// parser would clean `..` and `%2e%2e` before the server ever saw them). Forged ServiceAccount tokens that only
// change one claim are signed with the cluster's real signing key, after the same re-signing of an unchanged token
// is shown to work: each refusal is then due to the one claim changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestCluster, userClient, type Credentials, type UserClient } from './harness.js';
import { b64u, claimsOf, expect401, expect403, headerOf, parts, sendRaw, signJwt, unchanged, type Answer, type SendOptions } from './attack-tools.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

let c: TestCluster;
let admin: Credentials;
let ca: Buffer;
/** may read pods (and their logs), ConfigMaps, ServiceAccounts and Deployments in `victim` (ClusterRole viewer); no Secrets */
let mallory: UserClient;
/** no rights at all */
let eve: UserClient;
/** viewer in `victim`, and may write Roles and RoleBindings there (not grant what it lacks) */
let rbacker: UserClient;
/** may impersonate the user bob, nothing else */
let impostor: UserClient;
let nodeA: UserClient;
/** A ServiceAccount token of victim/app, from the TokenRequest API. */
let saToken = '';

const NS = 'victim';
const STATIC_TOKEN = 'Zq3sTATICt0kenForAttacks';

/** One HTTPS request to this cluster with the path sent byte for byte as given. */
const send = (method: string, path: string, o: SendOptions = {}): Promise<Answer> => sendRaw(c.url, ca, method, path, o);
const asAdmin = (method: string, path: string, body?: unknown) => send(method, path, { creds: admin, body });
/** Runs the attack, then checks that nothing changed in the objects it aims at (namespace NS and cluster-wide). */
const refused = (attack: () => Promise<void>) => unchanged(asAdmin, NS, attack);

let realKey: KeyObject;
/** saToken re-signed with the real key after `change` of its claims. */
const resigned = (change: (claims: Json) => Json) => signJwt(headerOf(saToken), change(claimsOf(saToken)), realKey);
const nowS = () => Math.floor(Date.now() / 1000);
const whoami = (token: string) => send('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { creds: { token }, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });

async function tokenFor(sa: string, body: Json = {}): Promise<string> {
  const r = await asAdmin('POST', `/api/v1/namespaces/${NS}/serviceaccounts/${sa}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600, ...body } });
  assert.equal(r.status, 201, r.text);
  return r.body.status.token as string;
}

before(async () => {
  c = await TestCluster.start({ tokens: [{ token: STATIC_TOKEN, user: 'operator', groups: ['system:masters'] }] });
  const { credentialsOf } = await import('./harness.js');
  admin = await credentialsOf(c.apiserver.kubeconfig);
  ca = readFileSync(join(c.dir, 'pki/ca.crt'));
  realKey = createPrivateKey(readFileSync(join(c.dir, 'pki/sa.key')));
  const yaml = `
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: v1
kind: Secret
metadata: {name: crown, namespace: ${NS}}
stringData: {jewel: crown-jewel}
---
apiVersion: v1
kind: Secret
metadata: {name: b-only, namespace: ${NS}}
stringData: {jewel: crown-jewel}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: ${NS}}
data: {k: v}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: ${NS}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: doomed, namespace: ${NS}}
---
apiVersion: v1
kind: Node
metadata: {name: node-a}
---
apiVersion: v1
kind: Node
metadata: {name: node-b}
---
apiVersion: v1
kind: Pod
metadata: {name: on-b, namespace: ${NS}}
spec:
  nodeName: node-b
  serviceAccountName: app
  containers: [{name: c, image: busybox}]
  volumes: [{name: s, secret: {secretName: b-only}}]
---
apiVersion: v1
kind: Pod
metadata: {name: bound, namespace: ${NS}}
spec:
  serviceAccountName: app
  containers: [{name: c, image: busybox}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: ${NS}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: viewer}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: mallory}
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: rbacker}
- {kind: ServiceAccount, name: app, namespace: ${NS}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: viewer}
rules:
- {apiGroups: [""], resources: [pods, pods/log, configmaps, serviceaccounts], verbs: [get, list, watch]}
- {apiGroups: [apps], resources: [deployments, deployments/scale], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: rbac-writer, namespace: ${NS}}
rules:
- {apiGroups: [rbac.authorization.k8s.io], resources: [roles, rolebindings], verbs: [get, list, create, update, patch, delete]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rbac-writer, namespace: ${NS}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: rbac-writer}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: rbacker}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: impersonate-bob}
rules: [{apiGroups: [""], resources: [users], verbs: [impersonate], resourceNames: [bob]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: impersonate-bob}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: impersonate-bob}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: impostor}]
`;
  c.ok(['apply', '-f', '-'], { input: yaml });
  [mallory, eve, rbacker, impostor, nodeA] = await Promise.all([
    userClient(c.dir, c.url, 'mallory'), userClient(c.dir, c.url, 'eve'), userClient(c.dir, c.url, 'rbacker'),
    userClient(c.dir, c.url, 'impostor'), userClient(c.dir, c.url, 'system:node:node-a', ['system:nodes']),
  ]);
  saToken = await tokenFor('app');
});

after(async () => {
  await c?.stop();
});

// --- forged and stale tokens -------------------------------------------------------------------------------------

test('control: the real token and an unchanged re-signing of it authenticate (so the forgeries below differ in one thing)', async () => {
  for (const t of [saToken, resigned((x) => x)]) {
    const r = await whoami(t);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.status.userInfo.username, `system:serviceaccount:${NS}:app`);
  }
});

test('attack: a JWT with alg "none" and no signature', () => refused(async () => {
  const t = `${b64u(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${parts(saToken)[1]}.`;
  expect401(await whoami(t), 'alg none');
  expect401(await send('GET', `/api/v1/namespaces/${NS}/secrets`, { creds: { token: t } }), 'alg none');
}));

test('attack: HS256 signed with the public key as the HMAC secret', () => refused(async () => {
  const pub = readFileSync(join(c.dir, 'pki/sa.pub'));
  const input = `${b64u(JSON.stringify({ ...headerOf(saToken), alg: 'HS256' }))}.${parts(saToken)[1]}`;
  const t = `${input}.${b64u(createHmac('sha256', pub).update(input).digest())}`;
  expect401(await whoami(t), 'HS256 with the public key');
}));

test('attack: a real token with its signature changed', () => refused(async () => {
  const [h, p, s] = parts(saToken);
  const flipped = (s[5] === 'A' ? 'B' : 'A');
  expect401(await whoami(`${h}.${p}.${s.slice(0, 5)}${flipped}${s.slice(6)}`), 'changed signature');
}));

test('attack: a real signature over a changed payload (another ServiceAccount, system:masters in the claims)', () => refused(async () => {
  const claims = claimsOf(saToken);
  const payload = { ...claims, sub: 'system:serviceaccount:kube-system:default', groups: ['system:masters'], 'kubernetes.io': { ...claims['kubernetes.io'], namespace: 'kube-system' } };
  const [h, , s] = parts(saToken);
  expect401(await whoami(`${h}.${b64u(JSON.stringify(payload))}.${s}`), 'changed payload');
}));

test('attack: a token signed by another key under our key id', () => refused(async () => {
  const other = headerOf(saToken).alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  expect401(await whoami(signJwt(headerOf(saToken), claimsOf(saToken), other.privateKey)), 'another key');
}));

test('attack: our key, a wrong issuer', () => refused(async () => {
  expect401(await whoami(resigned((x) => ({ ...x, iss: 'https://evil.example' }))), 'wrong issuer');
}));

test('attack: our key, a wrong audience', () => refused(async () => {
  expect401(await whoami(resigned((x) => ({ ...x, aud: ['https://evil.example'] }))), 'wrong audience');
}));

test('attack: our key, expired', () => refused(async () => {
  expect401(await whoami(resigned((x) => ({ ...x, iat: nowS() - 7200, nbf: nowS() - 7200, exp: nowS() - 60 }))), 'expired');
}));

test('attack: our key, not valid yet', () => refused(async () => {
  expect401(await whoami(resigned((x) => ({ ...x, nbf: nowS() + 3600, exp: nowS() + 7200 }))), 'not yet valid');
}));

test('attack: our key, a ServiceAccount uid that is not the one stored (a token of an earlier object of that name)', () => refused(async () => {
  expect401(await whoami(resigned((x) => ({ ...x, 'kubernetes.io': { ...x['kubernetes.io'], serviceaccount: { name: 'app', uid: '00000000-0000-0000-0000-000000000000' } } }))), 'stale uid');
}));

test('attack: the token of a deleted pod', async () => {
  const pod = (await asAdmin('GET', `/api/v1/namespaces/${NS}/pods/bound`)).body;
  const t = await tokenFor('app', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound', uid: pod.metadata.uid } });
  assert.equal((await whoami(t)).status, 201, 'works while the pod is there');
  assert.equal((await asAdmin('DELETE', `/api/v1/namespaces/${NS}/pods/bound?gracePeriodSeconds=0`)).status, 200);
  await refused(async () => expect401(await whoami(t), 'deleted pod'));
});

test('attack: the token of a deleted ServiceAccount', async () => {
  const t = await tokenFor('doomed');
  assert.equal((await whoami(t)).status, 201);
  assert.equal((await asAdmin('DELETE', `/api/v1/namespaces/${NS}/serviceaccounts/doomed`)).status, 200);
  await refused(async () => expect401(await whoami(t), 'deleted ServiceAccount'));
});

test('attack: a static token with one character changed, longer, shorter, or in another case', () => refused(async () => {
  assert.equal((await send('GET', '/api/v1/namespaces', { creds: { token: STATIC_TOKEN } })).status, 200, 'control: the token works');
  for (const t of [`${STATIC_TOKEN.slice(0, -1)}X`, `${STATIC_TOKEN}x`, STATIC_TOKEN.slice(0, -1), STATIC_TOKEN.toLowerCase()]) {
    expect401(await send('GET', `/api/v1/namespaces/${NS}/secrets`, { creds: { token: t } }), t);
  }
}));

// --- certificates ------------------------------------------------------------------------------------------------

test('attack: a client certificate from another CA for kubernetes-admin in system:masters', () => refused(async () => {
  const { createCA, issue } = await import('../apiserver/auth/pki.js');
  const evil = await issue(await createCA('flotilla-ca'), { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client' });
  expect401(await send('GET', `/api/v1/namespaces/${NS}/secrets/crown`, { creds: { cert: Buffer.from(evil.cert), key: Buffer.from(evil.key) } }), 'another CA');
  expect401(await send('DELETE', `/api/v1/namespaces/${NS}/secrets/crown`, { creds: { cert: Buffer.from(evil.cert), key: Buffer.from(evil.key) } }), 'another CA');
}));

test('attack: a self-signed certificate, CN=system:admin O=system:masters', () => refused(async () => {
  const { createCA } = await import('../apiserver/auth/pki.js');
  // a CA certificate is self-signed: presented as a client certificate with its own key
  const self = await createCA('system:admin');
  const { X509Certificate } = await import('node:crypto');
  assert.equal(new X509Certificate(self.cert).subject.includes('system:admin'), true);
  expect401(await send('GET', `/api/v1/namespaces/${NS}/secrets`, { creds: { cert: Buffer.from(self.cert), key: Buffer.from(self.key) } }), 'self-signed');
}));

test('attack: a certificate of our CA that has expired', () => refused(async () => {
  const late = await userClient(c.dir, c.url, 'late', ['system:masters'], { notBefore: new Date(Date.now() - 3 * 86400_000), notAfter: new Date(Date.now() - 86400_000) });
  expect401(await send('GET', `/api/v1/namespaces/${NS}/secrets`, { creds: late.creds }), 'expired certificate');
}));

// --- impersonation -----------------------------------------------------------------------------------------------

test('attack: impersonating a user without the right', () => refused(async () => {
  expect403(await send('GET', `/api/v1/namespaces/${NS}/secrets`, { creds: mallory.creds, headers: { 'Impersonate-User': 'kubernetes-admin' } }),
    'users "kubernetes-admin" is forbidden: User "mallory" cannot impersonate resource "users" in API group "" at the cluster scope');
}));

test('attack: impersonating system:masters (as oneself, and by one who may impersonate only bob)', () => refused(async () => {
  expect403(await send('GET', `/api/v1/namespaces/${NS}/secrets`, { creds: mallory.creds, headers: { 'Impersonate-User': 'mallory', 'Impersonate-Group': 'system:masters' } }),
    'users "mallory" is forbidden: User "mallory" cannot impersonate resource "users" in API group "" at the cluster scope');
  const asBob = await send('GET', '/api/v1/namespaces/default/configmaps', { creds: impostor.creds, headers: { 'Impersonate-User': 'bob' } });
  expect403(asBob, 'configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "default"', 'control: bob is impersonated');
  expect403(await send('GET', `/api/v1/namespaces/${NS}/secrets`, { creds: impostor.creds, headers: { 'Impersonate-User': 'bob', 'Impersonate-Group': 'system:masters' } }),
    'groups "system:masters" is forbidden: User "impostor" cannot impersonate resource "groups" in API group "" at the cluster scope');
  expect403(await send('GET', `/api/v1/namespaces/${NS}/secrets`, { creds: impostor.creds, headers: { 'Impersonate-User': 'kubernetes-admin' } }),
    'users "kubernetes-admin" is forbidden: User "impostor" cannot impersonate resource "users" in API group "" at the cluster scope');
}));

test('attack: impersonating a uid and an extra without the right', () => refused(async () => {
  expect403(await send('GET', `/api/v1/namespaces/${NS}/secrets`, { creds: impostor.creds, headers: { 'Impersonate-User': 'bob', 'Impersonate-Uid': 'admin-uid' } }),
    'uids.authentication.k8s.io "admin-uid" is forbidden: User "impostor" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope');
  expect403(await send('GET', `/api/v1/namespaces/${NS}/secrets`, { creds: impostor.creds, headers: { 'Impersonate-User': 'bob', 'Impersonate-Extra-Scopes': 'everything' } }),
    'userextras.authentication.k8s.io "everything" is forbidden: User "impostor" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope');
}));

test('attack: a group impersonated without a user', () => refused(async () => {
  const r = await send('GET', `/api/v1/namespaces/${NS}/secrets`, { creds: mallory.creds, headers: { 'Impersonate-Group': 'system:masters' } });
  assert.equal(r.status, 400, r.text);
  assert.match(r.body.message as string, /without impersonating a user$/);
}));

// --- path tricks and encoded names -------------------------------------------------------------------------------

test('attack: /secrets/../pods and its encodings are not the pods list (which the user may list)', () => refused(async () => {
  assert.equal((await send('GET', `/api/v1/namespaces/${NS}/pods`, { creds: mallory.creds })).status, 200, 'control: mallory lists pods');
  for (const path of [`/api/v1/namespaces/${NS}/secrets/../pods`, `/api/v1/namespaces/${NS}/secrets/%2e%2e/pods`, `/api/v1/namespaces/${NS}/secrets/%2E%2E/pods`]) {
    expect403(await send('GET', path, { creds: mallory.creds }), 'secrets ".." is forbidden: User "mallory" cannot get resource "secrets/pods" in API group "" in the namespace "victim"', path);
  }
}));

test('attack: climbing out of an allowed path (pods/../../secrets/crown, %2F for /)', () => refused(async () => {
  for (const path of [`/api/v1/namespaces/${NS}/pods/../secrets/crown`, `/api/v1/namespaces/${NS}/pods/on-b/..%2F..%2Fsecrets%2Fcrown`, `/api/v1/namespaces/${NS}/pods/..%2fsecrets/crown`]) {
    const r = await send('GET', path, { creds: mallory.creds });
    assert.ok(r.status === 403 || r.status === 404 || r.status === 400, `${path}: ${r.status} ${r.text}`);
    assert.ok(!r.text.includes('crown-jewel') && !r.text.includes(Buffer.from('crown-jewel').toString('base64')), `${path}: no secret data`);
  }
}));

test('attack: %2F inside a name is the name, not a path', () => refused(async () => {
  for (const path of [`/api/v1/namespaces/${NS}/secrets%2Fcrown`, `/api/v1/namespaces/${NS}%2Fsecrets/crown`]) {
    const r = await send('GET', path, { creds: mallory.creds });
    assert.ok(r.status === 403 || r.status === 404, `${path}: ${r.status} ${r.text}`);
    assert.ok(!r.text.includes(Buffer.from('crown-jewel').toString('base64')), path);
  }
}));

test('attack: URL-encoded names and namespaces are decoded before authorization', () => refused(async () => {
  expect403(await send('GET', `/api/v1/namespaces/${NS}/secrets/cr%6Fwn`, { creds: mallory.creds }),
    'secrets "crown" is forbidden: User "mallory" cannot get resource "secrets" in API group "" in the namespace "victim"');
  expect403(await send('GET', '/api/v1/namespaces/vic%74im/secrets', { creds: mallory.creds }),
    'secrets is forbidden: User "mallory" cannot list resource "secrets" in API group "" in the namespace "victim"');
  expect403(await send('GET', `/api/v1/namespaces/${NS}/%73ecrets/crown`, { creds: mallory.creds }),
    'secrets "crown" is forbidden: User "mallory" cannot get resource "secrets" in API group "" in the namespace "victim"');
}));

test('attack: double slashes', () => refused(async () => {
  for (const path of [`//api/v1/namespaces/${NS}/secrets/crown`, `/api/v1//namespaces/${NS}/secrets/crown`, `/api/v1/namespaces/${NS}//secrets/crown`, `/api/v1/namespaces/${NS}/secrets//crown`]) {
    const r = await send('GET', path, { creds: mallory.creds });
    assert.ok([403, 404].includes(r.status), `${path}: ${r.status} ${r.text}`);
    assert.ok(!r.text.includes(Buffer.from('crown-jewel').toString('base64')), path);
  }
}));

test('attack: an upper-case resource', () => refused(async () => {
  expect403(await send('GET', `/api/v1/namespaces/${NS}/SECRETS/crown`, { creds: mallory.creds }),
    'SECRETS "crown" is forbidden: User "mallory" cannot get resource "SECRETS" in API group "" in the namespace "victim"');
  expect403(await send('GET', `/api/v1/namespaces/${NS}/Secrets`, { creds: mallory.creds }),
    'Secrets is forbidden: User "mallory" cannot list resource "Secrets" in API group "" in the namespace "victim"');
}));

test('attack: trailing dots on names, namespaces and resources', () => refused(async () => {
  expect403(await send('GET', `/api/v1/namespaces/${NS}/secrets/crown.`, { creds: mallory.creds }),
    'secrets "crown." is forbidden: User "mallory" cannot get resource "secrets" in API group "" in the namespace "victim"');
  expect403(await send('GET', `/api/v1/namespaces/${NS}./secrets/crown`, { creds: mallory.creds }),
    'secrets "crown" is forbidden: User "mallory" cannot get resource "secrets" in API group "" in the namespace "victim."');
  expect403(await send('GET', `/api/v1/namespaces/${NS}/secrets./crown`, { creds: mallory.creds }),
    'secrets. "crown" is forbidden: User "mallory" cannot get resource "secrets." in API group "" in the namespace "victim"');
}));

test('attack: every namespace\'s Secrets at once, and a watch of them', () => refused(async () => {
  expect403(await send('GET', '/api/v1/secrets', { creds: mallory.creds }),
    'secrets is forbidden: User "mallory" cannot list resource "secrets" in API group "" at the cluster scope');
  expect403(await send('GET', `/api/v1/namespaces/${NS}/secrets?watch=true`, { creds: mallory.creds }),
    'secrets is forbidden: User "mallory" cannot watch resource "secrets" in API group "" in the namespace "victim"');
}));

// --- subresources without rights ---------------------------------------------------------------------------------

test('attack: pods/exec and pods/attach', () => refused(async () => {
  expect403(await send('POST', `/api/v1/namespaces/${NS}/pods/on-b/exec?command=sh&stdout=true`, { creds: mallory.creds }),
    'pods "on-b" is forbidden: User "mallory" cannot create resource "pods/exec" in API group "" in the namespace "victim"');
  expect403(await send('GET', `/api/v1/namespaces/${NS}/pods/on-b/exec?command=sh&stdout=true`, { creds: mallory.creds }),
    /^pods "on-b" is forbidden: User "mallory" cannot (get|create) resource "pods\/exec" in API group "" in the namespace "victim"$/);
  expect403(await send('POST', `/api/v1/namespaces/${NS}/pods/on-b/attach?stdout=true`, { creds: mallory.creds }),
    'pods "on-b" is forbidden: User "mallory" cannot create resource "pods/attach" in API group "" in the namespace "victim"');
}));

test('attack: pods/log without rights', () => refused(async () => {
  expect403(await send('GET', `/api/v1/namespaces/${NS}/pods/on-b/log`, { creds: eve.creds }),
    'pods "on-b" is forbidden: User "eve" cannot get resource "pods/log" in API group "" in the namespace "victim"');
}));

test('attack: pods/eviction', () => refused(async () => {
  expect403(await send('POST', `/api/v1/namespaces/${NS}/pods/on-b/eviction`, { creds: mallory.creds,
    body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'on-b', namespace: NS } } }),
  'pods "on-b" is forbidden: User "mallory" cannot create resource "pods/eviction" in API group "" in the namespace "victim"');
}));

test('attack: deployments/scale', () => refused(async () => {
  expect403(await send('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/web/scale`, { creds: mallory.creds,
    headers: { 'Content-Type': 'application/merge-patch+json' }, body: { spec: { replicas: 50 } } }),
  'deployments.apps "web" is forbidden: User "mallory" cannot patch resource "deployments/scale" in API group "apps" in the namespace "victim"');
  expect403(await send('PUT', `/apis/apps/v1/namespaces/${NS}/deployments/web/scale`, { creds: mallory.creds,
    body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: NS }, spec: { replicas: 50 } } }),
  'deployments.apps "web" is forbidden: User "mallory" cannot update resource "deployments/scale" in API group "apps" in the namespace "victim"');
}));

test('attack: serviceaccounts/token (a token for a ServiceAccount one may only view)', () => refused(async () => {
  expect403(await send('POST', `/api/v1/namespaces/${NS}/serviceaccounts/app/token`, { creds: mallory.creds,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } }),
  'serviceaccounts "app" is forbidden: User "mallory" cannot create resource "serviceaccounts/token" in API group "" in the namespace "victim"');
}));

test('attack: a ServiceAccount token used beyond its rights (its Secrets, another namespace)', () => refused(async () => {
  expect403(await send('GET', `/api/v1/namespaces/${NS}/secrets/crown`, { creds: { token: saToken } }),
    'secrets "crown" is forbidden: User "system:serviceaccount:victim:app" cannot get resource "secrets" in API group "" in the namespace "victim"');
  expect403(await send('GET', '/api/v1/namespaces/kube-system/pods', { creds: { token: saToken } }),
    'pods is forbidden: User "system:serviceaccount:victim:app" cannot list resource "pods" in API group "" in the namespace "kube-system"');
}));

// --- escalation ----------------------------------------------------------------------------------------------------

const binding = (name: string, role: Json) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: NS }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...role },
  subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'rbacker' }] });
const ESCALATION = /^rolebindings\.rbac\.authorization\.k8s\.io "[a-z-]+" is forbidden: user "rbacker" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n/;

test('attack: binding cluster-admin (or a role reading Secrets) without holding it', () => refused(async () => {
  expect403(await send('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, { creds: rbacker.creds, body: binding('grab-all', { kind: 'ClusterRole', name: 'cluster-admin' }) }), ESCALATION);
  expect403(await send('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, { creds: rbacker.creds, body: binding('grab-secrets', { kind: 'ClusterRole', name: 'secret-reader' }) }), ESCALATION);
}));

test('attack: a Role granting more than one has, created or edited', () => refused(async () => {
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'steal', namespace: NS }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }] };
  expect403(await send('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`, { creds: rbacker.creds, body: role }),
    /^roles\.rbac\.authorization\.k8s\.io "steal" is forbidden: user "rbacker" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n/);
  const own = (await asAdmin('GET', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles/rbac-writer`)).body;
  expect403(await send('PUT', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles/rbac-writer`, { creds: rbacker.creds,
    body: { ...own, rules: [...own.rules, { apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] } }),
  /^roles\.rbac\.authorization\.k8s\.io "rbac-writer" is forbidden: user "rbacker" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n/);
}));

test('control: what one holds may be bound (the escalation check is not a blanket refusal)', async () => {
  const r = await send('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, { creds: rbacker.creds, body: binding('share-viewer', { kind: 'ClusterRole', name: 'viewer' }) });
  assert.equal(r.status, 201, r.text);
  assert.equal((await asAdmin('DELETE', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings/share-viewer`)).status, 200);
});

test('attack: a ClusterRoleBinding to cluster-admin without any right on them', () => refused(async () => {
  expect403(await send('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { creds: rbacker.creds, body: {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'grab' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'rbacker' }] } }),
  'clusterrolebindings.rbac.authorization.k8s.io is forbidden: User "rbacker" cannot create resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the cluster scope');
}));

// --- a node's identity ---------------------------------------------------------------------------------------------

test('attack: a node reading a Secret used only by another node\'s pod, or listing Secrets', () => refused(async () => {
  expect403(await send('GET', `/api/v1/namespaces/${NS}/secrets/b-only`, { creds: nodeA.creds }),
    'secrets "b-only" is forbidden: User "system:node:node-a" cannot get resource "secrets" in API group "" in the namespace "victim": no relationship found between node \'node-a\' and this object');
  expect403(await send('GET', `/api/v1/namespaces/${NS}/secrets`, { creds: nodeA.creds }),
    /^secrets is forbidden: User "system:node:node-a" cannot list resource "secrets" in API group "" in the namespace "victim"/);
}));

test('attack: a node writing another node\'s status, or deleting a pod not bound to it', () => refused(async () => {
  const nodeB = (await asAdmin('GET', '/api/v1/nodes/node-b')).body;
  const r = await send('PUT', '/api/v1/nodes/node-b/status', { creds: nodeA.creds, body: { ...nodeB, status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Hijacked' }] } } });
  assert.equal(r.status, 403, r.text);
  assert.match(r.body.message as string, /^nodes "node-b" is forbidden: /);
  const del = await send('DELETE', `/api/v1/namespaces/${NS}/pods/on-b`, { creds: nodeA.creds });
  assert.equal(del.status, 403, del.text);
  assert.match(del.body.message as string, /^pods "on-b" is forbidden: /);
}));

// --- anonymous ---------------------------------------------------------------------------------------------------

test('attack: anonymous requests to everything but /healthz, /livez, /readyz, /version', () => refused(async () => {
  for (const path of [`/api/v1/namespaces/${NS}/secrets`, `/api/v1/namespaces/${NS}/pods`, '/api', '/apis', '/apis/rbac.authorization.k8s.io/v1/clusterroles', '/openapi/v2', '/openapi/v3',
    '/metrics', '/logs', '/debug/pprof/', '/healthz/../api/v1/secrets', '/version/../api/v1/secrets', '/.well-known/openid-configuration/../../api/v1/secrets', '/livez/%2e%2e/api/v1/secrets']) {
    expect401(await send('GET', path), path);
  }
  expect401(await send('POST', `/api/v1/namespaces/${NS}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'anon' } } }), 'anonymous create');
  expect401(await send('GET', `/api/v1/namespaces/${NS}/secrets`, { headers: { 'Impersonate-User': 'kubernetes-admin', 'Impersonate-Group': 'system:masters' } }), 'anonymous impersonation');
  expect401(await send('GET', `/api/v1/namespaces/${NS}/secrets`, { headers: { Authorization: 'Basic ' + Buffer.from('admin:admin').toString('base64') } }), 'basic auth');
  expect401(await send('GET', `/api/v1/namespaces/${NS}/secrets`, { headers: { Authorization: 'Bearer ' } }), 'an empty bearer token');
  for (const path of ['/healthz', '/livez', '/readyz', '/version']) assert.equal((await send('GET', path)).status, 200, path);
}));

test('after every attack: the server still serves, and the Secret is as it was', async () => {
  assert.equal((await send('GET', '/readyz')).status, 200);
  const s = await asAdmin('GET', `/api/v1/namespaces/${NS}/secrets/crown`);
  assert.equal(s.status, 200);
  assert.equal(Buffer.from(s.body.data.jewel as string, 'base64').toString(), 'crown-jewel');
  assert.equal((await asAdmin('GET', `/apis/apps/v1/namespaces/${NS}/deployments/web`)).body.spec.replicas, 1);
});
