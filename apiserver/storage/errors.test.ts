import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BrokenCircuitError } from 'cockatiel';
import { GRPCDeadlineExceededError, GRPCUnavailableError, GRPCResourceExhastedError } from 'etcd3';
import { ApiError } from '../errors.js';
import { storageError } from './errors.js';

const EP = ['http://127.0.0.1:2379'];

test("the etcd client's open circuit breaker is a 503 that names etcd, not a 500 with the client's words", () => {
  const e = storageError(new BrokenCircuitError(), EP);
  assert.ok(e instanceof ApiError);
  assert.equal(e.code, 503);
  assert.equal(e.reason, 'ServiceUnavailable');
  assert.match(e.message, /^storage is unavailable: etcd at http:\/\/127\.0\.0\.1:2379/);
  assert.doesNotMatch(e.message, /circuit breaker/);
  assert.equal(e.details?.retryAfterSeconds, 1);
});

test('etcd unreachable is 503, out of time is 504, anything else passes through unchanged', () => {
  const down = storageError(new GRPCUnavailableError('14 UNAVAILABLE: No connection established'), EP) as ApiError;
  assert.equal(down.code, 503);
  assert.match(down.message, /does not answer \(No connection established\)/);
  assert.equal((storageError(new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED: Deadline exceeded'), EP) as ApiError).code, 504);
  const other = new GRPCResourceExhastedError('8 RESOURCE_EXHAUSTED: too big');
  assert.equal(storageError(other, EP), other);
  const compacted = new Error('etcdserver: mvcc: required revision has been compacted');
  assert.equal(storageError(compacted, EP), compacted);
});
