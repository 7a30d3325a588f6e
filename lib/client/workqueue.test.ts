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
