// What a Service holds of the cluster's ranges: its cluster IP (--service-cluster-ip-range, default 10.96.0.0/12) and
// its node ports (--service-node-port-range, default 30000-32767). The store asks for them after the object is
// checked and before it is written (allocate), gives back what a failed write took (revert), and frees what an update
// or a delete let go (commit, release), as Kubernetes' service REST storage does around its writes.
import type { KubeObject, StatusCause } from '../../../lib/api/types.js';
import { ApiError, errors } from '../../errors.js';
import { formatInvalidMessage } from '../../validation/index.js';
import { invalid, type FieldCause } from '../../validation/field.js';
import { AllocatedError, NotInRangeError, RangeAllocator, RangeFullError, type AllocationStorage, type ParentRef } from './allocator.js';
import { parseIPRange, parsePortRange, type IPRange, type PortRange } from './ip-range.js';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';
// Under /registry/, where the watch cache's one etcd watch sees every write: a write outside it would leave the
// cache's revision behind etcd's until the next write of an object, and a read at etcd's revision would wait for it
// (504 "Too large resource version"). Kubernetes keeps its allocations under /registry/ too (ranges, ipaddresses).
const PREFIX = '/registry/flotilla.io/allocations/';

export interface ServiceAllocatorOptions {
  storage: AllocationStorage;
  serviceCIDR?: string;
  nodePortRange?: string;
  random?: () => number;
}

/** What one write took; the store calls commit() once the write is stored, revert() when it isn't. */
export interface AllocationTxn {
  commit(): Promise<void>;
  revert(): Promise<void>;
}

interface Holdings {
  ips: string[];
  nodePorts: number[];
}

type Port = { nodePort?: number };

const SERVICE = { group: '', kind: 'Service' };

export class ServiceAllocator {
  readonly ipRange: IPRange;
  readonly portRange: PortRange;
  readonly ips: RangeAllocator;
  readonly nodePorts: RangeAllocator;

  constructor(o: ServiceAllocatorOptions) {
    const ipRange = (this.ipRange = parseIPRange(o.serviceCIDR ?? DEFAULT_SERVICE_CIDR));
    const portRange = (this.portRange = parsePortRange(o.nodePortRange ?? DEFAULT_NODE_PORT_RANGE));
    this.ips = new RangeAllocator({
      storage: o.storage,
      prefix: `${PREFIX}serviceips/`,
      size: ipRange.size,
      valueAt: (i) => ipRange.ipAt(i),
      offsetOf: (ip) => ipRange.offsetOf(ip),
      notInRange: (ip) => `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${ipRange.cidr}`,
      allocatedMessage: 'provided IP is already allocated',
      random: o.random,
    });
    this.nodePorts = new RangeAllocator({
      storage: o.storage,
      prefix: `${PREFIX}servicenodeports/`,
      size: portRange.size,
      valueAt: (i) => String(portRange.base + i),
      offsetOf: (p) => (/^\d+$/.test(p) && Number(p) >= portRange.base && Number(p) < portRange.base + portRange.size ? Number(p) - portRange.base : undefined),
      notInRange: () => `provided port is not in the valid range. The range of valid ports is ${portRange.text}`,
      allocatedMessage: 'provided port is already allocated',
      random: o.random,
    });
  }

  /** The first address of the range: the `kubernetes` Service's, as in Kubernetes (10.96.0.1). */
  get kubernetesServiceIP(): string {
    return this.ipRange.ipAt(0);
  }

  /** The tenth address of the range: the cluster DNS Service's (kube-dns, 10.96.0.10), as kubeadm picks it. */
  get clusterDNSServiceIP(): string {
    return this.ipRange.ipAt(9);
  }

  /**
   * Fills in and takes the cluster IP and node ports `svc` needs (create: `old` undefined; update: what `old` does
   * not hold already). A requested IP or port that is taken or outside the range is refused with 422, as Kubernetes
   * words it; nothing stays taken then. With dryRun nothing is written.
   */
  async allocate(svc: KubeObject, old: KubeObject | undefined, dryRun: boolean): Promise<AllocationTxn> {
    const parent: ParentRef = { resource: 'services', namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '', uid: svc.metadata.uid ?? '' };
    const had = old ? holdings(old) : { ips: [], nodePorts: [] };
    const taken: Holdings = { ips: [], nodePorts: [] };
    const revert = async (): Promise<void> => {
      if (dryRun) return;
      await Promise.all([...taken.ips.map((ip) => this.ips.release(ip, parent)), ...taken.nodePorts.map((p) => this.nodePorts.release(String(p), parent))]);
    };
    try {
      await this.allocateIP(svc, had, taken, parent, dryRun);
      await this.allocateNodePorts(svc, had, taken, parent, dryRun);
    } catch (e) {
      await revert();
      throw e;
    }
    const now = holdings(svc);
    return {
      revert,
      commit: async () => {
        if (dryRun) return;
        // what the update let go of (a type changed to ExternalName, a port removed)
        await Promise.all([
          ...had.ips.filter((ip) => !now.ips.includes(ip)).map((ip) => this.ips.release(ip, parent)),
          ...had.nodePorts.filter((p) => !now.nodePorts.includes(p)).map((p) => this.nodePorts.release(String(p), parent)),
        ]);
      },
    };
  }

