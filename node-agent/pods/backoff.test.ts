import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, exitedAtMs, goDuration, restartDecision } from './backoff.js';

const S = 1000;

test('a container failing at once restarts at 0, +10 s, +20 s, +40 s ... up to 5 min between starts', () => {
  const b = new Backoff();
  const starts: number[] = [];
  let exitedAt = -1;
  // a sync every 100 ms; each start fails right away (exits at the start time)
  for (let now = 0; now <= 1000 * S; now += 100) {
    if (exitedAt >= 0 && !restartDecision(b, 'pod/c', exitedAt, now).restart) continue;
    starts.push(now);
    exitedAt = now;
  }
  const gaps = starts.slice(1).map((t, i) => (t - (starts[i] as number)) / S);
  assert.deepEqual(gaps.slice(0, 8), [0.1, 10, 20, 40, 80, 160, 300, 300]);
  assert.equal(starts.filter((t) => t <= 40 * S).length - 1, 3, 'restartCount after 40 s');
});

test('the back-off is measured from when the container exited, whatever its start time was', () => {
  const b = new Backoff();
  assert.deepEqual(restartDecision(b, 'k', 1000, 1000), { restart: true }, 'the first restart is immediate');
  // a StartError container: never started (startedAt 0); exited just now
  assert.deepEqual(restartDecision(b, 'k', 2000, 2500), { restart: false, delay: 10 * S, retryInMs: 9500 });
  assert.deepEqual(restartDecision(b, 'k', 2000, 11_999), { restart: false, delay: 10 * S, retryInMs: 1 });
  assert.deepEqual(restartDecision(b, 'k', 2000, 12_000), { restart: true });
  assert.equal(b.delay('k'), 20 * S);
  assert.deepEqual(restartDecision(b, 'k', 12_100, 20_000), { restart: false, delay: 20 * S, retryInMs: 12_100 + 20 * S - 20_000 });
});

test('a container that ran longer than 10 min since its last restart starts over at 10 s', () => {
  const b = new Backoff();
  let now = 0;
  let exited = 0;
  // six restarts of a container that fails at once: the delay has grown to its maximum
  for (let i = 0; i < 6; i++) {
    while (!restartDecision(b, 'k', exited, now).restart) now += 1000;
    exited = now;
  }
  assert.equal(b.delay('k'), 300 * S);
  const lastStart = now;
  // runs 10 min and a bit, then crashes: restarted at once, the next delay is 10 s again
  const crashed = lastStart + 600 * S + 1;
  assert.deepEqual(restartDecision(b, 'k', crashed, crashed + 5), { restart: true });
  assert.equal(b.delay('k'), 10 * S);
  // one that ran 9 min keeps doubling (capped)
  const b2 = new Backoff();
  restartDecision(b2, 'k', 0, 0);
  restartDecision(b2, 'k', 0, 20 * S);
  assert.equal(b2.delay('k'), 20 * S);
  assert.deepEqual(restartDecision(b2, 'k', 20 * S + 540 * S, 20 * S + 540 * S), { restart: false, delay: 20 * S, retryInMs: 20 * S });
});

test('image-pull back-off: remaining time from the last try, forgotten on reset', () => {
  const b = new Backoff();
  assert.equal(b.remaining('img', 0), 0);
  assert.equal(b.next('img', 0), 10 * S);
  assert.equal(b.remaining('img', 4 * S), 6 * S);
  assert.equal(b.next('img', 10 * S), 20 * S);
  assert.equal(b.remaining('img', 25 * S), 5 * S);
  b.reset('img');
  assert.equal(b.remaining('img', 25 * S), 0);
  b.next('p1/a', 0);
  b.next('p2/a', 0);
  b.forgetPrefix('p1/');
  assert.equal(b.delay('p1/a'), 0);
  assert.equal(b.delay('p2/a'), 10 * S);
});

test('when a container exited: its finish time, else its creation', () => {
  assert.equal(exitedAtMs({ createdAt: 1e15, finishedAt: 2e15 }, 5), 2e9);
  assert.equal(exitedAtMs({ createdAt: 1e15, finishedAt: 0 }, 5), 1e9);
  assert.equal(exitedAtMs({ createdAt: 0, finishedAt: 0 }, 5), 5);
});

test('delays are printed as Go prints a time.Duration', () => {
  assert.deepEqual([10, 20, 40, 80, 160, 300].map((s) => goDuration(s * S)), ['10s', '20s', '40s', '1m20s', '2m40s', '5m0s']);
  assert.equal(goDuration(3600 * S), '1h0m0s');
});
