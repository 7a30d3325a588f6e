// The node agent (our kubelet): registers its Node, renews its Lease every 10 s, keeps node status current, and
// runs the pods bound to it through containerd's CRI. Pods are synced by the controller loop every controller uses
// (lib/client's ReconcileLoop, keyed by pod uid: one worker per pod at a time, a failed sync retried with back-off,
// a sync that asks to look again later requeued then); a relist of the runtime every second (the kubelet's PLEG)
// notices containers that exited. ConfigMaps and Secrets come from informers: a change wakes the pods that use it
// (their volumes are rewritten in place). Probe results that change wake their pod. Housekeeping evicts pods whose
// emptyDir outgrew its sizeLimit and removes the directories of pods that are gone.
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { findByKind } from '../lib/api/kinds.js';
import type { KubeObject } from '../lib/api/types.js';
import type { PodSandbox } from './cri/types.js';
import { Informer, ReconcileLoop, isAlreadyExists, isConflict, type Client } from '../lib/client/index.js';
import { EventRecorder } from '../lib/client/events.js';
import { logger } from '../lib/util/log.js';
import type { CriClient } from './cri/client.js';
import { RENEW_MS, renewNodeLease } from './node/lease.js';
import { capacity, nodeStatus, primaryIPv4, statusToReport } from './node/node.js';
import { RuntimeHealth } from './node/runtime-health.js';
import { StatsSampler } from './stats/summary.js';
import type { Summary } from '../lib/api/summary.js';
import { parseQuantity } from '../lib/api/quantity.js';
import { Backoff } from './pods/backoff.js';
import { PodCgroups } from './pods/cgroups.js';
import { milli } from './pods/qos.js';
import { LABEL_MANAGED, LABEL_POD_UID } from './pods/config.js';
import { ImagePuller } from './pods/images.js';
import { CachedObjects } from './pods/objects.js';
import { referencedObjects } from '../lib/api/pod-refs.js';
import { WatchedObjects } from './pods/watched-objects.js';
import { ProbeManager } from './pods/probes/manager.js';
import { syncPod, type SyncDeps } from './pods/sync.js';
import { TerminationMessages } from './pods/termination.js';
import { VolumeManager, type PersistentVolumeClaimSource } from './pods/volumes/manager.js';
import { hostMounter } from './pods/volumes/mounter.js';
import type { ServiceAccountTokenSource } from './pods/volumes/projection.js';
import { ServiceAccountTokenManager, tokenRequester } from './pods/volumes/service-account-token.js';
import { ClusterNetwork } from './network/cluster.js';
import { HostGateway } from './network/hostgw/controller.js';
import { waitForPodCIDR, writePodNetwork, type PodCIDRFromNode } from './network/pod-cidr.js';
import { hostRunner } from './network/exec.js';
import { ensureBridgeGateway, nodeNetworkName, upstreamsOf, type PodNetwork } from './network/pod-network.js';
import { podClusterDNS } from './network/kube-dns.js';

const log = logger('node-agent');
/** A pod that runs or may yet (not Succeeded or Failed): the kubelet's active pods, whose requests the QoS cgroups hold. */
const isActive = (p: KubeObject): boolean => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
const NODE = findByKind('v1', 'Node')!;
const POD = findByKind('v1', 'Pod')!;
const SERVICE = findByKind('v1', 'Service')!;
/** The kubelet's eviction manager looks this often (local storage: emptyDir sizeLimit). */
const HOUSEKEEPING_MS = 10_000;
const STATUS_MS = 10_000;
const RELIST_MS = 1_000;
const WORKERS = 8;

