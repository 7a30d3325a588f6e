// ServiceAccount tokens: what the issuer signs and what the authenticator accepts and refuses (expired, not yet
// valid, another issuer, another audience, another key, alg none, HS256 with the public key, a tampered payload, the
// pod or ServiceAccount gone or replaced), and TokenRequest's rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import type { KubeObject } from '../../../lib/api/types.js';
import { ServiceAccountTokenAuthenticator } from './authenticator.js';
import { ServiceAccountTokenIssuer } from './issuer.js';
import { algorithmOf, keyId, type SigningKey } from './keys.js';
import { setMinTokenExpirationForTesting } from './limits.js';
import { requestToken } from './token-request.js';
import { ApiError } from '../../errors.js';

const ISS = 'https://kubernetes.default.svc.cluster.local';

function signingKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, key: publicKey, alg: algorithmOf(publicKey), kid: keyId(publicKey) };
}

const key = signingKey();
const other = signingKey();

function world() {
  const objects = new Map<string, KubeObject>();
  const put = (resource: string, name: string, uid: string, extra: Partial<KubeObject> = {}) =>
    objects.set(`${resource}/${name}`, { apiVersion: 'v1', kind: 'X', metadata: { name, namespace: 'ns', uid }, ...extra } as KubeObject);
  put('serviceaccounts', 'robot', 'sa-uid');
  put('pods', 'p', 'pod-uid', { spec: { serviceAccountName: 'robot', nodeName: 'n1' } });
  objects.set('nodes/n1', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'node-uid' } });
  const get = async (resource: string, _ns: string | undefined, name: string) => objects.get(`${resource}/${name}`);
  const authn = (o: { now?: () => number; audiences?: string[] } = {}) =>
    new ServiceAccountTokenAuthenticator({ issuers: [ISS], audiences: o.audiences ?? [ISS], keys: [key], objects: get, now: o.now });
  return { objects, put, get, authn };
}

interface TokenOptions { now?: number; seconds?: number; pod?: boolean; audiences?: string[]; issuer?: string; signer?: SigningKey }