  /** Frees what a deleted Service held. */
  async release(svc: KubeObject): Promise<void> {
    const parent = { uid: svc.metadata.uid ?? '' };
    const h = holdings(svc);
    await Promise.all([...h.ips.map((ip) => this.ips.release(ip, parent)), ...h.nodePorts.map((p) => this.nodePorts.release(String(p), parent))]);
  }

  private async allocateIP(svc: KubeObject, had: Holdings, taken: Holdings, parent: ParentRef, dryRun: boolean): Promise<void> {
    const spec = (svc.spec ??= {}) as Record<string, unknown>;
    if (spec.type === 'ExternalName') return;
    const ips = Array.isArray(spec.clusterIPs) ? (spec.clusterIPs as string[]) : [];
    const requested = ips[0] || (typeof spec.clusterIP === 'string' ? spec.clusterIP : '');
    if (requested === 'None') {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
      return;
    }
    if (requested && had.ips.includes(requested)) return; // kept across the update (immutability is checked before)
    let ip: string;
    try {
      ip = requested ? await this.ips.allocate(requested, parent, dryRun) : await this.ips.allocateNext(parent, dryRun);
    } catch (e) {
      if (e instanceof RangeFullError) throw errors.internal(`failed to allocate a serviceIP: ${e.message}`);
      if (e instanceof NotInRangeError || e instanceof AllocatedError) {
        throw invalidService(svc, [invalid('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: ${e.message}`)]);
      }
      throw e;
    }
    if (!dryRun) taken.ips.push(ip);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
    spec.ipFamilies = [this.ipRange.family === 6 ? 'IPv6' : 'IPv4'];
  }

  private async allocateNodePorts(svc: KubeObject, had: Holdings, taken: Holdings, parent: ParentRef, dryRun: boolean): Promise<void> {
    const spec = svc.spec as Record<string, unknown>;
    if (!wantsNodePorts(spec)) return;
    const ports = (Array.isArray(spec.ports) ? spec.ports : []) as Port[];
    // One node port may serve a TCP and a UDP port of the same Service: it is taken once.
    const mine = new Set<number>(had.nodePorts);
    for (const [i, p] of ports.entries()) {
      const asked = typeof p.nodePort === 'number' && p.nodePort > 0 ? p.nodePort : undefined;
      if (asked !== undefined && mine.has(asked)) continue;
      try {
        const got = asked !== undefined ? await this.nodePorts.allocate(String(asked), parent, dryRun) : await this.nodePorts.allocateNext(parent, dryRun);
        p.nodePort = Number(got);
        mine.add(p.nodePort);
        if (!dryRun) taken.nodePorts.push(p.nodePort);
      } catch (e) {
        if (e instanceof RangeFullError) throw errors.internal(`failed to allocate a nodePort: ${e.message}`);
        if (e instanceof NotInRangeError || e instanceof AllocatedError) throw invalidService(svc, [invalid(`spec.ports[${i}].nodePort`, asked, e.message)]);
        throw e;
      }
    }
  }
}

/** NodePort Services, and LoadBalancer ones unless allocateLoadBalancerNodePorts is false, get node ports. */
function wantsNodePorts(spec: Record<string, unknown>): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

/** The cluster IPs and node ports a stored Service holds. */
export function holdings(svc: KubeObject): Holdings {
  const spec = (svc.spec ?? {}) as Record<string, unknown>;
  const ips = spec.type === 'ExternalName' ? [] : ((Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [spec.clusterIP]) as unknown[]).filter((ip): ip is string => typeof ip === 'string' && ip !== '' && ip !== 'None');
  const nodePorts = ((Array.isArray(spec.ports) ? spec.ports : []) as Port[]).map((p) => p.nodePort).filter((n): n is number => typeof n === 'number' && n > 0);
  return { ips, nodePorts: [...new Set(nodePorts)] };
}

function invalidService(svc: KubeObject, causes: FieldCause[]): ApiError {
  const name = svc.metadata.name ?? '';
  return errors.invalid(SERVICE, name, formatInvalidMessage('Service', name, causes as StatusCause[]), causes as StatusCause[]);
}
