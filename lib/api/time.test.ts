import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rfc3339, rfc3339Micro } from './time.js';

test('metav1.Time drops the milliseconds; MicroTime pads them to microseconds', () => {
  const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  assert.equal(rfc3339(at), '2026-01-02T03:04:05Z');
  assert.equal(rfc3339(new Date(at)), '2026-01-02T03:04:05Z');
  assert.equal(rfc3339Micro(at), '2026-01-02T03:04:05.678000Z');
  assert.match(rfc3339(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});
