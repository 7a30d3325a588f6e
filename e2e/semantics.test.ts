// Acceptance for API semantics users rely on, on the real stack: WebSocket and bookmark watches, status and
// binding subresources, graceful deletion with finalizers, terminating namespaces, generation, metrics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { TestCluster, apiFetch, credentialsFor, waitFor } from './harness.js';

let c: TestCluster;
before(async () => {
  c = await TestCluster.start({ apiserverArgs: ['--watch-bookmark-interval', '1', '--default-watch-cache-size', '20'] });
});
after(async () => {
  await c?.stop();
});

const CM = '/api/v1/namespaces/default/configmaps';
const PODS = '/api/v1/namespaces/default/pods';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
const merge = { 'Content-Type': 'application/merge-patch+json' };

test('a WebSocket watch delivers the same events as the chunked one', async () => {
  const rv = (await c.request('GET', CM)).body.metadata.resourceVersion;
  const { ca, cert, key } = credentialsFor(c.url);
  const ws = new WebSocket(`${c.url.replace('http', 'ws')}${CM}?watch=true&resourceVersion=${rv}`, { ca, cert, key });
  const got: Array<{ type: string; name: string }> = [];
  ws.on('message', (m) => {
    const ev = JSON.parse(m.toString());
    got.push({ type: ev.type, name: ev.object.metadata.name });
  });
  await new Promise((r) => ws.once('open', r));
  try {
    await c.request('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ws1' } });
    await c.request('DELETE', `${CM}/ws1`);
    await waitFor('both events over the WebSocket', async () => got.length >= 2);
    assert.deepEqual(got, [{ type: 'ADDED', name: 'ws1' }, { type: 'DELETED', name: 'ws1' }]);
  } finally {
    ws.close();
  }
});

test('allowWatchBookmarks brings BOOKMARK events whose resourceVersion resumes the watch', async () => {
  const rv = (await c.request('GET', CM)).body.metadata.resourceVersion;
  const ctrl = new AbortController();
  const r = await apiFetch(`${c.url}${CM}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`, { signal: ctrl.signal });
  const reader = (r.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  try {
    await waitFor('a bookmark', async () => {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
      return text.includes('"BOOKMARK"');
    }, 10_000, 0);
  } finally {
    ctrl.abort();
  }
  const bookmark = JSON.parse(text.split('\n').find((l) => l.includes('BOOKMARK')) as string);
  assert.equal(bookmark.object.kind, 'ConfigMap');
  assert.ok(Number(bookmark.object.metadata.resourceVersion) >= Number(rv));
  const resumed = await apiFetch(`${c.url}${CM}?watch=true&timeoutSeconds=1&resourceVersion=${bookmark.object.metadata.resourceVersion}`);
  assert.equal(resumed.status, 200);
  assert.doesNotMatch(await resumed.text(), /"ERROR"/);
});

test('a watch from a resourceVersion older than the cache window gets 410 Gone as an ERROR event', async () => {
  const old = (await c.request('GET', CM)).body.metadata.resourceVersion;
  for (let i = 0; i < 25; i++) await c.request('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `churn-${i}` } });
  const r = await apiFetch(`${c.url}${CM}?watch=true&resourceVersion=${old}&timeoutSeconds=1`);
  const first = JSON.parse((await r.text()).split('\n')[0] as string);
  assert.equal(first.type, 'ERROR');
  assert.equal(first.object.code, 410);
  assert.equal(first.object.reason, 'Expired');
});

test('/status changes only status, main writes never status, and generation follows the spec', async () => {
  const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'gen' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } };
  assert.equal((await c.request('POST', DEPLOY, { ...d, status: { replicas: 9 } })).body.status.replicas, undefined, 'status is not set on create');
  const s = await c.request('PATCH', `${DEPLOY}/gen/status`, { status: { replicas: 2 }, spec: { replicas: 50 } }, merge);
  assert.equal(s.body.status.replicas, 2);
  assert.equal(s.body.spec.replicas, 1, 'a status write does not change spec');
  assert.equal(s.body.metadata.generation, 1);
  const m = await c.request('PATCH', `${DEPLOY}/gen`, { status: { replicas: 7 }, metadata: { labels: { l: 'v' } } }, merge);
  assert.equal(m.body.status.replicas, 2, 'a main write does not change status');
  assert.equal(m.body.metadata.generation, 1, 'labels are not spec');
  const g = await c.request('PATCH', `${DEPLOY}/gen`, { spec: { replicas: 3 } }, merge);
  assert.equal(g.body.metadata.generation, 2);
});

