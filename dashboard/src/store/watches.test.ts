import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi, immediate, json, stream, until } from '../testing/fake-api.js';
import { Watches } from './watches.js';

function api() {
  const a = new FakeApi();
  a.on((r) => (r.url.searchParams.get('watch') ? stream().response : json(200, { kind: 'List', metadata: { resourceVersion: '1' }, items: [] })));
  return a;
}
const watchesOpen = (a: FakeApi, path: string) => a.requests.filter((r) => r.url.pathname === path && r.url.searchParams.get('watch')).length;

test('views of the same collection share one watch, which outlives its last view only briefly', async () => {
  const a = api();
  const w = new Watches(a.client, immediate, 20);
  const one = w.acquire({ path: '/api/v1/pods' });
  const two = w.acquire({ path: '/api/v1/pods' });
  assert.equal(one.watcher, two.watcher);
  await until('the watch', () => watchesOpen(a, '/api/v1/pods') === 1);
  one.release();
  two.release();
  two.release(); // a second release of the same hold is harmless
  assert.equal(w.streams, 1, 'lingering');
  const again = w.acquire({ path: '/api/v1/pods' });
  assert.equal(again.watcher, one.watcher, 'picked up again while lingering');
  again.release();
  await until('the linger to end', () => w.size === 0);
  assert.equal(one.watcher.running, false);
});

test('a page keeps at most four watch connections: lingering ones close first, others wait for a free one', async () => {
  const a = api();
  const w = new Watches(a.client, immediate, 60_000, 4);
  const held = ['a', 'b', 'c'].map((n) => w.acquire({ path: `/api/v1/${n}` }));
  const idle = w.acquire({ path: '/api/v1/idle' });
  idle.release(); // lingers, holding a connection
  assert.equal(w.streams, 4);
  const d = w.acquire({ path: '/api/v1/d' });
  assert.equal(idle.watcher.running, false, 'the lingering watch gave its connection away');
  assert.equal(d.watcher.running, true);
  const e = w.acquire({ path: '/api/v1/e' });
  assert.equal(e.watcher.running, false, 'waits: every connection is in use');
  assert.equal(w.streams, 4);
  held[0]?.release();
  assert.equal(held[0]?.watcher.running, false, 'no lingering while another view waits');
  assert.equal(e.watcher.running, true);
  const f = w.acquire({ path: '/api/v1/f' });
  assert.equal(f.watcher.running, false);
  w.reset();
  assert.equal(w.streams, 0);
});

test('a waiting watch starts when a connection frees up', async () => {
  const a = api();
  const w = new Watches(a.client, immediate, 5, 1);
  const first = w.acquire({ path: '/api/v1/one' });
  const second = w.acquire({ path: '/api/v1/two' });
  assert.equal(second.watcher.running, false);
  first.release();
  await until('the second to start', () => second.watcher.running);
  assert.equal(first.watcher.running, false);
  w.reset();
});
