import { test } from 'node:test';
import assert from 'node:assert/strict';
import { R } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import { FakeApi, json, status } from '../testing/fake-api.js';
import { formErrors, objectsOf } from './deploy-form.js';
import { drain, drainPlan } from './nodes.js';
import { applyObjects, replaceObject } from './objects.js';

const form = { name: 'hello', namespace: 'default', image: 'nginx:1.27', replicas: 2, port: 8080, expose: true, serviceType: 'ClusterIP' as const };

test('the form makes a Deployment and a Service, as kubectl create deployment and expose would', () => {
  const [d, s] = objectsOf(form);
  assert.deepEqual(d?.spec, { replicas: 2, selector: { matchLabels: { app: 'hello' } }, template: { metadata: { labels: { app: 'hello' } }, spec: { containers: [{ name: 'hello', image: 'nginx:1.27', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] } } });
  assert.deepEqual(s?.spec, { type: 'ClusterIP', selector: { app: 'hello' }, ports: [{ name: 'tcp-8080', port: 8080, targetPort: 8080, protocol: 'TCP' }] });
  assert.equal(objectsOf({ ...form, expose: false }).length, 1);
  assert.deepEqual(formErrors(form), {});
  assert.deepEqual(Object.keys(formErrors({ ...form, name: 'Hello_World', image: ' ', replicas: -1, port: 70000 })).sort(), ['image', 'name', 'port', 'replicas']);
  assert.deepEqual(Object.keys(formErrors({ ...form, port: 0 })), ['port'], 'exposing needs a port');
});

test('applying dry-runs every object first; one refusal writes nothing', async () => {
  const api = new FakeApi();
  api.on((r) => (r.method === 'POST' && r.url.pathname.endsWith('/services') ? status(422, 'Service "hello" is invalid: spec.ports[0].port: Invalid value: 0', 'Invalid') : undefined));
  api.on((r) => (r.method === 'POST' ? json(201, JSON.parse(r.body ?? '{}')) : undefined));
  const { ok, results } = await applyObjects(api.client, Object.values(R), objectsOf(form), 'default');
  assert.equal(ok, false);
  assert.match(results[1]?.error ?? '', /spec\.ports\[0\]\.port/);
  assert.deepEqual(api.requests.map((r) => `${r.method} ${r.url.pathname} ${r.url.searchParams.get('dryRun')}`), ['POST /apis/apps/v1/namespaces/default/deployments All', 'POST /api/v1/namespaces/default/services All']);
});

test('applying an object that exists replaces it on top of the version read; unknown kinds are refused', async () => {
  const api = new FakeApi();
  api.on((r) => (r.method === 'POST' ? status(409, 'deployments.apps "hello" already exists', 'AlreadyExists') : undefined));
  api.on((r) => (r.method === 'GET' ? json(200, { metadata: { name: 'hello', resourceVersion: '41' } }) : undefined));
  api.on((r) => (r.method === 'PUT' ? json(200, { ...JSON.parse(r.body ?? '{}'), metadata: { resourceVersion: '42' } }) : undefined));
  const [d] = objectsOf(form);
  const { ok, results } = await applyObjects(api.client, Object.values(R), [d as KubeObject], 'default');
  assert.equal(ok, true, results[0]?.error);
  assert.equal(results[0]?.action, 'configured');
  const puts = api.requests.filter((r) => r.method === 'PUT');
  assert.deepEqual(puts.map((r) => r.url.searchParams.get('dryRun')), ['All', null]);
  assert.equal(JSON.parse(puts[1]?.body ?? '{}').metadata.resourceVersion, '41');
  const bad = await applyObjects(api.client, Object.values(R), [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }], 'default');
  assert.match(bad.results[0]?.error ?? '', /no kind "Widget" in version "example.com\/v1"/);
});

test('an edit is replaced after a dry run; a conflict (someone changed it meanwhile) is an error', async () => {
  const api = new FakeApi();
  api.on((r) => (r.url.searchParams.get('dryRun') ? json(200, {}) : status(409, 'the object has been modified; please apply your changes to the latest version and try again', 'Conflict')));
  await assert.rejects(replaceObject(api.client, R.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', resourceVersion: '3' } }), /has been modified/);
  assert.equal(api.requests.length, 2);
});

test('drain evicts the node\'s pods but DaemonSet and mirror pods; without an eviction API it deletes', async () => {
  const p = (name: string, node: string, extra: Partial<KubeObject['metadata']> = {}, phase = 'Running'): KubeObject => ({ metadata: { name, namespace: 'default', ...extra }, spec: { nodeName: node }, status: { phase } });
  const pods = [p('a', 'n1'), p('b', 'n2'), p('ds', 'n1', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'x', uid: 'u', controller: true }] }), p('static', 'n1', { annotations: { 'kubernetes.io/config.mirror': 'h' } }), p('done', 'n1', {}, 'Succeeded')];
  const plan = drainPlan('n1', pods);
  assert.deepEqual(plan.evict.map((x) => x.metadata.name), ['a', 'done']);
  assert.deepEqual(plan.skip.map((x) => x.reason), ['DaemonSet-managed', 'mirror pod']);
  const api = new FakeApi();
  api.on((r) => (r.method === 'PATCH' ? json(200, { metadata: { name: 'n1' } }) : undefined));
  api.on((r) => (r.method === 'DELETE' ? json(200, {}) : undefined)); // evictions fall through to the 404
  const out = await drain(api.client, 'n1', pods);
  assert.deepEqual(out, { evicted: 2, skipped: 2, errors: [] });
  assert.deepEqual(JSON.parse(api.requests[0]?.body ?? '{}'), { spec: { unschedulable: true } });
  assert.equal(api.requests[0]?.headers.get('content-type'), 'application/merge-patch+json');
  assert.deepEqual(api.requests.slice(1).map((r) => `${r.method} ${r.url.pathname}`).sort(), [
    'DELETE /api/v1/namespaces/default/pods/a', 'DELETE /api/v1/namespaces/default/pods/done',
    'POST /api/v1/namespaces/default/pods/a/eviction', 'POST /api/v1/namespaces/default/pods/done/eviction',
  ]);
});
