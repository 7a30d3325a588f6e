import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind, type KindInfo } from '../../lib/api/kinds.js';
import { CRD_KIND, customKindOf } from '../../lib/client/custom-kinds.js';
import { eventually, FakeApiServer } from '../../lib/client/fake.js';
import { SharedInformerFactory } from '../../lib/client/index.js';
import { ControllerContext } from '../context.js';
import { NamespaceController } from './controller.js';

const NS = findByKind('v1', 'Namespace')!;
const POD = findByKind('v1', 'Pod')!;
const CM = findByKind('v1', 'ConfigMap')!;
const DEPLOY = findByKind('apps/v1', 'Deployment')!;

const WEBSITES_CRD = {
  metadata: { name: 'websites.example.com' },
  spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Website', plural: 'websites' }, versions: [{ name: 'v1', served: true, storage: true }] },
  status: { conditions: [{ type: 'Established', status: 'True' }] },
};
const WEBSITE = customKindOf({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', ...WEBSITES_CRD }) as KindInfo;

/** A namespace controller over a fake API with namespace `team` holding a few objects; reconcile() is called by the test. */
async function start(t: {
  after: (fn: () => void) => void;
}): Promise<{ api: FakeApiServer; nsc: NamespaceController; terminating: () => Promise<unknown>; caughtUp: () => Promise<unknown> }> {
  const api = new FakeApiServer();
  const client = api.client();
  const informers = new SharedInformerFactory(client);
  const nsc = new NamespaceController(new ControllerContext(client, informers));
  t.after(() => informers.stop());
  api.seed(NS, { metadata: { name: 'team' } });
  api.seed(NS, { metadata: { name: 'other' } });
  api.serve(WEBSITE);
  api.seed(CRD_KIND, WEBSITES_CRD);
  for (const ns of ['team', 'other']) {
    api.seed(WEBSITE, { metadata: { name: 'w', namespace: ns }, spec: {} });
    api.seed(POD, { metadata: { name: 'p', namespace: ns }, spec: {} });
    api.seed(CM, { metadata: { name: 'c', namespace: ns } });
    api.seed(DEPLOY, { metadata: { name: 'd', namespace: ns }, spec: {} });
  }
  await informers.start();
  const terminating = (): Promise<unknown> =>
    eventually('the namespace terminating in the cache', () => informers.informerFor(NS).get('team')?.metadata.deletionTimestamp);
  const caughtUp = (): Promise<unknown> =>
    eventually('the namespace cache', () => informers.informerFor(NS).get('team')?.metadata.resourceVersion === api.get(NS, 'team')?.metadata.resourceVersion);
  return { api, nsc, terminating, caughtUp };
}

test('a deleted namespace is emptied, then finalized and removed; other namespaces are untouched', async (t) => {
  const { api, nsc, terminating } = await start(t);
  await api.client().delete(NS, 'team');
  assert.equal(api.get(NS, 'team')?.status?.phase, 'Terminating');
  await terminating();
  await nsc.reconcile('team');
  assert.equal(api.list(POD, 'team').length + api.list(CM, 'team').length + api.list(DEPLOY, 'team').length, 0);
  assert.equal(api.list(WEBSITE, 'team').length, 0, 'custom objects go too');
  assert.equal(api.get(NS, 'team'), undefined, 'finalized and gone');
  assert.equal(api.list(POD, 'other').length + api.list(CM, 'other').length + api.list(DEPLOY, 'other').length + api.list(WEBSITE, 'other').length, 4);
});

test('content that does not go at once is reported in NamespaceContentRemaining and looked at again later', async (t) => {
  const { api, nsc, terminating, caughtUp } = await start(t);
  const client = api.client();
  await client.patch(CM, 'c', { metadata: { finalizers: ['example.com/hold'] } }, 'merge', { namespace: 'team' });
  await client.delete(NS, 'team');
  await terminating();
  const result = await nsc.reconcile('team');
  assert.ok(result && result.requeueAfter !== undefined && result.requeueAfter > 0, 'comes back later');
  const ns = api.get(NS, 'team');
  assert.ok(ns, 'not finalized while content remains');
  const cond = (ns.status?.conditions as Array<Record<string, string>>).find((c) => c.type === 'NamespaceContentRemaining');
  assert.equal(cond?.status, 'True');
  assert.equal(cond?.reason, 'SomeResourcesRemain');
  assert.equal(cond?.message, 'Some resources are remaining: configmaps has 1 resource instances');
  assert.equal(api.list(POD, 'team').length, 0);
  await client.patch(CM, 'c', { metadata: { finalizers: null } }, 'merge', { namespace: 'team' });
  await caughtUp();
  await nsc.reconcile('team');
  assert.equal(api.get(NS, 'team'), undefined);
});

test('a namespace that is not being deleted is left alone', async (t) => {
  const { api, nsc } = await start(t);
  await nsc.reconcile('team');
  await nsc.reconcile('no-such-namespace');
  assert.equal(api.count('deletecollection'), 0);
  assert.equal(api.list(POD, 'team').length, 1);
});
