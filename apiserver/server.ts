// The API server process: storage (embedded or external etcd), the watch cache, one generic store per kind, and
// the HTTPS server with WebSocket watches (TLS 1.2+, client certificates and tokens, see auth/). Writes the admin
// kubeconfig kubectl can use when the data dir's own CA made its certificates.
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { findByKind, type KindInfo } from '../lib/api/kinds.js';
import type { KubeObject } from '../lib/api/types.js';
import { logger } from '../lib/util/log.js';
import { createAdmission, createValidatingAdmission } from './admission/index.js';
import { namespaceLifecycle } from './admission/namespace-lifecycle.js';
import { createWebhookAdmission, type WebhookAdmission } from './admission/webhook/index.js';
import { cachePolicySource } from './auth/rbac/cache-source.js';
import { RBAC_GROUP, type RbacResource } from './auth/rbac/policy-index.js';
import { reconcileBootstrapPolicy } from './auth/rbac/reconcile.js';
import { setUpSecurity, type Security, type SecurityOptions } from './auth/setup.js';
import { EmbeddedEtcd } from './etcd/embedded.js';
import { toApiError } from './errors.js';
import { answerClientError, answerConnect, watchFirstPacket } from './http/client-error.js';
import { configureAgentTls } from './http/agent-dial.js';
import { createHandler } from './http/handler.js';
import { ResourceMetrics } from './metrics/resource-metrics.js';
import { agentSources } from './metrics/scrape.js';
import { storeFor } from './registry/converting-store.js';
import { STATUS_WRITE } from './registry/subresources.js';
import { UpgradeHandler } from './http/upgrade.js';
import { builtinKinds } from './registry/kinds/index.js';
import { CrdController } from './apiextensions/controller.js';
import { KindRegistry } from './registry/registry.js';
import { Store } from './registry/store.js';
import { AllocationRepair } from './registry/allocator/repair.js';
import { ServiceAllocator } from './registry/allocator/service.js';
import { advertiseAddress, ensureKubeDnsService, reconcileKubernetesService } from './registry/kubernetes-service.js';
import { ensureDefaultStorageClass } from './registry/default-storage-class.js';
import { ensureSystemPriorityClasses } from './registry/kinds/priorityclasses-bootstrap.js';
import { CacheHub } from './storage/cache.js';
import { EtcdStorage } from './storage/etcd.js';
import type { GroupCommitMode } from './storage/group-commit.js';
import { loadEncryptionConfig } from './storage/encryption/config.js';
import { configureEncryption } from './storage/encryption/index.js';
import { claimIdentity } from './storage/identity.js';
import { objectKey, resourcePrefix } from './storage/keys.js';
import { writeKubeConfig } from '../lib/client/kubeconfig.js';
import { VERSION } from '../lib/api/version.js';

const log = logger('apiserver');

export { VERSION };

export interface ApiServerOptions {
  bindAddress: string;
  port: number;
  dataDir: string;
  /** External etcd endpoints; without them an embedded etcd runs under dataDir. */
  etcdServers?: string[];
  /** The embedded etcd's ports: unset = recorded in the data dir or the defaults, 0 = any free one (see EmbeddedEtcd). */
  etcdClientPort?: number;
  etcdPeerPort?: number;
  bookmarkIntervalMs?: number;
  /** --etcd-group-commit: which concurrent writes go to etcd in one transaction (storage/group-commit.ts); default none. */
  groupCommit?: 'none' | GroupCommitMode;
  /** --min-request-timeout: a watch without timeoutSeconds ends after this many seconds times 1 to 2 (default 1800). */
  minRequestTimeoutSeconds?: number;
  /** Events kept per resource for watch resumption. */
  watchWindow?: number;
  /** --service-cluster-ip-range (default 10.96.0.0/12). */
  serviceClusterIPRange?: string;
  /** --service-node-port-range (default 30000-32767). */
  serviceNodePortRange?: string;
  /** The address the `kubernetes` Service's endpoints name (--advertise-address): bindAddress unless that is 0.0.0.0. */
  advertiseAddress?: string;
  /** TLS, authentication, audit and limits (auth/setup.ts); dataDir is taken from above. */
  security?: Omit<SecurityOptions, 'dataDir' | 'policy' | 'servingAddresses'>;
  /** --disable-admission-plugins (ServiceAccount: pods get no ServiceAccount, token volume nor pull secrets). */
  disableAdmissionPlugins?: string[];
  /** --encryption-provider-config: an EncryptionConfiguration for values at rest (storage/encryption). */
  encryptionProviderConfig?: string;
}