export interface NodeAgentOptions {
  nodeName?: string;
  dataDir: string;
  /** Where container logs go (the sandbox log directories). */
  logRoot: string;
  /** Port of the agent's log/exec server, published in the Node's daemonEndpoints. */
  port: number;
  hostIP?: string;
  /** Cluster DNS addresses for ClusterFirst pods (the kubelet's --cluster-dns); none: pods use the node's resolv.conf. */
  clusterDNS?: string[];
  /** The cluster domain (--cluster-domain). Default cluster.local. */
  clusterDomain?: string;
  /** The cgroup the pods' hierarchy (kubepods) goes under (the kubelet's --cgroup-root). Default `/`. */
  cgroupRoot?: string;
  /** Where the cgroup hierarchies are mounted. Default /sys/fs/cgroup. */
  cgroupMountPoint?: string;
  /** Fills projected serviceAccountToken sources; default: TokenRequests with the agent's own client (pods/volumes/service-account-token.ts). */
  serviceAccountToken?: ServiceAccountTokenSource;
  /** Where a persistentVolumeClaim volume is on this node (the workloads work provides it). */
  persistentVolumeClaim?: PersistentVolumeClaimSource;
  /** How often resource usage is sampled for the Summary API (the kubelet's housekeeping; default 10 s). */
  statsIntervalMs?: number;
  /**
   * The data plane (network/): the nftables service proxy and network policy, and the cluster DNS on the pod
   * bridge's gateway (which becomes the pods' nameserver unless clusterDNS says otherwise). Absent: none.
   */
  network?: {
    /** The runtime's pod network; absent with podCIDRFromNode (it is known once the Node has its podCIDR). */
    podNetwork?: PodNetwork;
    /** --service-cluster-ip-range */
    serviceCIDRs: string[];
    /** Port of the cluster DNS on the gateway (53; tests give a free one). */
    dnsPort?: number;
  };
  /**
   * The pod network comes from the Node's spec.podCIDR (node IPAM): the agent waits for it, writes the runtime's
   * bridge conflist with it, and routes to the other nodes' pods (host-gw, network/hostgw/). Absent: the runtime's
   * own subnet, as written (network.podNetwork).
   */
  podCIDRFromNode?: PodCIDRFromNode;
}

export class NodeAgent {
  readonly nodeName: string;
  readonly hostIP: string;
  private readonly pods: Informer;
  /** Every Service, for the containers' Service variables (KUBERNETES_SERVICE_HOST, ...), as the kubelet lists them. */
  private readonly services: Informer;
  private readonly watched: WatchedObjects;
  /** Pod workers: reconcile = syncPod of one pod uid. */
  private readonly podWorkers: ReconcileLoop;
  private readonly deps: SyncDeps;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly lastSeen = new Map<string, string>();
  private stopped = false;
  /** The runtime's health, which the Ready condition reports; a change is posted at once. */
  private readonly runtime: RuntimeHealth;
  /** CPU and memory samples of the node and its containers (the Summary API). */
  private readonly stats: StatsSampler;
  /** The pods' ServiceAccount tokens, refreshed before they expire. */
  private readonly tokens: ServiceAccountTokenManager;
  /** The service proxy, network policy and cluster DNS, once started. */
  network?: ClusterNetwork;
  /** Routes to the other nodes' pods and the masquerade table, with podCIDRFromNode. */
  hostGateway?: HostGateway;
  /** Ends the wait for the Node's podCIDR when the agent stops. */
  private readonly stopping = new AbortController();
  private hostResolvConf?: string;
  /** The pods' cgroups: kubepods under --cgroup-root, by QoS class. */
  readonly cgroups: PodCgroups;

