import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../../lib/api/kinds.js';
import { eventually, FakeApiServer } from '../../lib/client/fake.js';
import { SharedInformerFactory } from '../../lib/client/index.js';
import { ControllerContext } from '../context.js';
import { TokenCleaner } from './cleaner.js';

const SECRET = findByKind('v1', 'Secret')!;
const NOW = Date.parse('2026-12-01T00:00:00Z');
const b64 = (s: string) => Buffer.from(s).toString('base64');

function token(name: string, expiration?: string, type = 'bootstrap.kubernetes.io/token') {
  return { metadata: { name, namespace: 'kube-system' }, type, data: { 'token-id': b64('abcdef'), 'token-secret': b64('0123456789abcdef'), ...(expiration ? { expiration: b64(expiration) } : {}) } };
}

test('expired bootstrap token Secrets are deleted; others are kept, and a live one is looked at again when it expires', async (t) => {
  const api = new FakeApiServer();
  const client = api.client();
  const informers = new SharedInformerFactory(client);
  t.after(() => informers.stop());
  const cleaner = new TokenCleaner(new ControllerContext(client, informers), () => NOW);
  api.seed(SECRET, token('bootstrap-token-expird', '2026-11-30T00:00:00Z'));
  api.seed(SECRET, token('bootstrap-token-garbag', 'not a time'));
  api.seed(SECRET, token('bootstrap-token-future', '2026-12-01T00:10:00Z'));
  api.seed(SECRET, token('bootstrap-token-foreve'));
  api.seed(SECRET, token('expired-but-opaque', '2026-11-30T00:00:00Z', 'Opaque'));
  await informers.start();
  await informers.informerFor(SECRET, 'kube-system').start();
  await eventually('the secrets in the cache', () => informers.informerFor(SECRET, 'kube-system').list().length === 5);
  assert.equal(await cleaner.reconcile('bootstrap-token-expird'), undefined);
  await cleaner.reconcile('bootstrap-token-garbag');
  assert.equal(api.get(SECRET, 'bootstrap-token-expird', 'kube-system'), undefined);
  assert.equal(api.get(SECRET, 'bootstrap-token-garbag', 'kube-system'), undefined);
  const later = await cleaner.reconcile('bootstrap-token-future');
  assert.ok(later && later.requeueAfter !== undefined && later.requeueAfter >= 600_000 && later.requeueAfter < 601_000, JSON.stringify(later));
  assert.equal(await cleaner.reconcile('bootstrap-token-foreve'), undefined);
  await cleaner.reconcile('expired-but-opaque');
  for (const n of ['bootstrap-token-future', 'bootstrap-token-foreve', 'expired-but-opaque']) assert.ok(api.get(SECRET, n, 'kube-system'), n);
  assert.equal(api.count('delete', 'secrets'), 2);
});
