// The built-in service load balancer (k3s's ServiceLB idea, with no pods): a Service of type LoadBalancer without a
// loadBalancerClass gets the InternalIP addresses of the Ready nodes as its status.loadBalancer.ingress (ipMode VIP),
// and every node agent's proxy answers on those addresses at the Service's ports (node-agent/network/proxy). Nodes
// coming and going (or turning NotReady) change every such Service's ingress; a Service no longer of type
// LoadBalancer (or given a class, which another controller serves) loses what this controller gave it.
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isConflict, isNotFound, Reconciler, type Informer } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';

const SERVICE = findByKind('v1', 'Service')!;
const NODE = findByKind('v1', 'Node')!;

interface Ingress {
  ip: string;
  ipMode: 'VIP';
}

type Condition = { type?: string; status?: string };
type Address = { type?: string; address?: string };

/** The InternalIP addresses of the Ready, schedulable-or-not nodes, sorted (IPv4 before IPv6, as text). */
export function readyNodeAddresses(nodes: KubeObject[]): string[] {
  const out = new Set<string>();
  for (const n of nodes) {
    if (n.metadata.deletionTimestamp) continue;
    const ready = ((n.status?.conditions ?? []) as Condition[]).find((c) => c.type === 'Ready')?.status === 'True';
    if (!ready) continue;
    for (const a of (n.status?.addresses ?? []) as Address[]) if (a.type === 'InternalIP' && a.address) out.add(a.address);
  }
  return [...out].sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')) || a.localeCompare(b, 'en', { numeric: true }));
}

/** Whether this controller serves the Service: type LoadBalancer and no loadBalancerClass (the default balancer's). */
export function served(svc: KubeObject): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec?.loadBalancerClass;
}

export class ServiceLBController extends Reconciler {
  private readonly services: Informer;
  private readonly nodes: Informer;

  constructor(private readonly ctx: ControllerContext) {
    super('service-lb-controller');
    this.services = ctx.informers.informerFor(SERVICE);
    this.nodes = ctx.informers.informerFor(NODE);
    const key = (s: KubeObject) => this.enqueue(`${s.metadata.namespace}/${s.metadata.name}`);
    this.services.onAdd(key).onUpdate((_o, s) => key(s));
    // a node's addresses or readiness move every load-balanced Service; heartbeats that change neither are skipped
    const everyService = () => {
      for (const s of this.services.list()) if (served(s) || ingressOf(s).length) key(s);
    };
    this.nodes.onAdd(everyService).onDelete(everyService).onUpdate((old, cur) => {
      if (readyNodeAddresses([old]).join() !== readyNodeAddresses([cur]).join()) everyService();
    });
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.services.start(), this.nodes.start()]);
  }

  async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const svc = this.services.get(name, namespace);
    if (!svc || svc.metadata.deletionTimestamp) return;
    // a Service of another class is that controller's to fill in, and one that left LoadBalancer keeps no ingress
    if (svc.spec?.type === 'LoadBalancer' && svc.spec?.loadBalancerClass) return;
    const want: Ingress[] = served(svc) ? readyNodeAddresses(this.nodes.list()).map((ip) => ({ ip, ipMode: 'VIP' })) : [];
    const have = ingressOf(svc);
    if (JSON.stringify(have.map((i) => [i.ip, i.ipMode ?? 'VIP'])) === JSON.stringify(want.map((i) => [i.ip, i.ipMode]))) return;
    const status = { ...(svc.status ?? {}), loadBalancer: want.length ? { ingress: want } : {} };
    try {
      await this.ctx.client.updateStatus(SERVICE, { ...svc, status });
      this.log.info('load balancer ingress set', { service: key, ingress: want.map((i) => i.ip) });
    } catch (e) {
      // a newer Service (or none) comes back through the informer and is looked at again
      if (!isConflict(e) && !isNotFound(e)) throw e;
    }
  }
}

function ingressOf(svc: KubeObject): Array<{ ip?: string; ipMode?: string }> {
  return ((svc.status?.loadBalancer?.ingress ?? []) as Array<{ ip?: string; ipMode?: string }>);
}
