// Legacy ServiceAccount tokens (of kubernetes.io/service-account-token Secrets): accepted while the Secret holds
// them and the ServiceAccount is the one named; refused once the Secret is gone, holds another token, or for another
// audience. The tokens are made as the controller-manager's token controller makes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { KubeObject } from '../../../lib/api/types.js';
import { legacyToken } from '../../../controllers/serviceaccount/tokens.js';
import { ServiceAccountTokenAuthenticator } from './authenticator.js';
import { algorithmOf, keyId } from './keys.js';

const ISS = 'https://kubernetes.default.svc.cluster.local';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });

async function world() {
  const token = await legacyToken(privateKey, 'ns', { name: 'robot', uid: 'sa-uid' }, 'robot-token');
  const objects = new Map<string, KubeObject>();
  objects.set('serviceaccounts/robot', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'ns', uid: 'sa-uid' } });
  objects.set('secrets/robot-token', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'robot-token', namespace: 'ns', uid: 's-uid' }, type: 'kubernetes.io/service-account-token',
    data: { token: Buffer.from(token).toString('base64') } });
  const keys = [{ key: publicKey, alg: algorithmOf(publicKey), kid: keyId(publicKey) }];
  const authn = new ServiceAccountTokenAuthenticator({ issuers: [ISS], audiences: [ISS], keys,
    objects: async (resource, _ns, name) => objects.get(`${resource}/${name}`) });
  return { token, objects, authn };
}

test('a legacy token is its ServiceAccount while its Secret holds it', async () => {
  const { token, authn } = await world();
  const r = await authn.authenticateToken(token);
  assert.deepEqual(r, { user: { username: 'system:serviceaccount:ns:robot', uid: 'sa-uid', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns'] }, audiences: [ISS] });
});

test('refused: the Secret deleted or being deleted, holding another token, the ServiceAccount replaced, another audience, another key', async () => {
  const refused = async (authn: ServiceAccountTokenAuthenticator, token: string, why: RegExp, audiences?: string[]) =>
    assert.rejects(audiences ? authn.authenticateFor(token, audiences) : authn.authenticateToken(token), why);
  let w = await world();
  w.objects.delete('secrets/robot-token');
  await refused(w.authn, w.token, /secrets ns\/robot-token not found/);
  w = await world();
  (w.objects.get('secrets/robot-token') as KubeObject).metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  await refused(w.authn, w.token, /has been invalidated/);
  w = await world();
  (w.objects.get('secrets/robot-token') as KubeObject).data = { token: Buffer.from('something-else').toString('base64') };
  await refused(w.authn, w.token, /its secret holds another token/);
  w = await world();
  (w.objects.get('serviceaccounts/robot') as KubeObject).metadata.uid = 'new-uid';
  await refused(w.authn, w.token, /has uid new-uid, not sa-uid/);
  w = await world();
  await refused(w.authn, w.token, /is invalid for the target audiences/, ['https://vault.example']);
  const forged = await legacyToken(stranger.privateKey, 'ns', { name: 'robot', uid: 'sa-uid' }, 'robot-token');
  await refused(w.authn, forged, /signature is invalid/);
});
