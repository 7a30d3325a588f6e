import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt } from 'jose';
import { findByKind } from '../../lib/api/kinds.js';
import { eventually, FakeApiServer } from '../../lib/client/fake.js';
import { SharedInformerFactory } from '../../lib/client/index.js';
import { ControllerContext } from '../context.js';
import { ServiceAccountTokensController } from './tokens.js';

const SECRET = findByKind('v1', 'Secret')!;
const SA = findByKind('v1', 'ServiceAccount')!;
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const tokenSecret = (name: string, sa: string) => ({ metadata: { name, namespace: 'team', annotations: { 'kubernetes.io/service-account.name': sa } }, type: 'kubernetes.io/service-account-token' });

test('a token Secret gets its ServiceAccount\'s uid, a legacy token, ca.crt and namespace; one naming a missing ServiceAccount is deleted', async (t) => {
  const api = new FakeApiServer();
  const client = api.client();
  const informers = new SharedInformerFactory(client);
  t.after(() => informers.stop());
  const ctl = new ServiceAccountTokensController(new ControllerContext(client, informers), pem, CA);
  const sa = api.seed(SA, { metadata: { name: 'robot', namespace: 'team' } });
  api.seed(SECRET, tokenSecret('robot-token', 'robot'));
  api.seed(SECRET, tokenSecret('orphan-token', 'nobody'));
  api.seed(SECRET, { metadata: { name: 'plain', namespace: 'team', annotations: { 'kubernetes.io/service-account.name': 'nobody' } }, type: 'Opaque' });
  await Promise.all([informers.informerFor(SECRET).start(), informers.informerFor(SA).start()]);
  await ctl.reconcile('team/robot-token');
  const s = api.get(SECRET, 'robot-token', 'team');
  assert.equal(s?.metadata.annotations?.['kubernetes.io/service-account.uid'], sa.metadata.uid);
  const data = s?.data as Record<string, string>;
  assert.equal(Buffer.from(data['ca.crt'] as string, 'base64').toString(), CA);
  assert.equal(Buffer.from(data.namespace as string, 'base64').toString(), 'team');
  const claims = decodeJwt(Buffer.from(data.token as string, 'base64').toString());
  assert.equal(claims.iss, 'kubernetes/serviceaccount');
  assert.equal(claims.sub, 'system:serviceaccount:team:robot');
  assert.equal(claims['kubernetes.io/serviceaccount/secret.name'], 'robot-token');
  assert.equal(claims['kubernetes.io/serviceaccount/service-account.uid'], sa.metadata.uid);
  assert.equal(claims.exp, undefined, 'a legacy token does not expire');
  // filled in once: a second look writes nothing
  await eventually('the update in the cache', () => (informers.informerFor(SECRET).get('robot-token', 'team')?.data as Record<string, string> | undefined)?.token);
  const updates = api.count('update', 'secrets');
  await ctl.reconcile('team/robot-token');
  assert.equal(api.count('update', 'secrets'), updates);
  await ctl.reconcile('team/orphan-token');
  await ctl.reconcile('team/plain');
  assert.equal(api.get(SECRET, 'orphan-token', 'team'), undefined);
  assert.ok(api.get(SECRET, 'plain', 'team'));
});
