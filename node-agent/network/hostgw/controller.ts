// host-gw as the node agent runs it: a Node informer feeds plan.ts, and each change (a node joining, getting its pod
// CIDR or its address, leaving) reprograms this node's routes to the other nodes' pods and its masquerade table.
// Level-based: every sync computes the whole wanted state from the cache and this node's addresses as they are now;
// syncs are coalesced and a failed one is retried with back-off. A sync also runs every 10 s without any event, as
// flannel checks its routes: a link that changed its address, or a route someone deleted, is put right.
import { findByKind } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { Informer, type Client } from '../../../lib/client/index.js';
import { logger, type Logger } from '../../../lib/util/log.js';
import { hostRunner, type CommandRunner } from '../exec.js';
import { NftApplier } from '../nft/apply.js';
import { clusterPodCIDRs, hostGatewayRoutes, masqueradeTableName, parseAddresses, renderMasquerade, type LocalAddress } from './plan.js';
import { HostRoutes } from './routes.js';

const NODE = findByKind('v1', 'Node')!;

export interface HostGatewayOptions {
  client: Client;
  nodeName: string;
  /** Names the masquerade table (flotilla-hostgw-NAME), as the proxy's tables are named. */
  instance: string;
  /** This node's pod CIDRs (its Node's spec.podCIDRs). */
  podCIDRs: string[];
  /** The pod bridge: its subnet is this node's pods, not a link to other nodes. */
  bridge: string;
  /** Where the installed routes are recorded (see routes.ts). */
  stateFile: string;
  runner?: CommandRunner;
  log?: Logger;
  /** How often to sync without an event (default 10 s). */
  resyncMs?: number;
  /** Called after a sync changed the cluster's pod CIDRs (the proxy's cluster CIDRs follow them). */
  onClusterCIDRs?: (cidrs: string[]) => void;
}

export class HostGateway {
  private readonly nodes: Informer;
  private readonly routes: HostRoutes;
  private readonly nft: NftApplier;
  private readonly run: CommandRunner;
  private readonly log: Logger;
  private timer?: NodeJS.Timeout;
  private periodic?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private failures = 0;
  private stopped = false;
  private lastCluster = '';

  constructor(private readonly o: HostGatewayOptions) {
    this.run = o.runner ?? hostRunner;
    this.log = o.log ?? logger('node-network');
    this.nodes = new Informer(o.client, NODE);
    this.routes = new HostRoutes({ stateFile: o.stateFile, runner: this.run, log: this.log });
    this.nft = new NftApplier(this.run);
    const changed = () => this.schedule(50);
    this.nodes.onAdd(changed).onUpdate((a, b) => {
      if (routingView(a) !== routingView(b)) changed();
    }).onDelete(changed);
  }

  /** Starts watching the Nodes and programs the first state before resolving (a failure is retried in the background). */
  async start(): Promise<void> {
    await this.nodes.start();
    await this.syncNow();
    this.periodic = setInterval(() => this.schedule(0), this.o.resyncMs ?? 10_000);
    this.periodic.unref();
  }

  /** The cluster's pod CIDRs as the last sync saw them. */
  clusterCIDRs(): string[] {
    return clusterPodCIDRs(this.nodes.list(), this.o.podCIDRs);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.syncNow();
    }, delayMs);
  }

  /** One sync now (or right after the one running). */
  async syncNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.sync().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.schedule(0);
      }
    });
    return this.running;
  }

  private async links(): Promise<LocalAddress[]> {
    const r = await this.run('ip', ['-4', '-o', 'addr', 'show']);
    if (r.code !== 0) throw new Error(`ip addr show: ${r.stderr.trim()}`);
    return parseAddresses(r.stdout).filter((a) => a.device !== 'lo' && a.device !== this.o.bridge);
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    try {
      const nodes = this.nodes.list();
      const want = hostGatewayRoutes(this.o.nodeName, nodes, await this.links(), this.o.podCIDRs);
      const cluster = clusterPodCIDRs(nodes, this.o.podCIDRs);
      await this.nft.apply([renderMasquerade(this.o.instance, this.o.podCIDRs, cluster)]);
      const r = await this.routes.sync(want);
      if (r.added.length || r.removed.length) this.log.info('host-gw routes changed', { added: r.added, removed: r.removed });
      this.failures = 0;
      const text = cluster.join(',');
      if (text !== this.lastCluster) {
        this.lastCluster = text;
        this.o.onClusterCIDRs?.(cluster);
      }
    } catch (e) {
      this.failures++;
      const delay = Math.min(500 * 2 ** (this.failures - 1), 30_000);
      this.log.error('host-gw sync failed; retrying', { error: (e as Error).message, retryInMs: delay });
      this.schedule(delay);
    }
  }

  /** Stops watching; routes and the masquerade table stay (pods keep their traffic while the agent restarts). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.periodic);
    this.nodes.stop();
    await this.running;
  }

  /** stop(), then removes this node's routes and masquerade table. */
  async cleanup(): Promise<void> {
    await this.stop();
    const removed = await this.routes.cleanup();
    if (removed.length) this.log.info('removed the host-gw routes', { routes: removed });
    await this.nft.remove([{ family: 'ip', table: masqueradeTableName(this.o.instance) }]);
  }
}

/** What of a Node the routes depend on. */
function routingView(n: KubeObject): string {
  return JSON.stringify([n.spec?.podCIDR, n.spec?.podCIDRs, n.status?.addresses, !!n.metadata.deletionTimestamp]);
}
