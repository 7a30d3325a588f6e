import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import { checkedMaxExpiration } from './index.js';
import type { ServiceAccountTokenIssuer, TokenSpec } from './issuer.js';
import { requestToken, type TokenRequestDeps } from './token-request.js';

const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: 'team', uid: 'sa-uid' } };
const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team', uid: 'pod-uid' }, spec: { serviceAccountName: 'app' } };

function deps(max?: number): { d: TokenRequestDeps; issued: TokenSpec[] } {
  const issued: TokenSpec[] = [];
  const issuer = { issue: async (spec: TokenSpec) => {
    issued.push(spec);
    return { token: 'tok', expirationTimestamp: new Date(Date.UTC(2026, 11, 1) + spec.expirationSeconds * 1000) };
  } } as unknown as ServiceAccountTokenIssuer;
  return { d: { issuer, apiAudiences: ['https://kubernetes.default.svc.cluster.local'], extendExpiration: true, maxExpirationSeconds: max,
    get: async (resource) => (resource === 'pods' ? pod : undefined) }, issued };
}
const req = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec });

test('--service-account-max-token-expiration: a longer request is shortened to it with Kubernetes\' warning; a shorter one is as asked', async () => {
  const { d, issued } = deps(7200);
  const warnings: string[] = [];
  const long = await requestToken(d, sa, req({ expirationSeconds: 36000 }), warnings);
  assert.equal(long.spec.expirationSeconds, 7200);
  assert.equal(issued[0]?.expirationSeconds, 7200);
  assert.deepEqual(warnings, ['requested expiration of 36000 seconds shortened to 7200 seconds']);
  const w2: string[] = [];
  const short = await requestToken(d, sa, req({ expirationSeconds: 3600 }), w2);
  assert.equal(short.spec.expirationSeconds, 3600);
  assert.deepEqual(w2, []);
  // without a cap, what was asked
  const none = deps();
  assert.equal((await requestToken(none.d, sa, req({ expirationSeconds: 36000 }))).spec.expirationSeconds, 36000);
});

test('the cap comes before the extension of pod tokens: 3607 s under a 2 h cap is still extended; under a lower cap it is not', async () => {
  const ref = { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } };
  const { d, issued } = deps(7200);
  await requestToken(d, sa, req({ expirationSeconds: 3607, ...ref }));
  assert.equal(issued[0]?.warnAfterSeconds, 3607);
  assert.ok((issued[0]?.expirationSeconds ?? 0) > 7200, 'extended');
  const low = deps(3600);
  const r = await requestToken(low.d, sa, req({ expirationSeconds: 3607, ...ref }));
  assert.equal(r.spec.expirationSeconds, 3600);
  assert.equal(low.issued[0]?.warnAfterSeconds, undefined);
});

test('the flag is checked as kube-apiserver checks it', () => {
  assert.equal(checkedMaxExpiration({}), 0);
  assert.equal(checkedMaxExpiration({ maxExpirationSeconds: 86400 }), 86400);
  for (const bad of [60, 3599, 2 ** 32 + 1]) {
    assert.throws(() => checkedMaxExpiration({ maxExpirationSeconds: bad }), /^Error: the service-account-max-token-expiration must be between 1 hour and 2\^32 seconds$/);
  }
});
