// The node's data plane as the node agent drives it: the service proxy (proxy/), NetworkPolicy (policy/) and the
// node-local cluster DNS (dns/), all computed from one plain NetworkModel (model.ts).
//
// What the later wiring (node-agent/agent.ts, fed by informers) must do:
//   1. At start: `await NodeNetwork.start({ name, dns: { listen, upstreams, domain } })`. `name` must be unique per
//      node agent on the machine (it names the nftables tables flotilla-proxy-NAME and flotilla-policy-NAME); the
//      node's name is a good choice. `dns.listen` is where pods' resolv.conf points (podDnsConfig's clusterDNS), e.g.
//      the kube-dns ClusterIP or a link-local address put on a node interface by the agent; `upstreams` are the
//      nameservers of the node's own resolv.conf.
//   2. On every informer event (Services, EndpointSlices, Pods, Namespaces, NetworkPolicies) rebuild the model from
//      the informers' caches and call `sync(model)`; calls are coalesced, so calling it on every event is fine:
//        nodeName        this node's name (endpoints' nodeName is compared to it for traffic policy Local)
//        nodeIPs         the node's InternalIP (and ExternalIP) addresses: NodePorts are served on them
//        clusterCIDRs    the pod network (--cluster-cidr); serviceCIDRs the service network (10.96.0.0/12)
//        services        every Service: type, spec.clusterIPs ('None' for headless), spec.ports (name, protocol,
//                        port, nodePort), sessionAffinity + sessionAffinityConfig.clientIP.timeoutSeconds,
//                        externalTrafficPolicy, internalTrafficPolicy, status.loadBalancer.ingress[].ip, externalName
//        endpoints       one entry per EndpointSlice endpoint: service from the slice's kubernetes.io/service-name
//                        label, addresses, the slice's ports, conditions ready/serving/terminating (nil ready ->
//                        true, nil serving -> ready, nil terminating -> false), nodeName, hostname
//        pods            every pod with status.podIPs: namespace, name, labels, ips, spec.nodeName, hostNetwork,
//                        container ports (name, containerPort, protocol)
//        namespaces      name and labels; networkPolicies: namespace, name and spec as the API gives them
//      Node prerequisites for pod traffic on a bridge: net.ipv4.ip_forward=1 and br_netfilter with
//      net.bridge.bridge-nf-call-iptables=1 (so the proxy and policies see pod-to-pod traffic on the bridge), and
//      hairpin mode on the bridge ports (the CNI bridge's hairpinMode: true) for a pod reaching its own Service.
//   3. For each pod sandbox: resolv.conf from `podDnsConfig()` (dns/resolvconf.ts) with clusterDNS = dns.listen.
//   4. On shutdown: `stop()` (the tables stay, so Services keep working while the agent restarts, as with
//      kube-proxy). `flotilla down`: `cleanupNodeNetwork(name)` (or `cleanup()` on a running instance) deletes the
//      tables; nothing else on the machine is touched.
import { logger, type Logger } from '../../lib/util/log.js';
import { hostRunner, type CommandRunner } from './exec.js';
import type { IPFamily } from './ip.js';
import type { NetworkModel } from './model.js';
import { NftApplier } from './nft/apply.js';
import { PolicyEnforcer, policyTableName, type PolicySyncResult } from './policy/enforcer.js';
import { Proxier, proxyTableName, type ProxySyncResult } from './proxy/proxier.js';
import { DnsServer, type DnsServerOptions } from './dns/server.js';
import { masqueradeTableName } from './hostgw/plan.js';

export type { NetworkModel } from './model.js';
export { podDnsConfig, formatResolvConf } from './dns/resolvconf.js';

export interface NodeNetworkOptions {
  /** Unique per node agent on this machine: lower-case letters, digits and '-' (at most 40). */
  name: string;
  /** The node-local DNS server; absent: none is started. */
  dns?: DnsServerOptions;
  /** Where nft and conntrack run (default: this process's network namespace). */
  runner?: CommandRunner;
  families?: IPFamily[];
  /** Models arriving within this window are programmed together (default 50 ms). */
  debounceMs?: number;
  /** After a failed sync, retry after this, doubling up to 30 s (default 500 ms). */
  retryMs?: number;
  log?: Logger;
}

/** What one sync did; `error` says what failed (the next sync is retried on its own). */
export interface NodeNetworkSyncResult {
  proxy?: ProxySyncResult;
  policy?: PolicySyncResult;
  error?: string;
  /** From the first model of the batch arriving to the tables being installed. */
  latencyMs: number;
  /** How many sync() calls this run covered. */
  coalesced: number;
}