export class ApiServer {
  private etcd?: EmbeddedEtcd;
  private storage?: EtcdStorage;
  private hub?: CacheHub;
  private http?: Server;
  private upgrades?: UpgradeHandler;
  private repair?: AllocationRepair;
  private security?: Security;
  private crds?: CrdController;
  private webhooks?: WebhookAdmission;
  /** The served kinds; one registered at run time gets its store at once (CustomResourceDefinitions will). */
  readonly kinds = new KindRegistry();
  readonly stores = new Map<KindInfo, Store>();
  url = '';

  constructor(private readonly opts: ApiServerOptions) {}

  async start(): Promise<void> {
    const dataDir = resolve(this.opts.dataDir);
    mkdirSync(dataDir, { recursive: true });
    let endpoints = this.opts.etcdServers;
    if (!endpoints?.length) {
      this.etcd = new EmbeddedEtcd({ dataDir, clientPort: this.opts.etcdClientPort, peerPort: this.opts.etcdPeerPort });
      await this.etcd.start();
      endpoints = [this.etcd.endpoint];
    }
    configureEncryption(this.opts.encryptionProviderConfig ? loadEncryptionConfig(this.opts.encryptionProviderConfig) : undefined);
    const storage = (this.storage = new EtcdStorage(endpoints));
    if (this.opts.groupCommit && this.opts.groupCommit !== 'none') storage.groupCommit({ mode: this.opts.groupCommit });
    // every write checks the cluster identity, so none can land in an etcd that took over the endpoint later
    storage.guard(this.etcd ? this.etcd.identity : await claimIdentity(storage.client, randomUUID()));
    const hub = (this.hub = new CacheHub(storage, this.opts.watchWindow));
    const serviceAllocator = new ServiceAllocator({ storage, serviceCIDR: this.opts.serviceClusterIPRange, nodePortRange: this.opts.serviceNodePortRange });
    const nsCache = hub.register(resourcePrefix({ group: '', resource: 'namespaces' }));
    const gate = namespaceLifecycle(nsCache, hub, storage);
    const quotaStore = () => this.stores.get(findByKind('v1', 'ResourceQuota') as KindInfo) as Store;
    const admission: Parameters<typeof createAdmission>[0] = { disabled: this.opts.disableAdmissionPlugins, namespaceGate: gate,
      getServiceAccount: async (namespace, name) => this.lookup('serviceaccounts', namespace, name),
      listCached: (resource) => this.listCached(resource),
      getPriorityClass: async (name) => {
        try {
          return await (this.stores.get(findByKind('scheduling.k8s.io/v1', 'PriorityClass') as KindInfo) as Store).get(undefined, name);
        } catch (e) {
          if (toApiError(e).code === 404) return undefined;
          throw e;
        }
      },
      quotas: async (namespace) => (await quotaStore().list(namespace, { filter: { matches: () => true, isEverything: true } })).items,
      updateQuotaStatus: async (q) => void (await quotaStore().update({ namespace: q.metadata.namespace, dryRun: false, fieldValidation: 'Ignore', warnings: [] },
        q.metadata.name as string, () => q, STATUS_WRITE)) };
    const webhooks = (this.webhooks = createWebhookAdmission({ listCached: (resource) => this.listCached(resource),
      getNamespace: (name) => this.lookup('namespaces', undefined, name), disabled: this.opts.disableAdmissionPlugins }));
    const ctx = { listCached: (resource: string) => this.listCached(resource), serviceAllocator, admitCreate: createAdmission(admission),
      validateCreate: createValidatingAdmission(admission), webhooks };
    // a custom resource's kinds get their stores from the CRD controller (one etcd prefix for all its versions)
    this.kinds.onRegister((def) => def.ownSchema || this.stores.set(def.info, storeFor(def, storage, hub, gate, ctx, this.stores)));
    for (const def of await builtinKinds()) this.kinds.register(def);
    const crds = (this.crds = new CrdController({ kinds: this.kinds, stores: this.stores, storage, hub, gate, ctx }));
    await crds.loadFromStorage();
    await hub.start();
    await crds.start(this.stores.get(findByKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition') as KindInfo) as Store);
    await this.bootstrap();
    // values held by Services stored before their records existed are recorded first, then leaks are freed now and then
    this.repair = new AllocationRepair(serviceAllocator, { listServices: () => this.listCached('services') });
    await this.repair.start();

    // the default roles and bindings, then the authorizer over the RBAC kinds' watch caches
    const rbacStore = (resource: RbacResource): Store => [...this.stores].find(([k]) => k.group === RBAC_GROUP && k.resource === resource)?.[1] as Store;
    await reconcileBootstrapPolicy({ clusterroles: rbacStore('clusterroles'), clusterrolebindings: rbacStore('clusterrolebindings') });
    const policy = cachePolicySource((resource) => rbacStore(resource).cache);
    const objects = (resource: string, namespace: string | undefined, name: string) => this.lookup(resource, namespace, name);
    const podCache = hub.register(resourcePrefix({ group: '', resource: 'pods' }));
    const security = (this.security = await setUpSecurity({ ...this.opts.security, dataDir, policy,
      servingAddresses: [advertiseAddress(this.opts), serviceAllocator.kubernetesServiceIP] }, { objects, pods: podCache }));
    configureAgentTls(security.kubeletClient);
    const nodes = this.stores.get(findByKind('v1', 'Node') as KindInfo) as Store;
    const pods = this.stores.get(findByKind('v1', 'Pod') as KindInfo) as Store;
    const everything = { filter: { matches: () => true, isEverything: true } };
    const handler = createHandler({
      kinds: this.kinds,
      stores: this.stores,
      gate: security.gate,
      metrics: {
        usage: new ResourceMetrics(agentSources(async () => (await nodes.list(undefined, everything)).items)),
        pods: async (namespace) => (await pods.list(namespace, everything)).items,
      },
      serverAddress: `${this.opts.bindAddress}:${this.opts.port}`,
      documents: security.documents,
      version: VERSION,
      bookmarkIntervalMs: this.opts.bookmarkIntervalMs ?? 30_000,
      minRequestTimeoutSeconds: this.opts.minRequestTimeoutSeconds,
      healthChecks: {
        ping: async () => undefined,
        etcd: async () => {
          await storage.currentRevision();
        },
        'watch-cache': async () => {
          if (!hub.rev) throw new Error('not primed');
        },
      },
    });
    const serverOptions = { keepAliveTimeout: 65_000, requestTimeout: 0 };
    const server = (this.http = security.tls ? createHttpsServer({ ...security.tls, ...serverOptions }, handler) : createServer(serverOptions, handler));
    server.headersTimeout = 60_000;
    // a failed handshake (TLS 1.1, garbage) ends that connection only
    server.on('tlsClientError', (e: Error) => log.debug('TLS handshake failed', { error: e.message }));
    server.on('secureConnection', watchFirstPacket);
    // watches over WebSocket and pods/exec: every upgraded socket is guarded there (upgrade.ts)
    const upgrades = (this.upgrades = new UpgradeHandler({ stores: this.stores, gate: security.gate,
      bookmarkIntervalMs: this.opts.bookmarkIntervalMs ?? 30_000, minRequestTimeoutSeconds: this.opts.minRequestTimeoutSeconds }));
    server.on('upgrade', upgrades.handle);
    // what the HTTP parser refuses (a 100 KB URL, an unknown method) gets a Status, not a reset connection
    server.on('clientError', (e, socket) => answerClientError(e, socket));
    server.on('connect', (_req, socket) => answerConnect(socket));
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(this.opts.port, this.opts.bindAddress, () => res());
    });
    // past listen, a server error is one failed accept (EMFILE under a connection flood): logged, not fatal
    server.on('error', (e) => log.error('HTTP server error', { error: e.message }));
    const addr = server.address() as AddressInfo;
    const host = this.opts.bindAddress === '0.0.0.0' ? '127.0.0.1' : this.opts.bindAddress;
    this.url = `${security.tls ? 'https' : 'http'}://${host}:${addr.port}`;
    if (security.admin) {
      writeKubeConfig(join(dataDir, 'kubeconfig'), { server: this.url, clusterName: 'flotilla', userName: 'kubernetes-admin', contextName: 'flotilla', caPem: security.admin.ca, certPem: security.admin.cert, keyPem: security.admin.key });
    } else if (!security.tls) {
      writeKubeConfig(join(dataDir, 'kubeconfig'), { server: this.url, clusterName: 'flotilla', userName: 'admin', contextName: 'flotilla' });
    }
    await reconcileKubernetesService(this.stores, serviceAllocator.kubernetesServiceIP, advertiseAddress(this.opts), addr.port);
    await ensureKubeDnsService(this.stores, serviceAllocator.clusterDNSServiceIP);
    log.info('API server listening', { url: this.url, kubeconfig: join(dataDir, 'kubeconfig'), etcd: endpoints });
  }

