// The controller kit's helpers against the fake API: status writes that retry on conflict, finalizers, and
// createOrUpdate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/types.js';
import { CONFIGMAPS, DEPLOYMENTS, customKind, type Condition, type Deployment } from './builtin-types.js';
import { createOrUpdate, mergeOver } from './create-or-update.js';
import { FakeApiServer, apiError } from './fake.js';
import { addFinalizer, finalize, hasFinalizer, removeFinalizer } from './finalizers.js';
import { controllerRef } from './owners.js';
import { getCondition, setCondition, updateStatus } from './status.js';

const SITES = customKind({ group: 'sites.example.com', version: 'v1', kind: 'Website', plural: 'websites' });

test('updateStatus: a conflict re-reads the object and applies the change again; an unchanged status is not written', async () => {
  const api = new FakeApiServer().serve(SITES);
  const client = api.client();
  const site = api.seed(SITES, { metadata: { name: 's', namespace: 'default' }, spec: { replicas: 1 } });
  // someone else writes the object after we read it: our copy's resourceVersion is stale
  await client.patch(SITES, 's', { metadata: { labels: { touched: 'yes' } } }, 'merge', { namespace: 'default' });
  const stored = await updateStatus(client, SITES, site, (o) => void (o.status = { readyReplicas: 1 }));
  assert.deepEqual(stored.status, { readyReplicas: 1 });
  assert.equal(stored.metadata.labels?.touched, 'yes', 'written over the fresh object');
  assert.equal(api.actions.filter((a) => a.verb === 'update' && a.subresource === 'status').length, 2, 'one conflict, one retry');
  assert.equal(api.count('get', 'websites'), 1);
  const writes = api.actions.length;
  const same = await updateStatus(client, SITES, stored, (o) => void (o.status = { readyReplicas: 1 }));
  assert.equal(same, stored);
  assert.equal(api.actions.length, writes, 'no request for an unchanged status');
  // conflicts that never end give up after the attempts allowed
  api.reactors.push((a) => (a.subresource === 'status' ? apiError(409, 'Conflict', 'modified') : undefined));
  await assert.rejects(updateStatus(client, SITES, stored, (o) => void (o.status = { readyReplicas: 2 }), { attempts: 3 }), /modified/);
});

