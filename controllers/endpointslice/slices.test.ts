import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { desiredEndpoints, type Endpoint } from './endpoints.js';
import { desiredEndpointsObject, planSlices } from './slices.js';

function service(spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', labels: { tier: 'front' } },
    spec: { selector: { app: 'web' }, clusterIP: '10.96.1.1', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...spec },
  };
}

let n = 0;
function pod(name: string, o: { ready?: boolean; ip?: string; port?: number; deleting?: boolean; phase?: string; hostname?: string } = {}): KubeObject {
  const ip = o.ip ?? `10.88.${Math.floor(++n / 250)}.${(n % 250) + 1}`;
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'node-1', ...(o.hostname ? { hostname: o.hostname, subdomain: 'web' } : {}), containers: [{ name: 'c', ports: [{ name: 'http', containerPort: o.port ?? 8080, protocol: 'TCP' }] }] },
    status: { phase: o.phase ?? 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

/** Applies a plan the way the API would, giving created slices names. */
function apply(existing: KubeObject[], plan: ReturnType<typeof planSlices>): KubeObject[] {
  const gone = new Set(plan.delete.map((s) => s.metadata.name));
  const updated = new Map(plan.update.map((s) => [s.metadata.name, s]));
  const out = existing.filter((s) => !gone.has(s.metadata.name)).map((s) => updated.get(s.metadata.name) ?? s);
  for (const s of plan.create) out.push({ ...s, metadata: { ...s.metadata, name: `web-${++n}`, uid: `slice-${n}` } });
  return out;
}

const conditionsOf = (groups: ReturnType<typeof desiredEndpoints>): Record<string, Endpoint['conditions']> =>
  Object.fromEntries(groups.flatMap((g) => g.endpoints.map((e) => [e.targetRef.name, e.conditions])));

test('conditions follow pod readiness; a terminating pod is serving but not ready; finished pods and pods without an IP are left out', () => {
  const pods = [pod('a'), pod('b', { ready: false }), pod('c', { deleting: true }), pod('d', { deleting: true, ready: false }), pod('e', { phase: 'Succeeded' })];
  const noIp = pod('f');
  noIp.status = { phase: 'Pending' };
  const groups = desiredEndpoints(service(), [...pods, noIp]);
  assert.deepEqual(conditionsOf(groups), {
    a: { ready: true, serving: true, terminating: false },
    b: { ready: false, serving: false, terminating: false },
    c: { ready: false, serving: true, terminating: true },
    d: { ready: false, serving: false, terminating: true },
  });
  // publishNotReadyAddresses: every endpoint counts as ready
  const published = desiredEndpoints(service({ publishNotReadyAddresses: true }), pods);
  assert.ok(Object.values(conditionsOf(published)).every((c) => c.ready));
  const ep = groups[0]?.endpoints[0] as Endpoint;
  assert.deepEqual(ep.targetRef, { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' });
  assert.equal(ep.nodeName, 'node-1');
});

test('a named targetPort is resolved per pod: pods serving it on different numbers go to different slices', () => {
  const groups = desiredEndpoints(service(), [pod('a', { port: 8080 }), pod('b', { port: 9090 }), pod('c', { port: 8080 })]);
  assert.equal(groups.length, 2);
  const plan = planSlices(service(), groups, []);
  assert.equal(plan.create.length, 2);
  const names = (s: KubeObject): string[] => (s.endpoints as Endpoint[]).map((e) => e.targetRef.name);
  const byPort = Object.fromEntries(plan.create.map((s) => [(s.ports as Array<{ port: number }>)[0]?.port, names(s)]));
  assert.deepEqual(byPort, { 8080: ['a', 'c'], 9090: ['b'] });
  const s = plan.create[0] as KubeObject;
  assert.deepEqual(s.metadata.labels, { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
  assert.equal(s.metadata.generateName, 'web-');
  assert.equal(s.addressType, 'IPv4');
  assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
  // a pod without a container port of that name serves no port of the Service
  const bare = pod('z');
  bare.spec.containers[0].ports = [];
  assert.deepEqual(desiredEndpoints(service(), [bare])[0]?.ports, []);
});

test('at most 100 endpoints per slice; a change rewrites only the slice it touches; new endpoints fill slices with room', () => {
  const pods = Array.from({ length: 250 }, (_, i) => pod(`p${String(i).padStart(3, '0')}`));
  let slices = apply([], planSlices(service(), desiredEndpoints(service(), pods), []));
  assert.deepEqual(slices.map((s) => (s.endpoints as unknown[]).length).sort(), [100, 100, 50]);
  // one pod goes: only its slice is written
  const fewer = pods.filter((p) => p.metadata.name !== 'p000');
  let plan = planSlices(service(), desiredEndpoints(service(), fewer), slices);
  assert.deepEqual([plan.create.length, plan.update.length, plan.delete.length], [0, 1, 0]);
  slices = apply(slices, plan);
  // one pod turns unready: one slice
  const flipped = fewer.map((p) => (p.metadata.name === 'p200' ? pod('p200', { ready: false, ip: p.status.podIP }) : p));
  plan = planSlices(service(), desiredEndpoints(service(), flipped), slices);
  assert.deepEqual([plan.create.length, plan.update.length, plan.delete.length], [0, 1, 0]);
  slices = apply(slices, plan);
  // two new pods: into a slice with room, no new slice
  plan = planSlices(service(), desiredEndpoints(service(), [...flipped, pod('q1'), pod('q2')]), slices);
  assert.deepEqual([plan.create.length, plan.delete.length], [0, 0]);
  slices = apply(slices, plan);
  assert.equal(slices.reduce((k, s) => k + (s.endpoints as unknown[]).length, 0), 251);
  assert.ok(slices.every((s) => (s.endpoints as unknown[]).length <= 100));
  // nothing changed: nothing written
  plan = planSlices(service(), desiredEndpoints(service(), [...flipped, pod('q1', { ip: findIp(slices, 'q1') }), pod('q2', { ip: findIp(slices, 'q2') })]), slices);
  assert.deepEqual([plan.create.length, plan.update.length, plan.delete.length], [0, 0, 0]);
});

function findIp(slices: KubeObject[], name: string): string {
  for (const s of slices) for (const e of s.endpoints as Endpoint[]) if (e.targetRef.name === name) return e.addresses[0] as string;
  throw new Error(`no endpoint for ${name}`);
}

test('a Service without endpoints keeps one empty slice; extra slices are deleted', () => {
  let slices = apply([], planSlices(service(), desiredEndpoints(service(), [pod('a'), pod('b', { port: 9090 })]), []));
  assert.equal(slices.length, 2);
  const plan = planSlices(service(), [], slices);
  assert.equal(plan.delete.length, 1);
  assert.equal(plan.update.length, 1);
  slices = apply(slices, plan);
  assert.deepEqual(slices.map((s) => [s.endpoints, s.ports]), [[[], []]]);
  assert.equal(planSlices(service(), [], []).create.length, 1);
  // a headless Service's slices carry the headless label
  const headless = planSlices(service({ clusterIP: 'None' }), [], []).create[0] as KubeObject;
  assert.equal(headless.metadata.labels?.['service.kubernetes.io/headless'], '');
});

test('the v1 Endpoints object: ready addresses, not-ready ones, terminating pods left out; hostname for a pod in the subdomain', () => {
  const groups = desiredEndpoints(service(), [pod('a', { ip: '10.88.0.10', hostname: 'a0' }), pod('b', { ip: '10.88.0.9', ready: false }), pod('c', { ip: '10.88.0.8', deleting: true })]);
  const ep = desiredEndpointsObject(service(), groups);
  assert.deepEqual(ep.subsets, [{
    addresses: [{ ip: '10.88.0.10', hostname: 'a0', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } }],
    notReadyAddresses: [{ ip: '10.88.0.9', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  }]);
  assert.equal(desiredEndpointsObject(service(), []).subsets, undefined);
});
