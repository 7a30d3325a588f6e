import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { apiError, eventually, FakeApiServer } from '../../lib/client/fake.js';
import { controllerRef, newControllerRef, SharedInformerFactory } from '../../lib/client/index.js';
import { ControllerContext } from '../context.js';
import { ReplicaSetController } from './controller.js';
import { slowStartBatch } from './replicas.js';

const RS = findByKind('apps/v1', 'ReplicaSet')!;
const POD = findByKind('v1', 'Pod')!;
const KEY = 'default/web';

function replicaSet(replicas: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      ...extra,
    },
  };
}

/** A ReplicaSet controller over a fake API, its informers synced; reconcile() is called by the test. */
async function start(
  t: { after: (fn: () => void) => void },
  burst?: number,
): Promise<{ api: FakeApiServer; rsc: ReplicaSetController; informers: SharedInformerFactory }> {
  const api = new FakeApiServer();
  const client = api.client();
  const informers = new SharedInformerFactory(client);
  const rsc = new ReplicaSetController(new ControllerContext(client, informers), burst);
  t.after(() => informers.stop());
  await informers.start();
  return { api, rsc, informers };
}

const podsOf = (api: FakeApiServer): KubeObject[] => api.list(POD, 'default');
/** Waits until the ReplicaSet cache holds what the API holds (our own status writes included), as between syncs. */
const rsCaughtUp = (api: FakeApiServer, informers: SharedInformerFactory): Promise<unknown> =>
  eventually(
    'the ReplicaSet cache',
    () => informers.informerFor(RS).get('web', 'default')?.metadata.resourceVersion === api.get(RS, 'web', 'default')?.metadata.resourceVersion,
  );
const cached = (informers: SharedInformerFactory): number => informers.informerFor(POD).list().length;

test('slowStartBatch: batches of 1, 2, 4, ... up to the count, each batch concurrent', async () => {
  const batches: number[] = [];
  let inFlight = 0;
  let batch = 0;
  const fn = async (): Promise<void> => {
    inFlight++;
    batch++;
    await new Promise((r) => setImmediate(r));
    if (inFlight === batch) batches.push(batch); // the last of a batch to finish sees the whole batch
    inFlight--;
    if (inFlight === 0) batch = 0;
  };
  assert.deepEqual(await slowStartBatch(10, 1, fn), { successes: 10 });
  assert.deepEqual(batches, [1, 2, 4, 3]);
  batches.length = 0;
  assert.deepEqual(await slowStartBatch(500, 1, fn), { successes: 500 });
  assert.deepEqual(batches, [1, 2, 4, 8, 16, 32, 64, 128, 245]);
  assert.deepEqual(await slowStartBatch(0, 1, fn), { successes: 0 });
});

test('slowStartBatch stops after the first batch with a failure and reports the successes', async () => {
  let calls = 0;
  const result = await slowStartBatch(100, 1, async () => {
    if (++calls > 3) throw new Error('quota exceeded');
  });
  assert.equal(calls, 7, 'batches 1 and 2 pass; the batch of 4 fails and nothing more is tried');
  assert.equal(result.successes, 3);
  assert.match((result.error as Error).message, /quota exceeded/);
});

test('a template the API refuses costs one create per sync, not one per missing replica', async (t) => {
  const { api, rsc, informers } = await start(t);
  api.reactors.push((a) => (a.verb === 'create' && a.resource === 'pods' ? apiError(403, 'Forbidden', 'exceeded quota') : undefined));
  api.seed(RS, replicaSet(1000));
  await eventually('the ReplicaSet in the cache', () => informers.informerFor(RS).get('web', 'default'));
  await assert.rejects(rsc.reconcile(KEY), /exceeded quota/);
  assert.equal(api.count('create', 'pods'), 1);
  assert.ok(rsc.expectations.satisfied(KEY), 'failed creates are not waited for');
  await rsCaughtUp(api, informers);
  await assert.rejects(rsc.reconcile(KEY), /exceeded quota/);
  assert.equal(api.count('create', 'pods'), 2);
});

test('creates stop at the first failing slow-start batch; expectations wait only for the pods made', async (t) => {
  const { api, rsc, informers } = await start(t);
  let creates = 0;
  api.reactors.push((a) => (a.verb === 'create' && a.resource === 'pods' && ++creates > 3 ? apiError(500, 'InternalError', 'etcd is slow') : undefined));
  api.seed(RS, replicaSet(10));
  await eventually('the ReplicaSet in the cache', () => informers.informerFor(RS).get('web', 'default'));
  api.holdWatches('pods');
  await assert.rejects(rsc.reconcile(KEY), /etcd is slow/);
  assert.equal(api.count('create', 'pods'), 7);
  assert.equal(podsOf(api).length, 3);
  assert.equal(rsc.expectations.satisfied(KEY), false, 'three creations still to be observed');
  api.releaseWatches();
  await eventually('the three pods observed', () => rsc.expectations.satisfied(KEY));
});

