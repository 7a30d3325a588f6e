// Builders for the data plane's model in tests and benchmarks: a Service, its endpoints, pods, policies, with the
// defaults Kubernetes would fill in.
import type { EndpointModel, EndpointPortModel, NetworkModel, PodModel, ServiceModel } from '../model.js';

export function model(m: Partial<NetworkModel> = {}): NetworkModel {
  return {
    nodeName: 'node-1',
    nodeIPs: [],
    clusterCIDRs: ['10.244.0.0/16'],
    serviceCIDRs: ['10.96.0.0/12'],
    services: [],
    endpoints: [],
    pods: [],
    namespaces: [],
    networkPolicies: [],
    ...m,
  };
}

export function service(name: string, clusterIP: string, s: Partial<ServiceModel> = {}): ServiceModel {
  return {
    namespace: 'default',
    name,
    type: 'ClusterIP',
    clusterIPs: [clusterIP],
    ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
    ...s,
  };
}

/** One ready endpoint per address, on `node-1` unless told otherwise. */
export function endpoints(svc: string, addresses: string[],
  e: Partial<EndpointModel> & { port?: number; portName?: string; namespace?: string } = {}): EndpointModel[] {
  const { port, portName, namespace, ...rest } = e;
  const ports: EndpointPortModel[] = rest.ports ?? [{ name: portName ?? 'http', protocol: 'TCP', port: port ?? 8080 }];
  return addresses.map((a) => ({
    service: { namespace: namespace ?? 'default', name: svc },
    ready: true,
    serving: true,
    terminating: false,
    nodeName: 'node-1',
    ...rest,
    addresses: [a],
    ports,
  }));
}

export function pod(name: string, ip: string, p: Partial<PodModel> = {}): PodModel {
  return { namespace: 'default', name, labels: {}, ips: [ip], nodeName: 'node-1', ...p };
}
