import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { eventually, FakeApiServer } from '../../lib/client/fake.js';
import { SharedInformerFactory } from '../../lib/client/index.js';
import { ControllerContext } from '../context.js';
import { StatefulSetController } from './controller.js';
import { POD_INDEX_LABEL, POD_NAME_LABEL } from './pods.js';
import { REVISION_LABEL } from './revision.js';
import { maxUnavailableOf } from './status.js';

const STS = findByKind('apps/v1', 'StatefulSet')!;
const POD = findByKind('v1', 'Pod')!;
const PVC = findByKind('v1', 'PersistentVolumeClaim')!;
const REV = findByKind('apps/v1', 'ControllerRevision')!;
const KEY = 'default/web';

function sts(spec: Record<string, unknown> = {}): KubeObject {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'sts-uid-1', generation: 1 },
    spec: {
      replicas: 3, serviceName: 'web', podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:v1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    },
  };
}

async function start(t: { after: (fn: () => void) => void }, set: KubeObject) {
  const api = new FakeApiServer();
  const client = api.client();
  const informers = new SharedInformerFactory(client);
  const sc = new StatefulSetController(new ControllerContext(client, informers));
  t.after(() => informers.stop());
  await informers.start();
  api.seed(STS, set);
  const same = (kind: typeof POD): boolean => {
    const a = api.list(kind, 'default');
    const b = informers.informerFor(kind).list();
    const seen = (o: KubeObject) => b.some((x) => x.metadata.uid === o.metadata.uid && x.metadata.resourceVersion === o.metadata.resourceVersion);
    return a.length === b.length && a.every(seen);
  };
  const h = {
    api,
    async sync() {
      await eventually('the informers caught up', () => [STS, POD, PVC, REV].every(same));
      return sc.reconcile(KEY);
    },
    pods: () => api.list(POD, 'default').sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name))),
    names: () => h.pods().map((p) => p.metadata.name),
    set: () => api.get(STS, 'web', 'default') as KubeObject,
    async ready(p: KubeObject) {
      await client.updateStatus(POD, { ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] } });
    },
    /** Syncs, marking every pod Running and Ready, until nothing changes. */
    async converge() {
      for (let i = 0; i < 20; i++) {
        await h.sync();
        const pending = h.pods().filter((p) => p.status?.phase !== 'Running');
        for (const p of pending) await h.ready(p);
        if (!pending.length && h.set().status?.readyReplicas === h.pods().length) {
          await h.sync();
          if (h.pods().every((p) => p.status?.phase === 'Running')) return;
        }
      }
    },
    async update(spec: Record<string, unknown>) {
      const cur = h.set();
      await client.update(STS, { ...cur, metadata: { ...cur.metadata, generation: (cur.metadata.generation ?? 1) + 1 }, spec: { ...cur.spec, ...spec } });
    },
  };
  return h;
}

test('OrderedReady: web-0 first, the next only once the previous is Running and Ready; pods carry their identity', async (t) => {
  const h = await start(t, sts());
  await h.sync();
  assert.deepEqual(h.names(), ['web-0']);
  await h.sync();
  assert.deepEqual(h.names(), ['web-0'], 'web-1 waits for web-0 to be Ready');
  await h.ready(h.pods()[0]);
  await h.sync();
  assert.deepEqual(h.names(), ['web-0', 'web-1']);
  const p = h.pods()[1];
  assert.equal(p.metadata.labels?.[POD_NAME_LABEL], 'web-1');
  assert.equal(p.metadata.labels?.[POD_INDEX_LABEL], '1');
  assert.equal(p.spec?.hostname, 'web-1');
  assert.equal(p.spec?.subdomain, 'web');
  assert.deepEqual(p.spec?.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } }]);
  assert.equal(p.metadata.ownerReferences?.[0]?.kind, 'StatefulSet');
  assert.deepEqual(h.api.list(PVC, 'default').map((c) => c.metadata.name).sort(), ['data-web-0', 'data-web-1']);
  assert.equal(h.api.list(PVC, 'default')[0].metadata.labels?.app, 'web');
  await h.converge();
  assert.deepEqual(h.names(), ['web-0', 'web-1', 'web-2']);
  const s = h.set().status ?? {};
  assert.equal(s.replicas, 3);
  assert.equal(s.readyReplicas, 3);
  assert.equal(s.currentRevision, s.updateRevision);
  assert.equal(p.metadata.labels?.[REVISION_LABEL], s.updateRevision);
});

test('Parallel creates every pod at once; scale down removes the highest ordinals and keeps their claims (Retain)', async (t) => {
  const h = await start(t, sts({ podManagementPolicy: 'Parallel' }));
  await h.sync();
  assert.deepEqual(h.names(), ['web-0', 'web-1', 'web-2']);
  await h.converge();
  await h.update({ replicas: 1 });
  await h.sync();
  assert.deepEqual(h.names(), ['web-0']);
  assert.deepEqual(h.api.list(PVC, 'default').map((c) => c.metadata.name).sort(), ['data-web-0', 'data-web-1', 'data-web-2']);
});

