// Services through the generic store on storage in memory, with the etcd-backed allocator on the same storage: what
// a user sees of cluster IPs and node ports on create, update, delete, dry run, and across a restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError } from '../errors.js';
import { CacheHub } from '../storage/cache.js';
import { MemoryStorage } from '../storage/memory.js';
import { objectKey } from '../storage/keys.js';
import { ServiceAllocator } from './allocator/service.js';
import { builtinKinds } from './kinds/index.js';
import { ensureKubeDnsService, reconcileKubernetesService } from './kubernetes-service.js';
import { Store } from './store.js';
import type { KindInfo } from '../../lib/api/kinds.js';
import type { WriteContext } from './types.js';

const storage = new MemoryStorage();
const hub = new CacheHub(storage, 1000);
const stores = new Map<KindInfo, Store>();
const ctx = (over: Partial<WriteContext> = {}): WriteContext => ({ namespace: 'default', dryRun: false, fieldValidation: 'Warn', warnings: [], ...over });
const store = (resource: string): Store => [...stores].find(([k]) => k.resource === resource)?.[1] as Store;

/** The stores of one API server; a second call is another API server (or the same one restarted) on the same storage. */
async function apiServer(): Promise<Map<KindInfo, Store>> {
  const gate = async (ns: string) => {
    if (!(await storage.get(objectKey({ group: '', resource: 'namespaces', namespaced: false }, undefined, ns)))) throw new ApiError(404, 'NotFound', `namespaces "${ns}" not found`);
  };
  const serviceAllocator = new ServiceAllocator({ storage });
  const out = new Map<KindInfo, Store>();
  for (const def of await builtinKinds()) out.set(def.info, new Store(def, storage, hub, gate, { listCached: () => [], serviceAllocator }));
  return out;
}

before(async () => {
  for (const [k, s] of await apiServer()) stores.set(k, s);
  await hub.start();
  await store('namespaces').create(ctx({ namespace: undefined }), { metadata: { name: 'default' } });
});

after(() => hub.stop());

const service = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });

async function invalid(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, 422);
    assert.equal(e.message, message);
    return true;
  });
}

test('a created Service gets a cluster IP; a requested one is honoured once, then refused with 422; delete frees it', async () => {
  const web = await store('services').create(ctx(), service('web'));
  assert.match(web.spec.clusterIP, /^10\.(9[6-9]|10\d|11[01])\./);
  assert.deepEqual(web.spec.clusterIPs, [web.spec.clusterIP]);
  const dns = await store('services').create(ctx(), service('dns', { clusterIP: '10.96.0.10' }));
  assert.equal(dns.spec.clusterIP, '10.96.0.10');
  await invalid(store('services').create(ctx(), service('dns2', { clusterIP: '10.96.0.10' })),
    'Service "dns2" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated');
  await invalid(store('services').create(ctx(), service('out', { clusterIP: '10.200.0.1' })),
    'Service "out" is invalid: spec.clusterIPs: Invalid value: []string{"10.200.0.1"}: failed to allocate IP 10.200.0.1: the provided IP (10.200.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12');
  // a name already taken gives the IP back
  await assert.rejects(store('services').create(ctx(), service('web', { clusterIP: '10.96.0.11' })), (e: unknown) => e instanceof ApiError && e.code === 409);
  await store('services').create(ctx(), service('eleven', { clusterIP: '10.96.0.11' }));
  await store('services').delete(ctx(), 'dns', {});
  const again = await store('services').create(ctx(), service('dns3', { clusterIP: '10.96.0.10' }));
  assert.equal(again.spec.clusterIP, '10.96.0.10');
  const headless = await store('services').create(ctx(), service('headless', { clusterIP: 'None' }));
  assert.deepEqual(headless.spec.clusterIPs, ['None']);
});

test('the cluster IP may not change; an update without it keeps it', async () => {
  const svc = await store('services').create(ctx(), service('immutable'));
  await invalid(store('services').update(ctx(), 'immutable', (cur) => ({ ...cur, spec: { ...cur.spec, clusterIP: '10.96.0.99', clusterIPs: ['10.96.0.99'] } })),
    'Service "immutable" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set');
  const kept = await store('services').update(ctx(), 'immutable', (cur) => ({ ...cur, spec: { ports: [{ port: 81 }] } }));
  assert.equal(kept.obj.spec.clusterIP, svc.spec.clusterIP);
});

