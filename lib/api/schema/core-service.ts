// core/v1 Service, Endpoints, ConfigMap, Secret, Event, Binding and ObjectReference.
import {
  CORE, arr, bool, bytes, coreRef, enumStr, gvk, int32, intOrString, kindSchema, map, mergeList, metaRef, microTimeRef,
  obj, str, stringMap, timeRef, withExt, type Schema,
} from './dsl.js';

const C = (n: string): string => CORE + n;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

export const serviceSchemas: Record<string, Schema> = {
  [C('Service')]: kindSchema('A named abstraction of a software service: a local port the proxy listens on and the selector that picks the pods answering requests sent through it.', gvk('', 'v1', 'Service'), {
    spec: coreRef('ServiceSpec', 'Behaviour of the service.'),
    status: coreRef('ServiceStatus', 'Most recently observed status of the service. Populated by the system.'),
  }),

  [C('ServiceSpec')]: obj('Attributes a user creates on a service.', {
    allocateLoadBalancerNodePorts: bool('Whether node ports are allocated for a LoadBalancer service. Defaults to true.'),
    clusterIP: str('IP address of the service, usually assigned randomly. `None` makes a headless service. Cannot be changed once set.'),
    clusterIPs: arr(str(), 'IP addresses of the service, at most one per IP family; the first equals clusterIP.'),
    externalIPs: arr(str(), 'IP addresses for which nodes also accept traffic for this service. Not managed by Kubernetes.'),
    externalName: str('DNS name returned as a CNAME record for an ExternalName service. A lowercase RFC 1123 hostname.'),
    externalTrafficPolicy: enumStr(['Cluster', 'Local'], 'How traffic arriving on externally-facing addresses is distributed: Cluster (any ready endpoint) or Local (node-local endpoints only, keeping the client source IP).'),
    healthCheckNodePort: int32('Node port for health checks, for LoadBalancer services with externalTrafficPolicy Local.'),
    internalTrafficPolicy: enumStr(['Cluster', 'Local'], 'How traffic from the cluster IP is routed: Cluster (all endpoints) or Local (node-local endpoints only). Defaults to Cluster.'),
    ipFamilies: arr(enumStr(['', 'IPv4', 'IPv6']), 'IP families (IPv4, IPv6) assigned to the service, at most two, in the order of clusterIPs.'),
    ipFamilyPolicy: enumStr(['SingleStack', 'PreferDualStack', 'RequireDualStack'], 'Dual-stack behaviour: SingleStack, PreferDualStack or RequireDualStack. Defaults to SingleStack.'),
    loadBalancerClass: str('Load balancer implementation for this service, e.g. `internal-vip` or `example.com/internal-vip`. Immutable.'),
    loadBalancerIP: str('Deprecated: requested load balancer IP, if the cloud provider supports it.'),
    loadBalancerSourceRanges: arr(str(), 'Client CIDRs the cloud load balancer accepts traffic from.'),
    ports: mergeList(coreRef('ServicePort'), 'Ports the service exposes.', 'port', ['port', 'protocol']),
    publishNotReadyAddresses: bool('Publish endpoints of pods that are not ready, e.g. for peer discovery in StatefulSets.'),
    selector: stringMap('Routes traffic to pods whose labels match this selector. Empty or missing means the endpoints are managed externally. Ignored for ExternalName services.', true),
    sessionAffinity: enumStr(['ClientIP', 'None'], 'ClientIP sends a client to the same pod each time; None does not. Defaults to None.'),
    sessionAffinityConfig: coreRef('SessionAffinityConfig', 'Settings of session affinity.'),
    trafficDistribution: str('Preference for how traffic is distributed to endpoints, e.g. PreferClose.'),
    type: enumStr(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'], 'How the service is exposed: ClusterIP (default), NodePort, LoadBalancer or ExternalName.'),
  }),

  [C('ServicePort')]: obj('A port a service exposes.', {
    appProtocol: str('Application protocol of the port, e.g. `kubernetes.io/h2c` or a domain-prefixed name.'),
    name: str('Name of the port, a DNS label; required when the service has more than one port.'),
    nodePort: int32('Port on each node for NodePort and LoadBalancer services. Allocated automatically when not set.'),
    port: int32('Port the service exposes.'),
    protocol: withExt(enumStr(PROTOCOLS, 'IP protocol of the port: TCP, UDP or SCTP. Defaults to TCP.'), { default: 'TCP' }),
    targetPort: intOrString('Port on the pods to send traffic to, by number or by the name of a container port. Defaults to `port`.'),
  }, { required: ['port'] }),

  [C('SessionAffinityConfig')]: obj('Settings of session affinity.', {
    clientIP: coreRef('ClientIPConfig', 'Settings of ClientIP affinity.'),
  }),

  [C('ClientIPConfig')]: obj('Settings of ClientIP session affinity.', {
    timeoutSeconds: int32('Seconds a sticky session lasts, 1-86400. Defaults to 10800 (3 hours).'),
  }),

  [C('ServiceStatus')]: obj('Current status of a service.', {
    conditions: mergeList(metaRef('Condition'), 'Current state of the service.', 'type'),
    loadBalancer: coreRef('LoadBalancerStatus', 'Status of the load balancer, if any.'),
  }),

  [C('LoadBalancerStatus')]: obj('Status of a load balancer.', {
    ingress: arr(coreRef('LoadBalancerIngress'), 'Ingress points of the load balancer.'),
  }),

  [C('LoadBalancerIngress')]: obj('An ingress point of a load balancer.', {
    hostname: str('DNS name of the ingress point.'),
    ip: str('IP address of the ingress point.'),
    ipMode: enumStr(['VIP', 'Proxy'], 'How the load balancer IP behaves: VIP delivers traffic with the destination set to the IP; Proxy rewrites it.'),
    ports: arr(coreRef('PortStatus'), 'Records of the service ports.'),
  }),

  [C('PortStatus')]: obj('Status of one service port on a load balancer.', {
    error: str('Problem with the port, as a CamelCase reason.'),
    port: int32('Port number of the service port.'),
    protocol: enumStr(PROTOCOLS, 'Protocol of the service port.'),
  }, { required: ['port', 'protocol'] }),

  [C('Endpoints')]: kindSchema('The actual endpoints (addresses and ports) implementing a service.', gvk('', 'v1', 'Endpoints'), {
    subsets: arr(coreRef('EndpointSubset'), 'Sets of addresses that all expose the same ports.'),
  }),

  [C('EndpointSubset')]: obj('Addresses with a common set of ports. The expanded set of endpoints is the product Addresses x Ports.', {
    addresses: arr(coreRef('EndpointAddress'), 'Addresses that are ready for traffic.'),
    notReadyAddresses: arr(coreRef('EndpointAddress'), 'Addresses not ready for traffic yet (not passing readiness checks).'),
    ports: arr(coreRef('EndpointPort'), 'Port numbers available on the addresses.'),
  }),

  [C('EndpointAddress')]: obj('A single IP address of an endpoint.', {
    hostname: str('Hostname of the endpoint.'),
    ip: str('IP address of the endpoint. May not be loopback, link-local or multicast.'),
    nodeName: str('Node hosting the endpoint.'),
    targetRef: coreRef('ObjectReference', 'The object (usually a pod) providing the endpoint.'),
  }, { required: ['ip'], atomic: true }),

  [C('EndpointPort')]: obj('A port of an endpoint.', {
    appProtocol: str('Application protocol of the port.'),
    name: str('Name of the port; must match the service port name.'),
    port: int32('Port number.'),
    protocol: enumStr(PROTOCOLS, 'IP protocol of the port. Defaults to TCP.'),
  }, { required: ['port'], atomic: true }),

  [C('ObjectReference')]: obj('A reference to an object, with enough information to inspect or modify it.', {
    apiVersion: str('API version of the referent.'),
    fieldPath: str('A field within the object, e.g. `spec.containers{name}` for a container.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    namespace: str('Namespace of the referent.'),
    resourceVersion: str('Specific resourceVersion the reference is to.'),
    uid: str('UID of the referent.'),
  }, { atomic: true }),

  [C('ConfigMap')]: kindSchema('Configuration data for pods to consume.', gvk('', 'v1', 'ConfigMap'), {
    binaryData: map(bytes(), 'Binary data, base64-encoded in JSON. Keys must consist of alphanumerics, `-`, `_` or `.` and not overlap with `data`.'),
    data: stringMap('UTF-8 configuration data. Keys must consist of alphanumerics, `-`, `_` or `.`.'),
    immutable: bool('When true, data and binaryData can no longer be changed; only metadata may be updated.'),
  }),

  [C('Secret')]: kindSchema('Secret data of a certain type. The total size is limited to 1 MiB.', gvk('', 'v1', 'Secret'), {
    data: map(bytes(), 'Secret data, base64-encoded. Keys must consist of alphanumerics, `-`, `_` or `.`.'),
    immutable: bool('When true, data can no longer be changed; only metadata may be updated.'),
    stringData: stringMap('Write-only convenience: plain-text values merged into `data` on write (winning over it); never returned.'),
    type: str('Used to process the secret data programmatically, e.g. Opaque or kubernetes.io/tls. Defaults to Opaque.'),
  }),

  [C('Event')]: kindSchema('A report of something that happened somewhere in the cluster. Events are kept for a limited time.', gvk('', 'v1', 'Event'), {
    action: str('What action was taken or failed regarding the involved object.'),
    count: int32('How many times the event has occurred.'),
    eventTime: microTimeRef('When the event first occurred.'),
    firstTimestamp: timeRef('When the event was first recorded.'),
    involvedObject: coreRef('ObjectReference', 'The object this event is about.'),
    lastTimestamp: timeRef('When the most recent occurrence was recorded.'),
    message: str('Human-readable description of the event.'),
    reason: str('Short machine-readable reason for the transition, in CamelCase.'),
    related: coreRef('ObjectReference', 'A secondary object, when the event involves one.'),
    reportingComponent: str('Name of the controller that emitted the event, e.g. kubernetes.io/kubelet.'),
    reportingInstance: str('ID of the controller instance, e.g. kubelet-xyzf.'),
    series: coreRef('EventSeries', 'Data about the series this event belongs to.'),
    source: coreRef('EventSource', 'Component reporting the event.'),
    type: str('Type of the event: Normal or Warning.'),
  }, ['metadata', 'involvedObject']),

  [C('EventSource')]: obj('The source of an event.', {
    component: str('Component the event came from.'),
    host: str('Node name the event came from.'),
  }),

  [C('EventSeries')]: obj('A series of recurring events.', {
    count: int32('Number of occurrences in the series up to the last heartbeat.'),
    lastObservedTime: microTimeRef('When the last occurrence was observed.'),
  }),

  [C('Binding')]: kindSchema('Ties one object to another, e.g. a pod to the node the scheduler chose.', gvk('', 'v1', 'Binding'), {
    target: coreRef('ObjectReference', 'The object to bind to.'),
  }, ['target']),
};
