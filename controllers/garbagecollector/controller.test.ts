import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind, type KindInfo } from '../../lib/api/kinds.js';
import { CRD_KIND, customKindOf } from '../../lib/client/custom-kinds.js';
import type { KubeObject, OwnerReference } from '../../lib/api/types.js';
import { eventually, FakeApiServer } from '../../lib/client/fake.js';
import { newControllerRef, SharedInformerFactory } from '../../lib/client/index.js';
import { ControllerContext } from '../context.js';
import { FOREGROUND, GarbageCollector, ORPHAN } from './controller.js';

const DEPLOY = findByKind('apps/v1', 'Deployment')!;
const RS = findByKind('apps/v1', 'ReplicaSet')!;
const POD = findByKind('v1', 'Pod')!;
const CM = findByKind('v1', 'ConfigMap')!;

/** The garbage collector running (its own loop and informers) over a fake API. */
async function start(t: { after: (fn: () => Promise<void> | void) => void }, api = new FakeApiServer()): Promise<{ api: FakeApiServer; gc: GarbageCollector }> {
  const client = api.client();
  const informers = new SharedInformerFactory(client);
  const gc = new GarbageCollector(new ControllerContext(client, informers));
  const abort = new AbortController();
  const running = gc.run(2, abort.signal);
  t.after(async () => {
    abort.abort();
    await running;
    informers.stop();
  });
  await informers.start();
  return { api, gc };
}

const owned = (name: string, owner: KubeObject, kind: string, extra: Partial<OwnerReference> = {}): KubeObject['metadata'] => ({
  name,
  namespace: 'default',
  ownerReferences: [{ ...newControllerRef(owner, 'apps/v1', kind), ...extra }],
});

test('background: once the owner is gone its dependents are deleted, others left alone', async (t) => {
  const { api } = await start(t);
  const client = api.client();
  const rs = api.seed(RS, { metadata: { name: 'web', namespace: 'default' }, spec: {} });
  api.seed(POD, { metadata: owned('web-1', rs, 'ReplicaSet'), spec: {} });
  api.seed(POD, { metadata: owned('web-2', rs, 'ReplicaSet'), spec: {} });
  api.seed(POD, { metadata: { name: 'unrelated', namespace: 'default' }, spec: {} });
  await client.delete(RS, 'web', { namespace: 'default', propagationPolicy: 'Background' });
  await eventually('the dependents gone', () => api.list(POD).length === 1);
  assert.equal(api.list(POD)[0]?.metadata.name, 'unrelated');
});

test('a dependent whose owner exists but is not in the cache yet is not deleted (the live GET finds it)', async (t) => {
  const { api } = await start(t);
  const client = api.client();
  api.holdWatches('replicasets');
  const rs = await client.create<KubeObject>(RS, { metadata: { name: 'web', namespace: 'default' }, spec: {} });
  await client.create(POD, { metadata: owned('web-1', rs, 'ReplicaSet'), spec: {} });
  await eventually('the live look-up of the owner', () => api.count('get', 'replicasets') >= 1);
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  assert.ok(api.get(POD, 'web-1', 'default'), 'the pod stays');
  assert.equal(api.count('delete', 'pods'), 0);
  api.releaseWatches();
});

test('a dependent with one owner gone and one left only loses the dangling reference', async (t) => {
  const { api } = await start(t);
  const client = api.client();
  const keep = api.seed(CM, { metadata: { name: 'keep', namespace: 'default' } });
  const gone = api.seed(CM, { metadata: { name: 'gone', namespace: 'default' } });
  const ref = (o: KubeObject): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name as string, uid: o.metadata.uid as string });
  api.seed(CM, { metadata: { name: 'shared', namespace: 'default', ownerReferences: [ref(keep), ref(gone)] } });
  await client.delete(CM, 'gone', { namespace: 'default' });
  await eventually('the dangling reference dropped', () => api.get(CM, 'shared', 'default')?.metadata.ownerReferences?.length === 1);
  assert.equal(api.get(CM, 'shared', 'default')?.metadata.ownerReferences?.[0]?.name, 'keep');
});

test('orphan: the owner goes, its dependents stay without the reference to it', async (t) => {
  const { api } = await start(t);
  const client = api.client();
  const rs = api.seed(RS, { metadata: { name: 'web', namespace: 'default' }, spec: {} });
  api.seed(POD, { metadata: owned('web-1', rs, 'ReplicaSet'), spec: {} });
  await client.delete(RS, 'web', { namespace: 'default', propagationPolicy: 'Orphan' });
  assert.deepEqual(api.get(RS, 'web', 'default')?.metadata.finalizers, [ORPHAN]);
  await eventually('the owner gone', () => !api.get(RS, 'web', 'default'));
  assert.equal(api.get(POD, 'web-1', 'default')?.metadata.ownerReferences, undefined);
});