test('at most burstReplicas creates per sync, and none while the informer has not seen the last burst', async (t) => {
  const { api, rsc, informers } = await start(t);
  api.seed(RS, replicaSet(1200));
  await eventually('the ReplicaSet in the cache', () => informers.informerFor(RS).get('web', 'default'));
  api.holdWatches('pods');
  await rsc.reconcile(KEY);
  assert.equal(podsOf(api).length, 500, 'one burst');
  // the pod informer lags: a sync now would count 0 pods and create 500 more without expectations
  await rsCaughtUp(api, informers);
  await rsc.reconcile(KEY);
  assert.equal(podsOf(api).length, 500, 'nothing created while the creations are unobserved');
  api.releaseWatches();
  await eventually('the burst observed', () => rsc.expectations.satisfied(KEY) && cached(informers) === 500);
  await rsCaughtUp(api, informers);
  await rsc.reconcile(KEY);
  assert.equal(podsOf(api).length, 1000);
  await eventually('the second burst observed', () => rsc.expectations.satisfied(KEY) && cached(informers) === 1000);
  await rsCaughtUp(api, informers);
  await rsc.reconcile(KEY);
  assert.equal(podsOf(api).length, 1200);
  await eventually('all observed', () => rsc.expectations.satisfied(KEY) && cached(informers) === 1200);
  await rsCaughtUp(api, informers);
  await rsc.reconcile(KEY);
  assert.equal(api.count('create', 'pods'), 1200, 'converged: no more creates');
  const pod = podsOf(api)[0]!;
  assert.equal(controllerRef(pod)?.name, 'web');
  assert.deepEqual(pod.metadata.labels, { app: 'web' });
});

test('deletes are capped by burstReplicas, and wait for those very pods to be seen going', async (t) => {
  const { api, rsc, informers } = await start(t, 3);
  const rs = api.seed(RS, replicaSet(0));
  for (let i = 0; i < 5; i++)
    api.seed(POD, {
      metadata: { name: `web-${i}`, namespace: 'default', labels: { app: 'web' }, ownerReferences: [newControllerRef(rs, 'apps/v1', 'ReplicaSet')] },
      spec: {},
    });
  await eventually('the pods in the cache', () => cached(informers) === 5 && informers.informerFor(RS).get('web', 'default'));
  api.holdWatches('pods');
  await rsc.reconcile(KEY);
  assert.equal(podsOf(api).length, 2, 'three deleted, the burst');
  await rsCaughtUp(api, informers);
  await rsc.reconcile(KEY);
  assert.equal(api.count('delete', 'pods'), 3, 'no deletes while the last ones are unobserved');
  api.releaseWatches();
  await eventually('the deletions observed', () => rsc.expectations.satisfied(KEY));
  await rsCaughtUp(api, informers);
  await rsc.reconcile(KEY);
  assert.equal(podsOf(api).filter((p) => p.metadata.labels?.app === 'web').length, 0);
});

test('adopts a matching orphan, but not for a ReplicaSet that was deleted while the cache still shows it', async (t) => {
  const { api, rsc, informers } = await start(t);
  api.seed(RS, replicaSet(1));
  api.seed(POD, { metadata: { name: 'orphan', namespace: 'default', labels: { app: 'web' } }, spec: {} });
  await eventually('both in the cache', () => cached(informers) === 1 && informers.informerFor(RS).get('web', 'default'));
  api.holdWatches('replicasets');
  await api.client().delete(RS, 'web', { namespace: 'default' });
  await assert.rejects(rsc.reconcile(KEY), /can't adopt Pod default\/orphan .*not found/);
  assert.equal(api.get(POD, 'orphan', 'default')!.metadata.ownerReferences, undefined, 'not adopted');
  assert.equal(api.count('create', 'pods'), 0, 'and nothing created for it');

  api.releaseWatches();
  const live = api.seed(RS, replicaSet(1));
  await eventually('the new ReplicaSet in the cache', () => informers.informerFor(RS).get('web', 'default')?.metadata.uid === live.metadata.uid);
  await rsc.reconcile(KEY);
  assert.equal(controllerRef(api.get(POD, 'orphan', 'default')!)?.name, 'web', 'adopted by the live one');
  assert.equal(api.count('create', 'pods'), 0, 'the adopted pod is its one replica');
});

test('status counts active, ready and available pods, and asks to come back when one turns available', async (t) => {
  const { api, rsc, informers } = await start(t);
  const rs = api.seed(RS, replicaSet(2, { minReadySeconds: 30 }));
  const ready = (since: number): Record<string, unknown> => ({
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(since).toISOString() }],
  });
  const ref = [newControllerRef(rs, 'apps/v1', 'ReplicaSet')];
  api.seed(POD, {
    metadata: { name: 'old', namespace: 'default', labels: { app: 'web' }, ownerReferences: ref },
    spec: {},
    status: ready(Date.now() - 60_000),
  });
  api.seed(POD, {
    metadata: { name: 'new', namespace: 'default', labels: { app: 'web' }, ownerReferences: ref },
    spec: {},
    status: ready(Date.now() - 10_000),
  });
  await eventually('the pods in the cache', () => cached(informers) === 2 && informers.informerFor(RS).get('web', 'default'));
  const result = await rsc.reconcile(KEY);
  const status = api.get(RS, 'web', 'default')!.status;
  assert.deepEqual({ ...status }, { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 1 });
  assert.ok(
    result && result.requeueAfter !== undefined && result.requeueAfter > 0 && result.requeueAfter <= 20_050,
    `requeueAfter ${result && result.requeueAfter}`,
  );
});
