// The generic store on storage in memory (storage/memory.ts) with the real watch cache and the built-in kinds'
// definitions: what each verb writes, optimistic concurrency, generation, status writes, graceful deletion with
// finalizers, deletecollection and dry runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError } from '../errors.js';
import { CacheHub } from '../storage/cache.js';
import { MemoryStorage } from '../storage/memory.js';
import { objectKey } from '../storage/keys.js';
import { builtinKinds } from './kinds/index.js';
import { buildFilter } from './list-options.js';
import { Store } from './store.js';
import { STATUS_WRITE } from './subresources.js';
import type { WriteContext } from './types.js';

const storage = new MemoryStorage();
const hub = new CacheHub(storage, 1000);
const stores = new Map<string, Store>();
const ctx = (over: Partial<WriteContext> = {}): WriteContext => ({ namespace: 'default', dryRun: false, fieldValidation: 'Warn', warnings: [], ...over });
const store = (resource: string): Store => stores.get(resource) as Store;

before(async () => {
  const gate = async (ns: string) => {
    if (!(await storage.get(objectKey({ group: '', resource: 'namespaces', namespaced: false }, undefined, ns)))) throw new ApiError(404, 'NotFound', `namespaces "${ns}" not found`);
  };
  for (const def of await builtinKinds()) stores.set(def.info.resource, new Store(def, storage, hub, gate, { listCached: () => [] }));
  await hub.start();
  await store('namespaces').create(ctx({ namespace: undefined }), { metadata: { name: 'default' } });
});

after(() => hub.stop());

const deployment = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'web:1' }] } } },
  ...extra,
});

const code = (c: number, reason?: string) => (e: unknown): boolean => e instanceof ApiError && e.code === c && (!reason || e.reason === reason);

test('create: server fields set, defaults applied, a name from generateName, AlreadyExists for a taken name', async () => {
  const d = await store('deployments').create(ctx(), { ...deployment('web'), status: { replicas: 9 } });
  assert.match(d.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
  assert.match(d.metadata.creationTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(d.metadata.generation, 1);
  assert.equal(d.metadata.resourceVersion, String(storage.revision));
  assert.deepEqual(d.status, {}, 'status is the controller\'s, not the creator\'s');
  assert.equal(d.spec?.replicas, 1, 'defaulted');
  const g = await store('configmaps').create(ctx(), { metadata: { generateName: 'cfg-' }, data: {} });
  assert.match(g.metadata.name ?? '', /^cfg-[a-z0-9]{5}$/);
  assert.equal(g.metadata.generation, undefined, 'no generation for a kind without one');
  await assert.rejects(store('deployments').create(ctx(), deployment('web')), code(409, 'AlreadyExists'));
  await assert.rejects(store('configmaps').create(ctx(), { metadata: { name: 'x', namespace: 'other' } }), code(400));
  await assert.rejects(store('configmaps').create(ctx({ namespace: 'nowhere' }), { metadata: { name: 'x' } }), code(404));
  await assert.rejects(store('configmaps').create(ctx(), { metadata: { name: 'Bad_Name' } }), code(422, 'Invalid'));
});

test('get and list read the cache once it has the write (a consistent read); list pages with continue', async () => {
  for (const n of ['a', 'b', 'c']) await store('configmaps').create(ctx(), { metadata: { name: `page-${n}`, labels: { page: 'yes' } }, data: {} });
  assert.equal((await store('configmaps').get('default', 'page-b')).metadata.name, 'page-b');
  const filter = buildFilter(store('configmaps').def, 'page=yes');
  const first = await store('configmaps').list('default', { filter, limit: 2 });
  assert.deepEqual(first.items.map((o) => o.metadata.name), ['page-a', 'page-b']);
  assert.ok(first.continue);
  const rest = await store('configmaps').list('default', { filter, limit: 2, continue: first.continue });
  assert.deepEqual(rest.items.map((o) => o.metadata.name), ['page-c']);
  await assert.rejects(store('configmaps').get('default', 'none'), code(404, 'NotFound'));
});

test('optimistic concurrency: a stale resourceVersion is a 409; an unconditional write is retried over a race', async () => {
  const cm = await store('configmaps').create(ctx(), { metadata: { name: 'race' }, data: { a: '1' } });
  await store('configmaps').update(ctx(), 'race', (cur) => ({ ...cur, data: { a: '2' } }));
  await assert.rejects(store('configmaps').update(ctx(), 'race', () => ({ ...cm, data: { a: '3' } })), code(409, 'Conflict'));
  // another writer wins once between our read and our write: the write is made again on what it wrote
  let raced = false;
  storage.beforeWrite = (w) => {
    if (raced || w.op !== 'update') return;
    raced = true;
    storage.overwrite(w.key, (o) => ({ ...o, metadata: { ...o.metadata, labels: { other: 'writer' } } }));
  };
  try {
    const { obj } = await store('configmaps').update(ctx(), 'race', (cur) => ({ ...cur, data: { ...cur.data as object, b: 'mine' } }));
    assert.ok(raced);
    assert.deepEqual(obj.data, { a: '2', b: 'mine' });
    assert.deepEqual(obj.metadata.labels, { other: 'writer' }, 'the other write is kept');
  } finally {
    storage.beforeWrite = undefined;
  }
});

test('patch-style updates: an unchanged object is not written again; the name on the URL must stay', async () => {
  const cm = await store('configmaps').create(ctx(), { metadata: { name: 'same' }, data: { a: '1' } });
  const writes = storage.writes.update;
  const out = await store('configmaps').update(ctx(), 'same', (cur) => ({ ...cur, data: { a: '1' } }));
  assert.equal(storage.writes.update, writes, 'no write for no change');
  assert.equal(out.obj.metadata.resourceVersion, cm.metadata.resourceVersion);
  await assert.rejects(store('configmaps').update(ctx(), 'same', (cur) => ({ ...cur, metadata: { ...cur.metadata, name: 'other' } })), code(400));
  await assert.rejects(store('configmaps').update(ctx(), 'gone', (cur) => cur), code(404));
});

test('generation counts spec changes only; immutable fields are refused on update', async () => {
  await store('deployments').create(ctx(), deployment('gen'));
  const labelled = await store('deployments').update(ctx(), 'gen', (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { x: 'y' } } }));
  assert.equal(labelled.obj.metadata.generation, 1, 'a label is not a spec change');
  const scaled = await store('deployments').update(ctx(), 'gen', (cur) => ({ ...cur, spec: { ...cur.spec, replicas: 3 } }));
  assert.equal(scaled.obj.metadata.generation, 2);
  const status = await store('deployments').update(ctx(), 'gen', (cur) => ({ ...cur, status: { observedGeneration: 2, replicas: 3 } }), STATUS_WRITE);
  assert.equal(status.obj.metadata.generation, 2, 'a status write never bumps it');
  await assert.rejects(
    store('deployments').update(ctx(), 'gen', (cur) => ({ ...cur, spec: { ...cur.spec, selector: { matchLabels: { app: 'other' } } } })),
    (e: unknown) => e instanceof ApiError && e.code === 422 && /spec\.selector: Invalid value: .*field is immutable/.test(e.message),
  );
});