  constructor(private readonly client: Client, private readonly cri: CriClient, private readonly o: NodeAgentOptions) {
    this.nodeName = o.nodeName ?? osHostname().toLowerCase();
    this.hostIP = o.hostIP ?? primaryIPv4();
    this.pods = new Informer(client, POD, { fieldSelector: `spec.nodeName=${this.nodeName}` });
    this.pods.addIndex('uid', (p) => [p.metadata.uid as string]);
    this.services = new Informer(client, SERVICE);
    this.podWorkers = new ReconcileLoop({
      name: 'node-agent',
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      log,
      routine: isConflict,
      reconcile: async (uid) => ({ requeueAfter: await syncPod(this.deps, uid, this.podByUid(uid)) }),
    });
    this.stats = new StatsSampler(cri, { nodeName: this.nodeName, intervalMs: o.statsIntervalMs });
    this.runtime = new RuntimeHealth(cri, { onChange: () => void this.updateNodeStatus().catch((e: Error) => log.warn('node status update failed', { error: e.message })) });
    // the ConfigMaps and Secrets the pods here use, each watched, so that pods see them without a request per sync
    // and notice their changes (tracked before the pod's sync is queued, which reads them)
    this.watched = new WatchedObjects(client, (field, key) => this.wakeUsersOf(field, key));
    const track = (p: KubeObject) => this.watched.track(p.metadata.uid as string, referencedObjects(p));
    this.pods.onAdd(track).onUpdate((_old, p) => track(p)).onDelete((p) => this.watched.forget(p.metadata.uid as string));
    const kick = (p: KubeObject) => this.podWorkers.add(p.metadata.uid as string);
    // our own status writes come back as updates; a change of spec, labels or annotations (downwardAPI volumes) or
    // a deletion needs a sync
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    this.pods.onAdd(kick).onUpdate((old, p) => {
      const m = old.metadata;
      if (m.deletionTimestamp !== p.metadata.deletionTimestamp || !same(old.spec, p.spec) || !same(m.labels, p.metadata.labels) || !same(m.annotations,
        p.metadata.annotations)) kick(p);
    }).onDelete(kick);
    // a token due for refresh wakes its pod, whose sync writes the new one into the projected volume
    this.tokens = new ServiceAccountTokenManager({ request: tokenRequester(client), onRefreshDue: (uid) => this.podWorkers.add(uid) });
    const recorder = new EventRecorder(client, 'kubelet', this.nodeName);
    const objects = new CachedObjects(client, this.watched);
    const cap = capacity(o.dataDir);
    const allocatable = { cpu: parseQuantity(cap.cpu) ?? 1, memory: parseQuantity(cap.memory) ?? 0, 'ephemeral-storage': parseQuantity(cap['ephemeral-storage']) ?? 0 };
    let hostResolvConf: string | undefined;
    try {
      hostResolvConf = readFileSync('/etc/resolv.conf', 'utf8');
    } catch {
      hostResolvConf = undefined;
    }
    this.hostResolvConf = hostResolvConf;
    this.cgroups = new PodCgroups({ cgroupRoot: o.cgroupRoot ?? '/', mountPoint: o.cgroupMountPoint, allocatableMilliCPU: milli(cap.cpu),
      activePods: () => this.pods.list().filter(isActive) });
    this.deps = {
      client, cri, images: new ImagePuller(cri), restarts: new Backoff(), nodeName: this.nodeName, hostIP: this.hostIP, logRoot: o.logRoot,
      lastStatus: new Map(), startTimes: new Map(), recorder, objects, allocatable,
      volumes: new VolumeManager({ podsDir: join(o.dataDir, 'pods'), objects, mounter: hostMounter, allocatable, serviceAccountToken: o.serviceAccountToken ?? this.tokens.source, persistentVolumeClaim: o.persistentVolumeClaim }),
      probes: new ProbeManager({ cri, onChange: (uid) => this.podWorkers.add(uid), record: (p, type, reason, message) => recorder.event({ ...p, apiVersion: 'v1', kind: 'Pod' }, type, reason, message), agentStartMs: Date.now() }),
      messages: new TerminationMessages(),
      dns: { clusterDNS: o.clusterDNS ?? podClusterDNS(o.network), clusterDomain: o.clusterDomain ?? 'cluster.local', hostResolvConf, nodeIPs: [this.hostIP] },
      evictions: new Map(),
      services: () => this.services.list(),
      cgroups: this.cgroups,
    };
  }

  /** Syncs the pods here that use this ConfigMap or Secret (`ns/name`). */
  private wakeUsersOf(field: 'configMaps' | 'secrets', key: string): void {
    const ns = key.slice(0, key.indexOf('/'));
    for (const p of this.pods.list({ namespace: ns })) if (referencedObjects(p)[field].has(key)) this.podWorkers.add(p.metadata.uid as string);
  }

  /** Syncs the pods here that mount this claim: it was just bound, so their volumes can be set up now. */
  wakeClaimUsers(namespace: string, claim: string): void {
    type V = { persistentVolumeClaim?: { claimName?: string } };
    for (const p of this.pods.list({ namespace })) {
      if (((p.spec?.volumes ?? []) as V[]).some((v) => v.persistentVolumeClaim?.claimName === claim)) this.podWorkers.add(p.metadata.uid as string);
    }
  }

  /** The pod with this uid bound here, from the informer. */
  podByUid(uid: string): KubeObject | undefined {
    return this.pods.byIndex('uid', uid)[0];
  }

  podByName(namespace: string, name: string): KubeObject | undefined {
    return this.pods.get(name, namespace);
  }

  /** CPU and memory of the node and its pods, from the last two samples (GET /stats/summary). */
  statsSummary(): Summary {
    return this.stats.summary();
  }

