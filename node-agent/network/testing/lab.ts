// A simulated node for the data plane's kernel tests: a "node" namespace with a pod bridge (the CNI bridge's shape),
// "pod" namespaces wired to it by veths, and "external" hosts wired to the node by their own links. The node's only
// default route is a dead-end link inside the node namespace, so a packet no rule of ours takes is dropped inside the node namespace: nothing
// a test sends can leave this machine.
import type { ChildProcess } from 'node:child_process';
import { Netns, runNodeHelper, startNodeHelper, stopProcess, type Started } from './netns.js';
import type { ProbeRequest, ProbeResult } from './probe.js';
import type { EchoServerOptions } from './echo-server.js';

const ECHO = new URL('./echo-server.js', import.meta.url);
const PROBE = new URL('./probe.js', import.meta.url);

export interface LabOptions {
  /** Pod subnet on the bridge, a /24 (default 10.244.0.0/24); the bridge takes .1. */
  podPrefix?: string;
  /** Prefix of the external links: external host N gets PREFIX.N.2, the node PREFIX.N.1 (default 172.31). */
  externalPrefix?: string;
}

export interface LabPod {
  name: string;
  ip: string;
  /** The pod's IPv6 address on the bridge (pods only). */
  ip6?: string;
  ns: Netns;
}

export class Lab {
  readonly node: Netns;
  readonly bridgeIP: string;
  /** The bridge's IPv6 address (pods get POD6_PREFIX::HOST). */
  readonly bridgeIP6 = 'fd00:244::1';
  readonly podCIDR: string;
  readonly pods = new Map<string, LabPod>();
  readonly externals = new Map<string, LabPod & { nodeIP: string }>();
  private readonly namespaces: Netns[] = [];
  private readonly processes: ChildProcess[] = [];
  private readonly podPrefix: string;
  private readonly externalPrefix: string;

  private constructor(node: Netns, opts: LabOptions) {
    this.node = node;
    this.namespaces.push(node);
    this.podPrefix = (opts.podPrefix ?? '10.244.0.0/24').replace(/\.0\/24$/, '');
    this.externalPrefix = opts.externalPrefix ?? '172.31';
    this.bridgeIP = `${this.podPrefix}.1`;
    this.podCIDR = `${this.podPrefix}.0/24`;
  }

  static async create(opts: LabOptions = {}): Promise<Lab> {
    const node = await Netns.create('node');
    const lab = new Lab(node, opts);
    try {
      const script = [
        'link add br0 type bridge', 'link set br0 up', `addr add ${lab.bridgeIP}/24 dev br0`, `addr add ${lab.bridgeIP6}/64 dev br0 nodad`,
        // The default route: a veth whose peer stays in the node namespace and answers nobody's ARP (the kernel
        // here has no dummy device), so off-node traffic is lost right here.
        'link add sink0 type veth peer name sink1', 'link set sink1 up', 'link set sink0 up', 'route add default dev sink0',
        'route add ::/0 dev sink0',
      ].join('\n');
      await node.ok('ip', ['-batch', '-'], script + '\n');
      await node.ok('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1', 'net.bridge.bridge-nf-call-iptables=1', 'net.ipv6.conf.all.forwarding=1']);
    } catch (e) {
      await lab.destroy();
      throw e;
    }
    return lab;
  }

  /** A pod namespace on the bridge with address PREFIX.`host`/24 and the bridge as its gateway. */
  async addPod(name: string, host: number): Promise<LabPod> {
    const ns = await Netns.create(`pod ${name}`);
    this.namespaces.push(ns);
    const ip = `${this.podPrefix}.${host}`;
    const veth = `vp${host}`;
    await this.node.ok('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(ns.pid)]);
    // hairpin: a pod reaching its own Service gets its packets back out of the port they came in by.
    await this.node.ok('ip', ['-batch', '-'], `link set ${veth} master br0\nlink set ${veth} type bridge_slave hairpin on\nlink set ${veth} up\n`);
    const ip6 = `fd00:244::${host.toString(16)}`;
    await ns.ok('ip', ['-batch', '-'], [
      `addr add ${ip}/24 dev eth0`, `addr add ${ip6}/64 dev eth0 nodad`, 'link set eth0 up',
      `route add default via ${this.bridgeIP}`, `route add ::/0 via ${this.bridgeIP6}`,
    ].join('\n') + '\n');
    const pod = { name, ip, ip6, ns };
    this.pods.set(name, pod);
    return pod;
  }

  /** A host outside the node, on its own link: it reaches the node at PREFIX.`n`.1 (a node IP). */
  async addExternal(name: string, n: number): Promise<LabPod & { nodeIP: string }> {
    const ns = await Netns.create(`external ${name}`);
    this.namespaces.push(ns);
    const nodeIP = `${this.externalPrefix}.${n}.1`;
    const ip = `${this.externalPrefix}.${n}.2`;
    const veth = `vx${n}`;
    await this.node.ok('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(ns.pid)]);
    await this.node.ok('ip', ['-batch', '-'], `addr add ${nodeIP}/24 dev ${veth}\nlink set ${veth} up\n`);
    await ns.ok('ip', ['-batch', '-'], `addr add ${ip}/24 dev eth0\nlink set eth0 up\nroute add default via ${nodeIP}\n`);
    const ext = { name, ip, ns, nodeIP };
    this.externals.set(name, ext);
    return ext;
  }

  /** Starts an echo server (TCP and/or UDP) inside `ns`: it answers "NAME PEER-ADDRESS". */
  async echo(ns: Netns, opts: EchoServerOptions): Promise<Started> {
    return startNodeHelper(ns, ECHO, opts, (p) => this.processes.push(p));
  }

  /** Starts any long-running helper script inside `ns` (it must print "ready" and exit when stdin closes). */
  async helper(ns: Netns, script: URL, arg: unknown): Promise<Started> {
    return startNodeHelper(ns, script, arg, (p) => this.processes.push(p));
  }

  /** Runs the probe client inside `ns`. */
  probe(ns: Netns, req: ProbeRequest): Promise<ProbeResult[]> {
    return runNodeHelper<ProbeResult[]>(ns, PROBE, req);
  }

  /** Stops every process and namespace; safe to call twice and after a failed create. */
  async destroy(): Promise<void> {
    await Promise.all(this.processes.splice(0).map(stopProcess));
    await Promise.all(this.namespaces.splice(0).reverse().map((ns) => ns.destroy()));
  }
}
