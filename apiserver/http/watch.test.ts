import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchTimeoutMs } from './watch.js';

test('a watch lives its timeoutSeconds, else --min-request-timeout times a random factor from 1 to 2', () => {
  assert.equal(watchTimeoutMs('30', 1800), 30_000);
  assert.equal(watchTimeoutMs(null, 1800, () => 0), 1_800_000);
  assert.equal(watchTimeoutMs(null, 1800, () => 0.5), 2_700_000);
  assert.equal(watchTimeoutMs(null, 2, () => 0.999), 3998);
  for (const bad of ['0', '-5', 'abc', '']) assert.equal(watchTimeoutMs(bad, 10, () => 0.25), 12_500, bad);
});