test('status: main writes keep the stored status, status writes change nothing else', async () => {
  await store('deployments').create(ctx(), deployment('st'));
  const s = await store('deployments').update(ctx(), 'st', (cur) => ({ ...cur, spec: { ...cur.spec, replicas: 7 }, status: { replicas: 2 } }), STATUS_WRITE);
  assert.deepEqual(s.obj.status, { replicas: 2 });
  assert.equal(s.obj.spec?.replicas, 1, 'the spec change in a status write is dropped');
  const m = await store('deployments').update(ctx(), 'st', (cur) => ({ ...cur, spec: { ...cur.spec, paused: true }, status: { replicas: 99 } }));
  assert.deepEqual(m.obj.status, { replicas: 2 }, 'the status in a main write is dropped');
  assert.equal(m.obj.spec?.paused, true);
  // a kind without a status subresource stores status as any field
  const cm = await store('configmaps').create(ctx(), { metadata: { name: 'plain' }, data: {} });
  assert.equal(cm.status, undefined);
});

test('delete: at once without finalizers; kept with a deletionTimestamp until the last finalizer goes', async () => {
  await store('configmaps').create(ctx(), { metadata: { name: 'now' }, data: {} });
  const gone = await store('configmaps').delete(ctx(), 'now', {});
  assert.equal(gone.deleted, true);
  await assert.rejects(store('configmaps').get('default', 'now'), code(404));

  await store('configmaps').create(ctx(), { metadata: { name: 'held', finalizers: ['example.com/hold'] }, data: {} });
  const kept = await store('configmaps').delete(ctx(), 'held', {});
  assert.equal(kept.deleted, false);
  assert.ok(kept.obj.metadata.deletionTimestamp);
  assert.equal(kept.obj.metadata.deletionGracePeriodSeconds, 0);
  await assert.rejects(
    store('configmaps').update(ctx(), 'held', (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: ['example.com/hold', 'example.com/new'] } })),
    code(403, 'Forbidden'),
  );
  const again = await store('configmaps').delete(ctx(), 'held', {});
  assert.equal(again.obj.metadata.deletionTimestamp, kept.obj.metadata.deletionTimestamp, 'a second delete changes nothing');
  await store('configmaps').update(ctx(), 'held', (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: [] } }));
  assert.equal(await storage.get(objectKey(store('configmaps').kind, 'default', 'held')), undefined, 'removing the last finalizer deletes it');
});