async function tokenFor(o: TokenOptions = {}): Promise<string> {
  const issuer = new ServiceAccountTokenIssuer({ issuer: o.issuer ?? ISS, key: o.signer ?? key, now: o.now === undefined ? undefined : () => o.now as number });
  const t = await issuer.issue({ audiences: o.audiences ?? [ISS], expirationSeconds: o.seconds ?? 3600,
    claim: { namespace: 'ns', serviceaccount: { name: 'robot', uid: 'sa-uid' },
      ...(o.pod ? { pod: { name: 'p', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' } } : {}) } });
  return t.token;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const parts = (t: string) => t.split('.') as [string, string, string];

test('a valid token is the ServiceAccount\'s user, with Kubernetes\' groups and extra', async () => {
  const w = world();
  const r = await w.authn().authenticateToken(await tokenFor({ pod: true }));
  assert.ok(r);
  assert.equal(r.user.username, 'system:serviceaccount:ns:robot');
  assert.equal(r.user.uid, 'sa-uid');
  assert.deepEqual(r.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:ns']);
  assert.deepEqual(r.user.extra?.['authentication.kubernetes.io/pod-name'], ['p']);
  assert.deepEqual(r.user.extra?.['authentication.kubernetes.io/pod-uid'], ['pod-uid']);
  assert.deepEqual(r.user.extra?.['authentication.kubernetes.io/node-name'], ['n1']);
  assert.match(r.user.extra?.['authentication.kubernetes.io/credential-id']?.[0] ?? '', /^JTI=[0-9a-f-]{36}$/);
  assert.deepEqual(r.audiences, [ISS]);
});

test('expired and not-yet-valid tokens are refused', async () => {
  const w = world();
  await assert.rejects(w.authn().authenticateToken(await tokenFor({ now: Date.now() - 7200_000 })), /expired/);
  await assert.rejects(w.authn().authenticateToken(await tokenFor({ now: Date.now() + 600_000 })), /not valid yet/);
  // a token remembered as verified still expires
  let now = Date.now();
  const a = w.authn({ now: () => now });
  const t = await tokenFor({ seconds: 600 });
  assert.ok(await a.authenticateToken(t));
  now += 601_000;
  await assert.rejects(a.authenticateToken(t), /expired/);
});

test('another issuer\'s token is not ours (undefined: the next authenticator is asked); a token for another audience is refused', async () => {
  const w = world();
  assert.equal(await w.authn().authenticateToken(await tokenFor({ issuer: 'https://elsewhere' })), undefined);
  assert.equal(await w.authn().authenticateToken('not-a-jwt'), undefined);
  assert.equal(await w.authn().authenticateToken('a.b.c'), undefined);
  await assert.rejects(w.authn().authenticateToken(await tokenFor({ audiences: ['vault'] })), /token audiences \["vault"\] is invalid for the target audiences/);
  // a TokenReview asking for that audience accepts it
  assert.ok(await w.authn().authenticateFor(await tokenFor({ audiences: ['vault'] }), ['vault']));
});

test('forged tokens are refused: another key, alg none, HS256 keyed with the public key, a tampered payload', async () => {
  const w = world();
  const a = w.authn();
  await assert.rejects(a.authenticateToken(await tokenFor({ signer: other })), /signature is invalid/);
  const good = await tokenFor();
  const [, payload] = parts(good);
  await assert.rejects(a.authenticateToken(`${b64({ alg: 'none' })}.${payload}.`), /signature is invalid/);
  const pem = key.key.export({ type: 'spki', format: 'pem' });
  const hsHead = b64({ alg: 'HS256', kid: key.kid });
  const hs = createHmac('sha256', pem).update(`${hsHead}.${payload}`).digest('base64url');
  await assert.rejects(a.authenticateToken(`${hsHead}.${payload}.${hs}`), /signature is invalid/);
  const [head, body, sig] = parts(good);
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  claims['kubernetes.io'].serviceaccount.name = 'admin';
  claims.sub = 'system:serviceaccount:ns:admin';
  await assert.rejects(a.authenticateToken(`${head}.${b64(claims)}.${sig}`), /signature is invalid/);
  // the genuine token still works after all that (nothing forged was remembered)
  assert.ok(await a.authenticateToken(good));
});

test('a token is refused once its pod or ServiceAccount is gone or replaced (same name, new uid), even right after it was accepted', async () => {
  const w = world();
  const a = w.authn();
  const t = await tokenFor({ pod: true });
  assert.ok(await a.authenticateToken(t));
  w.objects.delete('pods/p');
  await assert.rejects(a.authenticateToken(t), /invalidated: pods ns\/p not found/);
  w.put('pods', 'p', 'another-uid');
  await assert.rejects(a.authenticateToken(t), /invalidated: pods ns\/p has uid another-uid/);
  w.put('pods', 'p', 'pod-uid', { metadata: { name: 'p', namespace: 'ns', uid: 'pod-uid', deletionTimestamp: new Date(Date.now() - 30_000).toISOString() } });
  assert.ok(await a.authenticateToken(t), 'a pod deleted 30 s ago (terminating) still vouches for its token');
  w.put('pods', 'p', 'pod-uid', { metadata: { name: 'p', namespace: 'ns', uid: 'pod-uid', deletionTimestamp: new Date(Date.now() - 120_000).toISOString() } });
  await assert.rejects(a.authenticateToken(t), /has been deleted/);
  const unbound = await tokenFor();
  assert.ok(await a.authenticateToken(unbound));
  w.objects.delete('serviceaccounts/robot');
  await assert.rejects(a.authenticateToken(unbound), /invalidated: serviceaccounts ns\/robot not found/);
});

test('TokenRequest: defaults, the 10 minute minimum, bound objects checked, extended pod tokens', async () => {
  const w = world();
  const d = { issuer: new ServiceAccountTokenIssuer({ issuer: ISS, key }), apiAudiences: [ISS], extendExpiration: true, get: w.get };
  const sa = (await w.get('serviceaccounts', 'ns', 'robot')) as KubeObject;
  const req = (spec: Record<string, unknown>) => requestToken(d, sa, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec } as KubeObject);
  const plain = await req({});
  assert.deepEqual(plain.spec, { expirationSeconds: 3600, audiences: [ISS] });
  const st = plain.status as { token: string; expirationTimestamp: string };
  const c = JSON.parse(Buffer.from(parts(st.token)[1], 'base64url').toString('utf8'));
  assert.equal(c.exp - c.iat, 3600);
  assert.equal(c.sub, 'system:serviceaccount:ns:robot');
  assert.equal(Date.parse(st.expirationTimestamp) / 1000, c.exp);
  assert.ok(await w.authn().authenticateToken(st.token));

  await assert.rejects(req({ expirationSeconds: 599 }), (e: ApiError) => e.code === 422
    && e.message === 'TokenRequest.authentication.k8s.io "robot" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes');
  await assert.rejects(req({ boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'x' } }), (e: ApiError) => e.code === 422);
  await assert.rejects(req({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'nope' } }), (e: ApiError) => e.code === 404 && e.message === 'pods "nope" not found');
  await assert.rejects(req({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'stale' } }), (e: ApiError) => e.code === 409 && /does not match the UID in record/.test(e.message));
  w.put('pods', 'q', 'q-uid', { spec: { serviceAccountName: 'other' } });
  await assert.rejects(req({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'q' } }), (e: ApiError) => e.code === 400);

  const bound = await req({ expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } });
  const bc = JSON.parse(Buffer.from(parts((bound.status as { token: string }).token)[1], 'base64url').toString('utf8'));
  assert.equal(bc.exp - bc.iat, 365 * 24 * 3600, 'the kubelet\'s 3607 s pod token is extended to a year');
  assert.equal(bc['kubernetes.io'].warnafter, bc.iat + 3607);
  assert.deepEqual(bc['kubernetes.io'].pod, { name: 'p', uid: 'pod-uid' });
  assert.deepEqual(bc['kubernetes.io'].node, { name: 'n1', uid: 'node-uid' });
  assert.equal((bound.spec as { expirationSeconds: number }).expirationSeconds, 365 * 24 * 3600);
  assert.equal((bound.spec as { boundObjectRef: { uid: string } }).boundObjectRef.uid, 'pod-uid');

  w.put('secrets', 's', 'secret-uid');
  const toSecret = await req({ boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's' } });
  const secretToken = (toSecret.status as { token: string }).token;
  assert.deepEqual(JSON.parse(Buffer.from(parts(secretToken)[1], 'base64url').toString('utf8'))['kubernetes.io'].secret, { name: 's', uid: 'secret-uid' });
  assert.ok(await w.authn().authenticateToken(secretToken));
  w.objects.delete('secrets/s');
  await assert.rejects(w.authn().authenticateToken(secretToken), /invalidated: secrets ns\/s not found/);

  setMinTokenExpirationForTesting(20);
  try {
    const short = await req({ expirationSeconds: 30 });
    assert.equal((short.spec as { expirationSeconds: number }).expirationSeconds, 30);
    await assert.rejects(req({ expirationSeconds: 10 }), /may not specify a duration less than 20 seconds/);
  } finally {
    setMinTokenExpirationForTesting(600);
  }
});
