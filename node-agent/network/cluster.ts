// The node agent's side of the data plane: informers over Services, EndpointSlices, Pods, Namespaces (and
// NetworkPolicies once the kind is served) feed NodeNetwork (index.ts), which programs the nftables service proxy
// and network policy and answers cluster DNS. Every event rebuilds the model from the caches (level-based, as a
// controller reconciles) and asks for a sync; NodeNetwork coalesces bursts into one nft transaction.
import { findByKind, type KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { Informer, type Client } from '../../lib/client/index.js';
import { logger, type Logger } from '../../lib/util/log.js';
import type { DnsServerOptions } from './dns/server.js';
import type { CommandRunner } from './exec.js';
import { buildModel } from './from-api.js';
import { NodeNetwork, type NodeNetworkSyncResult } from './index.js';
import { clusterDNSIP, withNodeLocalDNS } from './kube-dns.js';
import type { NetworkModel } from './model.js';

const SERVICE = findByKind('v1', 'Service')!;
const SLICE = findByKind('discovery.k8s.io/v1', 'EndpointSlice')!;
const POD = findByKind('v1', 'Pod')!;
const NAMESPACE = findByKind('v1', 'Namespace')!;
/** Not served yet: policies are enforced from the day the kind is (lib/api/kinds.ts), with no change here. */
const NETWORK_POLICY: KindInfo | undefined = findByKind('networking.k8s.io/v1', 'NetworkPolicy');

export interface ClusterNetworkOptions {
  client: Client;
  /** Names the nftables tables (flotilla-proxy-NAME, flotilla-policy-NAME): unique per node agent on the machine. */
  name: string;
  node: Pick<NetworkModel, 'nodeName' | 'nodeIPs' | 'clusterCIDRs' | 'serviceCIDRs'>;
  dns?: DnsServerOptions;
  runner?: CommandRunner;
  log?: Logger;
}

export class ClusterNetwork {
  private readonly informers: Informer[];
  private readonly log: Logger;
  private last?: Promise<NodeNetworkSyncResult>;

  private constructor(private readonly o: ClusterNetworkOptions, readonly network: NodeNetwork) {
    this.log = o.log ?? logger('node-network');
    const kinds = [SERVICE, SLICE, POD, NAMESPACE, ...(NETWORK_POLICY ? [NETWORK_POLICY] : [])];
    this.informers = kinds.map((k) => new Informer(o.client, k));
    const changed = (): void => void this.resync();
    for (const inf of this.informers) inf.onAdd(changed).onUpdate((old, cur) => {
      // our own pods' status heartbeats change nothing the data plane reads unless addresses, labels or readiness do
      if (inf.kind === POD && samePodForNetwork(old, cur)) return;
      changed();
    }).onDelete(changed);
  }

  /** Starts the DNS server and the informers, and programs the first model before resolving. */
  static async start(o: ClusterNetworkOptions): Promise<ClusterNetwork> {
    const network = await NodeNetwork.start({ name: o.name, dns: o.dns, runner: o.runner, log: o.log });
    const cn = new ClusterNetwork(o, network);
    try {
      await Promise.all(cn.informers.map((i) => i.start()));
    } catch (e) {
      await network.stop();
      throw e;
    }
    const first = await cn.resync();
    if (first.error) cn.log.warn('the first data plane sync failed; retrying', { error: first.error });
    return cn;
  }

  private informer(kind: KindInfo): Informer | undefined {
    return this.informers.find((i) => i.kind === kind);
  }

  /** The model from the caches now. */
  model(): NetworkModel {
    const list = (k: KindInfo | undefined): KubeObject[] => (k ? (this.informer(k)?.list() ?? []) : []);
    const model = buildModel(this.o.node, {
      services: list(SERVICE), endpointSlices: list(SLICE), pods: list(POD), namespaces: list(NAMESPACE), networkPolicies: list(NETWORK_POLICY),
    });
    const local = this.o.dns?.listen[0];
    const cidr = this.o.node.serviceCIDRs[0];
    return local ? withNodeLocalDNS(model, cidr ? clusterDNSIP(cidr) : undefined, local) : model;
  }

  /** The pod network changed (a node joined or left, host-gw): the proxy's masquerading and local-traffic rules follow. */
  setClusterCIDRs(cidrs: string[]): void {
    if (cidrs.join(',') === this.o.node.clusterCIDRs.join(',')) return;
    this.o.node = { ...this.o.node, clusterCIDRs: cidrs };
    void this.resync();
  }

  /** Programs the current model (coalesced with other calls); resolves when it is installed, or with its error. */
  resync(): Promise<NodeNetworkSyncResult> {
    this.last = this.network.sync(this.model());
    return this.last;
  }

  /** Stops watching and the DNS server; the tables stay (Services keep working across an agent restart). */
  async stop(): Promise<void> {
    for (const i of this.informers) i.stop();
    await this.network.stop();
  }

  /** stop(), then removes every nftables table of this node network. */
  async cleanup(): Promise<void> {
    for (const i of this.informers) i.stop();
    await this.network.cleanup();
  }
}

function samePodForNetwork(a: KubeObject, b: KubeObject): boolean {
  const view = (p: KubeObject): string =>
    JSON.stringify([p.metadata.labels, p.status?.podIPs, p.status?.podIP, p.spec?.nodeName, p.metadata.deletionTimestamp, p.spec?.containers]);
  return view(a) === view(b);
}
