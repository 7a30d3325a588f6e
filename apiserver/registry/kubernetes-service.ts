// The `kubernetes` Service in `default`, as every Kubernetes API server keeps it: the first address of the service
// range (10.96.0.1), port 443 named https, and Endpoints and an EndpointSlice naming this API server's address and
// port. Kept at each start (a restarted server on another port updates them); pods reach the API through it.
// Beside it, the cluster DNS Service `kube-dns` in `kube-system` at the range's tenth address (10.96.0.10), as kubeadm
// makes it: the node agents answer it node-locally (node-agent/network/cluster.ts), so it selects no pods.
import { networkInterfaces } from 'node:os';
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { logger } from '../../lib/util/log.js';
import { toApiError } from '../errors.js';
import type { Store, WriteContext } from './store.js';

const log = logger('apiserver');
const NAME = 'kubernetes';
const NAMESPACE = 'default';

/** The address the endpoints name: --advertise-address, else the bind address unless it is a wildcard, else the host's. */
export function advertiseAddress(o: { advertiseAddress?: string; bindAddress: string }): string {
  if (o.advertiseAddress) return o.advertiseAddress;
  if (o.bindAddress !== '0.0.0.0' && o.bindAddress !== '::') return o.bindAddress;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function storeOf(stores: ReadonlyMap<KindInfo, Store>, group: string, resource: string): Store | undefined {
  for (const [k, s] of stores) if (k.group === group && k.resource === resource) return s;
  return undefined;
}

/** Creates the object, or brings the top-level fields `fields` of the stored one to it (of spec: its ports). */
async function ensure(store: Store | undefined, obj: KubeObject, fields: string[]): Promise<void> {
  if (!store) return;
  const ctx: WriteContext = { namespace: obj.metadata.namespace ?? NAMESPACE, dryRun: false, fieldValidation: 'Ignore', warnings: [] };
  try {
    await store.create(ctx, obj);
    return;
  } catch (e) {
    if (toApiError(e).code !== 409) throw e;
  }
  await store.update(ctx, obj.metadata.name as string, (cur) => {
    const next = { ...cur };
    // a stored cluster IP stays (it may not change); the target port follows this server's
    for (const f of fields) next[f] = f === 'spec' ? { ...cur.spec, ports: obj.spec?.ports } : obj[f];
    next.metadata = { ...cur.metadata, labels: { ...cur.metadata.labels, ...obj.metadata.labels } };
    return next;
  });
}

export async function reconcileKubernetesService(stores: ReadonlyMap<KindInfo, Store>, clusterIP: string, address: string, port: number): Promise<void> {
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  const service: KubeObject = {
    apiVersion: 'v1', kind: 'Service', metadata: { name: NAME, namespace: NAMESPACE, labels },
    spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], sessionAffinity: 'None', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] },
  };
  const family = address.includes(':') ? 'IPv6' : 'IPv4';
  try {
    await ensure(storeOf(stores, '', 'services'), service, ['spec']);
  } catch (e) {
    if (toApiError(e).code !== 422) throw e;
    // the first address may be held by a Service created before the ranges were recorded: any address will do
    log.warn('the kubernetes Service could not get the first service address', { clusterIP, error: (e as Error).message });
    const { clusterIP: _ip, clusterIPs: _ips, ...rest } = service.spec as Record<string, unknown>;
    await ensure(storeOf(stores, '', 'services'), { ...service, spec: rest }, ['spec']);
  }
  await ensure(storeOf(stores, '', 'endpoints'), {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: NAME, namespace: NAMESPACE, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  }, ['subsets']);
  await ensure(storeOf(stores, 'discovery.k8s.io', 'endpointslices'), {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: NAME, namespace: NAMESPACE, labels: { 'kubernetes.io/service-name': NAME } },
    addressType: family,
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  }, ['endpoints', 'ports']);
  log.info('the kubernetes Service points at this API server', { clusterIP, endpoint: `${address}:${port}` });
}

/**
 * Creates kube-system/kube-dns at `clusterIP` (ports dns 53/UDP and dns-tcp 53/TCP) unless it exists: once made, it
 * is the cluster's (kubeadm too creates it once), so a user's change stays. An address taken by another Service is
 * logged, not fatal: the node agents answer the cluster DNS on their bridge's gateway all the same.
 */
export async function ensureKubeDnsService(stores: ReadonlyMap<KindInfo, Store>, clusterIP: string): Promise<void> {
  const store = storeOf(stores, '', 'services');
  if (!store) return;
  const service: KubeObject = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' } },
    spec: {
      type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP],
      ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }],
    },
  };
  // looked up first: a create of an existing Service is refused for its address (422) before its name (409)
  try {
    await store.get('kube-system', 'kube-dns');
    return;
  } catch (e) {
    if (toApiError(e).code !== 404) throw e;
  }
  try {
    await store.create({ namespace: 'kube-system', dryRun: false, fieldValidation: 'Ignore', warnings: [] }, service);
    log.info('created the kube-dns Service', { clusterIP });
  } catch (e) {
    const code = toApiError(e).code;
    if (code === 409) return;
    if (code !== 422) throw e;
    log.warn('the kube-dns Service could not be created', { clusterIP, error: (e as Error).message });
  }
}