test('OrderedReady scale down: one pod at a time, from the highest ordinal', async (t) => {
  const h = await start(t, sts());
  await h.converge();
  h.api.holdWatches('pods');
  await h.update({ replicas: 1 });
  await h.sync().catch(() => undefined);
  h.api.releaseWatches('pods');
  assert.deepEqual(h.names(), ['web-0', 'web-1'], 'web-2 goes first, web-1 waits');
  await h.sync();
  assert.deepEqual(h.names(), ['web-0']);
});

test('whenScaled: Delete hands a scaled-away pod\'s claims to that pod; whenDeleted: Delete makes the set own them', async (t) => {
  const h = await start(t, sts({ podManagementPolicy: 'Parallel', persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } }));
  await h.converge();
  const claim = (n: string) => h.api.get(PVC, n, 'default') as KubeObject;
  assert.deepEqual(claim('data-web-2').metadata.ownerReferences?.map((r) => r.kind), ['StatefulSet']);
  const web2 = h.pods()[2];
  await h.update({ replicas: 2 });
  await h.sync();
  const refs = claim('data-web-2').metadata.ownerReferences ?? [];
  assert.ok(refs.some((r) => r.kind === 'Pod' && r.uid === web2.metadata.uid), 'the claim is owned by the pod it belonged to');
  assert.ok(!refs.some((r) => r.kind === 'StatefulSet'), 'and no longer by the set, which would keep it');
  assert.ok(!claim('data-web-1').metadata.ownerReferences?.some((r) => r.kind === 'Pod'), 'a kept pod\'s claim is not');
});

test('a partitioned rolling update replaces only ordinals >= partition, highest first; rollback reuses the old revision', async (t) => {
  const h = await start(t, sts({ podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }));
  await h.converge();
  const v1 = h.set().status?.updateRevision as string;
  const tpl = structuredClone(h.set().spec?.template);
  tpl.spec.containers[0].image = 'web:v2';
  await h.update({ template: tpl });
  await h.sync();
  assert.deepEqual(h.names(), ['web-0', 'web-1'], 'web-2 replaced first');
  await h.converge();
  const images = () => h.pods().map((p) => p.spec?.containers?.[0]?.image);
  assert.deepEqual(images(), ['web:v1', 'web:v2', 'web:v2']);
  const s = h.set().status ?? {};
  assert.notEqual(s.updateRevision, v1);
  assert.equal(s.currentRevision, v1, 'a partitioned update is not complete');
  assert.equal(s.updatedReplicas, 2);
  assert.equal(s.currentReplicas, 1);
  assert.deepEqual(h.api.list(REV, 'default').map((r) => r.revision).sort(), [1, 2]);
  // roll back: the v1 template again
  const back = structuredClone(tpl);
  back.spec.containers[0].image = 'web:v1';
  await h.update({ template: back });
  await h.converge();
  assert.deepEqual(images(), ['web:v1', 'web:v1', 'web:v1']);
  const revs = h.api.list(REV, 'default');
  assert.equal(revs.length, 2, 'no new revision for a template seen before');
  assert.equal(revs.find((r) => r.metadata.name === v1)?.revision, 3, 'the old revision is the newest again');
  assert.equal(h.set().status?.updateRevision, v1);
});

test('OnDelete: a changed template reaches a pod only when it is deleted', async (t) => {
  const h = await start(t, sts({ podManagementPolicy: 'Parallel', updateStrategy: { type: 'OnDelete' } }));
  await h.converge();
  const tpl = structuredClone(h.set().spec?.template);
  tpl.spec.containers[0].image = 'web:v2';
  await h.update({ template: tpl });
  await h.converge();
  assert.ok(h.pods().every((p) => p.spec?.containers?.[0]?.image === 'web:v1'));
  await h.api.client().delete(POD, 'web-1', { namespace: 'default' });
  await h.converge();
  assert.deepEqual(h.pods().map((p) => p.spec?.containers?.[0]?.image), ['web:v1', 'web:v2', 'web:v1']);
});

test('maxUnavailable: a number, or a percentage of replicas rounded up; at least 1', () => {
  const with_ = (v: unknown, replicas = 10) => ({ metadata: {}, spec: { replicas, updateStrategy: { rollingUpdate: { maxUnavailable: v } } } });
  assert.equal(maxUnavailableOf(with_(undefined)), 1);
  assert.equal(maxUnavailableOf(with_(3)), 3);
  assert.equal(maxUnavailableOf(with_('25%')), 3);
  assert.equal(maxUnavailableOf(with_('1%', 3)), 1);
});
