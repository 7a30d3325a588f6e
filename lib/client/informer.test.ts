import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { eventually, FakeApiServer } from './fake.js';
import { Informer, SharedInformerFactory } from './informer.js';

const CM = findByKind('v1', 'ConfigMap')!;
const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>): KubeObject => ({
  metadata: { name, namespace: 'default', labels },
  data,
});

function recorder(): {
  log: string[];
  handlers: { add: (o: KubeObject) => void; update: (a: KubeObject, b: KubeObject) => void; delete: (o: KubeObject) => void };
} {
  const log: string[] = [];
  return {
    log,
    handlers: {
      add: (o) => log.push(`add ${o.metadata.name}`),
      update: (_a, b) => log.push(`update ${b.metadata.name}`),
      delete: (o) => log.push(`delete ${o.metadata.name}`),
    },
  };
}

test('lists into the cache, then follows creates, updates and deletes through the watch', async (t) => {
  const api = new FakeApiServer();
  api.seed(CM, cm('before'));
  const inf = new Informer(api.client(), CM);
  t.after(() => inf.stop());
  const r = recorder();
  inf.onAdd(r.handlers.add).onUpdate(r.handlers.update).onDelete(r.handlers.delete);
  inf.addIndex('color', (o) => (o.metadata.labels?.color ? [o.metadata.labels.color] : []));
  inf.indexByNamespace().indexByNamespace();
  await inf.start();
  assert.ok(inf.hasSynced());
  assert.deepEqual(r.log, ['add before']);
  const client = api.client();
  await client.create(CM, cm('after', {}, { color: 'red' }));
  await client.patch(CM, 'before', { data: { x: '1' } }, 'merge', { namespace: 'default' });
  await client.delete(CM, 'before', { namespace: 'default' });
  await eventually('the delete', () => r.log.length === 4);
  assert.deepEqual(r.log, ['add before', 'add after', 'update before', 'delete before']);
  assert.deepEqual(
    inf.list().map((o) => o.metadata.name),
    ['after'],
  );
  assert.deepEqual(
    inf.byIndex('color', 'red').map((o) => o.metadata.name),
    ['after'],
  );
  assert.deepEqual(inf.byIndex('namespace', 'default').map((o) => o.metadata.name), ['after']);
});

test('an add handler registered after start first receives every cached object as an add', async (t) => {
  const api = new FakeApiServer();
  api.seed(CM, cm('a'));
  api.seed(CM, cm('b'));
  const factory = new SharedInformerFactory(api.client());
  t.after(() => factory.stop());
  const early = recorder();
  factory.informerFor(CM).onAdd(early.handlers.add);
  await factory.start();
  // a second controller joins the same shared informer late (as the scheduler does when handed a started factory)
  const late = recorder();
  factory.informerFor(CM).onAdd(late.handlers.add).onUpdate(late.handlers.update);
  assert.deepEqual(late.log.sort(), ['add a', 'add b']);
  await api.client().create(CM, cm('c'));
  await eventually('the new object', () => late.log.length === 3);
  assert.deepEqual(late.log.slice(2), ['add c'], 'then the watch as usual, nothing replayed twice');
  assert.deepEqual(early.log.sort(), ['add a', 'add b', 'add c']);
});

test('a handler that throws is logged and skipped: the other handlers get the event and the watch goes on', async (t) => {
  const api = new FakeApiServer();
  const inf = new Informer(api.client(), CM);
  t.after(() => inf.stop());
  const r = recorder();
  inf.onAdd(() => {
    throw new Error('handler bug');
  });
  inf
    .onAdd(r.handlers.add)
    .onUpdate(() => {
      throw new Error('another bug');
    })
    .onUpdate(r.handlers.update);
  await inf.start();
  const client = api.client();
  await client.create(CM, cm('x'));
  await client.patch(CM, 'x', { data: { k: 'v' } }, 'merge', { namespace: 'default' });
  await client.create(CM, cm('y'));
  await eventually('every event', () => r.log.length === 3);
  assert.deepEqual(r.log, ['add x', 'update x', 'add y']);
  assert.equal(api.count('list', 'configmaps'), 1, 'no re-list');
  assert.equal(api.count('watch', 'configmaps'), 1, 'the watch was not restarted');
});

test('a watch that ends resumes where it left off; one that expired (410) re-lists and delivers what vanished', async (t) => {
  const api = new FakeApiServer();
  api.seed(CM, cm('keep'));
  api.seed(CM, cm('doomed'));
  const inf = new Informer(api.client(), CM);
  t.after(() => inf.stop());
  const r = recorder();
  inf.onAdd(r.handlers.add).onUpdate(r.handlers.update).onDelete(r.handlers.delete);
  await inf.start();
  const client = api.client();

  api.closeWatches();
  await client.create(CM, cm('while-away'));
  await eventually('the create made while the watch was down', () => inf.get('while-away', 'default'));
  assert.equal(api.count('list', 'configmaps'), 1, 'resumed from its resourceVersion, no re-list');

  api.holdWatches();
  await client.delete(CM, 'doomed', { namespace: 'default' });
  api.compact(); // the held delete never reaches the watch history
  api.closeWatches();
  api.releaseWatches();
  await eventually('the re-list', () => !inf.get('doomed', 'default'));
  assert.equal(api.count('list', 'configmaps'), 2);
  assert.ok(r.log.includes('delete doomed'), 'the vanished object is delivered as a delete');
  assert.ok(inf.get('keep', 'default'));
});

test('a label-selected informer sees only its objects', async (t) => {
  const api = new FakeApiServer();
  api.seed(CM, cm('mine', {}, { app: 'x' }));
  api.seed(CM, cm('other', {}, { app: 'y' }));
  const inf = new Informer(api.client(), CM, { labelSelector: 'app=x' });
  t.after(() => inf.stop());
  await inf.start();
  await api.client().create(CM, cm('mine-too', {}, { app: 'x' }));
  await api.client().create(CM, cm('not-mine', {}, { app: 'y' }));
  await eventually('the new one', () => inf.get('mine-too', 'default'));
  assert.deepEqual(
    inf
      .list()
      .map((o) => o.metadata.name)
      .sort(),
    ['mine', 'mine-too'],
  );
});