test('node ports: allocated for NodePort, a taken one refused, dropped and freed when the type goes back to ClusterIP', async () => {
  const np = await store('services').create(ctx(), service('np', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
  assert.equal(np.spec.ports[0].nodePort, 30080);
  await invalid(store('services').create(ctx(), service('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })),
    'Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
  const toCluster = await store('services').update(ctx(), 'np', (cur) => ({ ...cur, spec: { ...cur.spec, type: 'ClusterIP', externalTrafficPolicy: undefined } }));
  assert.equal(toCluster.obj.spec.ports[0].nodePort, undefined);
  await store('services').create(ctx(), service('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
  // a ClusterIP Service turned NodePort gets a node port
  await store('services').create(ctx(), service('later'));
  const later = await store('services').update(ctx(), 'later', (cur) => ({ ...cur, spec: { ...cur.spec, type: 'NodePort' } }));
  assert.ok(later.obj.spec.ports[0].nodePort >= 30000 && later.obj.spec.ports[0].nodePort <= 32767);
});

test('dry run fills in a cluster IP and takes nothing', async () => {
  const dry = await store('services').create(ctx({ dryRun: true }), service('dry', { clusterIP: '10.96.0.50' }));
  assert.equal(dry.spec.clusterIP, '10.96.0.50');
  const real = await store('services').create(ctx(), service('real', { clusterIP: '10.96.0.50' }));
  assert.equal(real.spec.clusterIP, '10.96.0.50');
});

test('concurrent creates through two API servers on one storage: every cluster IP distinct; a restarted one refuses what is held', async () => {
  const other = await apiServer();
  const otherStore = [...other].find(([k]) => k.resource === 'services')?.[1] as Store;
  const made = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? store('services') : otherStore).create(ctx(), service(`c${i}`))));
  assert.equal(new Set(made.map((s) => s.spec.clusterIP)).size, 60);
  const restarted = [...(await apiServer())].find(([k]) => k.resource === 'services')?.[1] as Store;
  const ip = made[0]?.spec.clusterIP as string;
  await invalid(restarted.create(ctx(), service('copy', { clusterIP: ip })),
    `Service "copy" is invalid: spec.clusterIPs: Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated`);
});

test('the kubernetes Service: 10.96.0.1:443 to the API server, with its Endpoints and EndpointSlice; a restart on another port follows', async () => {
  await reconcileKubernetesService(stores, '10.96.0.1', '127.0.0.1', 6443);
  const svc = await store('services').get('default', 'kubernetes');
  assert.equal(svc.spec.clusterIP, '10.96.0.1');
  assert.deepEqual(svc.spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]);
  await reconcileKubernetesService(stores, '10.96.0.1', '127.0.0.1', 7443);
  assert.equal((await store('services').get('default', 'kubernetes')).spec.ports[0].targetPort, 7443);
  const ep = await store('endpoints').get('default', 'kubernetes');
  assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 7443, protocol: 'TCP' }] }]);
  const slice = await store('endpointslices').get('default', 'kubernetes');
  assert.deepEqual(slice.endpoints, [{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
  assert.equal(slice.metadata.labels?.['kubernetes.io/service-name'], 'kubernetes');
});

test('kube-dns: kube-system/kube-dns at the range\'s tenth address with dns/53 UDP and dns-tcp/53 TCP, created once, a user\'s change kept', async () => {
  await store('namespaces').create(ctx({ namespace: undefined }), { metadata: { name: 'kube-system' } });
  await store('services').delete(ctx(), 'dns3', {}).catch(() => undefined); // an earlier test's holder of 10.96.0.10
  const allocator = new ServiceAllocator({ storage, serviceCIDR: '10.96.0.0/12' });
  assert.equal(allocator.clusterDNSServiceIP, '10.96.0.10');
  assert.equal(new ServiceAllocator({ storage, serviceCIDR: '10.100.0.0/16' }).clusterDNSServiceIP, '10.100.0.10');
  await ensureKubeDnsService(stores, allocator.clusterDNSServiceIP);
  const svc = await store('services').get('kube-system', 'kube-dns');
  assert.equal(svc.spec.clusterIP, '10.96.0.10');
  assert.deepEqual(svc.spec.ports, [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }]);
  assert.equal(svc.metadata.labels?.['k8s-app'], 'kube-dns');
  await store('services').update(ctx({ namespace: 'kube-system' }), 'kube-dns', (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, mine: 'yes' } } }));
  await ensureKubeDnsService(stores, allocator.clusterDNSServiceIP);
  assert.equal((await store('services').get('kube-system', 'kube-dns')).metadata.labels?.mine, 'yes', 'a second start changes nothing');
});
