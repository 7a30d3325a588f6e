import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findByKind } from '../../../lib/api/kinds.js';
import { LOCAL_PATH_CLEANUP_FINALIZER, SELECTED_NODE_ANNOTATION } from '../../../lib/api/storage.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { eventually, FakeApiServer } from '../../../lib/client/fake.js';
import { LocalPathStorage, nodeOfVolume } from './local-path.js';
import { VolumeSetupError } from './projection.js';

const PVC = findByKind('v1', 'PersistentVolumeClaim')!;
const PV = findByKind('v1', 'PersistentVolume')!;
const SC = findByKind('storage.k8s.io/v1', 'StorageClass')!;

const claim = (name: string, node?: string, cls = 'local-path'): KubeObject => ({
  metadata: { name, namespace: 'default', annotations: node ? { [SELECTED_NODE_ANNOTATION]: node } : {} },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } }, storageClassName: cls, volumeMode: 'Filesystem' },
  status: { phase: 'Pending' },
});
const POD: KubeObject = { metadata: { name: 'p', namespace: 'default' }, spec: {} };

async function start(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'local-path-test-'));
  const root = join(dir, 'storage');
  const api = new FakeApiServer();
  const client = api.client();
  api.seed(SC, { metadata: { name: 'local-path' }, provisioner: 'flotilla.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' } as KubeObject);
  api.seed(SC, { metadata: { name: 'other' }, provisioner: 'example.com/nfs' } as KubeObject);
  const bound: string[] = [];
  const storage = new LocalPathStorage(client, { nodeName: 'n1', root, onClaimBound: (ns, n) => bound.push(`${ns}/${n}`) });
  const abort = new AbortController();
  void storage.start(abort.signal);
  t.after(() => {
    abort.abort();
    storage.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { api, client, storage, root, dir, bound };
}

test('a claim whose selected node is this one gets a directory and a local volume pre-bound to it, with node affinity', async (t) => {
  const { api, root } = await start(t);
  const c = api.seed(PVC, claim('data', 'n1'));
  api.seed(PVC, claim('elsewhere', 'n2'));
  api.seed(PVC, claim('not-ours', 'n1', 'other'));
  api.seed(PVC, claim('unscheduled'));
  const name = `pvc-${c.metadata.uid}`;
  await eventually('the volume', () => api.get(PV, name));
  const pv = api.get(PV, name) as KubeObject;
  assert.equal(pv.spec?.local?.path, join(root, `${name}_default_data`));
  assert.ok(existsSync(pv.spec?.local?.path));
  assert.equal(nodeOfVolume(pv), 'n1');
  assert.deepEqual(pv.spec?.claimRef && { name: pv.spec.claimRef.name, uid: pv.spec.claimRef.uid }, { name: 'data', uid: c.metadata.uid });
  assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
  assert.equal(pv.spec?.capacity?.storage, '64Mi');
  assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'flotilla.io/local-path');
  assert.deepEqual(pv.metadata.finalizers, [LOCAL_PATH_CLEANUP_FINALIZER]);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(api.list(PV).length, 1, 'no volume for another node\'s claim, another provisioner\'s or an unscheduled one');
});

test('a deleted volume of this node: its directory is removed, then the finalizer; nothing outside the root is touched', async (t) => {
  const { api, client, root, dir } = await start(t);
  const c = api.seed(PVC, claim('data', 'n1'));
  const name = `pvc-${c.metadata.uid}`;
  await eventually('the volume', () => api.get(PV, name));
  const path = api.get(PV, name)?.spec?.local?.path as string;
  writeFileSync(join(path, 'file'), 'x');
  await client.delete(PV, name);
  await eventually('the volume gone', () => !api.get(PV, name));
  assert.ok(!existsSync(path));
  // a volume that names a path outside the root loses the finalizer but keeps its data
  const outside = join(dir, 'precious');
  mkdirSync(outside);
  api.seed(PV, { metadata: { name: 'odd', finalizers: [LOCAL_PATH_CLEANUP_FINALIZER] }, spec: { local: { path: outside },
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }] } } } });
  await client.delete(PV, 'odd');
  await eventually('odd gone', () => !api.get(PV, 'odd'));
  assert.ok(existsSync(outside));
  assert.ok(existsSync(root));
});

test('the mount source: FailedMount while the claim is missing or unbound, the volume\'s directory once bound', async (t) => {
  const { api, client, storage, bound } = await start(t);
  await assert.rejects(() => storage.source(POD, 'missing'), (e: Error) => e instanceof VolumeSetupError && /persistentvolumeclaim "missing" not found/.test(e.message));
  const c = api.seed(PVC, claim('data', 'n1'));
  const name = `pvc-${c.metadata.uid}`;
  await eventually('the volume', () => api.get(PV, name));
  await assert.rejects(() => storage.source(POD, 'data'), (e: Error) => e instanceof VolumeSetupError && /error processing PVC default\/data: PVC is not bound/.test(e.message));
  // what the binder does
  const cur = api.get(PVC, 'data', 'default') as KubeObject;
  await client.update(PVC, { ...cur, spec: { ...cur.spec, volumeName: name } });
  await client.updateStatus(PVC, { ...(api.get(PVC, 'data', 'default') as KubeObject), status: { phase: 'Bound' } });
  assert.equal(await storage.source(POD, 'data'), api.get(PV, name)?.spec?.local?.path);
  await eventually('the pods using it woken', () => bound.includes('default/data'));
});
