// Max in flight and request timeouts: seats per kind of request, 429 with Retry-After beyond them, long-running
// requests not counted, system:masters always answered; Go durations as kubectl sends ?timeout=.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestInfo } from '../http/request-info.js';
import { InflightLimiter, isLongRunning, parseGoDuration, requestDeadlineMs } from './inflight.js';

const info = (method: string, path: string, query = '') => requestInfo(method, path, new URLSearchParams(query));
const alice = { username: 'alice', groups: ['system:authenticated'] };
const root = { username: 'root', groups: ['system:masters', 'system:authenticated'] };

test('beyond the limit a request is refused 429 with Retry-After 1; a seat given back is free again', () => {
  const l = new InflightLimiter({ maxRequestsInflight: 2, maxMutatingRequestsInflight: 1 });
  const get = info('GET', '/api/v1/namespaces/a/pods');
  const r1 = l.acquire(get, alice);
  const r2 = l.acquire(get, alice);
  assert.deepEqual(l.inflight, { readOnly: 2, mutating: 0 });
  assert.throws(() => l.acquire(get, alice), (e: { code: number; reason: string; details?: { retryAfterSeconds?: number } }) => e.code === 429 && e.reason === 'TooManyRequests' && e.details?.retryAfterSeconds === 1);
  // reads and writes have their own seats
  const w = l.acquire(info('POST', '/api/v1/namespaces/a/pods'), alice);
  assert.throws(() => l.acquire(info('DELETE', '/api/v1/namespaces/a/pods/p'), alice), /Too many requests, please try again later\./);
  // system:masters is answered, without a seat
  assert.equal(l.acquire(get, root), undefined);
  r1?.();
  r1?.(); // giving a seat back twice frees it once
  assert.deepEqual(l.inflight, { readOnly: 1, mutating: 1 });
  assert.ok(l.acquire(get, alice));
  r2?.();
  w?.();
});

test('watches, logs, exec and proxy are long-running: no seat, no request timeout', () => {
  const l = new InflightLimiter({ maxRequestsInflight: 1, maxMutatingRequestsInflight: 1 });
  for (const [m, p, q] of [['GET', '/api/v1/pods', 'watch=true'], ['GET', '/api/v1/watch/pods', ''], ['GET', '/api/v1/namespaces/a/pods/p/log', 'follow=true'], ['POST', '/api/v1/namespaces/a/pods/p/exec', 'command=sh']] as const) {
    const i = info(m, p, q);
    assert.equal(isLongRunning(i), true, p);
    assert.equal(l.acquire(i, alice), undefined);
    assert.equal(requestDeadlineMs(i, new URLSearchParams(q), 60_000), undefined);
  }
  assert.deepEqual(l.inflight, { readOnly: 0, mutating: 0 });
});

test('the deadline: the server timeout, or the client\'s ?timeout= when shorter; 0 limits mean no limit', () => {
  const get = info('GET', '/api/v1/pods');
  assert.equal(requestDeadlineMs(get, new URLSearchParams(), 60_000), 60_000);
  assert.equal(requestDeadlineMs(get, new URLSearchParams('timeout=5s'), 60_000), 5000);
  assert.equal(requestDeadlineMs(get, new URLSearchParams('timeout=10m'), 60_000), 60_000);
  assert.equal(requestDeadlineMs(get, new URLSearchParams(), 0), undefined);
  const open = new InflightLimiter({ maxRequestsInflight: 0, maxMutatingRequestsInflight: 0 });
  for (let i = 0; i < 10; i++) assert.equal(open.acquire(get, alice), undefined);
});

test('Go durations', () => {
  assert.equal(parseGoDuration('1m30s'), 90_000);
  assert.equal(parseGoDuration('500ms'), 500);
  assert.equal(parseGoDuration('1.5h'), 5_400_000);
  assert.equal(parseGoDuration('32s'), 32_000);
  for (const bad of ['', '10', 's', '1x', '1s ', '-1s']) assert.equal(parseGoDuration(bad), undefined, bad);
});
