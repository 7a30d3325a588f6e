import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartBackoff } from './backoff.js';

test('delays double from the initial delay up to the maximum', () => {
  const b = new RestartBackoff({ initialMs: 1000, maxMs: 10_000, resetAfterMs: 60_000 });
  assert.deepEqual([0, 0, 0, 0, 0, 0].map(() => b.next(5)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
  assert.equal(b.consecutiveFailures, 6);
});

test('a run that lasted resetAfterMs starts the back-off over; a shorter one does not', () => {
  const b = new RestartBackoff({ initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 });
  b.next(0);
  b.next(0);
  assert.equal(b.next(59_999), 2000, 'a run just under the window keeps doubling');
  assert.equal(b.next(60_000), 500, 'a healthy run resets');
  assert.equal(b.next(10), 1000);
});

test('defaults: 1 s doubling to 30 s, reset after a minute', () => {
  const b = new RestartBackoff();
  const delays = Array.from({ length: 8 }, () => b.next(0));
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  assert.equal(b.next(120_000), 1000);
});

test('many failures never overflow the delay', () => {
  const b = new RestartBackoff({ initialMs: 1000, maxMs: 5000 });
  for (let i = 0; i < 10_000; i++) b.next(0);
  assert.equal(b.next(0), 5000);
});