  async start(): Promise<void> {
    await this.cri.waitForReady();
    await this.runtime.start();
    await this.registerNode();
    await this.renewLease();
    this.every(RENEW_MS, () => this.renewLease());
    this.every(STATUS_MS, () => this.updateNodeStatus());
    // the pod network from the Node's podCIDR (node IPAM) before any pod starts: no sandbox gets an address elsewhere
    if (this.o.podCIDRFromNode) await this.configurePodNetwork(this.o.podCIDRFromNode);
    // Service rules and the cluster DNS before any pod starts, so a pod's first request to a Service finds them
    if (this.o.network) await this.startNetwork(this.o.network);
    // the Services are known before any container starts, so none misses KUBERNETES_SERVICE_HOST
    await this.services.start();
    await this.pods.start();
    // the QoS cgroups' shares for the pods already here (a restarted agent leaves their pod cgroups as they are)
    this.cgroups.updateQOS();
    // sandboxes of pods that are gone (deleted while we were down) get a sync too, which removes them
    const sandboxes = await this.cri.listPodSandbox({ labelSelector: { [LABEL_MANAGED]: 'true' } });
    for (const s of sandboxes) this.podWorkers.add(s.labels[LABEL_POD_UID] as string);
    // directories (and tmpfs mounts) of pods that went while we were down, with no sandbox left to sync
    await this.cleanupOrphans(sandboxes);
    this.every(RELIST_MS, () => this.relist());
    this.every(HOUSEKEEPING_MS, () => this.housekeeping());
    this.stats.start();
    void this.podWorkers.run(WORKERS);
    log.info('node agent ready', { node: this.nodeName, hostIP: this.hostIP });
  }

  /**
   * Waits for the Node's podCIDR, writes the runtime's conflist with it, and starts host-gw (routes to the other
   * nodes' pods, masquerading of what leaves the pod network). The node reports NotReady (the runtime's
   * NetworkReady=false) until the runtime has loaded the conflist.
   */
  private async configurePodNetwork(from: PodCIDRFromNode): Promise<void> {
    const podCIDRs = await waitForPodCIDR(this.client, this.nodeName, this.stopping.signal);
    const { network: podNetwork } = await writePodNetwork(from, podCIDRs[0] as string);
    if (this.o.network) {
      this.o.network.podNetwork = podNetwork;
      if (!this.o.clusterDNS) this.deps.dns.clusterDNS = podClusterDNS({ podNetwork, serviceCIDRs: this.o.network.serviceCIDRs });
    }
    // the bridge with its gateway address now, so host-gw sees the pod subnet as this node's own
    await ensureBridgeGateway(podNetwork, hostRunner);
    this.hostGateway = new HostGateway({
      client: this.client, nodeName: this.nodeName, instance: nodeNetworkName(podNetwork.bridge), podCIDRs, bridge: podNetwork.bridge,
      stateFile: from.routesStateFile, onClusterCIDRs: (cidrs) => this.network?.setClusterCIDRs(cidrs),
    });
    await this.hostGateway.start();
    // containerd reloads its CNI config on its own; asking now makes the node Ready without waiting for the next check
    for (let i = 0; i < 40 && this.runtime.errors().length && !this.stopped; i++) {
      await new Promise((r) => setTimeout(r, 250));
      await this.runtime.check();
    }
    log.info('pod network ready', { podCIDR: podNetwork.subnet, bridge: podNetwork.bridge });
  }

  private async startNetwork(n: NonNullable<NodeAgentOptions['network']>): Promise<void> {
    const podNetwork = n.podNetwork;
    if (!podNetwork) throw new Error('the node agent has no pod network to serve Services and DNS on');
    await ensureBridgeGateway(podNetwork, hostRunner);
    this.network = await ClusterNetwork.start({
      client: this.client,
      name: nodeNetworkName(podNetwork.bridge),
      node: { nodeName: this.nodeName, nodeIPs: [this.hostIP], clusterCIDRs: this.hostGateway?.clusterCIDRs() ?? [podNetwork.subnet],
        serviceCIDRs: n.serviceCIDRs },
      dns: {
        listen: [{ address: podNetwork.gateway, port: n.dnsPort ?? 53 }],
        upstreams: upstreamsOf(this.hostResolvConf ?? '').filter((u) => u.address !== podNetwork.gateway),
        domain: this.o.clusterDomain ?? 'cluster.local',
      },
    });
    log.info('service proxy and cluster DNS ready', { table: this.network.network.proxier.table, dns: `${podNetwork.gateway}:${n.dnsPort ?? 53}` });
  }

  /** Stops the agent; the node network's tables and routes are removed too (`flotilla down` leaves none behind). */
  async shutdown(): Promise<void> {
    this.stop();
    await this.network?.cleanup();
    await this.hostGateway?.cleanup();
  }

  stop(): void {
    this.stopped = true;
    this.stopping.abort();
    void this.hostGateway?.stop();
    this.runtime.stop();
    this.stats.stop();
    this.tokens.stop();
    for (const t of this.timers) clearInterval(t);
    this.podWorkers.shutDown();
    this.pods.stop();
    this.services.stop();
    this.watched.stop();
    this.deps.probes.stop();
  }

