// Services (core/v1): a cluster IP from the service range (10.96.0.0/12) unless headless, node ports from 30000-32767
// for NodePort and LoadBalancer services, both kept across updates (a cluster IP may not change once set).
import type { KubeObject } from '../../../lib/api/types.js';
import { AGE, NAME, age, mapSelector, none } from '../../printers/columns.js';
import { ensureObject, setDefault } from '../../validation/defaults.js';
import { asArr, asObj, asStr, index, invalid, isSet, objects, optStr, type FieldCause, type Obj } from '../../validation/field.js';
import { nameIsDNS1035Label } from '../../validation/names.js';
import { validateService } from '../../validation/service.js';
import { defineKind, identity, type StrategyContext } from '../kind.js';
import { statusSubresource } from '../subresources.js';

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

function defaults(svc: Obj): void {
  const spec = ensureObject(svc, 'spec');
  if (!spec) return;
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = asObj(asObj(spec.sessionAffinityConfig)?.clientIP)?.timeoutSeconds;
    if (!isSet(timeout)) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const [p] of objects(spec.ports)) {
    setDefault(p, 'protocol', 'TCP');
    if (!isSet(p.targetPort) || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const type = spec.type;
  const external = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && asArr(spec.externalIPs).length > 0);
  if (external && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(type as string)) setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  if (type !== 'ExternalName') {
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
    const ip = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
    setDefault(spec, 'ipFamilies', [ip.includes(':') ? 'IPv6' : 'IPv4']);
  }
  if (type === 'LoadBalancer') {
    for (const [ing] of objects(asObj(asObj(svc.status)?.loadBalancer)?.ingress)) if (ing.ip && !isSet(ing.ipMode)) ing.ipMode = 'VIP';
  }
}

function validateUpdate(obj: Obj, old: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const oldSpec = asObj(old.spec) ?? {};
  const out: FieldCause[] = [];
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return out;
  const ips = asArr(spec.clusterIPs).map(asStr);
  const oldIps = asArr(oldSpec.clusterIPs).map(asStr);
  const headless = (s: Obj, list: string[]): boolean => asStr(s.clusterIP) === 'None' || list[0] === 'None';
  if (headless(spec, ips) && headless(oldSpec, oldIps)) return out;
  if (oldIps.length && !ips.length) out.push(invalid('spec.clusterIPs[0]', ips, 'primary clusterIP can not be unset'));
  else if (oldIps.length && ips[0] !== oldIps[0]) out.push(invalid('spec.clusterIPs[0]', ips, 'may not change once set'));
  else if (oldIps.length === ips.length) oldIps.forEach((ip, i) => { if (i > 0 && ip !== ips[i]) out.push(invalid(index('spec.clusterIPs', i), ips, 'may not change once set')); });
  const lbc = optStr(spec.loadBalancerClass);
  const oldLbc = optStr(oldSpec.loadBalancerClass);
  if (oldSpec.type === 'LoadBalancer' && spec.type === 'LoadBalancer' && lbc !== oldLbc) out.push(invalid('spec.loadBalancerClass', lbc ?? null, 'may not change once set'));
  return out;
}

export default defineKind(identity('v1', 'Service'), {
  objectMeta: { nameCheck: nameIsDNS1035Label },
  defaults,
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
  validate: validateService,
  validateUpdate,
  printer: {
    columns: [NAME, ['Type', 'string', 0, 'The service type.'], ['Cluster-IP', 'string', 0, 'The cluster IP.'], ['External-IP', 'string', 0, 'External IPs.'], ['Port(s)', 'string', 0, 'Service ports.'], AGE, ['Selector', 'string', 1, 'Pod selector.']],
    row(o, now) {
      const ports = ((o.spec?.ports ?? []) as Array<{ port: number; nodePort?: number; protocol?: string }>).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
      const type = (o.spec?.type as string | undefined) ?? 'ClusterIP';
      const ingress = ((o.status?.loadBalancer?.ingress ?? []) as Array<{ ip?: string; hostname?: string }>).map((i) => i.ip ?? i.hostname).filter(Boolean);
      const ext = [...((o.spec?.externalIPs ?? []) as string[]), ...ingress];
      const extCell = type === 'ExternalName' ? String(o.spec?.externalName ?? '') : ext.length ? ext.join(',') : type === 'LoadBalancer' ? '<pending>' : '<none>';
      return [o.metadata.name ?? '', type, none(o.spec?.clusterIP), extCell, ports || '<none>', age(o.metadata.creationTimestamp, now), mapSelector(o.spec?.selector)];
    },
  },
  subresources: { status: statusSubresource() },
});