  /**
   * One core/v1 object, from the watch cache (memory), else etcd: what a ServiceAccount token is bound to is looked up
   * on every request that carries one, and an object created a moment ago may not be in the cache yet.
   */
  private async lookup(resource: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const store = [...this.stores].find(([k]) => k.resource === resource && k.group === '')?.[1];
    if (!store) return undefined;
    const cached = store.cache.get(objectKey(store.kind, namespace, name));
    if (cached) return cached;
    try {
      return await store.get(namespace, name);
    } catch (e) {
      if (toApiError(e).code === 404) return undefined;
      throw e;
    }
  }

  /** `resource` is a core resource (`services`) or one of another group, qualified (`storageclasses.storage.k8s.io`). */
  private listCached(resource: string): KubeObject[] {
    const dot = resource.indexOf('.');
    const [plural, group] = dot < 0 ? [resource, ''] : [resource.slice(0, dot), resource.slice(dot + 1)];
    for (const [k, s] of this.stores) if (k.resource === plural && k.group === group) return s.cache.list();
    return [];
  }

  /** The namespaces Kubernetes has from the start, and the default StorageClass. */
  private async bootstrap(): Promise<void> {
    const ns = [...this.stores].find(([k]) => k.resource === 'namespaces')?.[1];
    if (!ns) return;
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      try {
        await ns.create({ dryRun: false, fieldValidation: 'Ignore', warnings: [] }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
        log.info('created namespace', { name });
      } catch (e) {
        if (toApiError(e).code !== 409) throw e;
      }
    }
    await ensureDefaultStorageClass(this.stores);
    await ensureSystemPriorityClasses(this.stores);
  }

  async stop(): Promise<void> {
    this.repair?.stop();
    this.crds?.stop();
    await this.hub?.stop();
    this.upgrades?.close();
    if (this.http) {
      this.http.closeAllConnections();
      await new Promise<void>((r) => this.http?.close(() => r()));
    }
    this.webhooks?.close();
    this.storage?.close();
    await this.etcd?.stop();
    await this.security?.close();
  }
}

