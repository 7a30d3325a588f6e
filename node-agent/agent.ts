// The node agent (our kubelet): registers its Node, renews its Lease every 10 s, keeps node status current, and
// runs the pods bound to it through containerd's CRI. Pods are synced by the controller loop every controller uses
// (lib/client's ReconcileLoop, keyed by pod uid: one worker per pod at a time, a failed sync retried with back-off,
// a sync that asks to look again later requeued then); a relist of the runtime every second (the kubelet's PLEG)
// notices containers that exited.
import { hostname as osHostname } from 'node:os';
import { findByKind } from '../lib/api/kinds.js';
import type { KubeObject } from '../lib/api/types.js';
import { Informer, ReconcileLoop, isAlreadyExists, isConflict, type Client } from '../lib/client/index.js';
import { EventRecorder } from '../lib/client/events.js';
import { logger } from '../lib/util/log.js';
import type { CriClient } from './cri/client.js';
import { RENEW_MS, renewNodeLease } from './node/lease.js';
import { nodeStatus, primaryIPv4 } from './node/node.js';
import { RuntimeHealth } from './node/runtime-health.js';
import { Backoff } from './pods/backoff.js';
import { LABEL_MANAGED, LABEL_POD_UID } from './pods/config.js';
import { ImagePuller } from './pods/images.js';
import { syncPod, type SyncDeps } from './pods/sync.js';

const log = logger('node-agent');
const NODE = findByKind('v1', 'Node')!;
const POD = findByKind('v1', 'Pod')!;
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
}

export class NodeAgent {
  readonly nodeName: string;
  readonly hostIP: string;
  private readonly pods: Informer;
  /** Pod workers: reconcile = syncPod of one pod uid. */
  private readonly podWorkers: ReconcileLoop;
  private readonly deps: SyncDeps;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly lastSeen = new Map<string, string>();
  private stopped = false;
  /** The runtime's health, which the Ready condition reports; a change is posted at once. */
  private readonly runtime: RuntimeHealth;

  constructor(private readonly client: Client, private readonly cri: CriClient, private readonly o: NodeAgentOptions) {
    this.nodeName = o.nodeName ?? osHostname().toLowerCase();
    this.hostIP = o.hostIP ?? primaryIPv4();
    this.pods = new Informer(client, POD, { fieldSelector: `spec.nodeName=${this.nodeName}` });
    this.pods.addIndex('uid', (p) => [p.metadata.uid as string]);
    this.podWorkers = new ReconcileLoop({
      name: 'node-agent',
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      log,
      routine: isConflict,
      reconcile: async (uid) => ({ requeueAfter: await syncPod(this.deps, uid, this.podByUid(uid)) }),
    });
    const kick = (p: KubeObject) => this.podWorkers.add(p.metadata.uid as string);
    // our own status writes come back as updates; only a change of spec or deletion needs a sync
    this.pods.onAdd(kick).onUpdate((old, p) => {
      if (old.metadata.deletionTimestamp !== p.metadata.deletionTimestamp || JSON.stringify(old.spec) !== JSON.stringify(p.spec)) kick(p);
    }).onDelete(kick);
    this.runtime = new RuntimeHealth(cri, { onChange: () => void this.updateNodeStatus().catch((e: Error) => log.warn('node status update failed', { error: e.message })) });
    this.deps = { client, cri, images: new ImagePuller(cri), restarts: new Backoff(), nodeName: this.nodeName, hostIP: this.hostIP, logRoot: o.logRoot, lastStatus: new Map(), startTimes: new Map(), recorder: new EventRecorder(client, 'kubelet', this.nodeName) };
  }

  /** The pod with this uid bound here, from the informer. */
  podByUid(uid: string): KubeObject | undefined {
    return this.pods.byIndex('uid', uid)[0];
  }

  podByName(namespace: string, name: string): KubeObject | undefined {
    return this.pods.get(name, namespace);
  }

  async start(): Promise<void> {
    await this.cri.waitForReady();
    await this.runtime.start();
    await this.registerNode();
    await this.renewLease();
    this.every(RENEW_MS, () => this.renewLease());
    this.every(STATUS_MS, () => this.updateNodeStatus());
    await this.pods.start();
    // sandboxes of pods that are gone (deleted while we were down) get a sync too, which removes them
    for (const s of await this.cri.listPodSandbox({ labelSelector: { [LABEL_MANAGED]: 'true' } })) this.podWorkers.add(s.labels[LABEL_POD_UID] as string);
    this.every(RELIST_MS, () => this.relist());
    void this.podWorkers.run(WORKERS);
    log.info('node agent ready', { node: this.nodeName, hostIP: this.hostIP });
  }

  stop(): void {
    this.stopped = true;
    this.runtime.stop();
    for (const t of this.timers) clearInterval(t);
    this.podWorkers.shutDown();
    this.pods.stop();
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

  private async updateNodeStatus(): Promise<void> {
    const cur = await this.client.get(NODE, this.nodeName);
    await this.client.patchStatus(NODE, this.nodeName, { status: await this.statusNow(cur) }, 'merge');
  }

  private renewLease(): Promise<void> {
    return renewNodeLease(this.client, this.nodeName);
  }

}
