import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import { BootstrapTokenAuthenticator, bootstrapTokenExpired } from './authenticator.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const NOW = Date.parse('2026-12-01T00:00:00Z');

function secret(data: Record<string, string>, more: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token', metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system', ...(more.metadata ?? {}) },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])), ...(more.type !== undefined ? { type: more.type } : {}) };
}

const good = { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true' };

function authn(s: KubeObject | undefined) {
  const asked: string[] = [];
  const a = new BootstrapTokenAuthenticator(async (ns, name) => {
    asked.push(`${ns}/${name}`);
    return s && s.metadata.name === name ? s : undefined;
  }, () => NOW);
  return { a, asked };
}

test('a bootstrap token authenticates as system:bootstrap:<id> in system:bootstrappers and its extra groups', async () => {
  const { a, asked } = authn(secret({ ...good, 'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token, system:bootstrappers:kubeadm:default-node-token', expiration: '2026-12-02T00:00:00Z' }));
  const r = await a.authenticateToken('abcdef.0123456789abcdef');
  assert.deepEqual(r, { user: { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token'] } });
  assert.deepEqual(asked, ['kube-system/bootstrap-token-abcdef']);
  const plain = await authn(secret(good)).a.authenticateToken('abcdef.0123456789abcdef');
  assert.deepEqual(plain?.user.groups, ['system:bootstrappers']);
});

test('a wrong secret, an expired token, usage off, the wrong type, a deleting Secret or a bad extra group are not vouched for', async () => {
  const refused = async (s: KubeObject | undefined, token = 'abcdef.0123456789abcdef') => assert.equal(await authn(s).a.authenticateToken(token), undefined);
  await refused(secret(good), 'abcdef.0123456789abcdee');
  await refused(secret(good), 'abcdef.0123456789abcde');
  await refused(secret({ ...good, expiration: '2026-11-30T23:59:59Z' }));
  await refused(secret({ ...good, expiration: 'not a time' }));
  await refused(secret({ ...good, 'usage-bootstrap-authentication': 'false' }));
  await refused(secret({ 'token-id': 'abcdef', 'token-secret': '0123456789abcdef' }));
  await refused(secret(good, { type: 'Opaque' }));
  await refused(secret(good, { metadata: { name: 'bootstrap-token-abcdef', deletionTimestamp: '2026-11-30T00:00:00Z' } }));
  await refused(secret({ ...good, 'token-id': 'zzzzzz' }));
  await refused(secret({ ...good, 'auth-extra-groups': 'system:masters' }));
  await refused(undefined);
});

test('tokens not shaped <6>.<16> of [a-z0-9] are not looked up', async () => {
  for (const t of ['abcdef0123456789abcdef', 'ABCDEF.0123456789abcdef', 'abcde.0123456789abcdefg', 'abcdef.0123456789abcdef.x', 'eyJhbGciOi.x.y']) {
    const { a, asked } = authn(secret(good));
    assert.equal(await a.authenticateToken(t), undefined, t);
    assert.deepEqual(asked, [], t);
  }
});

test('expiration: none never expires, a past or unparsable one has', () => {
  assert.equal(bootstrapTokenExpired(secret(good), NOW), false);
  assert.equal(bootstrapTokenExpired(secret({ ...good, expiration: '2026-12-01T00:00:01Z' }), NOW), false);
  assert.equal(bootstrapTokenExpired(secret({ ...good, expiration: '2026-12-01T00:00:00Z' }), NOW), true);
  assert.equal(bootstrapTokenExpired(secret({ ...good, expiration: 'tomorrow' }), NOW), true);
});
