import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject, WatchEvent } from '../../lib/api/types.js';
import type { CacheEvent, CacheWatcher, ResourceCache } from '../storage/cache.js';
import type { ObjectFilter } from './types.js';
import { startWatcher } from './watcher.js';

const everything: ObjectFilter = { isEverything: true, matches: () => true };
const cm = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'd' } });
const fakeCache = () => ({ watchers: new Set<CacheWatcher>() });
const live = (name: string): CacheEvent => ({ type: 'ADDED', key: `/registry/configmaps/d/${name}`, obj: cm(name) } as unknown as CacheEvent);

// a watch-list of a large collection: the client's buffer holds two events at a time
test('with drain, the first events are written as the client takes them, then the live ones held meanwhile, in order', async () => {
  const cache = fakeCache();
  const written: string[] = [];
  let buffered = 0;
  let drains = 0;
  const first: WatchEvent[] = Array.from({ length: 10 }, (_, i) => ({ type: 'ADDED', object: cm(`c${i}`) }));
  startWatcher(cache as unknown as ResourceCache, '/registry/configmaps/', everything, first, {
    send: (ev) => {
      written.push(ev.object.metadata.name as string);
      return ++buffered < 2;
    },
    onClose: () => assert.fail('the watch was ended'),
    drain: async () => {
      drains++;
      await new Promise((r) => setImmediate(r));
      buffered = 0;
    },
  });
  const [w] = [...cache.watchers];
  assert.ok(w, 'registered at once, before the first events are all written');
  assert.equal(w.deliver(live('late-1')), true);
  assert.equal(w.deliver(live('late-2')), true);
  // each drain takes one turn of the event loop: wait turns, not milliseconds (a loaded machine stretches those)
  const turns = async (until: () => boolean) => {
    for (let turn = 0; turn < 1000 && !until(); turn++) await new Promise((r) => setImmediate(r));
  };
  await turns(() => written.length === first.length + 2);
  assert.deepEqual(written, [...first.map((e) => e.object.metadata.name), 'late-1', 'late-2']);
  assert.ok(drains >= 5);
  // once caught up (the last write's drain done), a live event goes straight out
  await turns(() => buffered === 0);
  await new Promise((r) => setImmediate(r));
  w.deliver(live('late-3'));
  assert.equal(written.at(-1), 'late-3');
});

test('without drain, first events that overflow the client\'s buffer end the watch instead of stalling it', () => {
  const cache = fakeCache();
  const closed: string[] = [];
  const first: WatchEvent[] = [{ type: 'ADDED', object: cm('a') }, { type: 'ADDED', object: cm('b') }];
  startWatcher(cache as unknown as ResourceCache, '/registry/configmaps/', everything, first, { send: () => false, onClose: (r) => closed.push(r) });
  assert.deepEqual(closed, ['the watcher fell too far behind']);
  assert.equal(cache.watchers.size, 0);
});
