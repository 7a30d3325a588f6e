// API objects reduced to the data plane's model (model.ts): what the informers hold becomes the plain records the
// proxy, the DNS and network policy are computed from. Objects that are malformed (a user's hand-written
// EndpointSlice with a port of the wrong type) are skipped field by field, never thrown on.
import type { KubeObject } from '../../lib/api/types.js';
import type {
  ContainerPortModel, EndpointModel, EndpointPortModel, NamespaceModel, NetworkModel, NetworkPolicyModel, PodModel, Protocol,
  ServiceModel, ServicePortModel,
} from './model.js';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);
const TYPES = new Set(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const protocol = (v: unknown): Protocol => (PROTOCOLS.has(v as string) ? (v as Protocol) : 'TCP');
const policy = (v: unknown): 'Cluster' | 'Local' | undefined => (v === 'Local' || v === 'Cluster' ? v : undefined);

export function serviceModel(svc: KubeObject): ServiceModel | undefined {
  const spec = rec(svc.spec);
  const type = TYPES.has(spec.type as string) ? (spec.type as ServiceModel['type']) : 'ClusterIP';
  const clusterIPs = arr(spec.clusterIPs).map(str).filter((s): s is string => !!s);
  if (!clusterIPs.length && str(spec.clusterIP)) clusterIPs.push(spec.clusterIP as string);
  const ports: ServicePortModel[] = [];
  for (const p of arr(spec.ports).map(rec)) {
    const port = num(p.port);
    if (port === undefined) continue;
    const m: ServicePortModel = { name: str(p.name) ?? '', protocol: protocol(p.protocol), port };
    const nodePort = num(p.nodePort);
    if (nodePort) m.nodePort = nodePort;
    ports.push(m);
  }
  const m: ServiceModel = { namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '', type, clusterIPs, ports };
  if (spec.sessionAffinity === 'ClientIP') {
    m.sessionAffinity = 'ClientIP';
    m.sessionAffinityTimeoutSeconds = num(rec(rec(spec.sessionAffinityConfig).clientIP).timeoutSeconds) ?? 10800;
  }
  const etp = policy(spec.externalTrafficPolicy);
  if (etp) m.externalTrafficPolicy = etp;
  const itp = policy(spec.internalTrafficPolicy);
  if (itp) m.internalTrafficPolicy = itp;
  const ingress = arr(rec(rec(svc.status).loadBalancer).ingress).map((i) => str(rec(i).ip)).filter((s): s is string => !!s);
  if (ingress.length) m.loadBalancerIngressIPs = ingress;
  if (type === 'ExternalName' && str(spec.externalName)) m.externalName = spec.externalName as string;
  return m;
}

/** One EndpointModel per endpoint of the slice; nothing for a slice that names no Service or carries FQDNs. */
export function endpointModels(slice: KubeObject): EndpointModel[] {
  const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  if (!service || (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6')) return [];
  const ports: EndpointPortModel[] = [];
  for (const p of arr(slice.ports).map(rec)) {
    const port = num(p.port);
    if (port !== undefined) ports.push({ name: str(p.name) ?? '', protocol: protocol(p.protocol), port });
  }
  const out: EndpointModel[] = [];
  for (const e of arr(slice.endpoints).map(rec)) {
    const addresses = arr(e.addresses).map(str).filter((s): s is string => !!s);
    if (!addresses.length) continue;
    const c = rec(e.conditions);
    // nil ready counts as ready, nil serving as ready, nil terminating as false (the API's documented reading)
    const ready = c.ready !== false;
    const m: EndpointModel = {
      service: { namespace: slice.metadata.namespace ?? '', name: service },
      addresses,
      ports,
      ready,
      serving: typeof c.serving === 'boolean' ? c.serving : ready,
      terminating: c.terminating === true,
    };
    if (str(e.nodeName)) m.nodeName = e.nodeName as string;
    if (str(e.hostname)) m.hostname = e.hostname as string;
    out.push(m);
  }
  return out;
}

export function podModel(pod: KubeObject): PodModel {
  const status = rec(pod.status);
  const ips = arr(status.podIPs).map((i) => str(rec(i).ip)).filter((s): s is string => !!s);
  if (!ips.length && str(status.podIP)) ips.push(status.podIP as string);
  const ports: ContainerPortModel[] = [];
  for (const c of arr(rec(pod.spec).containers).map(rec)) {
    for (const p of arr(c.ports).map(rec)) {
      const containerPort = num(p.containerPort);
      if (containerPort === undefined) continue;
      const m: ContainerPortModel = { containerPort, protocol: protocol(p.protocol) };
      if (str(p.name)) m.name = p.name as string;
      ports.push(m);
    }
  }
  const m: PodModel = { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', labels: { ...(pod.metadata.labels ?? {}) }, ips, ports };
  const spec = rec(pod.spec);
  if (str(spec.nodeName)) m.nodeName = spec.nodeName as string;
  if (spec.hostNetwork === true) m.hostNetwork = true;
  return m;
}

export function namespaceModel(ns: KubeObject): NamespaceModel {
  return { name: ns.metadata.name ?? '', labels: { ...(ns.metadata.labels ?? {}) } };
}

export function networkPolicyModel(np: KubeObject): NetworkPolicyModel {
  const spec = rec(np.spec) as unknown as NetworkPolicyModel['spec'];
  return { namespace: np.metadata.namespace ?? '', name: np.metadata.name ?? '', spec: { ...spec, podSelector: spec.podSelector ?? {} } };
}

export interface ModelSources {
  services: KubeObject[];
  endpointSlices: KubeObject[];
  pods: KubeObject[];
  namespaces: KubeObject[];
  networkPolicies: KubeObject[];
}

/** The whole model from what the informers hold. Pods without an address are of no use to the data plane. */
export function buildModel(node: Pick<NetworkModel, 'nodeName' | 'nodeIPs' | 'clusterCIDRs' | 'serviceCIDRs'>, src: ModelSources): NetworkModel {
  return {
    ...node,
    services: src.services.map(serviceModel).filter((s): s is ServiceModel => !!s),
    endpoints: src.endpointSlices.flatMap(endpointModels),
    pods: src.pods.map(podModel).filter((p) => p.ips.length > 0),
    namespaces: src.namespaces.map(namespaceModel),
    networkPolicies: src.networkPolicies.map(networkPolicyModel),
  };
}
