// Services: a cluster IP from the service range (10.96.0.0/12) unless headless, node ports from 30000-32767 for
// NodePort and LoadBalancer services; both kept across updates.
import type { KindInfo } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import type { Strategy, StrategyContext } from '../strategy.js';

const SERVICE_BASE = (10 << 24) | (96 << 16); // 10.96.0.0
const SERVICE_SIZE = 1 << 20; // /12

function ipToString(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function usedIps(ctx: StrategyContext): Set<string> {
  return new Set(ctx.listCached('services').map((s) => s.spec?.clusterIP as string).filter(Boolean));
}

function allocateIp(ctx: StrategyContext): string {
  const used = usedIps(ctx);
  for (let tries = 0; tries < 1000; tries++) {
    const ip = ipToString(SERVICE_BASE + 2 + Math.floor(Math.random() * (SERVICE_SIZE - 3)));
    if (!used.has(ip)) return ip;
  }
  throw new Error('the service cluster IP range is full');
}

function allocateNodePort(used: Set<number>): number {
  for (let tries = 0; tries < 5000; tries++) {
    const p = 30000 + Math.floor(Math.random() * 2768);
    if (!used.has(p)) return p;
  }
  throw new Error('the node port range is full');
}

type Port = { port?: number; nodePort?: number; targetPort?: number | string };

export function serviceStrategy(kind: KindInfo): Strategy {
  return {
    kind,
    statusSubresource: true,
    generation: false,
    prepareForCreate(obj: KubeObject, ctx: StrategyContext) {
      obj.status = { loadBalancer: {} };
      const spec = (obj.spec ??= {});
      const type = (spec.type as string | undefined) ?? 'ClusterIP';
      if (type !== 'ExternalName') {
        if (!spec.clusterIP) spec.clusterIP = allocateIp(ctx);
        if (spec.clusterIP !== 'None') spec.clusterIPs = [spec.clusterIP];
        else spec.clusterIPs = ['None'];
      }
      if (type === 'NodePort' || type === 'LoadBalancer') {
        const used = new Set<number>();
        for (const s of ctx.listCached('services')) for (const p of (s.spec?.ports ?? []) as Port[]) if (p.nodePort) used.add(p.nodePort);
        for (const p of (spec.ports ?? []) as Port[]) {
          if (!p.nodePort) p.nodePort = allocateNodePort(used);
          used.add(p.nodePort);
        }
      }
    },
    prepareForUpdate(obj: KubeObject, old: KubeObject) {
      const spec = (obj.spec ??= {});
      if (!spec.clusterIP && old.spec?.clusterIP) spec.clusterIP = old.spec.clusterIP;
      if (!spec.clusterIPs && old.spec?.clusterIPs) spec.clusterIPs = old.spec.clusterIPs;
      const oldPorts = (old.spec?.ports ?? []) as Port[];
      for (const p of (spec.ports ?? []) as Port[]) {
        if (!p.nodePort) {
          const prev = oldPorts.find((o) => o.port === p.port);
          if (prev?.nodePort && (spec.type === 'NodePort' || spec.type === 'LoadBalancer')) p.nodePort = prev.nodePort;
        }
      }
    },
  };
}
