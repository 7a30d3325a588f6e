import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../../lib/api/kinds.js';
import { eventually, FakeApiServer } from '../../lib/client/fake.js';
import { SharedInformerFactory } from '../../lib/client/index.js';
import { ControllerContext } from '../context.js';
import { RootCACertPublisher } from '../rootcacertpublisher/controller.js';
import { ServiceAccountsController } from './controller.js';

const NS = findByKind('v1', 'Namespace')!;
const SA = findByKind('v1', 'ServiceAccount')!;
const CM = findByKind('v1', 'ConfigMap')!;
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

async function start(t: { after: (fn: () => void) => void }) {
  const api = new FakeApiServer();
  const client = api.client();
  const informers = new SharedInformerFactory(client);
  const ctx = new ControllerContext(client, informers);
  const sac = new ServiceAccountsController(ctx);
  const ca = new RootCACertPublisher(ctx, CA);
  t.after(() => informers.stop());
  api.seed(NS, { metadata: { name: 'team' } });
  api.seed(NS, { metadata: { name: 'going' } });
  await informers.start();
  await client.delete(NS, 'going');
  await eventually('the namespace terminating in the cache', () => informers.informerFor(NS).get('going')?.metadata.deletionTimestamp);
  return { api, informers, sac, ca };
}

test('every namespace gets a default ServiceAccount, made again when deleted; a terminating namespace gets none', async (t) => {
  const { api, informers, sac } = await start(t);
  await sac.reconcile('team');
  await sac.reconcile('going');
  assert.ok(api.get(SA, 'default', 'team'));
  assert.equal(api.get(SA, 'default', 'going'), undefined);
  await eventually('the ServiceAccount in the cache', () => informers.informerFor(SA).get('default', 'team'));
  const creates = api.count('create', 'serviceaccounts');
  await sac.reconcile('team');
  assert.equal(api.count('create', 'serviceaccounts'), creates, 'nothing written when it is there');
  await api.client().delete(SA, 'default', { namespace: 'team' });
  await eventually('the deletion in the cache', () => !informers.informerFor(SA).get('default', 'team'));
  await sac.reconcile('team');
  assert.ok(api.get(SA, 'default', 'team'));
});

test('every namespace gets kube-root-ca.crt with the CA, set back when edited and made again when deleted', async (t) => {
  const { api, informers, ca } = await start(t);
  await ca.reconcile('team');
  await ca.reconcile('going');
  assert.deepEqual(api.get(CM, 'kube-root-ca.crt', 'team')?.data, { 'ca.crt': CA });
  assert.equal(api.get(CM, 'kube-root-ca.crt', 'going'), undefined);
  const cm = await eventually('the ConfigMap in the cache', () => informers.informerFor(CM).get('kube-root-ca.crt', 'team'));
  await api.client().update(CM, { ...cm, data: { 'ca.crt': 'forged' } });
  await eventually('the edit in the cache', () => (informers.informerFor(CM).get('kube-root-ca.crt', 'team')?.data as Record<string, string> | undefined)?.['ca.crt'] === 'forged');
  await ca.reconcile('team');
  assert.deepEqual(api.get(CM, 'kube-root-ca.crt', 'team')?.data, { 'ca.crt': CA });
  await api.client().delete(CM, 'kube-root-ca.crt', { namespace: 'team' });
  await eventually('the deletion in the cache', () => !informers.informerFor(CM).get('kube-root-ca.crt', 'team'));
  await ca.reconcile('team');
  assert.deepEqual(api.get(CM, 'kube-root-ca.crt', 'team')?.data, { 'ca.crt': CA });
});
