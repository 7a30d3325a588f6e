import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findByKind } from '../../lib/api/kinds.js';
import { PVC_PROTECTION_FINALIZER, PV_PROTECTION_FINALIZER, SELECTED_NODE_ANNOTATION, STORAGE_PROVISIONER_ANNOTATION } from '../../lib/api/storage.js';
import type { KubeObject } from '../../lib/api/types.js';
import { eventually, FakeApiServer } from '../../lib/client/fake.js';
import { SharedInformerFactory } from '../../lib/client/index.js';
import { ControllerContext } from '../context.js';
import { PersistentVolumeBinder } from './binder.js';
import { findMatchingVolume } from './matching.js';
import { StorageProtectionController } from './protection.js';

const PVC = findByKind('v1', 'PersistentVolumeClaim')!;
const PV = findByKind('v1', 'PersistentVolume')!;
const SC = findByKind('storage.k8s.io/v1', 'StorageClass')!;
const NODE = findByKind('v1', 'Node')!;
const POD = findByKind('v1', 'Pod')!;

const claim = (name: string, spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}): KubeObject => ({
  metadata: { name, namespace: 'default', annotations },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'manual', ...spec },
  status: { phase: 'Pending' },
});
const volume = (name: string, storage: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = {}): KubeObject => ({
  metadata: { name, labels },
  spec: { capacity: { storage }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: `/tmp/${name}` }, ...spec },
  status: { phase: 'Available' },
});

test('matching: same class, enough capacity, the access modes, the selector; the smallest wins; a pre-bound one first', () => {
  const vols = [volume('big', '10Gi'), volume('small', '2Gi'), volume('tiny', '500Mi'), volume('other', '1Gi', { storageClassName: 'fast' }),
    volume('rox', '1Gi', { accessModes: ['ReadOnlyMany'] })];
  assert.equal(findMatchingVolume(claim('a'), vols)?.metadata.name, 'small');
  assert.equal(findMatchingVolume(claim('a', { selector: { matchLabels: { tier: 'db' } } }), [...vols, volume('db', '5Gi', {}, { tier: 'db' })])?.metadata.name, 'db');
  const preBound = volume('mine', '20Gi', { claimRef: { namespace: 'default', name: 'a' } });
  assert.equal(findMatchingVolume(claim('a'), [...vols, preBound])?.metadata.name, 'mine');
  assert.equal(findMatchingVolume(claim('b'), [preBound]), undefined, 'promised to another claim');
  assert.equal(findMatchingVolume(claim('a', { resources: { requests: { storage: '50Gi' } } }), vols), undefined);
});

async function start(t: { after: (fn: () => void) => void }) {
  const api = new FakeApiServer();
  const client = api.client();
  const informers = new SharedInformerFactory(client);
  const ctx = new ControllerContext(client, informers);
  const binder = new PersistentVolumeBinder(ctx);
  const protection = new StorageProtectionController(ctx);
  const abort = new AbortController();
  t.after(() => {
    abort.abort();
    informers.stop();
  });
  void binder.run(1, abort.signal);
  void protection.run(1, abort.signal);
  return { api, client };
}