export class NodeNetwork {
  readonly proxier: Proxier;
  readonly policy: PolicyEnforcer;
  /** The node-local DNS server (when configured); sync() updates it, `dnsServer.update(model)` does so at once. */
  readonly dnsServer?: DnsServer;
  private readonly log: Logger;
  private readonly debounceMs: number;
  private readonly retryMs: number;
  private latest?: NetworkModel;
  private firstQueuedAt = 0;
  private waiters: ((r: NodeNetworkSyncResult) => void)[] = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private failures = 0;
  private stopped = false;

  private constructor(opts: NodeNetworkOptions, dns: DnsServer | undefined) {
    const runner = opts.runner ?? hostRunner;
    this.log = opts.log ?? logger('node-network');
    this.proxier = new Proxier({ name: opts.name, runner, families: opts.families, log: this.log });
    this.policy = new PolicyEnforcer({ name: opts.name, runner, families: opts.families, log: this.log });
    this.dnsServer = dns;
    this.debounceMs = opts.debounceMs ?? 50;
    this.retryMs = opts.retryMs ?? 500;
  }

  static async start(opts: NodeNetworkOptions): Promise<NodeNetwork> {
    proxyTableName(opts.name); // validates the name before anything starts
    const dns = opts.dns ? await DnsServer.start(opts.dns) : undefined;
    return new NodeNetwork(opts, dns);
  }

  /**
   * Programs `model` within debounceMs, together with every other model given meanwhile (only the latest counts):
   * first the DNS answers (rebuilding the zone costs tens of milliseconds at 1,000 Services, so bursts of informer
   * events are coalesced for it too), then the nftables tables. Resolves when a sync covering this model has run;
   * never rejects (a failure is in `error` and is retried with back-off).
   */
  sync(model: NetworkModel): Promise<NodeNetworkSyncResult> {
    if (this.stopped) return Promise.resolve({ error: 'the node network is stopped', latencyMs: 0, coalesced: 0 });
    if (!this.latest) this.firstQueuedAt = performance.now();
    this.latest = model;
    const done = new Promise<NodeNetworkSyncResult>((resolve) => this.waiters.push(resolve));
    this.schedule(this.debounceMs);
    return done;
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // One run at a time: a model arriving during a run is picked up by the next one.
      if (this.running) return void this.running.then(() => this.schedule(0));
      this.running = this.run().finally(() => {
        this.running = undefined;
      });
    }, delayMs);
  }

  private async run(): Promise<void> {
    const model = this.latest;
    if (!model) return;
    const waiters = this.waiters;
    const queuedAt = this.firstQueuedAt;
    this.latest = undefined;
    this.waiters = [];
    const result: NodeNetworkSyncResult = { latencyMs: 0, coalesced: waiters.length };
    const errors: string[] = [];
    try {
      this.dnsServer?.update(model);
    } catch (e) {
      errors.push(`cluster DNS: ${(e as Error).message}`);
    }
    try {
      result.proxy = await this.proxier.sync(model);
    } catch (e) {
      errors.push(`service proxy: ${(e as Error).message}`);
    }
    try {
      result.policy = await this.policy.sync(model);
    } catch (e) {
      errors.push(`network policy: ${(e as Error).message}`);
    }
    result.latencyMs = performance.now() - queuedAt;
    if (errors.length) {
      result.error = errors.join('; ');
      this.failures++;
      const delay = Math.min(this.retryMs * 2 ** (this.failures - 1), 30_000);
      this.log.error('node network sync failed; retrying', { error: result.error, retryInMs: delay });
      // Retry with this model unless a newer one has arrived meanwhile.
      if (!this.latest) {
        this.latest = model;
        this.firstQueuedAt = queuedAt;
      }
      this.schedule(delay);
    } else {
      this.failures = 0;
    }
    for (const w of waiters) w(result);
  }

  /** Stops syncing and the DNS server; the tables stay (Services keep working while the agent restarts). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    for (const w of this.waiters.splice(0)) w({ error: 'the node network stopped', latencyMs: 0, coalesced: 0 });
    await this.dnsServer?.close();
  }

  /** stop(), then deletes this instance's tables (proxy and policy, both families). */
  async cleanup(): Promise<void> {
    await this.stop();
    await this.proxier.cleanup();
    await this.policy.cleanup();
  }
}

/** Deletes the tables of node network instance `name` without a running instance (for `flotilla down`). */
export async function cleanupNodeNetwork(name: string, runner: CommandRunner = hostRunner): Promise<void> {
  const tables = [proxyTableName(name), policyTableName(name)];
  // and host-gw's masquerade table (hostgw/), IPv4 only
  await new NftApplier(runner).remove([...tables.flatMap((table) => [{ family: 'ip' as const, table }, { family: 'ip6' as const, table }]),
    { family: 'ip', table: masqueradeTableName(name) }]);
}
