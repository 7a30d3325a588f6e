import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/types.js';
import { CONFIGMAPS, customKind, type ConfigMap } from './builtin-types.js';
import { FakeApiServer, apiError, eventually } from './fake.js';
import { Manager } from './manager.js';
import { newControllerRef } from './owners.js';

const SITES = customKind({ group: 'sites.example.com', version: 'v1', kind: 'Website', plural: 'websites' });

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('two controllers reading the same kinds share one LIST and one WATCH per kind', async () => {
  const api = new FakeApiServer().serve(SITES);
  api.seed(CONFIGMAPS, { metadata: { name: 'a', namespace: 'default' } });
  const mgr = new Manager({ client: api.client(), name: 'shared' });
  const seen = { one: new Set<string>(), two: new Set<string>() };
  mgr.controller('one').for(CONFIGMAPS).owns(SITES).complete(async (req) => void seen.one.add(req.key));
  mgr.controller('two').for(SITES).owns(CONFIGMAPS).complete(async (req) => void seen.two.add(req.key));
  const running = mgr.start();
  await eventually('controller one reconciled the ConfigMap', () => seen.one.has('default/a'));
  assert.equal(api.count('watch', 'configmaps'), 1);
  assert.equal(api.count('watch', 'websites'), 1);
  assert.equal(api.count('list', 'configmaps'), 1);
  assert.equal(api.count('list', 'websites'), 1);
  await mgr.stop();
  await running;
});

test('owns(kind): a change to an owned object requeues its controller owner, and only that', async () => {
  const api = new FakeApiServer().serve(SITES);
  const client = api.client();
  const site = api.seed(SITES, { metadata: { name: 'blog', namespace: 'web' }, spec: {} });
  const other = api.seed(SITES, { metadata: { name: 'shop', namespace: 'web' }, spec: {} });
  const mgr = new Manager({ client, name: 'owns' });
  const keys: string[] = [];
  mgr.controller('sites').for(SITES).owns(CONFIGMAPS).complete(async (req) => void keys.push(req.key));
  const running = mgr.start();
  await eventually('both sites reconciled once', () => keys.includes('web/blog') && keys.includes('web/shop'));
  const before = keys.length;
  await client.create(CONFIGMAPS, { metadata: { name: 'blog-content', namespace: 'web', ownerReferences: [newControllerRef(site, 'sites.example.com/v1', 'Website')] }, data: { a: '1' } });
  await eventually('the owner requeued by its child\'s creation', () => keys.slice(before).includes('web/blog'));
  const afterCreate = keys.length;
  await client.patch(CONFIGMAPS, 'blog-content', { data: { a: '2' } }, 'merge', { namespace: 'web' });
  await eventually('the owner requeued by its child\'s change', () => keys.slice(afterCreate).includes('web/blog'));
  const afterPatch = keys.length;
  await client.delete(CONFIGMAPS, 'blog-content', { namespace: 'web' });
  await eventually('the owner requeued by its child\'s deletion', () => keys.slice(afterPatch).includes('web/blog'));
  // a ConfigMap owned by nobody, or by another kind, requeues nothing
  await client.create(CONFIGMAPS, { metadata: { name: 'loose', namespace: 'web' } });
  await client.create(CONFIGMAPS, { metadata: { name: 'foreign', namespace: 'web', ownerReferences: [{ ...newControllerRef(other, 'apps/v1', 'Deployment') }] } });
  const mark = keys.length;
  await client.patch(CONFIGMAPS, 'loose', { data: { a: '1' } }, 'merge', { namespace: 'web' });
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(keys.slice(mark), [], `nothing requeued by unowned ConfigMaps: ${keys.slice(mark)}`);
  await mgr.stop();
  await running;
});

test('failures are retried with back-off, {requeue: true} comes back, and the metrics count it all', async () => {
  const api = new FakeApiServer();
  api.seed(CONFIGMAPS, { metadata: { name: 'x', namespace: 'default' } });
  const mgr = new Manager({ client: api.client(), name: 'metrics', metricsPort: 0 });
  let calls = 0;
  const times: number[] = [];
  mgr.controller('flaky').for(CONFIGMAPS).rateLimit({ baseDelayMs: 20 }).complete(async () => {
    times.push(Date.now());
    calls++;
    if (calls <= 3) throw new Error(`failure ${calls}`);
    if (calls === 4) return { requeue: true };
  });
  const running = mgr.start();
  await eventually('five reconciles', () => calls >= 5);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(calls, 5, 'a success ends the retries');
  // the per-key back-off doubles: 20, 40, 80 ms after the three failures (never less)
  const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
  assert.ok((gaps[0] as number) >= 19 && (gaps[1] as number) >= 39 && (gaps[2] as number) >= 79, `back-off gaps ${gaps}`);
  const addr = mgr.metricsAddress;
  assert.ok(addr);
  const res = await fetch(`http://127.0.0.1:${addr.port}/metrics`);
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, /controller_runtime_reconcile_errors_total\{controller="flaky"\} 3/);
  assert.match(text, /controller_runtime_reconcile_total\{controller="flaky",result="error"\} 3/);
  assert.match(text, /controller_runtime_reconcile_total\{controller="flaky",result="requeue"\} 1/);
  assert.match(text, /controller_runtime_reconcile_total\{controller="flaky",result="success"\} 1/);
  assert.match(text, /controller_runtime_reconcile_time_seconds_count\{controller="flaky"\} 5/);
  assert.match(text, /workqueue_depth\{name="flaky"\} 0/);
  assert.match(text, /workqueue_retries_total\{name="flaky"\} 4/);
  assert.equal((await fetch(`http://127.0.0.1:${addr.port}/readyz`)).status, 200);
  await mgr.stop();
  await running;
});