  private async cleanupOrphans(sandboxes: PodSandbox[]): Promise<void> {
    const uidOf = (s: PodSandbox) => s.labels[LABEL_POD_UID] as string;
    const active = new Set([...sandboxes.map(uidOf), ...this.pods.list().map((p) => p.metadata.uid as string)]);
    const removed = await this.deps.volumes.cleanupOrphans(active);
    if (removed.length) log.info('removed the directories of pods that are gone', { uids: removed });
    // cgroups of pods that are gone or finished (a cgroup still in use is never removed: rmdir refuses)
    const running = new Set([...sandboxes.filter((s) => s.state === 'SANDBOX_READY').map(uidOf), ...this.pods.list().filter(isActive).map((p) => p.metadata.uid as string)]);
    const cgroups = this.cgroups.cleanupOrphans(running);
    if (cgroups.length) log.info('removed the cgroups of pods that are gone', { uids: cgroups });
  }

  /** The eviction check (emptyDir over its sizeLimit) and, now and then, orphaned pod directories. */
  private housekeepingRuns = 0;
  private async housekeeping(): Promise<void> {
    this.tokens.retain(new Set(this.pods.list().map((p) => p.metadata.uid as string)));
    for (const p of this.pods.list()) {
      const uid = p.metadata.uid as string;
      const phase = p.status?.phase;
      if (p.metadata.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed' || this.deps.evictions.has(uid)) continue;
      const over = this.deps.volumes.overLimit(p);
      if (!over) continue;
      const message = `Usage of EmptyDir volume "${over.volume}" exceeds the limit "${over.limit}". `;
      log.warn('evicting pod', { pod: `${p.metadata.namespace}/${p.metadata.name}`, reason: message });
      this.deps.evictions.set(uid, message);
      this.podWorkers.add(uid);
    }
    // the burstable cgroup's shares follow the pods (a pod deleted while it was terminating is counted until now)
    this.cgroups.updateQOS();
    if (++this.housekeepingRuns % 6 === 0) {
      const sandboxes = await this.cri.listPodSandbox({ labelSelector: { [LABEL_MANAGED]: 'true' } });
      await this.cleanupOrphans(sandboxes);
    }
  }

  private every(ms: number, fn: () => Promise<void>): void {
    let busy = false;
    this.timers.push(setInterval(() => {
      if (busy || this.stopped) return;
      busy = true;
      fn().catch((e: Error) => log.warn('periodic task failed', { error: e.message })).finally(() => (busy = false));
    }, ms));
  }

  /** The PLEG: one ListContainers a second; a pod whose containers changed state gets synced. */
  private async relist(): Promise<void> {
    const containers = await this.cri.listContainers({ labelSelector: { [LABEL_MANAGED]: 'true' } });
    const seen = new Set<string>();
    for (const c of containers) {
      seen.add(c.id);
      if (this.lastSeen.get(c.id) !== c.state) {
        this.lastSeen.set(c.id, c.state);
        const uid = c.labels[LABEL_POD_UID];
        if (uid) this.podWorkers.add(uid);
      }
    }
    for (const id of this.lastSeen.keys()) if (!seen.has(id)) this.lastSeen.delete(id);
  }

  private async statusNow(prev: KubeObject | undefined): Promise<Record<string, unknown>> {
    return nodeStatus(prev, { dataDir: this.o.dataDir, hostIP: this.hostIP, hostname: this.nodeName, port: this.o.port, version: this.runtime.version,
      ready: this.runtime.ready() });
  }

  private async registerNode(): Promise<void> {
    const labels = { 'kubernetes.io/hostname': this.nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch };
    try {
      await this.client.create(NODE, { metadata: { name: this.nodeName, labels }, spec: {} });
      log.info('node registered', { node: this.nodeName });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    await this.updateNodeStatus();
  }

  /** Every STATUS_MS: the status is written when it changed, and at least every STATUS_REPORT_EVERY_MS. */
  private async updateNodeStatus(): Promise<void> {
    const cur = await this.client.get(NODE, this.nodeName);
    const status = await this.statusNow(cur);
    if (statusToReport(cur, status)) await this.client.patchStatus(NODE, this.nodeName, { status }, 'merge');
  }

  private renewLease(): Promise<void> {
    return renewNodeLease(this.client, this.nodeName);
  }

}