test('the binder binds a claim to the best volume: claimRef and Bound on both', async (t) => {
  const { api } = await start(t);
  // a volume just created is Pending until the binder saw it: it is free all the same
  api.seed(PV, { ...volume('small', '2Gi'), status: { phase: 'Pending' } });
  api.seed(PV, volume('big', '10Gi'));
  const c = api.seed(PVC, claim('data'));
  await eventually('the claim Bound', () => api.get(PVC, 'data', 'default')?.status?.phase === 'Bound');
  const pvc = api.get(PVC, 'data', 'default') as KubeObject;
  assert.equal(pvc.spec?.volumeName, 'small');
  assert.equal(pvc.status?.capacity?.storage, '2Gi');
  assert.equal(pvc.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
  await eventually('the volume Bound', () => api.get(PV, 'small')?.status?.phase === 'Bound');
  assert.equal(api.get(PV, 'small')?.spec?.claimRef?.uid, c.metadata.uid);
  assert.equal(api.get(PV, 'big')?.status?.phase, 'Available');
});

test('a volume whose claim is gone is Released; with Delete and a provisioner it is deleted, without one it Fails', async (t) => {
  const { api, client } = await start(t);
  api.seed(PV, volume('kept', '1Gi'));
  api.seed(PV, { ...volume('gone', '1Gi', { persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'p' }), metadata: { name: 'gone', annotations: { 'pv.kubernetes.io/provisioned-by': 'x' } } });
  api.seed(PV, volume('stuck', '1Gi', { persistentVolumeReclaimPolicy: 'Delete', storageClassName: 's' }));
  api.seed(PVC, claim('a'));
  api.seed(PVC, claim('b', { storageClassName: 'p' }));
  api.seed(PVC, claim('c', { storageClassName: 's' }));
  await eventually('all Bound', () => ['a', 'b', 'c'].every((n) => api.get(PVC, n, 'default')?.status?.phase === 'Bound'));
  for (const n of ['a', 'b', 'c']) await client.delete(PVC, n, { namespace: 'default' });
  await eventually('kept Released', () => api.get(PV, 'kept')?.status?.phase === 'Released');
  await eventually('gone deleted', () => !api.get(PV, 'gone'));
  await eventually('stuck Failed', () => api.get(PV, 'stuck')?.status?.phase === 'Failed');
  assert.equal(api.get(PV, 'stuck')?.status?.reason, 'VolumeFailedDelete');
});

test('WaitForFirstConsumer: nothing until a node is selected; then a volume reachable from it, else the provisioner is asked', async (t) => {
  const { api, client } = await start(t);
  api.seed(SC, { metadata: { name: 'local' }, provisioner: 'flotilla.io/local-path', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete' } as KubeObject);
  api.seed(NODE, { metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } } });
  api.seed(NODE, { metadata: { name: 'n2', labels: { 'kubernetes.io/hostname': 'n2' } } });
  const onNode = (n: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [n] }] }] } });
  api.seed(PV, volume('on-n1', '1Gi', { storageClassName: 'local', nodeAffinity: onNode('n1') }));
  api.seed(PVC, claim('wait', { storageClassName: 'local' }));
  api.seed(PVC, claim('on2', { storageClassName: 'local' }, { [SELECTED_NODE_ANNOTATION]: 'n2' }));
  await eventually('the provisioner asked for on2', () => api.get(PVC, 'on2', 'default')?.metadata.annotations?.[STORAGE_PROVISIONER_ANNOTATION] === 'flotilla.io/local-path');
  assert.equal(api.get(PVC, 'on2', 'default')?.spec?.volumeName, undefined, 'the n1 volume is not reachable from n2');
  assert.equal(api.get(PVC, 'wait', 'default')?.spec?.volumeName, undefined);
  await client.patch(PVC, 'wait', { metadata: { annotations: { [SELECTED_NODE_ANNOTATION]: 'n1' } } }, 'merge', { namespace: 'default' });
  await eventually('wait bound to on-n1', () => api.get(PVC, 'wait', 'default')?.spec?.volumeName === 'on-n1');
});

test('protection: a deleted claim stays while a running pod uses it; a deleted volume stays while Bound', async (t) => {
  const { api, client } = await start(t);
  api.seed(PVC, { ...claim('used'), metadata: { name: 'used', namespace: 'default', finalizers: [PVC_PROTECTION_FINALIZER] } });
  api.seed(POD, { metadata: { name: 'user', namespace: 'default' }, spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'used' } }] }, status: { phase: 'Running' } });
  api.seed(PV, { ...volume('pv', '1Gi'), metadata: { name: 'pv', finalizers: [PV_PROTECTION_FINALIZER] }, status: { phase: 'Bound' } });
  await client.delete(PVC, 'used', { namespace: 'default' });
  await client.delete(PV, 'pv');
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(api.get(PVC, 'used', 'default')?.metadata.deletionTimestamp, 'kept while the pod runs');
  assert.ok(api.get(PV, 'pv'), 'kept while Bound');
  await client.delete(POD, 'user', { namespace: 'default' });
  await eventually('the claim gone', () => !api.get(PVC, 'used', 'default'));
  const pv = api.get(PV, 'pv') as KubeObject;
  await client.updateStatus(PV, { ...pv, status: { phase: 'Released' } });
  await eventually('the volume gone', () => !api.get(PV, 'pv'));
});
