import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceCache, type CacheEvent, type CacheWatcher } from './cache.js';
import type { KubeObject } from '../../lib/api/types.js';

const obj = (name: string, rv: number, ns = 'default'): KubeObject => ({ metadata: { name, namespace: ns, resourceVersion: String(rv) } });
const P = '/registry/core/configmaps/';

test('the cache applies puts and deletes, lists in key order, and pages after a key', () => {
  const c = new ResourceCache(P, 100);
  c.reset([], 10);
  c.apply({ type: 'put', key: `${P}default/b`, rev: 11, obj: obj('b', 11) });
  c.apply({ type: 'put', key: `${P}default/a`, rev: 12, obj: obj('a', 12) });
  c.apply({ type: 'put', key: `${P}other/c`, rev: 13, obj: obj('c', 13, 'other') });
  assert.deepEqual(c.list().map((o) => o.metadata.name), ['a', 'b', 'c']);
  assert.deepEqual(c.list(`${P}default/`).map((o) => o.metadata.name), ['a', 'b']);
  assert.deepEqual(c.list(P, `${P}default/a`).map((o) => o.metadata.name), ['b', 'c']);
  c.apply({ type: 'delete', key: `${P}default/a`, rev: 14 });
  assert.deepEqual(c.list().map((o) => o.metadata.name), ['b', 'c']);
});

test('events since a revision come from the window; older than the window is gone', () => {
  const c = new ResourceCache(P, 3);
  c.reset([], 10);
  for (let r = 11; r <= 15; r++) c.apply({ type: 'put', key: `${P}default/x`, rev: r, obj: obj('x', r) });
  // Window of 3 holds revisions 13, 14, 15: resuming from 12 or later is possible, from 11 is not.
  assert.deepEqual(c.eventsSince(12)?.map((e) => e.rev), [13, 14, 15]);
  assert.deepEqual(c.eventsSince(14)?.map((e) => e.rev), [15]);
  assert.equal(c.eventsSince(11), undefined);
  assert.equal(c.oldestAvailable(), 13);
});

test('a deleted object is delivered with the deletion revision, and slow watchers are dropped', () => {
  const c = new ResourceCache(P, 10);
  c.reset([{ key: `${P}default/x`, obj: obj('x', 5) }], 5);
  const got: CacheEvent[] = [];
  let closed = '';
  const w: CacheWatcher = { prefix: P, deliver: (ev) => (got.push(ev), got.length < 2), close: (r) => (closed = r) };
  c.watchers.add(w);
  c.apply({ type: 'put', key: `${P}default/x`, rev: 6, obj: obj('x', 6) });
  c.apply({ type: 'delete', key: `${P}default/x`, rev: 7 });
  assert.deepEqual(got.map((e) => [e.type, e.obj.metadata.resourceVersion]), [['MODIFIED', '6'], ['DELETED', '7']]);
  assert.match(closed, /behind/);
  assert.equal(c.watchers.size, 0);
});
