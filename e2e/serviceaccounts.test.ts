// Acceptance (ServiceAccounts on the API server alone, real etcd and kubectl): kubectl get sa's columns; TokenRequest
// through `kubectl create token` (durations, bound objects) and the token working as a bearer token until what it is
// bound to is gone; TokenReview (create-only: no get or list); the issuer discovery documents, whose keys verify the
// tokens; ServiceAccount admission (the pod's volume, a missing ServiceAccount refused).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { TestCluster, credentialsFor, request, type ApiResponse } from './harness.js';

let c: TestCluster;
before(async () => {
  c = await TestCluster.start({ serviceAccountAdmission: true });
});
after(async () => {
  await c?.stop();
});

/** GET /api with this bearer token and no client certificate: 200 for any authenticated user, 401 otherwise. */
function asBearer(token: string, path = '/api'): Promise<ApiResponse> {
  return request(c.url, 'GET', path, undefined, { Authorization: `Bearer ${token}` }, { ca: credentialsFor(c.url).ca });
}

const pod = (name: string, spec: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });

test('kubectl create sa / get sa (NAME SECRETS AGE); a token from kubectl create token authenticates until its ServiceAccount is deleted', async () => {
  c.ok(['create', 'serviceaccount', 'robot']);
  assert.match(c.ok(['get', 'sa', 'robot']), /^NAME\s+SECRETS\s+AGE\nrobot\s+0\s+\d+s\n$/);
  assert.equal(c.ok(['get', 'serviceaccounts', 'robot', '-o', 'jsonpath={.kind}']), 'ServiceAccount');
  const token = c.ok(['create', 'token', 'robot', '--duration=1h']).trim();
  assert.equal((await asBearer(token)).status, 200);
  assert.equal((await asBearer(`${token}x`)).status, 401);
  // kubectl's client-side validation of a kind with no PATCH (the create-only ones) asks the CRD list whether it is a
  // custom kind: served since issue 14, so no --validate=false
  const review = JSON.parse(c.ok(['create', '-o', 'json', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }) }));
  assert.equal(review.status.authenticated, true);
  assert.equal(review.status.user.username, 'system:serviceaccount:default:robot');
  assert.deepEqual(review.status.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
  const bad = JSON.parse(c.ok(['create', '-o', 'json', '-f', '-'], { input: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'nonsense' } }) }));
  assert.equal(bad.status.authenticated, false);
  const list = c.kubectl(['get', 'tokenreviews']);
  assert.notEqual(list.code, 0, 'TokenReviews are not stored: no list');
  assert.match(list.stderr, /MethodNotAllowed|does not allow this method/);
  c.ok(['delete', 'sa', 'robot']);
  assert.equal((await asBearer(token)).status, 401, 'the token of a deleted ServiceAccount is refused');
  c.ok(['create', 'sa', 'robot']);
  assert.equal((await asBearer(token)).status, 401, 'a new ServiceAccount of the same name does not revive it');
});

test('a token bound to a pod (kubectl create token --bound-object-kind Pod) dies with the pod; a stale uid is refused', async () => {
  c.ok(['create', 'sa', 'default']);
  c.ok(['apply', '-f', '-'], { input: pod('p1') });
  const uid = c.ok(['get', 'pod', 'p1', '-o', 'jsonpath={.metadata.uid}']);
  const token = c.ok(['create', 'token', 'default', '--bound-object-kind', 'Pod', '--bound-object-name', 'p1', '--bound-object-uid', uid]).trim();
  const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));
  assert.deepEqual(claims['kubernetes.io'].pod, { name: 'p1', uid });
  assert.equal((await asBearer(token)).status, 200);
  const stale = c.kubectl(['create', 'token', 'default', '--bound-object-kind', 'Pod', '--bound-object-name', 'p1', '--bound-object-uid', '00000000-0000-0000-0000-000000000000']);
  assert.notEqual(stale.code, 0);
  assert.match(stale.stderr, /does not match the UID in record/);
  c.ok(['delete', 'pod', 'p1', '--grace-period=0', '--force']);
  assert.equal((await asBearer(token)).status, 401, 'the pod is gone, its token with it');
});

test('the issuer discovery documents: the JWKS verifies the tokens', async () => {
  const conf = (await c.request('GET', '/.well-known/openid-configuration')).body;
  assert.equal(conf.issuer, 'https://kubernetes.default.svc.cluster.local');
  assert.equal(conf.jwks_uri, 'https://kubernetes.default.svc.cluster.local/openid/v1/jwks');
  const jwks = await c.request('GET', '/openid/v1/jwks');
  assert.equal(jwks.headers.get('content-type'), 'application/jwk-set+json');
  const token = c.ok(['create', 'token', 'default']).trim();
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks.body), { issuer: conf.issuer, audience: conf.issuer });
  assert.equal(payload.sub, 'system:serviceaccount:default:default');
});

test('ServiceAccount admission: the pod runs as default with the kube-api-access volume; a missing ServiceAccount is refused', async () => {
  c.ok(['apply', '-f', '-'], { input: pod('p2') });
  const p = JSON.parse(c.ok(['get', 'pod', 'p2', '-o', 'json']));
  assert.equal(p.spec.serviceAccountName, 'default');
  assert.match(p.spec.volumes[0].name, /^kube-api-access-[a-z0-9]{5}$/);
  assert.equal(p.spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds, 3607);
  const refused = c.kubectl(['apply', '-f', '-'], { input: pod('p3', { serviceAccountName: 'ghost' }) });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /pods "p3" is forbidden: error looking up service account default\/ghost: serviceaccount "ghost" not found/);
  assert.notEqual(c.kubectl(['get', 'pod', 'p3']).code, 0, 'nothing was stored');
});