test('finalizers hold a deleted object until the last one is removed', async () => {
  await c.request('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
  const del = await c.request('DELETE', `${CM}/fin`);
  assert.equal(del.status, 202);
  const held = await c.request('GET', `${CM}/fin`);
  assert.ok(held.body.metadata.deletionTimestamp);
  const added = await c.request('PATCH', `${CM}/fin`, { metadata: { finalizers: ['example.com/hold', 'example.com/new'] } }, merge);
  assert.equal(added.status, 403, 'no new finalizers on an object being deleted');
  await c.request('PATCH', `${CM}/fin`, { metadata: { finalizers: null } }, merge);
  assert.equal((await c.request('GET', `${CM}/fin`)).status, 404);
  await c.request('POST', DEPLOY.replace('/gen', ''), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fg' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
  await c.request('DELETE', `${DEPLOY}/fg`, { propagationPolicy: 'Foreground' });
  assert.deepEqual((await c.request('GET', `${DEPLOY}/fg`)).body.metadata.finalizers, ['foregroundDeletion']);
});

test('pods: binding sets the node once; a bound pod is deleted gracefully, an unbound one at once', async () => {
  const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const created = await c.request('POST', PODS, pod('p1'));
  assert.equal(created.body.status.phase, 'Pending');
  assert.equal(created.body.status.qosClass, 'BestEffort');
  const bind = await c.request('POST', `${PODS}/p1/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { kind: 'Node', name: 'n1' } });
  assert.equal(bind.status, 201);
  const bound = (await c.request('GET', `${PODS}/p1`)).body;
  assert.equal(bound.spec.nodeName, 'n1');
  assert.ok(bound.status.conditions.some((x: { type: string; status: string }) => x.type === 'PodScheduled' && x.status === 'True'));
  const again = await c.request('POST', `${PODS}/p1/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { kind: 'Node', name: 'n2' } });
  assert.equal(again.status, 409);
  const del = await c.request('DELETE', `${PODS}/p1`);
  assert.equal(del.status, 202);
  assert.equal(del.body.metadata.deletionGracePeriodSeconds, 30);
  const force = await c.request('DELETE', `${PODS}/p1`, { gracePeriodSeconds: 0 });
  assert.equal(force.status, 200);
  assert.equal((await c.request('GET', `${PODS}/p1`)).status, 404);
  await c.request('POST', PODS, pod('p2'));
  assert.equal((await c.request('DELETE', `${PODS}/p2`)).status, 200, 'an unscheduled pod goes at once');
});

test('a terminating namespace refuses new objects; metrics count requests', async () => {
  await c.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'going' } });
  const del = await c.request('DELETE', '/api/v1/namespaces/going');
  assert.equal(del.body.status.phase, 'Terminating');
  const r = await c.request('POST', '/api/v1/namespaces/going/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  assert.equal(r.status, 403);
  assert.match(r.body.message, /because it is being terminated/);
  const metrics = await (await apiFetch(`${c.url}/metrics`)).text();
  assert.match(metrics, /apiserver_request_total\{verb="CREATE",group="",resource="configmaps",subresource="",code="403"\} [1-9]/);
  assert.match(metrics, /apiserver_request_duration_seconds_bucket/);
  assert.match(metrics, /apiserver_longrunning_requests/);
});
