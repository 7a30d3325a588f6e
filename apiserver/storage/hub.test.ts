// CacheHub against a scripted etcd: priming page by page at one revision, fragmented watch responses, re-opened
// watches that repeat part of a revision, and the history replay that fills the windows after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { CacheHub, type CacheEvent } from './cache.js';
import type { RawEvent, Storage, StorageWatch, Stored, WatchBatch } from './storage.js';

const CM = '/registry/core/configmaps/';
const SECRETS = '/registry/core/secrets/';
const obj = (name: string, rev: number): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', resourceVersion: String(rev) } });
const put = (prefix: string, name: string, rev: number): RawEvent => ({ type: 'put', key: `${prefix}default/${name}`, rev, obj: obj(name, rev) });

interface OpenWatch {
  from: number;
  onEvents: WatchBatch;
  onConnection: (up: boolean) => void;
  cancelled: boolean;
}

/** Just enough of a Storage for the hub: a revision, pages of stored objects, and watches the test drives. */
class ScriptedEtcd {
  revision = 0;
  objects: Stored[] = [];
  pageCalls: Array<{ prefix: string; revision: number }> = [];
  watches: OpenWatch[] = [];
  pageSize = 3;

  async currentRevision(): Promise<number> {
    return this.revision;
  }

  async *pages(prefix: string, revision: number): AsyncGenerator<Stored[]> {
    const all = this.objects.filter((s) => s.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : 1));
    for (let i = 0; i < all.length; i += this.pageSize) {
      this.pageCalls.push({ prefix, revision });
      yield all.slice(i, i + this.pageSize);
    }
  }

  async compactedPast(): Promise<boolean> {
    return false;
  }

  async watch(_prefix: string, from: number, onEvents: WatchBatch, _onError: (e: Error) => void, onConnection: (up: boolean) => void): Promise<StorageWatch> {
    const w: OpenWatch = { from, onEvents, onConnection, cancelled: false };
    this.watches.push(w);
    return { cancel: async () => void (w.cancelled = true) };
  }

  get live(): OpenWatch {
    const w = this.watches[this.watches.length - 1];
    assert.ok(w && !w.cancelled, 'a watch is open');
    return w;
  }
}

const hubOn = (etcd: ScriptedEtcd, window = 100) => new CacheHub(etcd as unknown as Storage, window);

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), what);
}

test('the caches are primed page by page, every resource at the one revision the list started at', async () => {
  const etcd = new ScriptedEtcd();
  for (let i = 0; i < 10; i++) etcd.objects.push({ key: `${CM}default/cm-${i}`, obj: obj(`cm-${i}`, 5), rev: 5 });
  for (let i = 0; i < 4; i++) etcd.objects.push({ key: `${SECRETS}default/s-${i}`, obj: obj(`s-${i}`, 6), rev: 6 });
  etcd.revision = 42;
  const hub = hubOn(etcd, 1);
  const cms = hub.register(CM);
  const secrets = hub.register(SECRETS);
  await hub.start();
  assert.equal(cms.size, 10);
  assert.equal(secrets.size, 4);
  assert.equal(hub.rev, 42);
  assert.deepEqual(new Set(etcd.pageCalls.map((c) => c.revision)), new Set([42]));
  assert.equal(etcd.pageCalls.filter((c) => c.prefix === CM).length, 4, '10 objects in pages of 3');
  await hub.stop();
});

test('a revision etcd split into fragments is complete only after its last fragment, and a re-opened watch does not repeat it', async () => {
  const etcd = new ScriptedEtcd();
  etcd.revision = 10;
  const hub = hubOn(etcd, 1);
  const cms = hub.register(CM);
  await hub.start();
  const seen: CacheEvent[] = [];
  cms.watchers.add({ prefix: CM, deliver: (ev) => (seen.push(ev), true), close: () => undefined });

  etcd.live.onEvents([put(CM, 'a', 11), put(CM, 'b', 12), put(CM, 'c', 12)], 12, true);
  assert.equal(hub.rev, 11, 'revision 12 may have more events to come');

  // the stream drops before the last fragment: the hub re-opens from the first revision it hasn't completed
  etcd.revision = 12;
  etcd.live.onConnection(false);
  await until('the watch is re-opened', () => etcd.watches.length === 2);
  assert.ok(etcd.watches[0]?.cancelled, 'the dropped watch is cancelled, not left to resume on its own');
  assert.equal(etcd.live.from, 12);
  etcd.live.onEvents([put(CM, 'b', 12), put(CM, 'c', 12), put(CM, 'd', 12)], 12, false);
  assert.equal(hub.rev, 12);
  assert.deepEqual(seen.map((e) => `${e.type} ${e.obj.metadata.name}@${e.rev}`), ['ADDED a@11', 'ADDED b@12', 'ADDED c@12', 'ADDED d@12']);
  assert.deepEqual(cms.list().map((o) => o.metadata.name), ['a', 'b', 'c', 'd']);
  await hub.stop();
});

test('after a restart the history before the list fills the windows; a watch resuming from it waits for the replay', async () => {
  const etcd = new ScriptedEtcd();
  etcd.objects.push({ key: `${CM}default/x`, obj: obj('x', 9), rev: 9 });
  etcd.revision = 9;
  const hub = hubOn(etcd, 100);
  const cms = hub.register(CM);
  await hub.start();
  assert.equal(etcd.live.from, 1, 'the watch starts a window earlier than the list');
  assert.equal(cms.eventsSince(7), undefined, 'nothing before the list until the replay arrives');
  let replayed = false;
  void hub.historyReplayed().then(() => (replayed = true));

  // the history arrives in fragments; the one that ends at the list's revision is not the end of it yet
  etcd.live.onEvents([put(CM, 'x', 7), put(CM, 'y', 8)], 9, true);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(replayed, false);
  etcd.live.onEvents([{ type: 'put', key: `${CM}default/x`, rev: 9, obj: obj('x', 9), prev: obj('x', 7) }], 9, false);
  await hub.historyReplayed();
  assert.deepEqual(cms.eventsSince(7)?.map((e) => `${e.type} ${e.obj.metadata.name}@${e.rev}`), ['ADDED y@8', 'MODIFIED x@9']);
  assert.equal(cms.size, 1, 'history does not change the objects listed');

  etcd.live.onEvents([put(CM, 'z', 10)], 10, false);
  assert.deepEqual(cms.eventsSince(9)?.map((e) => e.obj.metadata.name), ['z']);
  assert.equal(cms.size, 2);
  await hub.stop();
});
