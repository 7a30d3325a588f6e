// The ControllerRevision kind file through the generic store (in memory): its checks as Kubernetes words them, what an
// update may change, and its table row.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import { ApiError } from '../../errors.js';
import { tableRow } from '../../printers/columns.js';
import { CacheHub } from '../../storage/cache.js';
import { MemoryStorage } from '../../storage/memory.js';
import { Store } from '../store.js';
import type { WriteContext } from '../types.js';
import revisions from './controllerrevisions.js';

const storage = new MemoryStorage();
const hub = new CacheHub(storage, 1000);
const store = new Store(revisions, storage, hub, async () => undefined, { listCached: () => [] });
const ctx = (): WriteContext => ({ namespace: 'default', dryRun: false, fieldValidation: 'Strict', warnings: [] });

before(() => hub.start());
after(() => hub.stop());

const revision = (name: string, extra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name }, data: { a: 1 }, revision: 1, ...extra }) as KubeObject;

const invalid = (message: string) => (e: unknown): boolean => {
  assert.ok(e instanceof ApiError, String(e));
  assert.equal(e.code, 422);
  assert.equal(e.message, message);
  return true;
};

test('data is mandatory and the revision may not be negative', async () => {
  await assert.rejects(store.create(ctx(), revision('no-data', { data: undefined })),
    invalid('ControllerRevision.apps "no-data" is invalid: data: Required value: data is mandatory'));
  await assert.rejects(store.create(ctx(), revision('null-data', { data: null })), invalid('ControllerRevision.apps "null-data" is invalid: data: Required value: data is mandatory'));
  await assert.rejects(store.create(ctx(), revision('negative', { revision: -2 })),
    invalid('ControllerRevision.apps "negative" is invalid: revision: Invalid value: -2: must be greater than or equal to 0'));
  const ok = await store.create(ctx(), revision('zero', { revision: 0, data: {} }));
  assert.equal(ok.revision, 0);
});

test('data is immutable, shown as Go prints the RawExtension; labels and the revision may change', async () => {
  await store.create(ctx(), revision('r1', { data: { x: 1 } }));
  await assert.rejects(store.update(ctx(), 'r1', (cur) => ({ ...cur, data: { x: 2 } })),
    invalid('ControllerRevision.apps "r1" is invalid: data: Invalid value: runtime.RawExtension{Raw:[]uint8{0x7b, 0x22, 0x78, 0x22, 0x3a, 0x32, 0x7d}, '
      + 'Object:runtime.Object(nil)}: field is immutable'));
  const { obj } = await store.update(ctx(), 'r1', (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { a: 'b' } }, revision: 5 }));
  assert.equal(obj.revision, 5);
  assert.deepEqual(obj.data, { x: 1 });
});

test('the row: NAME, CONTROLLER as kubectl names the controlling owner, REVISION, AGE', () => {
  const now = new Date('2026-01-01T00:10:00Z');
  const owned = revision('web-1', { revision: 3 });
  owned.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
  owned.metadata.ownerReferences = [
    { apiVersion: 'v1', kind: 'Pod', name: 'not-the-controller', uid: 'u0' },
    { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u1', controller: true },
  ];
  assert.deepEqual(revisions.printer.columns.map((c) => c[0]), ['Name', 'Controller', 'Revision', 'Age']);
  assert.deepEqual(tableRow(revisions.printer, owned, now), ['web-1', 'daemonset.apps/agent', 3, '10m']);
  owned.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'rc', uid: 'u2', controller: true }];
  assert.equal(tableRow(revisions.printer, owned, now)[1], 'replicationcontroller/rc');
  owned.metadata.ownerReferences = undefined;
  assert.equal(tableRow(revisions.printer, owned, now)[1], '<none>');
});
