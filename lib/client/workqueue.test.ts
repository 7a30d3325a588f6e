import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './workqueue.js';

test('an item is queued once, and re-queued after done() when added while processing', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  q.add('a');
  q.add('b');
  assert.equal(q.len(), 2);
  const first = await q.get();
  assert.equal(first, 'a');
  q.add('a'); // while processing: remembered, not handed out twice
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
  q.done('a');
  assert.equal(await q.get(), 'a');
  q.done('a');
  q.done('b');
  q.shutDown();
  assert.equal(await q.get(), undefined);
});

test('failures back off per item and forget() resets the count', async () => {
  const q = new WorkQueue<string>({ baseDelayMs: 5 });
  q.addRateLimited('x');
  q.addRateLimited('x');
  assert.equal(q.numRequeues('x'), 2);
  assert.equal(q.len(), 0, 'a rate-limited item is not queued at once');
  assert.equal(await q.get(), 'x');
  q.forget('x');
  assert.equal(q.numRequeues('x'), 0);
  q.shutDown();
});

test('a waiting get() receives the next add()', async () => {
  const q = new WorkQueue<number>();
  const p = q.get();
  q.add(7);
  assert.equal(await p, 7);
  q.shutDown();
});

test('addAfter keeps one pending entry per item, and the earliest wins', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const q = new WorkQueue<string>();
  q.addAfter('a', 10_000);
  q.addAfter('a', 40_000); // later: the 10 s entry stands
  q.addAfter('a', 5_000); // earlier: replaces it
  q.addAfter('b', 7_000);
  assert.equal(q.waitingLen(), 2, 'one pending entry per item');
  t.mock.timers.tick(4_999);
  assert.equal(q.len(), 0);
  t.mock.timers.tick(1);
  assert.equal(q.len(), 1, 'a is due at 5 s');
  t.mock.timers.tick(2_000);
  assert.equal(q.len(), 2, 'b is due at 7 s');
  t.mock.timers.tick(60_000);
  assert.equal(q.len(), 2, 'the replaced 10 s and 40 s entries never fire');
  assert.equal(q.waitingLen(), 0);
  q.shutDown();
});

test('an item due while it is being processed is handed out again only after done()', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const q = new WorkQueue<string>();
  q.add('a');
  assert.equal(await q.get(), 'a');
  q.addAfter('a', 100);
  t.mock.timers.tick(100);
  assert.equal(q.len(), 0, 'not queued while a worker holds it');
  q.done('a');
  assert.equal(q.len(), 1);
  q.shutDown();
});

test('rate-limited retries double per item, capped, and are due at those times', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const q = new WorkQueue<string>({ baseDelayMs: 100, maxDelayMs: 300 });
  const dueAfter = (): number => {
    let ms = 0;
    while (q.len() === 0 && ms < 10_000) {
      t.mock.timers.tick(1);
      ms++;
    }
    return ms;
  };
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    q.addRateLimited('x');
    delays.push(dueAfter());
    q.done((await q.get()) as string);
  }
  assert.deepEqual(delays, [100, 200, 300, 300]);
  q.forget('x');
  q.addRateLimited('x');
  assert.equal(dueAfter(), 100, 'forget() starts the back-off over');
  q.shutDown();
});

test('the overall bucket holds retries of many items back once its burst is spent', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const q = new WorkQueue<number>({ baseDelayMs: 1, qps: 10, burst: 2 });
  for (let i = 0; i < 4; i++) q.addRateLimited(i);
  t.mock.timers.tick(1);
  assert.equal(q.len(), 2, 'the burst goes at once');
  t.mock.timers.tick(99);
  assert.equal(q.len(), 3, 'then one per 100 ms');
  t.mock.timers.tick(100);
  assert.equal(q.len(), 4);
  q.shutDown();
});

test('after shutDown nothing is handed out, not even what was queued, and pending delays are dropped', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const q = new WorkQueue<string>();
  const waiting = q.get();
  q.shutDown();
  assert.equal(await waiting, undefined, 'a waiting get() returns');
  const q2 = new WorkQueue<string>();
  q2.add('queued');
  q2.addAfter('later', 100);
  q2.shutDown();
  assert.equal(await q2.get(), undefined);
  q2.add('new');
  t.mock.timers.tick(1_000);
  assert.equal(q2.len(), 1, 'only the item queued before the shutdown remains, never handed out');
  assert.equal(q2.waitingLen(), 0);
});