test('stop() lets the reconcile in flight finish, starts no other, and start() resolves', async () => {
  const api = new FakeApiServer();
  const client = api.client();
  api.seed(CONFIGMAPS, { metadata: { name: 'slow', namespace: 'default' } });
  const mgr = new Manager({ client, name: 'graceful' });
  const gate = deferred();
  const entered = deferred();
  let finished = 0;
  let started = 0;
  mgr.controller('slow').for(CONFIGMAPS).complete(async () => {
    started++;
    entered.resolve();
    await gate.promise;
    finished++;
  });
  let resolved = false;
  const running = mgr.start().then(() => (resolved = true));
  await entered.promise;
  const stopping = mgr.stop();
  await client.patch(CONFIGMAPS, 'slow', { data: { b: '1' } }, 'merge', { namespace: 'default' });
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(resolved, false, 'start() waits for the reconcile in flight');
  gate.resolve();
  await stopping;
  await running;
  assert.equal(resolved, true);
  assert.equal(finished, 1, 'the reconcile in flight finished');
  assert.equal(started, 1, 'no reconcile started after stop()');
});

test('leader election: of two managers on one Lease only the leader reconciles; its stop hands over at once', async () => {
  const api = new FakeApiServer();
  api.seed(CONFIGMAPS, { metadata: { name: 'c', namespace: 'default' } });
  const reconciledBy: string[] = [];
  const make = (id: string) => {
    const mgr = new Manager({ client: api.client(), name: 'le', leaderElection: { namespace: 'kube-system', identity: id, retryPeriodMs: 20, leaseDurationSeconds: 60 } });
    mgr.controller('c').for(CONFIGMAPS).complete(async () => void reconciledBy.push(id));
    return mgr;
  };
  const a = make('a');
  const runA = a.start();
  await eventually('a leads and reconciles', () => reconciledBy.includes('a'));
  const b = make('b');
  const runB = b.start();
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(b.isLeader(), false);
  assert.ok(!reconciledBy.includes('b'), 'the standby reconciles nothing');
  await a.stop();
  await runA;
  // a released the Lease: b takes it without waiting the 60 s lease out
  await eventually('b leads and reconciles', () => reconciledBy.includes('b'));
  assert.equal(b.isLeader(), true);
  await b.stop();
  await runB;
});

test('a leader that can no longer renew its Lease stops reconciling and start() rejects', async () => {
  const api = new FakeApiServer();
  api.seed(CONFIGMAPS, { metadata: { name: 'c', namespace: 'default' } });
  const mgr = new Manager({ client: api.client(), name: 'lost', leaderElection: { namespace: 'kube-system', identity: 'x', retryPeriodMs: 10, renewDeadlineMs: 50 } });
  let calls = 0;
  mgr.controller('c').for(CONFIGMAPS).complete(async () => void calls++);
  const running = mgr.start();
  await eventually('leading', () => calls > 0);
  api.reactors.push((a) => (a.resource === 'leases' ? apiError(500, 'InternalError', 'etcd is down') : undefined));
  await assert.rejects(running, /leader election lost/);
  assert.equal(mgr.isLeader(), false);
});

test('a custom kind not yet served: the manager waits for its CRD and then reconciles', async () => {
  const api = new FakeApiServer();
  const client = api.client();
  const mgr = new Manager({ client, name: 'late' });
  const keys: string[] = [];
  mgr.controller('sites').for(SITES).complete(async (req, ctx) => {
    const o = ctx.cache.get(req.name, req.namespace) as KubeObject | undefined;
    keys.push(`${req.key}:${o?.spec?.image}`);
  });
  const running = mgr.start();
  await new Promise((r) => setTimeout(r, 50));
  api.serve(SITES);
  await client.create(SITES, { metadata: { name: 'late', namespace: 'default' }, spec: { image: 'web' } });
  await eventually('the site reconciled from the cache', () => keys.includes('default/late:web'), 15_000);
  await mgr.stop();
  await running;
});

test('the typed clients: built-in kinds carry their object type; custom kinds by group, version and plural', async () => {
  const api = new FakeApiServer().serve(SITES);
  const client = api.client();
  const cms = client.for(CONFIGMAPS);
  const made: ConfigMap = await cms.create({ metadata: { name: 't', namespace: 'default' }, data: { k: 'v' } });
  assert.equal(made.data?.k, 'v');
  const sites = client.for<KubeObject>('sites.example.com', 'v1', 'websites', { kind: 'Website', namespaced: true });
  await sites.create({ metadata: { name: 's', namespace: 'default' }, spec: { replicas: 2 } });
  assert.equal((await sites.get('s', 'default')).spec.replicas, 2);
  assert.deepEqual((await sites.list({ namespace: 'default' })).items.map((o) => o.metadata.name), ['s']);
  await sites.delete('s', { namespace: 'default' });
  assert.equal((await sites.list()).items.length, 0);
});