test('delete: propagation policies add their finalizers; preconditions are checked', async () => {
  const cm = await store('configmaps').create(ctx(), { metadata: { name: 'orphans' }, data: {} });
  await assert.rejects(store('configmaps').delete(ctx(), 'orphans', { preconditions: { uid: 'other' } }), code(409, 'Conflict'));
  await assert.rejects(store('configmaps').delete(ctx(), 'orphans', { preconditions: { resourceVersion: '1' } }), code(409, 'Conflict'));
  const kept = await store('configmaps').delete(ctx(), 'orphans', { propagationPolicy: 'Orphan', preconditions: { uid: cm.metadata.uid } });
  assert.deepEqual(kept.obj.metadata.finalizers, ['orphan']);
  await store('configmaps').create(ctx(), { metadata: { name: 'fg' }, data: {} });
  assert.deepEqual((await store('configmaps').delete(ctx(), 'fg', { propagationPolicy: 'Foreground' })).obj.metadata.finalizers, ['foregroundDeletion']);
});

test('graceful deletion: a pod on a node is kept for its grace period, until deleted with grace 0', async () => {
  const pod = { metadata: { name: 'p' }, spec: { nodeName: 'n1', terminationGracePeriodSeconds: 20, containers: [{ name: 'c', image: 'busybox' }] } };
  await store('pods').create(ctx(), pod);
  const graceful = await store('pods').delete(ctx(), 'p', {});
  assert.equal(graceful.deleted, false);
  assert.equal(graceful.obj.metadata.deletionGracePeriodSeconds, 20);
  const shorter = await store('pods').delete(ctx(), 'p', { gracePeriodSeconds: 5 });
  assert.equal(shorter.obj.metadata.deletionGracePeriodSeconds, 5, 'a shorter grace period wins');
  assert.equal((await store('pods').delete(ctx(), 'p', { gracePeriodSeconds: 0 })).deleted, true);
  // a pod on no node goes at once
  await store('pods').create(ctx(), { ...pod, metadata: { name: 'unbound' }, spec: { containers: pod.spec.containers } });
  assert.equal((await store('pods').delete(ctx(), 'unbound', {})).deleted, true);
});

test('a namespace is deleted only once finalized: Terminating until /finalize empties spec.finalizers', async () => {
  const nsCtx = ctx({ namespace: undefined });
  const ns = await store('namespaces').create(nsCtx, { metadata: { name: 'doomed' } });
  assert.deepEqual(ns.spec?.finalizers, ['kubernetes']);
  const kept = await store('namespaces').delete(nsCtx, 'doomed', {});
  assert.equal(kept.deleted, false);
  assert.equal(kept.obj.status?.phase, 'Terminating');
  // an ordinary update cannot clear spec.finalizers, the finalize subresource can
  await store('namespaces').update(nsCtx, 'doomed', (cur) => ({ ...cur, spec: { finalizers: [] } }));
  assert.deepEqual((await store('namespaces').get(undefined, 'doomed')).spec?.finalizers, ['kubernetes']);
  const finalize = { merge: (next: KubeObject, old: KubeObject) => ({ ...old, spec: next.spec }), updateChecks: false };
  await store('namespaces').update(nsCtx, 'doomed', (cur) => ({ ...cur, spec: { finalizers: [] } }), finalize);
  assert.equal(await storage.get(objectKey(store('namespaces').kind, undefined, 'doomed')), undefined);
});

test('deletecollection deletes what the selector matches and returns it', async () => {
  for (const n of ['x1', 'x2', 'y1']) await store('configmaps').create(ctx(), { metadata: { name: `dc-${n}`, labels: { set: n[0] as string } }, data: {} });
  const deleted = await store('configmaps').deleteCollection(ctx(), 'default', { filter: buildFilter(store('configmaps').def, 'set=x') }, {});
  assert.deepEqual(deleted.map((o) => o.metadata.name).sort(), ['dc-x1', 'dc-x2']);
  const left = await store('configmaps').list('default', { filter: buildFilter(store('configmaps').def, 'set') });
  assert.deepEqual(left.items.map((o) => o.metadata.name), ['dc-y1']);
});

