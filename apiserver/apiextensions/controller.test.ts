// The CRD controller on storage in memory with the real watch cache and stores: a definition is established and
// served (kinds registered, objects stored in the storage version and read in either), a second definition whose
// names are taken is not, a deleted one takes its objects with it and stops being served, and a new server serves
// the established definitions it finds in storage.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { CacheHub } from '../storage/cache.js';
import { MemoryStorage } from '../storage/memory.js';
import { builtinKinds } from '../registry/kinds/index.js';
import { KindRegistry } from '../registry/registry.js';
import { Store } from '../registry/store.js';
import type { WriteContext } from '../registry/types.js';
import { CrdController } from './controller.js';

const ctx = (namespace?: string): WriteContext => ({ namespace, dryRun: false, fieldValidation: 'Warn', warnings: [] });
const until = async (what: string, fn: () => boolean | Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 200; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
};

interface Server {
  kinds: KindRegistry;
  stores: Map<KindInfo, Store>;
  crds: Store;
  controller: CrdController;
  hub: CacheHub;
}

async function server(storage: MemoryStorage): Promise<Server> {
  const hub = new CacheHub(storage, 1000);
  const kinds = new KindRegistry();
  const stores = new Map<KindInfo, Store>();
  const gate = async () => undefined;
  const sctx = { listCached: () => [] };
  kinds.onRegister((def) => def.ownSchema || stores.set(def.info, new Store(def, storage, hub, gate, sctx)));
  for (const def of await builtinKinds()) kinds.register(def);
  const controller = new CrdController({ kinds, stores, storage, hub, gate, ctx: sctx });
  await controller.loadFromStorage();
  await hub.start();
  const crds = [...stores].find(([k]) => k.resource === 'customresourcedefinitions')?.[1] as Store;
  await controller.start(crds);
  return { kinds, stores, crds, controller, hub };
}

const crd = (plural: string, kind: string, shortNames: string[] = []): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.example.com` },
  spec: { group: 'example.com', scope: 'Namespaced', names: { plural, kind, shortNames },
    versions: ['v1', 'v1beta1'].map((name) => ({ name, served: true, storage: name === 'v1',
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', default: 2 } } } } } } })) },
});

const storeOf = (s: Server, version: string, resource: string): Store | undefined =>
  [...s.stores].find(([k]) => k.group === 'example.com' && k.version === version && k.resource === resource)?.[1];
const condition = async (s: Server, name: string, type: string): Promise<string | undefined> =>
  ((await s.crds.get(undefined, name)).status?.conditions as Array<{ type: string; status: string }> | undefined)?.find((c) => c.type === type)?.status;

const storage = new MemoryStorage();
const servers: Server[] = [];
after(async () => {
  for (const s of servers) {
    s.controller.stop();
    await s.hub.stop();
  }
});

test('a CRD is established and served in every served version; objects are stored once, in the storage version', async () => {
  const s = await server(storage);
  servers.push(s);
  await s.crds.create(ctx(), crd('gizmos', 'Gizmo', ['gz']));
  await until('Established', async () => (await condition(s, 'gizmos.example.com', 'Established')) === 'True');
  assert.equal(await condition(s, 'gizmos.example.com', 'NamesAccepted'), 'True');
  assert.deepEqual(s.kinds.all().filter((d) => d.info.group === 'example.com').map((d) => d.info.version), ['v1', 'v1beta1']);
  const beta = storeOf(s, 'v1beta1', 'gizmos') as Store;
  const created = await beta.create(ctx('default'), { apiVersion: 'example.com/v1beta1', kind: 'Gizmo', metadata: { name: 'g' }, spec: { junk: 1 } });
  assert.equal(created.apiVersion, 'example.com/v1beta1');
  assert.deepEqual(created.spec, { size: 2 }, 'pruned and defaulted');
  const raw = await storage.get('/registry/example.com/gizmos/default/g');
  assert.equal(raw?.obj.apiVersion, 'example.com/v1', 'stored in the storage version');
  assert.equal((await (storeOf(s, 'v1', 'gizmos') as Store).get('default', 'g')).apiVersion, 'example.com/v1');

  // a second definition of the group wanting a taken short name is not accepted, nor served
  await s.crds.create(ctx(), crd('gadgets', 'Gadget', ['gz']));
  await until('NamesAccepted False', async () => (await condition(s, 'gadgets.example.com', 'NamesAccepted')) === 'False');
  assert.equal(await condition(s, 'gadgets.example.com', 'Established'), 'False');
  assert.equal(storeOf(s, 'v1', 'gadgets'), undefined);
});

test('a new server serves the established CRDs in storage, with their objects in its cache', async () => {
  const s = await server(storage);
  servers.push(s);
  const v1 = storeOf(s, 'v1', 'gizmos') as Store;
  assert.ok(v1, 'served from the start');
  assert.deepEqual((await v1.list(undefined, { filter: { matches: () => true, isEverything: true }, resourceVersion: '0' })).items.map((o) => o.metadata.name), ['g']);
});

test('deleting a CRD deletes its objects (waiting for their finalizers; refusing creates meanwhile), then the CRD, then stops serving it', async () => {
  const s = servers[1] as Server;
  // the first server's controller would clean up too: this one alone acts, so what it refuses is known
  servers[0]?.controller.stop();
  const v1 = storeOf(s, 'v1', 'gizmos') as Store;
  await v1.create(ctx('default'), { apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'held', finalizers: ['example.com/hold'] } });
  const del = await s.crds.delete(ctx(), 'gizmos.example.com', {});
  assert.equal(del.deleted, false, 'kept until its objects are gone');
  assert.deepEqual(del.obj.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
  await until('the held object marked for deletion', async () => !!(await v1.get('default', 'held')).metadata.deletionTimestamp);
  await assert.rejects(v1.create(ctx('default'), { apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'late' } }),
    (e: unknown) => (e as { code?: number }).code === 405 && /create not allowed while custom resource definition is terminating/.test((e as Error).message));
  assert.ok(await storage.get('/registry/apiextensions.k8s.io/customresourcedefinitions/gizmos.example.com'), 'the CRD waits for the held object');
  await v1.update(ctx('default'), 'held', (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: [] } }));
  await until('the CRD gone', async () => !(await storage.get('/registry/apiextensions.k8s.io/customresourcedefinitions/gizmos.example.com')));
  assert.equal(await storage.get('/registry/example.com/gizmos/default/g'), undefined);
  await until('not served', () => storeOf(s, 'v1', 'gizmos') === undefined);
  assert.equal(s.kinds.all().some((d) => d.info.resource === 'gizmos'), false);
});
