import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../api/kinds.js';
import { matchesLabels, selectorFromSet } from '../api/selectors/index.js';
import type { KubeObject } from '../api/types.js';
import { apiError, FakeApiServer } from './fake.js';
import { claim, controllerRef, newControllerRef } from './owners.js';

const RS = findByKind('apps/v1', 'ReplicaSet')!;
const POD = findByKind('v1', 'Pod')!;
const sel = selectorFromSet({ app: 'web' });
const match = (p: KubeObject): boolean => matchesLabels(sel, p.metadata.labels);

function setup(): {
  api: FakeApiServer;
  owner: KubeObject;
  pod: (name: string, labels: Record<string, string>, extra?: Partial<KubeObject['metadata']>) => KubeObject;
} {
  const api = new FakeApiServer();
  const owner = api.seed(RS, { metadata: { name: 'web', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } } } });
  const pod = (name: string, labels: Record<string, string>, extra: Partial<KubeObject['metadata']> = {}): KubeObject =>
    api.seed(POD, { metadata: { name, namespace: 'default', labels, ...extra }, spec: {} });
  return { api, owner, pod };
}

const owned = (o: KubeObject): KubeObject['metadata'] => ({ ownerReferences: [newControllerRef(o, 'apps/v1', 'ReplicaSet')] });

test('adopts matching orphans, keeps its own, releases its own that stopped matching, leaves others alone', async () => {
  const { api, owner, pod } = setup();
  const other = api.seed(RS, { metadata: { name: 'other', namespace: 'default' }, spec: {} });
  const candidates = [
    pod('orphan', { app: 'web' }),
    pod('stranger', { app: 'db' }),
    pod('mine', { app: 'web' }, owned(owner)),
    pod('relabelled', { app: 'db' }, owned(owner)),
    pod('theirs', { app: 'web' }, owned(other)),
  ];
  const claimed = await claim({ client: api.client(), owner, ownerKind: RS, kind: POD, match, candidates });
  assert.deepEqual(claimed.map((p) => p.metadata.name).sort(), ['mine', 'orphan']);
  assert.equal(controllerRef(api.get(POD, 'orphan', 'default')!)?.uid, owner.metadata.uid, 'adopted in the API');
  assert.equal(api.get(POD, 'relabelled', 'default')!.metadata.ownerReferences, undefined, 'released in the API');
  assert.equal(controllerRef(api.get(POD, 'theirs', 'default')!)?.uid, other.metadata.uid);
  assert.equal(api.get(POD, 'stranger', 'default')!.metadata.ownerReferences, undefined);
  assert.equal(api.count('get', 'replicasets'), 1, 'one live re-check of the owner before adopting');
});

test('no adoption, no live read, when there is nothing to adopt', async () => {
  const { api, owner, pod } = setup();
  const claimed = await claim({
    client: api.client(),
    owner,
    ownerKind: RS,
    kind: POD,
    match,
    candidates: [pod('mine', { app: 'web' }, owned(owner)), pod('x', { app: 'db' })],
  });
  assert.equal(claimed.length, 1);
  assert.equal(api.count('get'), 0);
  assert.equal(api.count('patch'), 0);
});

test('an owner being deleted keeps what it has and neither adopts nor releases', async () => {
  const { api, owner, pod } = setup();
  const deleting = { ...owner, metadata: { ...owner.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
  const candidates = [pod('orphan', { app: 'web' }), pod('mine', { app: 'web' }, owned(owner)), pod('relabelled', { app: 'db' }, owned(owner))];
  const claimed = await claim({ client: api.client(), owner: deleting, ownerKind: RS, kind: POD, match, candidates });
  assert.deepEqual(
    claimed.map((p) => p.metadata.name),
    ['mine'],
  );
  assert.equal(api.count('patch'), 0);
});

test('orphans being deleted or in another namespace are not adopted', async () => {
  const { api, owner, pod } = setup();
  const cached = pod('going', { app: 'web' });
  const going = { ...cached, metadata: { ...cached.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
  const elsewhere = api.seed(POD, { metadata: { name: 'elsewhere', namespace: 'other', labels: { app: 'web' } }, spec: {} });
  const claimed = await claim({ client: api.client(), owner, ownerKind: RS, kind: POD, match, candidates: [going, elsewhere] });
  assert.deepEqual(claimed, []);
  assert.equal(api.count('patch'), 0);
});

test('the live re-check refuses to adopt for an owner the cache still shows but that was deleted', async () => {
  const { api, owner, pod } = setup();
  await api.client().delete(RS, 'web', { namespace: 'default' });
  const candidates = [pod('orphan-1', { app: 'web' }), pod('orphan-2', { app: 'web' })];
  await assert.rejects(
    claim({ client: api.client(), owner, ownerKind: RS, kind: POD, match, candidates }),
    /can't adopt Pod default\/orphan-1 .*can't recheck DeletionTimestamp: replicasets.apps "web" not found/,
  );
  assert.equal(api.count('patch'), 0, 'nothing adopted');
  assert.equal(api.count('get', 'replicasets'), 1, 'one live read for all the orphans');
});

test('the live re-check refuses to adopt for an owner deleted and re-created under the same name', async () => {
  const { api, owner, pod } = setup();
  const client = api.client();
  await client.delete(RS, 'web', { namespace: 'default' });
  const replacement = await client.create<KubeObject>(RS, { metadata: { name: 'web', namespace: 'default' }, spec: {} });
  await assert.rejects(
    claim({ client, owner, ownerKind: RS, kind: POD, match, candidates: [pod('orphan', { app: 'web' })] }),
    new RegExp(`original ReplicaSet default/web is gone: got uid ${replacement.metadata.uid}, wanted ${owner.metadata.uid}`),
  );
  assert.equal(api.get(POD, 'orphan', 'default')!.metadata.ownerReferences, undefined);
});

test('the live re-check refuses to adopt for an owner that has just started deleting', async () => {
  const { api, owner, pod } = setup();
  const client = api.client();
  await client.patch(RS, 'web', { metadata: { finalizers: ['example.com/hold'] } }, 'merge', { namespace: 'default' });
  await client.delete(RS, 'web', { namespace: 'default' });
  await assert.rejects(
    claim({ client, owner, ownerKind: RS, kind: POD, match, candidates: [pod('orphan', { app: 'web' })] }),
    /default\/web has just been deleted at /,
  );
  assert.equal(api.count('patch', 'pods'), 0);
});

test('one failed adoption does not stop the others; the failure is thrown after', async () => {
  const { api, owner, pod } = setup();
  api.reactors.push((a) => (a.verb === 'patch' && a.name === 'orphan-1' ? apiError(500, 'InternalError', 'etcd is down') : undefined));
  const candidates = [pod('orphan-1', { app: 'web' }), pod('orphan-2', { app: 'web' })];
  await assert.rejects(claim({ client: api.client(), owner, ownerKind: RS, kind: POD, match, candidates }), /etcd is down/);
  assert.equal(controllerRef(api.get(POD, 'orphan-2', 'default')!)?.uid, owner.metadata.uid);
});

test('an adoption that loses a race (the object changed since the cache saw it) fails with 409 instead of overwriting', async () => {
  const { api, owner, pod } = setup();
  const stale = pod('orphan', { app: 'web' });
  await api.client().patch(POD, 'orphan', { metadata: { labels: { app: 'web', touched: 'yes' } } }, 'merge', { namespace: 'default' });
  await assert.rejects(claim({ client: api.client(), owner, ownerKind: RS, kind: POD, match, candidates: [stale] }), /the object has been modified/);
});
