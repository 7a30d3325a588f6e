// The LimitRanger, Priority and ResourceQuota admission plugins with fakes: defaults and bounds in Kubernetes'
// words, a priority from its class, and quota charges that refuse past the hard limit, wait for the controller's
// status, name missing compute requests, and retry a compare-and-swap that lost a race (never charging twice).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError, errors } from '../errors.js';
import { admitLimitRanges } from './limit-ranger.js';
import { admitPriority } from './priority.js';
import { admitQuota } from './resource-quota.js';

const POD = findByKind('v1', 'Pod')!;
const CM = findByKind('v1', 'ConfigMap')!;

const pod = (resources?: Record<string, Record<string, string>>, spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'app', image: 'x', ...(resources ? { resources } : {}) }], ...spec },
});
const forbidden = (re: RegExp) => (e: unknown): boolean => e instanceof ApiError && e.code === 403 && re.test(e.message);

test('LimitRanger: defaults fill what a container leaves out, recorded in the annotation; min, max and ratio refuse', () => {
  const lr: KubeObject = { metadata: { name: 'lr', namespace: 'ns' }, spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '200m' },
    min: { cpu: '100m' }, max: { cpu: '1' }, maxLimitRequestRatio: { cpu: '4' } }] } };
  const p = pod();
  admitLimitRanges(p, [lr]);
  assert.deepEqual(p.spec.containers[0].resources, { limits: { cpu: '500m' }, requests: { cpu: '200m' } });
  assert.equal(p.metadata.annotations?.['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu request for container app; cpu limit for container app');
  // a container with a limit of its own gets that as its request, not defaultRequest
  const own = pod({ limits: { cpu: '800m' } });
  admitLimitRanges(own, [lr]);
  assert.deepEqual(own.spec.containers[0].resources, { limits: { cpu: '800m' }, requests: { cpu: '800m' } });
  assert.throws(() => admitLimitRanges(pod({ limits: { cpu: '2' }, requests: { cpu: '1' } }), [lr]), forbidden(/^pods "p" is forbidden: maximum cpu usage per Container is 1, but limit is 2$/));
  assert.throws(() => admitLimitRanges(pod({ requests: { cpu: '50m' }, limits: { cpu: '100m' } }), [lr]), forbidden(/minimum cpu usage per Container is 100m, but request is 50m/));
  assert.throws(() => admitLimitRanges(pod({ requests: { cpu: '100m' }, limits: { cpu: '1' } }), [lr]),
    forbidden(/cpu max limit to request ratio per Container is 4, but provided ratio is 10.000000/));
});

test('Priority: the class gives spec.priority and the preemption policy; a missing class or a contradicting priority refuse', async () => {
  const classes: KubeObject[] = [{ metadata: { name: 'high' }, value: 1000, preemptionPolicy: 'Never' }, { metadata: { name: 'dflt' }, value: 7, globalDefault: true }];
  const p = pod(undefined, { priorityClassName: 'high' });
  await admitPriority(p, classes);
  assert.deepEqual([p.spec.priority, p.spec.preemptionPolicy], [1000, 'Never']);
  const d = pod();
  await admitPriority(d, classes);
  assert.deepEqual([d.spec.priority, d.spec.priorityClassName, d.spec.preemptionPolicy], [7, 'dflt', 'PreemptLowerPriority']);
  const none = pod();
  await admitPriority(none, []);
  assert.equal(none.spec.priority, 0);
  await assert.rejects(admitPriority(pod(undefined, { priorityClassName: 'nope' }), classes), forbidden(/^pods "p" is forbidden: no PriorityClass with name nope was found$/));
  await assert.rejects(admitPriority(pod(undefined, { priorityClassName: 'high', priority: 5 }), classes),
    forbidden(/the integer value of priority \(5\) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name/));
  const late = pod(undefined, { priorityClassName: 'new' });
  await admitPriority(late, [], async (n) => (n === 'new' ? { metadata: { name: 'new' }, value: 3 } : undefined));
  assert.equal(late.spec.priority, 3);
});