test('setCondition moves lastTransitionTime only when the status changes', () => {
  const cs: Condition[] = [];
  setCondition(cs, { type: 'Ready', status: 'False', reason: 'Progressing', lastTransitionTime: '2026-01-01T00:00:00Z' });
  setCondition(cs, { type: 'Ready', status: 'False', reason: 'StillProgressing', lastTransitionTime: '2026-01-02T00:00:00Z' });
  assert.equal(getCondition(cs, 'Ready')?.lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(getCondition(cs, 'Ready')?.reason, 'StillProgressing');
  setCondition(cs, { type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: '2026-01-03T00:00:00Z' });
  assert.equal(getCondition(cs, 'Ready')?.lastTransitionTime, '2026-01-03T00:00:00Z');
  assert.equal(cs.length, 1);
});

test('finalize(): adds the finalizer to a live object, runs cleanup on deletion, then lets the object go', async () => {
  const api = new FakeApiServer().serve(SITES);
  const client = api.client();
  const site = api.seed(SITES, { metadata: { name: 's', namespace: 'default', finalizers: ['other.io/keep'] } });
  const cleaned: string[] = [];
  const cleanup = async (o: KubeObject) => void cleaned.push(o.metadata.name as string);
  const live = await finalize(client, SITES, site, 'sites.example.com/cleanup', cleanup);
  assert.equal(live.deleted, false);
  assert.deepEqual(live.object?.metadata.finalizers, ['other.io/keep', 'sites.example.com/cleanup'], 'added beside the other finalizer');
  assert.deepEqual(cleaned, []);
  // adding again writes nothing
  const n = api.actions.length;
  await addFinalizer(client, SITES, live.object as KubeObject, 'sites.example.com/cleanup');
  assert.equal(api.actions.length, n);
  await client.delete(SITES, 's', { namespace: 'default' });
  const deleting = api.get(SITES, 's', 'default') as KubeObject;
  assert.ok(deleting.metadata.deletionTimestamp, 'the finalizers hold it');
  // a cleanup that fails keeps the finalizer
  await assert.rejects(finalize(client, SITES, deleting, 'sites.example.com/cleanup', async () => { throw new Error('external API down'); }), /external API down/);
  assert.ok(hasFinalizer(api.get(SITES, 's', 'default') as KubeObject, 'sites.example.com/cleanup'));
  const done = await finalize(client, SITES, deleting, 'sites.example.com/cleanup', cleanup);
  assert.equal(done.deleted, true);
  assert.deepEqual(cleaned, ['s']);
  assert.deepEqual(api.get(SITES, 's', 'default')?.metadata.finalizers, ['other.io/keep'], 'only ours removed');
  await removeFinalizer(client, SITES, api.get(SITES, 's', 'default') as KubeObject, 'other.io/keep');
  assert.equal(api.get(SITES, 's', 'default'), undefined, 'the last finalizer gone, the object is deleted');
});

test('finalizer writes race safely: a concurrent change (409) is re-read, never overwritten', async () => {
  const api = new FakeApiServer().serve(SITES);
  const client = api.client();
  const site = api.seed(SITES, { metadata: { name: 's', namespace: 'default' } });
  // another controller adds its finalizer after we read the object
  await client.patch(SITES, 's', { metadata: { finalizers: ['other.io/x'] } }, 'merge', { namespace: 'default' });
  const out = await addFinalizer(client, SITES, site, 'mine.io/y');
  assert.deepEqual(out?.metadata.finalizers, ['other.io/x', 'mine.io/y']);
});

test('createOrUpdate: creates with a controller reference, writes nothing when converged, merges over server fields', async () => {
  const api = new FakeApiServer().serve(SITES);
  const client = api.client();
  const owner = api.seed(SITES, { metadata: { name: 'blog', namespace: 'default' } });
  const desired = (image: string): Deployment => ({ metadata: { name: 'blog', namespace: 'default', labels: { app: 'blog' } },
    spec: { replicas: 2, selector: { matchLabels: { app: 'blog' } }, template: { metadata: { labels: { app: 'blog' } }, spec: { containers: [{ name: 'web', image }] } } } });
  const made = await createOrUpdate(client, DEPLOYMENTS, desired('web:v1'), { owner, ownerKind: SITES });
  assert.equal(made.operation, 'created');
  assert.equal(controllerRef(made.object)?.uid, owner.metadata.uid);
  assert.equal(controllerRef(made.object)?.kind, 'Website');
  // the server (or another writer) fills in fields we never state
  const filled = { spec: { template: { spec: { containers: [{ name: 'web', image: 'web:v1', imagePullPolicy: 'IfNotPresent' }] } }, progressDeadlineSeconds: 600 } };
  await client.patch(DEPLOYMENTS, 'blog', filled, 'merge', { namespace: 'default' });
  const writes = api.count('update', 'deployments');
  const same = await createOrUpdate(client, DEPLOYMENTS, desired('web:v1'), { owner, ownerKind: SITES });
  assert.equal(same.operation, 'unchanged');
  assert.equal(api.count('update', 'deployments'), writes, 'no write when converged');
  const changed = await createOrUpdate(client, DEPLOYMENTS, desired('web:v2'), { owner, ownerKind: SITES });
  assert.equal(changed.operation, 'updated');
  assert.equal(changed.object.spec?.template.spec.containers[0]?.image, 'web:v2');
  assert.equal(changed.object.spec?.template.spec.containers[0]?.imagePullPolicy, 'IfNotPresent', 'the server\'s fields stay');
  assert.equal(changed.object.spec?.progressDeadlineSeconds, 600);
  // an object of that name controlled by someone else is left alone
  const stranger = api.seed(SITES, { metadata: { name: 'other', namespace: 'default' } });
  await assert.rejects(createOrUpdate(client, DEPLOYMENTS, desired('web:v3'), { owner: stranger, ownerKind: SITES }), /controlled by Website blog/);
  // a create that loses the race to an informer that had not seen the object yet goes on as an update
  const cm = (a: string) => ({ metadata: { name: 'c', namespace: 'default' }, data: { a } });
  const racing = await createOrUpdate(client, CONFIGMAPS, cm('1'), { current: null });
  assert.equal(racing.operation, 'created');
  const again = await createOrUpdate(client, CONFIGMAPS, cm('2'), { current: null });
  assert.equal(again.operation, 'updated');
  assert.deepEqual(api.get(CONFIGMAPS, 'c', 'default')?.data, { a: '2' });
});

test('mergeOver: desired wins field by field; arrays take desired\'s length', () => {
  const base = { a: 1, b: { c: 2, d: 3 }, l: [{ x: 1, y: 2 }, { x: 3 }] };
  assert.deepEqual(mergeOver(base, { b: { c: 9 }, l: [{ x: 5 }] }), { a: 1, b: { c: 9, d: 3 }, l: [{ x: 5, y: 2 }] });
  assert.deepEqual(mergeOver(undefined, { a: [1, 2] }), { a: [1, 2] });
});

test('the package\'s entry point (package.json exports) is the kit', async () => {
  // a self-reference resolves through package.json's exports, as a third party's import would
  const kit = (await import('flotilla' as string)) as Record<string, unknown>;
  for (const name of ['Manager', 'Client', 'TypedClient', 'createOrUpdate', 'updateStatus', 'finalize', 'customKind']) {
    assert.equal(typeof kit[name], 'function', name);
  }
  assert.equal(kit.Manager, (await import('./manager.js')).Manager, 'the same module as lib/client/manager');
});
