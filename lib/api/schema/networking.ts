// networking.k8s.io/v1 NetworkPolicy: which traffic the selected pods accept (ingress) and send (egress), with its
// protobuf field numbers (networkingFieldNumbers, from upstream's generated.proto). The node agent enforces it
// (node-agent/network/policy/).
import { arr, enumStr, gvk, int32, intOrString, kindSchema, metaRef, obj, ref, str, type Schema } from './dsl.js';

export const NETWORKING = 'io.k8s.api.networking.v1.';
const N = (n: string): string => NETWORKING + n;

export const networkingSchemas: Record<string, Schema> = {
  [N('NetworkPolicy')]: kindSchema('Which network traffic is allowed for a set of pods.', gvk('networking.k8s.io', 'v1', 'NetworkPolicy'), {
    spec: ref(N('NetworkPolicySpec'), 'The desired behaviour of this NetworkPolicy.'),
  }),

  [N('NetworkPolicySpec')]: obj('The pods a NetworkPolicy applies to and the traffic it allows them.', {
    egress: arr(ref(N('NetworkPolicyEgressRule')), 'Egress rules for the selected pods: outgoing traffic is allowed if it matches at least one rule of any policy selecting the pod (when Egress is among policyTypes). Empty: this policy allows no egress (and only isolates the pods).'),
    ingress: arr(ref(N('NetworkPolicyIngressRule')), 'Ingress rules for the selected pods: traffic is allowed if it matches at least one rule of any policy selecting the pod, or comes from the pod\'s own node. Empty: this policy allows no ingress (and only isolates the pods).'),
    podSelector: metaRef('LabelSelector', 'The pods (in this namespace) the policy applies to. An empty selector selects every pod of the namespace.'),
    policyTypes: arr(enumStr(['Ingress', 'Egress']), 'Rule types the policy relates to: Ingress, Egress or both. Unset: Ingress always, Egress when there are egress rules.'),
  }, { required: ['podSelector'] }),

  [N('NetworkPolicyIngressRule')]: obj('Traffic allowed to the selected pods: it must match both ports and from.', {
    from: arr(ref(N('NetworkPolicyPeer')), 'Sources allowed to reach the pods; empty or missing: every source.'),
    ports: arr(ref(N('NetworkPolicyPort')), 'Ports reachable on the pods; empty or missing: every port.'),
  }),

  [N('NetworkPolicyEgressRule')]: obj('Traffic allowed from the selected pods: it must match both ports and to.', {
    ports: arr(ref(N('NetworkPolicyPort')), 'Destination ports of outgoing traffic; empty or missing: every port.'),
    to: arr(ref(N('NetworkPolicyPeer')), 'Destinations the pods may reach; empty or missing: every destination.'),
  }),

  [N('NetworkPolicyPeer')]: obj('A peer: pods (of this namespace or of selected namespaces) or an IP block. Only certain combinations are allowed.', {
    ipBlock: ref(N('IPBlock'), 'A CIDR (with exceptions) to allow; may not be combined with the selectors.'),
    namespaceSelector: metaRef('LabelSelector', 'Namespaces (by label) whose pods are peers; empty: every namespace. With podSelector: the selected pods of the selected namespaces.'),
    podSelector: metaRef('LabelSelector', 'Pods (by label) that are peers, in the policy\'s namespace unless namespaceSelector is set; empty: every pod.'),
  }),

  [N('NetworkPolicyPort')]: obj('A port (or range of ports) to allow traffic on.', {
    endPort: int32('If set, the range from port to endPort (inclusive) is allowed. Requires a numeric port; must be at least port.'),
    port: intOrString('The port on the given protocol: a number or a named port on a pod. Unset: every port.'),
    protocol: enumStr(['SCTP', 'TCP', 'UDP'], 'The protocol (TCP, UDP, or SCTP) traffic must match. Defaults to TCP.'),
  }),

  [N('IPBlock')]: obj('A CIDR (e.g. "192.168.1.0/24" or "2001:db8::/64") to allow, minus the CIDRs in except.', {
    cidr: str('A CIDR of the block, e.g. "192.168.1.0/24" or "2001:db8::/64".'),
    except: arr(str(), 'CIDRs the block does not include; each must be within cidr.'),
  }, { required: ['cidr'] }),
};

/** Upstream's numbers (k8s.io/api/networking/v1/generated.proto). */
export const networkingFieldNumbers: Readonly<Record<string, string>> = {
  'k8s.io.api.networking.v1': `
    IPBlock: cidr=1 except=2
    NetworkPolicy: metadata=1 spec=2
    NetworkPolicyEgressRule: ports=1 to=2
    NetworkPolicyIngressRule: ports=1 from=2
    NetworkPolicyPeer: podSelector=1* namespaceSelector=2* ipBlock=3*
    NetworkPolicyPort: protocol=1* port=2* endPort=3*
    NetworkPolicySpec: podSelector=1 ingress=2 egress=3 policyTypes=4
  `,
};