function quota(hard: Record<string, string>, used?: Record<string, string>, rv = '1', scopes?: string[]): KubeObject {
  return { metadata: { name: 'q', namespace: 'ns', resourceVersion: rv }, spec: { hard, ...(scopes ? { scopes } : {}) },
    status: used ? { hard, used } : {} };
}

test('ResourceQuota: a charge within the quota is written with the quota\'s resourceVersion; past it, Kubernetes\' message', async () => {
  const written: KubeObject[] = [];
  const d = { quotas: async () => [quota({ pods: '2', 'requests.cpu': '1' }, { pods: '1', 'requests.cpu': '500m' })], updateQuotaStatus: async (q: KubeObject) => void written.push(q) };
  await admitQuota(d, POD, pod({ requests: { cpu: '300m' } }), false);
  assert.deepEqual(written.map((q) => [q.metadata.resourceVersion, q.status.used]), [['1', { pods: '2', 'requests.cpu': '800m' }]]);
  await assert.rejects(admitQuota(d, POD, pod({ requests: { cpu: '600m' } }), false),
    forbidden(/^pods "p" is forbidden: exceeded quota: q, requested: requests.cpu=600m, used: requests.cpu=500m, limited: requests.cpu=1$/));
  await assert.rejects(admitQuota(d, POD, pod(), false), forbidden(/^pods "p" is forbidden: failed quota: q: must specify requests.cpu for: app$/));
  written.length = 0;
  await admitQuota(d, POD, pod({ requests: { cpu: '100m' } }), true);
  assert.equal(written.length, 0, 'a dry run charges nothing');
});

test('ResourceQuota: no status yet refuses; scopes choose the pods; other kinds count by name', async () => {
  const none = { quotas: async () => [quota({ configmaps: '1' })], updateQuotaStatus: async () => undefined };
  await assert.rejects(admitQuota(none, CM, { metadata: { name: 'c', namespace: 'ns' } }, false), forbidden(/^configmaps "c" is forbidden: status unknown for quota: q, resources: configmaps$/));
  const full = { quotas: async () => [quota({ pods: '0' }, { pods: '0' }, '1', ['BestEffort'])], updateQuotaStatus: async () => undefined };
  await admitQuota(full, POD, pod({ requests: { cpu: '1' } }), false); // not BestEffort: the quota doesn't apply
  await assert.rejects(admitQuota(full, POD, pod(), false), forbidden(/exceeded quota: q, requested: pods=1, used: pods=0, limited: pods=0/));
});

test('ResourceQuota: a lost compare-and-swap is computed again from the newer quota, which may then refuse', async () => {
  let stored = quota({ configmaps: '2' }, { configmaps: '1' }, '5');
  let conflicts = 0;
  const d = {
    quotas: async () => [stored],
    updateQuotaStatus: async (q: KubeObject) => {
      if (q.metadata.resourceVersion !== stored.metadata.resourceVersion) {
        conflicts++;
        throw errors.conflict(findByKind('v1', 'ResourceQuota')!, 'q');
      }
      stored = { ...q, metadata: { ...q.metadata, resourceVersion: String(Number(q.metadata.resourceVersion) + 1) } };
    },
  };
  // another create takes the last unit between this one's read and its write
  const cm = { metadata: { name: 'c', namespace: 'ns' } };
  const racing = { ...d, quotas: async () => {
    const seen = [stored];
    if (!conflicts) stored = quota({ configmaps: '2' }, { configmaps: '2' }, '6');
    return seen;
  } };
  await assert.rejects(admitQuota(racing, CM, cm, false), forbidden(/exceeded quota: q, requested: configmaps=1, used: configmaps=2, limited: configmaps=2/));
  assert.equal(conflicts, 1);
  assert.equal(stored.status.used.configmaps, '2', 'charged once, by the other create');
});
