// discovery.k8s.io/v1 EndpointSlice: the endpoints (addresses, conditions, ports) of a Service, at most 100 per slice,
// with their protobuf field numbers (discoveryFieldNumbers, from upstream's generated.proto).
import { CORE, arr, bool, enumStr, gvk, int32, kindSchema, obj, ref, str, stringMap, type Schema } from './dsl.js';

export const DISCOVERY = 'io.k8s.api.discovery.v1.';
const D = (n: string): string => DISCOVERY + n;

export const discoveryV1Schemas: Record<string, Schema> = {
  [D('EndpointSlice')]: kindSchema('A subset of the endpoints implementing a service. A Service may have several slices; together they hold every endpoint.', gvk('discovery.k8s.io', 'v1', 'EndpointSlice'), {
    addressType: enumStr(['IPv4', 'IPv6', 'FQDN'], 'Type of address carried by this slice: IPv4, IPv6 or FQDN. Immutable.'),
    endpoints: arr(ref(D('Endpoint')), 'Unique endpoints in this slice, at most 1000.'),
    ports: arr(ref(D('EndpointPort')), 'Network ports exposed by each endpoint of this slice; empty means no ports, a nil port number means all ports.'),
  }, ['addressType', 'endpoints']),

  [D('Endpoint')]: obj('A single logical backend implementing a service.', {
    addresses: arr(str(), 'Addresses of this endpoint, interpreted per the slice\'s addressType; consumers use the first.', 'set'),
    conditions: ref(D('EndpointConditions'), 'Current state of the endpoint.'),
    deprecatedTopology: stringMap('Deprecated topology information, kept for the v1beta1 conversion.'),
    hints: ref(D('EndpointHints'), 'Information about how the endpoint should be consumed.'),
    hostname: str('Hostname of this endpoint, a DNS label, used by DNS for headless services.'),
    nodeName: str('Name of the node hosting this endpoint.'),
    targetRef: ref(CORE + 'ObjectReference', 'The object (usually a pod) this endpoint stands for.'),
    zone: str('Zone this endpoint exists in.'),
  }, { required: ['addresses'] }),

  [D('EndpointConditions')]: obj('Current conditions of an endpoint.', {
    ready: bool('Whether the endpoint is ready for traffic (nil means unknown, read as ready). Terminating endpoints are never ready.'),
    serving: bool('Like ready, but also set for terminating endpoints that are still serving (passing their readiness probe).'),
    terminating: bool('Whether the endpoint is terminating (its pod has a deletionTimestamp). nil means false.'),
  }),

  [D('EndpointHints')]: obj('Hints on how an endpoint should be consumed.', {
    forNodes: arr(ref(D('ForNode')), 'Nodes this endpoint should be consumed by.'),
    forZones: arr(ref(D('ForZone')), 'Zones this endpoint should be consumed by.'),
  }),
  [D('ForZone')]: obj('A zone an endpoint should be consumed by.', { name: str('Name of the zone.') }, { required: ['name'] }),
  [D('ForNode')]: obj('A node an endpoint should be consumed by.', { name: str('Name of the node.') }, { required: ['name'] }),

  [D('EndpointPort')]: obj('A port used by an EndpointSlice.', {
    appProtocol: str('Application protocol of the port.'),
    name: str('Name of the port; must match the service port name (empty for an unnamed single port).'),
    port: int32('Port number of the endpoint; nil means all ports.'),
    protocol: enumStr(['TCP', 'UDP', 'SCTP'], 'IP protocol of the port. Defaults to TCP.'),
  }, { atomic: true }),
};




/** Upstream's protobuf field numbers of these types (syntax: apiserver/protobuf/numbers.ts). */
export const discoveryFieldNumbers: Readonly<Record<string, string>> = {
  'k8s.io.api.discovery.v1': `
    Endpoint: addresses=1 conditions=2 hostname=3* targetRef=4* deprecatedTopology=5 nodeName=6* zone=7* hints=8*
    EndpointConditions: ready=1* serving=2* terminating=3*
    EndpointHints: forZones=1 forNodes=2
    EndpointPort: name=1* protocol=2* port=3* appProtocol=4*
    EndpointSlice: metadata=1 addressType=4 endpoints=2 ports=3
    ForNode: name=1
    ForZone: name=1
  `,
};