test('foreground: dependents are deleted first (themselves in the foreground), then the owner', async (t) => {
  const { api } = await start(t);
  const client = api.client();
  const d = api.seed(DEPLOY, { metadata: { name: 'web', namespace: 'default' }, spec: {} });
  const rs = api.seed(RS, { metadata: owned('web-abc', d, 'Deployment'), spec: {} });
  api.seed(POD, { metadata: owned('web-abc-1', rs, 'ReplicaSet'), spec: {} });
  // a finalizer of someone else's keeps the pod, so the chain must wait for it
  api.seed(POD, { metadata: { ...owned('web-abc-2', rs, 'ReplicaSet'), finalizers: ['example.com/hold'] }, spec: {} });
  await client.delete(DEPLOY, 'web', { namespace: 'default', propagationPolicy: 'Foreground' });
  assert.deepEqual(api.get(DEPLOY, 'web', 'default')?.metadata.finalizers, [FOREGROUND]);
  await eventually('the ReplicaSet deleting in the foreground', () => api.get(RS, 'web-abc', 'default')?.metadata.finalizers?.includes(FOREGROUND));
  await eventually('the free pod gone', () => !api.get(POD, 'web-abc-1', 'default'));
  assert.ok(api.get(POD, 'web-abc-2', 'default')?.metadata.deletionTimestamp, 'the held pod is deleting');
  assert.ok(api.get(DEPLOY, 'web', 'default'), 'the owner waits for its blocking dependents');
  assert.ok(api.get(RS, 'web-abc', 'default'));
  await client.patch(POD, 'web-abc-2', { metadata: { finalizers: null } }, 'merge', { namespace: 'default' });
  await eventually('the whole chain gone', () => !api.get(DEPLOY, 'web', 'default') && !api.get(RS, 'web-abc', 'default') && !api.list(POD).length);
});

test('custom objects own like built-in ones: a ConfigMap owned by a Website stays while it exists and goes with it; an owner of a kind no CRD serves is left alone', async (t) => {
  const api = new FakeApiServer();
  const crd = api.seed(CRD_KIND, {
    metadata: { name: 'websites.example.com' },
    spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Website', plural: 'websites' }, versions: [{ name: 'v1', served: true, storage: true }] },
    status: { conditions: [{ type: 'Established', status: 'True' }], acceptedNames: { kind: 'Website', plural: 'websites' } },
  });
  const website = customKindOf(crd) as KindInfo;
  api.serve(website);
  const site = api.seed(website, { metadata: { name: 'shop', namespace: 'default' }, spec: {} });
  const ref = (o: KubeObject, apiVersion: string, kind: string): KubeObject['metadata'] => ({ name: `${kind}-child`.toLowerCase(), namespace: 'default',
    ownerReferences: [{ apiVersion, kind, name: o.metadata.name as string, uid: o.metadata.uid as string }] });
  api.seed(CM, { metadata: ref(site, 'example.com/v1', 'Website') });
  // another version of the same kind names the same objects
  api.seed(CM, { metadata: { ...ref(site, 'example.com/v2beta1', 'Website'), name: 'other-version-child' } });
  api.seed(CM, { metadata: ref(site, 'unknown.example.com/v1', 'Gizmo') });
  api.seed(CM, { metadata: ref(site, 'apps/v1', 'NoSuchKind') });
  const { gc } = await start(t, api);
  assert.ok(gc);
  await eventually('the owner of a built-in group\'s unknown kind taken for gone', () => !api.get(CM, 'nosuchkind-child', 'default'));
  assert.ok(api.get(CM, 'website-child', 'default'), 'the Website exists: its ConfigMap stays');
  assert.ok(api.get(CM, 'other-version-child', 'default'));
  assert.ok(api.get(CM, 'gizmo-child', 'default'), 'no CRD serves Gizmo: nothing can be told, nothing goes');
  await api.client().delete(website, 'shop', { namespace: 'default', propagationPolicy: 'Background' });
  await eventually('the Website\'s ConfigMaps gone', () => !api.get(CM, 'website-child', 'default') && !api.get(CM, 'other-version-child', 'default'));
  assert.ok(api.get(CM, 'gizmo-child', 'default'));
});