test('dry run: create, update and delete are checked and answered but nothing is written', async () => {
  const before = { ...storage.writes };
  const created = await store('configmaps').create(ctx({ dryRun: true }), { metadata: { name: 'dry' }, data: { a: '1' } });
  assert.equal(created.metadata.name, 'dry');
  await assert.rejects(store('configmaps').create(ctx({ dryRun: true }), { metadata: { name: 'Bad_Name' } }), code(422));
  assert.deepEqual(storage.writes, before);
  await store('configmaps').create(ctx(), { metadata: { name: 'wet' }, data: { a: '1' } });
  const afterCreate = { ...storage.writes };
  const updated = await store('configmaps').update(ctx({ dryRun: true }), 'wet', (cur) => ({ ...cur, data: { a: '2' } }));
  assert.deepEqual(updated.obj.data, { a: '2' });
  assert.equal((await store('configmaps').delete(ctx({ dryRun: true }), 'wet', {})).deleted, true);
  assert.deepEqual(storage.writes, afterCreate);
  assert.deepEqual((await store('configmaps').get('default', 'wet')).data, { a: '1' });
});

test('watch: events from the cache, filtered by the selector, resumed from a resourceVersion', async () => {
  const seen: string[] = [];
  const start = await store('configmaps').create(ctx(), { metadata: { name: 'w0', labels: { w: 'yes' } }, data: {} });
  const filter = buildFilter(store('configmaps').def, 'w=yes');
  const stop = await store('configmaps').watch('default', { filter, resourceVersion: start.metadata.resourceVersion }, (ev) => {
    seen.push(`${ev.type} ${ev.object.metadata.name}`);
    return true;
  }, () => undefined);
  await store('configmaps').create(ctx(), { metadata: { name: 'w1', labels: { w: 'yes' } }, data: {} });
  await store('configmaps').create(ctx(), { metadata: { name: 'other' }, data: {} });
  await store('configmaps').update(ctx(), 'w1', (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: {} } }));
  await store('configmaps').get('default', 'w1'); // a consistent read: the cache has every event by now
  stop();
  assert.deepEqual(seen, ['ADDED w1', 'DELETED w1'], 'leaving the selector is a DELETED');
});

test('managedFields: the write\'s field manager is recorded once the write is final; status writes apart, with their subresource', async () => {
  const fm = (manager: string, subresource?: string): Partial<WriteContext> => ({ fieldManager: { manager, apiVersion: 'apps/v1', ...(subresource ? { subresource } : {}) } });
  const d = store('deployments');
  const created = await d.create(ctx(fm('maker')), deployment('mf', { spec: { ...deployment('mf').spec as object, replicas: 1 } }));
  assert.deepEqual(created.metadata.managedFields?.map((e) => [e.manager, e.operation, e.subresource]), [['maker', 'Update', undefined]]);
  // defaults count as the creating manager's, as Kubernetes (which defaults while decoding) records them
  const spec = (created.metadata.managedFields?.[0]?.fieldsV1 as Record<string, Record<string, unknown>>)['f:spec'] ?? {};
  assert.ok(spec['f:replicas']);
  assert.ok(spec['f:revisionHistoryLimit']);
  const st = await d.update(ctx(fm('controller', 'status')), 'mf', (cur) => ({ ...cur, status: { replicas: 1 } }), STATUS_WRITE);
  assert.equal((spec['f:template'] as Record<string, unknown>)['.'], undefined, 'a struct is no member of its own');
  assert.equal(JSON.stringify(created.metadata.managedFields).includes('f:status'), false, 'status is the status writes\' to record');
  assert.deepEqual(st.obj.metadata.managedFields?.map((e) => [e.manager, e.subresource, JSON.stringify(e.fieldsV1)]).sort(), [
    ['controller', 'status', '{"f:status":{"f:replicas":{}}}'],
    ['maker', undefined, JSON.stringify(created.metadata.managedFields?.[0]?.fieldsV1)],
  ]);
  // an unchanged write stores nothing new
  const same = await d.update(ctx(fm('other')), 'mf', (cur) => cur);
  assert.equal(same.obj.metadata.resourceVersion, st.obj.metadata.resourceVersion);
  // the server's own writes (no field manager) are not recorded
  const own = await d.update(ctx(), 'mf', (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { x: 'y' } } }));
  assert.deepEqual(own.obj.metadata.managedFields?.map((e) => e.manager).sort(), ['controller', 'maker']);
});
