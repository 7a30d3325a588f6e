// The plain in-memory model the node's data plane (service proxy, cluster DNS, network policy) is computed from.
// It is what the node agent's informers will later reduce Services, EndpointSlices, Pods, Namespaces and
// NetworkPolicies to: only the fields the data plane reads, already flattened, so every module here is a pure
// function of it and can be tested without an API server.

/** The protocols a Service port, an EndpointSlice port or a NetworkPolicy port can name. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A Service's namespace and name: how endpoints name the Service they belong to. */
export interface ServiceRef {
  namespace: string;
  name: string;
}

/** One entry of a Service's `spec.ports`. */
export interface ServicePortModel {
  /** `spec.ports[].name` (may be empty when the Service has a single port). */
  name: string;
  protocol: Protocol;
  /** The port the ClusterIP and load balancer IPs listen on. */
  port: number;
  /** The node port for NodePort and LoadBalancer Services (absent or 0: none). */
  nodePort?: number;
}

/** A Service, reduced to what the proxy and the DNS read. */
export interface ServiceModel {
  namespace: string;
  name: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** `spec.clusterIPs`; `['None']` (or empty) for a headless Service. */
  clusterIPs: string[];
  ports: ServicePortModel[];
  sessionAffinity?: 'None' | 'ClientIP';
  /** `spec.sessionAffinityConfig.clientIP.timeoutSeconds` (Kubernetes' default: 10800). */
  sessionAffinityTimeoutSeconds?: number;
  externalTrafficPolicy?: 'Cluster' | 'Local';
  internalTrafficPolicy?: 'Cluster' | 'Local';
  /** `status.loadBalancer.ingress[].ip`. */
  loadBalancerIngressIPs?: string[];
  /** `spec.externalName`, for type ExternalName. */
  externalName?: string;
}

/** One port of an EndpointSlice (`ports[]`): the target port the Service port of the same name maps to. */
export interface EndpointPortModel {
  name: string;
  protocol: Protocol;
  port: number;
}

/**
 * One endpoint of an EndpointSlice (`endpoints[]`) with the slice's ports, the Service it belongs to (the slice's
 * `kubernetes.io/service-name` label) and its conditions. Several slices of one Service are simply several entries.
 */
export interface EndpointModel {
  service: ServiceRef;
  addresses: string[];
  ports: EndpointPortModel[];
  /** `conditions.ready` (nil counts as true, as in Kubernetes). */
  ready: boolean;
  /** `conditions.serving` (nil: same as ready). */
  serving: boolean;
  /** `conditions.terminating` (nil counts as false). */
  terminating: boolean;
  nodeName?: string;
  /** `endpoints[].hostname`: set for a pod with `spec.hostname` whose `spec.subdomain` names this Service. */
  hostname?: string;
}

/** A container port of a pod (`spec.containers[].ports[]`): named ports are resolved against these. */
export interface ContainerPortModel {
  name?: string;
  containerPort: number;
  protocol: Protocol;
}

/** A pod, reduced to what the DNS (pod records) and network policy read. */
export interface PodModel {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** `status.podIPs[].ip` (empty until the pod has a sandbox). */
  ips: string[];
  nodeName?: string;
  hostNetwork?: boolean;
  ports?: ContainerPortModel[];
}

/** A namespace's labels, for NetworkPolicy namespace selectors. */
export interface NamespaceModel {
  name: string;
  labels: Record<string, string>;
}

/** A label selector as the API carries it (`matchLabels`, `matchExpressions`). */
export interface LabelSelectorModel {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** `spec.ingress[].from[]` / `spec.egress[].to[]` of a NetworkPolicy. */
export interface NetworkPolicyPeerModel {
  podSelector?: LabelSelectorModel;
  namespaceSelector?: LabelSelectorModel;
  ipBlock?: { cidr: string; except?: string[] };
}

/** `spec.ingress[].ports[]` / `spec.egress[].ports[]` of a NetworkPolicy. */
export interface NetworkPolicyPortModel {
  protocol?: Protocol;
  /** A number, a named container port, or absent (every port of the protocol). */
  port?: number | string;
  endPort?: number;
}

/** A networking.k8s.io/v1 NetworkPolicy: its namespace, name and spec, as the API carries them. */
export interface NetworkPolicyModel {
  namespace: string;
  name: string;
  spec: {
    podSelector: LabelSelectorModel;
    policyTypes?: ('Ingress' | 'Egress')[];
    ingress?: { from?: NetworkPolicyPeerModel[]; ports?: NetworkPolicyPortModel[] }[];
    egress?: { to?: NetworkPolicyPeerModel[]; ports?: NetworkPolicyPortModel[] }[];
  };
}

/** Everything the node's data plane is computed from. Each module reads the part it needs. */
export interface NetworkModel {
  /** This node's name: endpoints with the same `nodeName` are local (traffic policies `Local`). */
  nodeName: string;
  /** This node's addresses: NodePorts are served on them. */
  nodeIPs: string[];
  /** The pod network(s) (`--cluster-cidr`): traffic from outside them to a ClusterIP is masqueraded. */
  clusterCIDRs: string[];
  /** The service network(s) (`--service-cluster-ip-range`): traffic to an unallocated ClusterIP is dropped. */
  serviceCIDRs: string[];
  services: ServiceModel[];
  endpoints: EndpointModel[];
  pods: PodModel[];
  namespaces: NamespaceModel[];
  networkPolicies: NetworkPolicyModel[];
}

/** `namespace/name`. */
export function serviceKey(s: ServiceRef): string {
  return `${s.namespace}/${s.name}`;
}

/** A Service with no cluster IP of its own (headless): DNS answers with its endpoints, the proxy ignores it. */
export function isHeadless(s: ServiceModel): boolean {
  return s.type !== 'ExternalName' && (s.clusterIPs.length === 0 || s.clusterIPs[0] === 'None');
}
