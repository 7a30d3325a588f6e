import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReconcileLoop, Reconciler, soonest, splitKey, type ReconcileResult } from './reconciler.js';
import { ApiError } from './rest.js';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
/** Lets every pending promise callback run (setImmediate is not among the mocked timers). */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('requeueAfter brings the key back after that long, not before', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const calls: number[] = [];
  const loop = new ReconcileLoop({
    name: 't',
    log: quiet,
    reconcile: async () => {
      calls.push(Date.now());
      return calls.length === 1 ? { requeueAfter: 30_000 } : {};
    },
  });
  const running = loop.run(1);
  loop.add('k');
  await flush();
  assert.deepEqual(calls, [0]);
  t.mock.timers.tick(29_999);
  await flush();
  assert.equal(calls.length, 1, 'not before 30 s');
  t.mock.timers.tick(1);
  await flush();
  assert.deepEqual(calls, [0, 30_000]);
  t.mock.timers.tick(600_000);
  await flush();
  assert.equal(calls.length, 2, 'no requeue asked: no more reconciles');
  loop.shutDown();
  await running;
});

test('a thrown error is retried with per-key back-off; success resets it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const calls: number[] = [];
  let failing = 3;
  const loop = new ReconcileLoop({
    name: 't',
    log: quiet,
    baseDelayMs: 1000,
    reconcile: async () => {
      calls.push(Date.now());
      if (failing-- > 0)
        throw new ApiError(409, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 409, reason: 'Conflict', message: 'modified' });
    },
  });
  const running = loop.run(1);
  loop.add('k');
  await flush();
  for (let i = 0; i < 8; i++) {
    t.mock.timers.tick(1000);
    await flush();
  }
  assert.deepEqual(calls, [0, 1000, 3000, 7000], 'retried after 1 s, 2 s, 4 s, then done');
  assert.equal(loop.queue.numRequeues('k'), 0, 'success forgets the failures');
  loop.shutDown();
  await running;
});

test('one key is never reconciled by two workers at once; adds meanwhile fold into one more reconcile', async () => {
  const gate = deferred();
  let inFlight = 0;
  let maxInFlight = 0;
  const seen: string[] = [];
  const loop = new ReconcileLoop({
    name: 't',
    log: quiet,
    reconcile: async (key) => {
      seen.push(key);
      if (key !== 'a') return;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (seen.filter((k) => k === 'a').length === 1) await gate.promise;
      inFlight--;
    },
  });
  const running = loop.run(4);
  loop.add('a');
  await flush();
  for (let i = 0; i < 5; i++) loop.add('a');
  loop.add('b');
  await flush();
  assert.deepEqual(seen, ['a', 'b'], 'other keys go on while a is held; a is not started twice');
  gate.resolve();
  await flush();
  assert.deepEqual(seen, ['a', 'b', 'a'], 'the five adds during the first reconcile give exactly one more');
  assert.equal(maxInFlight, 1);
  loop.shutDown();
  await running;
});

test('shutdown: reconciles in flight finish, nothing queued starts, run() resolves after them', async () => {
  const gate = deferred();
  const started: string[] = [];
  const finished: string[] = [];
  const loop = new ReconcileLoop({
    name: 't',
    log: quiet,
    reconcile: async (key) => {
      started.push(key);
      await gate.promise;
      finished.push(key);
    },
  });
  const abort = new AbortController();
  let resolved = false;
  const running = loop.run(1, abort.signal).then(() => (resolved = true));
  loop.add('first');
  loop.add('second');
  await flush();
  abort.abort();
  await flush();
  assert.equal(resolved, false, 'run() waits for the reconcile in flight');
  gate.resolve();
  await running;
  assert.deepEqual(started, ['first']);
  assert.deepEqual(finished, ['first']);
  loop.add('third');
  await flush();
  assert.deepEqual(started, ['first'], 'nothing runs after the shutdown');
});

test('a Reconciler syncs its informers before any worker runs, and does not run once aborted', async () => {
  const order: string[] = [];
  class Probe extends Reconciler {
    constructor() {
      super('probe');
    }
    protected async sync(): Promise<void> {
      order.push('sync');
    }
    async reconcile(key: string): Promise<ReconcileResult | void> {
      order.push(key);
    }
  }
  const p = new Probe();
  p.enqueue('early');
  const abort = new AbortController();
  const running = p.run(2, abort.signal);
  await flush();
  assert.deepEqual(order, ['sync', 'early']);
  abort.abort();
  await running;
  const aborted = new AbortController();
  aborted.abort();
  const q = new Probe();
  q.enqueue('never');
  await q.run(1, aborted.signal);
  assert.deepEqual(order, ['sync', 'early', 'sync']);
});

test('splitKey and soonest', () => {
  assert.deepEqual(splitKey('ns/name'), ['ns', 'name']);
  assert.deepEqual(splitKey('node-1'), [undefined, 'node-1']);
  assert.equal(soonest(undefined, 500, 200), 200);
  assert.equal(soonest(undefined), undefined);
});
