import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linuxResources } from './config.js';

test('cgroup settings: shares from the cpu request, quota from its limit, memory limit; swap capped at it where accounted', () => {
  const c = { name: 'web', image: 'web', resources: { requests: { cpu: '250m' }, limits: { cpu: '500m', memory: '32Mi' } } };
  const mib32 = 32 * 1024 * 1024;
  assert.deepEqual(linuxResources(c, true), { cpuShares: 256, cpuPeriod: 100000, cpuQuota: 50000, memoryLimitInBytes: mib32, memorySwapLimitInBytes: mib32 });
  assert.equal(linuxResources(c, false).memorySwapLimitInBytes, undefined);
  // no memory limit: no swap limit either (0 would mean "unlimited" only by accident)
  assert.deepEqual(linuxResources({ name: 'idle', image: 'idle' }, true), { cpuShares: 2, cpuPeriod: 100000 });
});
