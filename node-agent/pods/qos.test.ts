import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { milli, milliCPUToQuota, milliCPUToShares, podCpuConfig, podCpuLimitMilli, podCpuRequestMilli, podQOSClass, qosClassOf, sharesToWeight } from './qos.js';

type Res = { requests?: Record<string, string>; limits?: Record<string, string> };
const pod = (containers: Res[], init: Array<Res & { restartPolicy?: 'Always' }> = [], extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u1' },
  spec: { containers: containers.map((resources, i) => ({ name: `c${i}`, image: 'x', resources })),
    initContainers: init.map(({ restartPolicy, ...resources }, i) => ({ name: `i${i}`, image: 'x', resources, restartPolicy })), ...extra },
});

test('QoS class: BestEffort without requests or limits, Guaranteed with cpu and memory limits equal to requests everywhere, else Burstable', () => {
  assert.equal(podQOSClass(pod([{}, {}])), 'BestEffort');
  // zero amounts count as none
  assert.equal(podQOSClass(pod([{ requests: { cpu: '0' } }])), 'BestEffort');
  assert.equal(podQOSClass(pod([{ requests: { cpu: '100m' } }])), 'Burstable');
  assert.equal(podQOSClass(pod([{ limits: { memory: '32Mi' }, requests: { memory: '32Mi' } }])), 'Burstable');
  const g = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1Gi' } };
  assert.equal(podQOSClass(pod([g, g])), 'Guaranteed');
  // one container without limits, or one with a request below its limit, makes the pod Burstable
  assert.equal(podQOSClass(pod([g, {}])), 'Burstable');
  assert.equal(podQOSClass(pod([g, { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }])), 'Burstable');
  // init containers count too
  assert.equal(podQOSClass(pod([g], [{}])), 'Burstable');
  assert.equal(podQOSClass(pod([{}], [{ requests: { cpu: '10m' } }])), 'Burstable');
  // limits alone (requests defaulted from them by the API server, or not): Guaranteed
  assert.equal(podQOSClass(pod([{ limits: { cpu: '200m', memory: '64Mi' } }])), 'Guaranteed');
  // status.qosClass, as the API server computed it, wins
  assert.equal(qosClassOf({ ...pod([{}]), status: { qosClass: 'Burstable' } }), 'Burstable');
  assert.equal(qosClassOf({ ...pod([{}]), status: {} }), 'BestEffort');
});

test('millicores round up; cpu.shares = milli*1024/1000 (at least 2); quota = milli*period/1000 (at least 1 ms); v2 weight', () => {
  assert.equal(milli('250m'), 250);
  assert.equal(milli('0.1'), 100);
  assert.equal(milli('1.5'), 1500);
  assert.equal(milli('100u'), 1); // 0.1 millicore rounds up
  assert.equal(milli(undefined), 0);
  assert.equal(milliCPUToShares(250), 256);
  assert.equal(milliCPUToShares(100), 102);
  assert.equal(milliCPUToShares(2000), 2048);
  assert.equal(milliCPUToShares(1), 2);
  assert.equal(milliCPUToShares(0), 2);
  assert.equal(milliCPUToShares(1_000_000), 262144);
  assert.equal(milliCPUToQuota(200), 20000);
  assert.equal(milliCPUToQuota(5), 1000);
  assert.equal(milliCPUToQuota(0), 0);
  assert.equal(sharesToWeight(2), 1);
  assert.equal(sharesToWeight(1024), 39);
  assert.equal(sharesToWeight(262144), 10000);
  assert.equal(sharesToWeight(256), 10);
});

test('pod cpu request and limit: app containers and sidecars summed, the largest init container if more, plus overhead', () => {
  assert.equal(podCpuRequestMilli(pod([{ requests: { cpu: '100m' } }, { requests: { cpu: '150m' } }, {}])), 250);
  // a regular init container larger than the app containers decides
  assert.equal(podCpuRequestMilli(pod([{ requests: { cpu: '100m' } }], [{ requests: { cpu: '500m' } }])), 500);
  // a sidecar runs beside the app containers and beside the init containers after it
  assert.equal(podCpuRequestMilli(pod([{ requests: { cpu: '100m' } }], [{ requests: { cpu: '50m' }, restartPolicy: 'Always' }, { requests: { cpu: '200m' } }])), 250);
  assert.equal(podCpuRequestMilli(pod([{ requests: { cpu: '100m' } }], [{ requests: { cpu: '50m' }, restartPolicy: 'Always' }])), 150);
  assert.equal(podCpuRequestMilli(pod([{ requests: { cpu: '100m' } }], [], { overhead: { cpu: '10m' } })), 110);
  // a limit without a request is the request
  assert.equal(podCpuRequestMilli(pod([{ limits: { cpu: '300m' } }])), 300);
  assert.equal(podCpuLimitMilli(pod([{ limits: { cpu: '200m' } }, { limits: { cpu: '300m' } }])), 500);
  assert.equal(podCpuLimitMilli(pod([{ limits: { cpu: '200m' } }, {}])), undefined, 'no quota unless every container has a cpu limit');
  assert.equal(podCpuLimitMilli(pod([{ limits: { cpu: '200m' } }], [{}])), undefined);
});

test('pod cgroup cpu settings: BestEffort 2 shares; Burstable shares from requests, a quota when every container has a limit', () => {
  assert.deepEqual(podCpuConfig(pod([{}])), { shares: 2 });
  assert.deepEqual(podCpuConfig(pod([{ requests: { cpu: '250m' } }])), { shares: 256 });
  // the HPA test's burner: requests 100m, limits 200m
  assert.deepEqual(podCpuConfig(pod([{ requests: { cpu: '100m' }, limits: { cpu: '200m' } }])), { shares: 102, quotaUs: 20000, periodUs: 100000 });
  // memory only: Burstable with the minimum shares
  assert.deepEqual(podCpuConfig(pod([{ limits: { memory: '32Mi' }, requests: { memory: '32Mi' } }])), { shares: 2 });
  const g = { requests: { cpu: '500m', memory: '64Mi' }, limits: { cpu: '500m', memory: '64Mi' } };
  assert.deepEqual(podCpuConfig(pod([g, g])), { shares: 1024, quotaUs: 100000, periodUs: 100000 });
});
