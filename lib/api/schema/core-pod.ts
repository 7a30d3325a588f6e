// core/v1 Pod and PodSpec, with scheduling (affinity, tolerations, topology spread), DNS and pod security context.
import {
  CORE, arr, bool, coreRef, enumStr, gvk, int32, int64, kindSchema, mergeList, metaRef, obj, resourceList, str,
  stringMap, type Schema,
} from './dsl.js';

const C = (n: string): string => CORE + n;

const affinityTerms = (kind: string): Record<string, Schema> => ({
  preferredDuringSchedulingIgnoredDuringExecution: arr(coreRef('WeightedPodAffinityTerm'), `The scheduler prefers nodes that satisfy these ${kind} terms, adding each matching term's weight to a node's score.`),
  requiredDuringSchedulingIgnoredDuringExecution: arr(coreRef('PodAffinityTerm'), `The pod is only scheduled where every one of these ${kind} terms is met. Not re-checked once the pod runs.`),
});

export const podSchemas: Record<string, Schema> = {
  [C('Pod')]: kindSchema('A collection of containers that run together on a host. Created by clients and scheduled onto nodes.', gvk('', 'v1', 'Pod'), {
    spec: coreRef('PodSpec', 'Desired behaviour of the pod.'),
    status: coreRef('PodStatus', 'Most recently observed status of the pod. Read-only; populated by the system.'),
  }),

  [C('PodTemplateSpec')]: obj('Template from which pods are created.', {
    metadata: metaRef('ObjectMeta', 'Metadata of the pods created from this template: labels (matched by the selector) and annotations.'),
    spec: coreRef('PodSpec', 'Specification of the pods created from this template.'),
  }),

  [C('PodSpec')]: obj('Description of a pod: its containers, volumes and how it is scheduled and run.', {
    activeDeadlineSeconds: int64('Seconds the pod may be active on a node (counted from its start time) before the system marks it failed and kills its containers. Positive integer.'),
    affinity: coreRef('Affinity', 'Scheduling constraints relative to nodes and to other pods.'),
    automountServiceAccountToken: bool('Whether a service account token is mounted automatically.'),
    containers: mergeList(coreRef('Container'), 'Containers of the pod. At least one is required; cannot be added or removed after creation.', 'name'),
    dnsConfig: coreRef('PodDNSConfig', 'DNS settings merged into the configuration generated from dnsPolicy.'),
    dnsPolicy: enumStr(['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'], 'DNS policy of the pod. Defaults to ClusterFirst. Use ClusterFirstWithHostNet for hostNetwork pods that need cluster DNS, or None together with dnsConfig.'),
    enableServiceLinks: bool('Inject information about services as Docker-link style environment variables. Defaults to true.'),
    ephemeralContainers: mergeList(coreRef('EphemeralContainer'), 'Ephemeral containers run in this pod for debugging. Added through the ephemeralcontainers subresource only.', 'name'),
    hostAliases: mergeList(coreRef('HostAlias'), 'Entries added to the pod\'s /etc/hosts.', 'ip'),
    hostIPC: bool('Use the host\'s IPC namespace. Defaults to false.'),
    hostNetwork: bool('Use the host\'s network namespace; ports the containers use must be declared. Defaults to false.'),
    hostPID: bool('Use the host\'s PID namespace. Defaults to false.'),
    hostUsers: bool('Use the host\'s user namespace. Defaults to true; false gives the pod its own user namespace.'),
    hostname: str('Hostname of the pod. Defaults to a system-chosen value (the pod name).'),
    imagePullSecrets: mergeList(coreRef('LocalObjectReference'), 'Secrets in the same namespace used to pull the images.', 'name'),
    initContainers: mergeList(coreRef('Container'), 'Containers run in order, each to completion, before the app containers start. An init container with restartPolicy Always keeps running as a sidecar.', 'name'),
    nodeName: str('Node the pod is bound to. Set by the scheduler through the binding subresource; setting it directly bypasses scheduling.'),
    nodeSelector: stringMap('The pod only fits nodes carrying all of these labels.', true),
    os: coreRef('PodOS', 'Operating system the containers need.'),
    overhead: resourceList('Resources the pod sandbox itself uses, added by the RuntimeClass admission controller.'),
    preemptionPolicy: enumStr(['PreemptLowerPriority', 'Never'], 'Whether the pod may preempt lower-priority pods. Defaults to PreemptLowerPriority.'),
    priority: int32('Priority value, filled in from priorityClassName by admission. Higher means more important.'),
    priorityClassName: str('Name of the PriorityClass giving the pod its priority.'),
    readinessGates: arr(coreRef('PodReadinessGate'), 'Extra conditions that must be True for the pod to be ready.'),
    resourceClaims: mergeList(coreRef('PodResourceClaim'), 'Dynamic resource claims the pod needs (DRA). Immutable.', 'name', ['name'], 'merge,retainKeys'),
    resources: coreRef('ResourceRequirements', 'Total resources for the whole pod, shared by its containers (pod-level resources).'),
    restartPolicy: enumStr(['Always', 'OnFailure', 'Never'], 'Restart policy for all containers: Always, OnFailure or Never. Defaults to Always.'),
    runtimeClassName: str('RuntimeClass used to run the pod.'),
    schedulerName: str('Scheduler that places the pod. Defaults to default-scheduler.'),
    schedulingGates: mergeList(coreRef('PodSchedulingGate'), 'The pod is not scheduled while any gate remains. Gates can only be removed.', 'name'),
    securityContext: coreRef('PodSecurityContext', 'Pod-level security attributes and common container settings. Defaults to empty.'),
    serviceAccount: str('Deprecated alias of serviceAccountName.'),
    serviceAccountName: str('Name of the ServiceAccount the pod runs as.'),
    setHostnameAsFQDN: bool('Set the hostname to the pod\'s fully qualified domain name. Defaults to false.'),
    shareProcessNamespace: bool('Share one process namespace between all containers of the pod. Defaults to false.'),
    subdomain: str('Makes the FQDN <hostname>.<subdomain>.<namespace>.svc.<cluster domain>.'),
    terminationGracePeriodSeconds: int64('Seconds the pod gets to terminate gracefully after a delete request; 0 kills it at once. Defaults to 30.'),
    tolerations: arr(coreRef('Toleration'), 'Taints the pod tolerates.'),
    topologySpreadConstraints: mergeList(coreRef('TopologySpreadConstraint'), 'How matching pods are spread across topology domains (zones, nodes...).', 'topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    volumes: mergeList(coreRef('Volume'), 'Volumes containers of the pod can mount.', 'name', ['name'], 'merge,retainKeys'),
  }, { required: ['containers'] }),

  [C('PodSecurityContext')]: obj('Pod-level security attributes. Container-level settings take precedence where both are set.', {
    appArmorProfile: coreRef('AppArmorProfile', 'AppArmor profile for the containers.'),
    fsGroup: int64('Supplemental group applied to all containers; owns volumes that support ownership management.'),
    fsGroupChangePolicy: enumStr(['OnRootMismatch', 'Always'], 'When ownership and permissions of a volume are changed to match fsGroup.'),
    runAsGroup: int64('GID to run the entrypoints as.'),
    runAsNonRoot: bool('Refuse to start containers that would run as UID 0.'),
    runAsUser: int64('UID to run the entrypoints as. Defaults to the user in the image.'),
    seLinuxChangePolicy: str('How the SELinux label is applied to volumes: Recursive or MountOption.'),
    seLinuxOptions: coreRef('SELinuxOptions', 'SELinux context for all containers.'),
    seccompProfile: coreRef('SeccompProfile', 'Seccomp profile for the containers.'),
    supplementalGroups: arr(int64(), 'Extra groups for the first process of each container.'),
    supplementalGroupsPolicy: enumStr(['Merge', 'Strict'], 'How supplemental groups of the first process are computed. Defaults to Merge.'),
    sysctls: arr(coreRef('Sysctl'), 'Namespaced sysctls for the pod.'),
    windowsOptions: coreRef('WindowsSecurityContextOptions', 'Windows-specific settings for all containers.'),
  }),

  [C('Sysctl')]: obj('A kernel parameter to set.', {
    name: str('Name of the property.'),
    value: str('Value of the property.'),
  }, { required: ['name', 'value'] }),

  [C('Affinity')]: obj('Scheduling constraints relative to nodes and other pods.', {
    nodeAffinity: coreRef('NodeAffinity', 'Node affinity rules for the pod.'),
    podAffinity: coreRef('PodAffinity', 'Rules to co-locate the pod with other pods.'),
    podAntiAffinity: coreRef('PodAntiAffinity', 'Rules to keep the pod away from other pods.'),
  }),

  [C('NodeAffinity')]: obj('Node affinity rules.', {
    preferredDuringSchedulingIgnoredDuringExecution: arr(coreRef('PreferredSchedulingTerm'), 'The scheduler prefers nodes that match these terms; each match adds its weight to the node\'s score.'),
    requiredDuringSchedulingIgnoredDuringExecution: coreRef('NodeSelector', 'The pod is only scheduled on nodes matching these terms. Not re-checked once the pod runs.'),
  }),

  [C('NodeSelector')]: obj('A set of node selector terms; a node matches if any term matches (terms are ORed).', {
    nodeSelectorTerms: arr(coreRef('NodeSelectorTerm'), 'The terms.'),
  }, { required: ['nodeSelectorTerms'], atomic: true }),

  [C('NodeSelectorTerm')]: obj('Requirements that must all hold for a node to match. An empty term matches nothing.', {
    matchExpressions: arr(coreRef('NodeSelectorRequirement'), 'Requirements on node labels.'),
    matchFields: arr(coreRef('NodeSelectorRequirement'), 'Requirements on node fields.'),
  }, { atomic: true }),

  [C('NodeSelectorRequirement')]: obj('A key, an operator and values matched against a node label or field.', {
    key: str('Label key (or field name) the requirement applies to.'),
    operator: enumStr(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'], 'Relationship between the key and the values.'),
    values: arr(str(), 'Values to compare with. Non-empty for In and NotIn, empty for Exists and DoesNotExist, one integer for Gt and Lt.'),
  }, { required: ['key', 'operator'] }),

  [C('PreferredSchedulingTerm')]: obj('A weighted node selector term.', {
    preference: coreRef('NodeSelectorTerm', 'The term, with its weight.'),
    weight: int32('Weight added to a node\'s score when it matches, 1-100.'),
  }, { required: ['weight', 'preference'] }),

  [C('PodAffinity')]: obj('Inter-pod affinity rules.', affinityTerms('affinity')),
  [C('PodAntiAffinity')]: obj('Inter-pod anti-affinity rules.', affinityTerms('anti-affinity')),

  [C('PodAffinityTerm')]: obj('Pods matching the selector in the given namespaces, and the topology domain the pod should (or should not) share with them.', {
    labelSelector: metaRef('LabelSelector', 'Selects the pods. A null selector matches none.'),
    matchLabelKeys: arr(str(), 'Label keys whose values are taken from the incoming pod and ANDed into labelSelector as In requirements.'),
    mismatchLabelKeys: arr(str(), 'Label keys whose values are taken from the incoming pod and ANDed into labelSelector as NotIn requirements.'),
    namespaceSelector: metaRef('LabelSelector', 'Selects the namespaces to look in, in addition to `namespaces`.'),
    namespaces: arr(str(), 'Namespaces to look in. Empty together with a null namespaceSelector means the pod\'s own namespace.'),
    topologyKey: str('Node label key defining the topology domain, e.g. kubernetes.io/hostname or topology.kubernetes.io/zone. Must not be empty.'),
  }, { required: ['topologyKey'] }),

  [C('WeightedPodAffinityTerm')]: obj('A pod affinity term with a weight.', {
    podAffinityTerm: coreRef('PodAffinityTerm', 'The term.'),
    weight: int32('Weight added to a node\'s score when it matches, 1-100.'),
  }, { required: ['weight', 'podAffinityTerm'] }),

  [C('Toleration')]: obj('Lets the pod tolerate any taint that matches <key,value,effect> under the given operator.', {
    effect: enumStr(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], 'Taint effect to match; empty matches all effects.'),
    key: str('Taint key to match; empty (with operator Exists) matches all keys.'),
    operator: enumStr(['Exists', 'Equal'], 'Relationship between key and value. Defaults to Equal; Exists is a wildcard for the value.'),
    tolerationSeconds: int64('For NoExecute taints: how long the pod stays bound after the taint appears. Unset means forever.'),
    value: str('Taint value to match; empty when the operator is Exists.'),
  }),

  [C('HostAlias')]: obj('An entry for the pod\'s /etc/hosts.', {
    hostnames: arr(str(), 'Host names for the IP address.'),
    ip: str('IP address of the entry.'),
  }, { required: ['ip'] }),

  [C('PodDNSConfig')]: obj('DNS parameters merged with those generated from the DNS policy.', {
    nameservers: arr(str(), 'DNS name server IP addresses, appended to the generated ones without duplicates.'),
    options: arr(coreRef('PodDNSConfigOption'), 'Resolver options; they override generated options with the same name.'),
    searches: arr(str(), 'DNS search domains, appended to the generated ones without duplicates.'),
  }),

  [C('PodDNSConfigOption')]: obj('One resolver option.', {
    name: str('Name of the option.'),
    value: str('Value of the option.'),
  }),

  [C('PodReadinessGate')]: obj('An extra condition that must be True for the pod to be ready.', {
    conditionType: str('Type of a condition in the pod\'s condition list.'),
  }, { required: ['conditionType'] }),

  [C('TopologySpreadConstraint')]: obj('How to spread matching pods across a topology.', {
    labelSelector: metaRef('LabelSelector', 'Finds the matching pods, counted per topology domain.'),
    matchLabelKeys: arr(str(), 'Label keys whose values from the incoming pod are added to labelSelector.'),
    maxSkew: int32('Maximum allowed difference between the number of matching pods in any two domains. Must be greater than 0.'),
    minDomains: int32('Minimum number of eligible domains; fewer domains count as having zero pods. Only with DoNotSchedule.'),
    nodeAffinityPolicy: enumStr(['Ignore', 'Honor'], 'Whether the pod\'s node affinity and selector are honoured when computing skew. Defaults to Honor.'),
    nodeTaintsPolicy: enumStr(['Ignore', 'Honor'], 'Whether node taints are honoured when computing skew. Defaults to Ignore.'),
    topologyKey: str('Node label key defining the topology domains.'),
    whenUnsatisfiable: enumStr(['DoNotSchedule', 'ScheduleAnyway'], 'What to do with a pod that cannot satisfy the constraint.'),
  }, { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'] }),

  [C('PodOS')]: obj('The operating system a pod needs.', {
    name: str('Operating system name: linux or windows.'),
  }, { required: ['name'] }),

  [C('PodSchedulingGate')]: obj('A gate that blocks scheduling while present.', {
    name: str('Name of the gate, unique within the pod.'),
  }, { required: ['name'] }),

  [C('PodResourceClaim')]: obj('A ResourceClaim the pod needs, by name or through a template. Exactly one source must be set.', {
    name: str('Name of this claim inside the pod, a DNS label.'),
    resourceClaimName: str('Name of an existing ResourceClaim in the pod\'s namespace.'),
    resourceClaimTemplateName: str('Name of a ResourceClaimTemplate to create a claim for this pod from.'),
  }, { required: ['name'] }),
};
