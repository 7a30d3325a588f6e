// core/v1 status types: PodStatus with its conditions and container states, and the Node, Namespace types.
import {
  CORE, arr, bool, coreRef, enumStr, gvk, int32, int64, kindSchema, keyedList, mergeList, mergeSet, obj, resourceList,
  str, timeRef, withExt, type Schema,
} from './dsl.js';

const C = (n: string): string => CORE + n;

const CONDITION_STATUS = 'Status of the condition: True, False or Unknown.';

export const statusSchemas: Record<string, Schema> = {
  [C('PodStatus')]: obj('Observed state of a pod. May lag behind the actual state of the system.', {
    conditions: mergeList(coreRef('PodCondition'), 'Current service state of the pod (PodScheduled, Initialized, ContainersReady, Ready...).', 'type'),
    containerStatuses: arr(coreRef('ContainerStatus'), 'Status of each regular container, one entry per container in the spec.'),
    ephemeralContainerStatuses: arr(coreRef('ContainerStatus'), 'Status of each ephemeral container.'),
    hostIP: str('IP address of the host the pod is assigned to. Empty until the pod is scheduled.'),
    hostIPs: withExt(arr(coreRef('HostIP'), 'IP addresses of the host, at most one per IP family; the first equals hostIP.'), { 'x-kubernetes-patch-merge-key': 'ip', 'x-kubernetes-patch-strategy': 'merge' }),
    initContainerStatuses: arr(coreRef('ContainerStatus'), 'Status of each init container.'),
    message: str('Human-readable message explaining why the pod is in this state.'),
    nominatedNodeName: str('Node where the pod is expected to run once the pods it preempted are gone.'),
    phase: enumStr(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'], 'Simple, high-level summary of where the pod is in its lifecycle: Pending, Running, Succeeded, Failed or Unknown.'),
    podIP: str('IP address allocated to the pod. Empty if not yet allocated.'),
    podIPs: mergeList(coreRef('PodIP'), 'IP addresses allocated to the pod, at most one per IP family; the first equals podIP.', 'ip'),
    qosClass: enumStr(['Guaranteed', 'Burstable', 'BestEffort'], 'Quality of Service class, computed from the resource requests and limits of the containers.'),
    reason: str('Brief CamelCase reason for the pod\'s state, e.g. Evicted.'),
    resize: str('Status of a requested in-place resize: Proposed, InProgress, Deferred or Infeasible.'),
    resourceClaimStatuses: mergeList(coreRef('PodResourceClaimStatus'), 'Names of the ResourceClaims generated for the pod\'s resourceClaims.', 'name', ['name'], 'merge,retainKeys'),
    startTime: timeRef('When the kubelet acknowledged the pod, before its images were pulled.'),
  }),

  [C('PodCondition')]: obj('One condition of a pod.', {
    lastProbeTime: timeRef('When the condition was last probed.'),
    lastTransitionTime: timeRef('When the condition last changed status.'),
    message: str('Human-readable detail about the last transition.'),
    reason: str('Unique CamelCase reason for the last transition.'),
    status: str(CONDITION_STATUS),
    type: str('Type of the condition, e.g. Ready or PodScheduled.'),
  }, { required: ['type', 'status'] }),

  [C('HostIP')]: obj('An IP address of the pod\'s host.', { ip: str('The IP address.') }, { required: ['ip'] }),
  [C('PodIP')]: obj('An IP address of the pod.', { ip: str('The IP address.') }, { required: ['ip'] }),

  [C('ContainerStatus')]: obj('Observed state of one container.', {
    allocatedResources: resourceList('Compute resources the node allocated to the container.'),
    allocatedResourcesStatus: mergeList(coreRef('ResourceStatus'), 'Health of the resources allocated to the container.', 'name'),
    containerID: str('ID of the container, as <type>://<container_id>.'),
    image: str('Image the container is running.'),
    imageID: str('ID of the image the container is running.'),
    lastState: coreRef('ContainerState', 'Details of the container\'s last termination.'),
    name: str('Name of the container, as in the spec.'),
    ready: bool('Whether the container passes its readiness probe.'),
    resources: coreRef('ResourceRequirements', 'Resource requests and limits the runtime has applied.'),
    restartCount: int32('Number of times the container has been restarted.'),
    started: bool('Whether the container has passed its startup probe.'),
    state: coreRef('ContainerState', 'Current state of the container.'),
    user: coreRef('ContainerUser', 'Identity the first process of the container runs with.'),
    volumeMounts: mergeList(coreRef('VolumeMountStatus'), 'Status of the volume mounts.', 'mountPath'),
  }, { required: ['name', 'ready', 'restartCount', 'image', 'imageID'] }),

  [C('ContainerState')]: obj('State of a container; at most one field is set. Waiting is the default.', {
    running: coreRef('ContainerStateRunning', 'Details about a running container.'),
    terminated: coreRef('ContainerStateTerminated', 'Details about a terminated container.'),
    waiting: coreRef('ContainerStateWaiting', 'Details about a waiting container.'),
  }),

  [C('ContainerStateWaiting')]: obj('A container that is not running yet.', {
    message: str('Why the container is not running yet.'),
    reason: str('Brief reason, e.g. ContainerCreating or ImagePullBackOff.'),
  }),

  [C('ContainerStateRunning')]: obj('A running container.', {
    startedAt: timeRef('When the container was last (re)started.'),
  }),

  [C('ContainerStateTerminated')]: obj('A container that has terminated.', {
    containerID: str('ID of the container, as <type>://<container_id>.'),
    exitCode: int32('Exit status of the last termination.'),
    finishedAt: timeRef('When the container last terminated.'),
    message: str('Message about the last termination.'),
    reason: str('Brief reason for the last termination.'),
    signal: int32('Signal of the last termination.'),
    startedAt: timeRef('When the previous execution of the container started.'),
  }, { required: ['exitCode'] }),

  [C('VolumeMountStatus')]: obj('Status of one volume mount.', {
    mountPath: str('Path of the mount in the container.'),
    name: str('Name of the volume mount.'),
    readOnly: bool('Whether the mount is read-only.'),
    recursiveReadOnly: str('Whether the read-only mount is recursively read-only: Disabled or Enabled.'),
  }, { required: ['name', 'mountPath'] }),

  [C('ContainerUser')]: obj('Identity of a container\'s first process.', {
    linux: coreRef('LinuxContainerUser', 'Linux identity.'),
  }),

  [C('LinuxContainerUser')]: obj('Linux identity of a process.', {
    gid: int64('Primary group ID.'),
    supplementalGroups: arr(int64(), 'Supplemental group IDs.'),
    uid: int64('User ID.'),
  }, { required: ['uid', 'gid'] }),

  [C('ResourceStatus')]: obj('Health of the devices behind one resource of a container.', {
    name: str('Name of the resource, as in the container\'s resources.'),
    resources: keyedList(coreRef('ResourceHealth'), 'Health of each device.', ['resourceID']),
  }, { required: ['name'] }),

  [C('ResourceHealth')]: obj('Health of one device.', {
    health: str('Healthy, Unhealthy or Unknown.'),
    resourceID: str('Unique identifier of the device.'),
  }, { required: ['resourceID'] }),

  [C('PodResourceClaimStatus')]: obj('The ResourceClaim generated for one entry of spec.resourceClaims.', {
    name: str('Name of the entry in spec.resourceClaims.'),
    resourceClaimName: str('Name of the generated ResourceClaim; unset when none is needed.'),
  }, { required: ['name'] }),

  // ---- Node ----------------------------------------------------------------------------------------------------

  [C('Node')]: kindSchema('A worker machine. Each node has a unique ID in the cache (etcd).', gvk('', 'v1', 'Node'), {
    spec: coreRef('NodeSpec', 'Desired behaviour of the node.'),
    status: coreRef('NodeStatus', 'Most recently observed status of the node. Populated by the system.'),
  }),

  [C('NodeSpec')]: obj('Attributes a node is created with.', {
    configSource: coreRef('NodeConfigSource', 'Deprecated; no longer used.'),
    externalID: str('Deprecated; not all kubelets set it.'),
    podCIDR: str('Pod IP range assigned to the node.'),
    podCIDRs: mergeSet(str(), 'Pod IP ranges assigned to the node, at most one per IP family; the first equals podCIDR.'),
    providerID: str('ID of the node in the cloud provider, as <ProviderName>://<ProviderSpecificNodeID>.'),
    taints: arr(coreRef('Taint'), 'Taints on the node.'),
    unschedulable: bool('Prevents new pods from being scheduled to the node. Defaults to false.'),
  }),

  [C('Taint')]: obj('A taint repels pods that do not tolerate it.', {
    effect: enumStr(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], 'Effect on pods that do not tolerate the taint.'),
    key: str('Taint key.'),
    timeAdded: timeRef('When the taint was added; only for NoExecute taints.'),
    value: str('Taint value.'),
  }, { required: ['key', 'effect'] }),

  [C('NodeConfigSource')]: obj('Deprecated dynamic kubelet configuration source.', {
    configMap: coreRef('ConfigMapNodeConfigSource', 'A ConfigMap holding the configuration.'),
  }),

  [C('ConfigMapNodeConfigSource')]: obj('Deprecated: a ConfigMap used as kubelet configuration.', {
    kubeletConfigKey: str('Key of the ConfigMap holding the configuration.'),
    name: str('Name of the ConfigMap.'),
    namespace: str('Namespace of the ConfigMap.'),
    resourceVersion: str('ResourceVersion of the ConfigMap.'),
    uid: str('UID of the ConfigMap.'),
  }, { required: ['namespace', 'name', 'kubeletConfigKey'] }),

  [C('NodeStatus')]: obj('Observed status of a node.', {
    addresses: mergeList(coreRef('NodeAddress'), 'Addresses reachable to the node.', 'type'),
    allocatable: resourceList('Resources available for scheduling. Defaults to capacity.'),
    capacity: resourceList('Total resources of the node.'),
    conditions: mergeList(coreRef('NodeCondition'), 'Current observed conditions of the node (Ready, MemoryPressure...).', 'type'),
    config: coreRef('NodeConfigStatus', 'Deprecated dynamic configuration status.'),
    daemonEndpoints: coreRef('NodeDaemonEndpoints', 'Endpoints of daemons running on the node.'),
    features: coreRef('NodeFeatures', 'Features the node supports.'),
    images: arr(coreRef('ContainerImage'), 'Container images on the node.'),
    nodeInfo: coreRef('NodeSystemInfo', 'General information about the node.'),
    phase: enumStr(['Pending', 'Running', 'Terminated'], 'Deprecated node lifecycle phase.'),
    runtimeHandlers: arr(coreRef('NodeRuntimeHandler'), 'Available runtime handlers.'),
    volumesAttached: arr(coreRef('AttachedVolume'), 'Volumes attached to the node.'),
    volumesInUse: arr(str(), 'Volumes in use (mounted) by the node.'),
  }),

  [C('NodeCondition')]: obj('One condition of a node.', {
    lastHeartbeatTime: timeRef('When the condition was last reported.'),
    lastTransitionTime: timeRef('When the condition last changed status.'),
    message: str('Human-readable detail about the last transition.'),
    reason: str('CamelCase reason for the last transition.'),
    status: str(CONDITION_STATUS),
    type: str('Type of the condition, e.g. Ready.'),
  }, { required: ['type', 'status'] }),

  [C('NodeAddress')]: obj('An address of a node.', {
    address: str('The address.'),
    type: str('Type of address: Hostname, ExternalIP, InternalIP, ExternalDNS or InternalDNS.'),
  }, { required: ['type', 'address'] }),

  [C('NodeDaemonEndpoints')]: obj('Ports of daemons running on the node.', {
    kubeletEndpoint: coreRef('DaemonEndpoint', 'Endpoint the kubelet listens on.'),
  }),

  [C('DaemonEndpoint')]: obj('A port a daemon listens on.', {
    Port: int32('Port number.'),
  }, { required: ['Port'] }),

  [C('NodeSystemInfo')]: obj('Identifiers and versions reported by the node.', {
    architecture: str('CPU architecture.'),
    bootID: str('Boot ID of the node.'),
    containerRuntimeVersion: str('Container runtime and version, e.g. containerd://1.7.0.'),
    kernelVersion: str('Kernel version (`uname -r`).'),
    kubeProxyVersion: str('Deprecated: kube-proxy version.'),
    kubeletVersion: str('Kubelet version.'),
    machineID: str('Machine ID reported by the node.'),
    operatingSystem: str('Operating system (linux or windows).'),
    osImage: str('OS image, from /etc/os-release.'),
    systemUUID: str('System UUID reported by the node.'),
  }, { required: ['machineID', 'systemUUID', 'bootID', 'kernelVersion', 'osImage', 'containerRuntimeVersion', 'kubeletVersion', 'kubeProxyVersion', 'operatingSystem', 'architecture'] }),

  [C('ContainerImage')]: obj('An image on a node.', {
    names: arr(str(), 'Names the image is known by.'),
    sizeBytes: int64('Size of the image in bytes.'),
  }),

  [C('AttachedVolume')]: obj('A volume attached to a node.', {
    devicePath: str('Where the volume should be available.'),
    name: str('Name of the attached volume.'),
  }, { required: ['name', 'devicePath'] }),

  [C('NodeConfigStatus')]: obj('Deprecated status of dynamic kubelet configuration.', {
    active: coreRef('NodeConfigSource', 'Configuration in use.'),
    assigned: coreRef('NodeConfigSource', 'Configuration the node will try to use.'),
    error: str('Problems applying the configuration.'),
    lastKnownGood: coreRef('NodeConfigSource', 'Configuration to fall back to.'),
  }),

  [C('NodeRuntimeHandler')]: obj('A runtime handler of the node.', {
    features: coreRef('NodeRuntimeHandlerFeatures', 'Features of the handler.'),
    name: str('Handler name; empty for the default handler.'),
  }),

  [C('NodeRuntimeHandlerFeatures')]: obj('Features a runtime handler supports.', {
    recursiveReadOnlyMounts: bool('Supports recursive read-only mounts.'),
    userNamespaces: bool('Supports user namespaces, including for volumes.'),
  }),

  [C('NodeFeatures')]: obj('Features implemented by the node.', {
    supplementalGroupsPolicy: bool('Supports the supplementalGroupsPolicy field.'),
  }),

  // ---- Namespace -----------------------------------------------------------------------------------------------

  [C('Namespace')]: kindSchema('A scope for names. Objects in different namespaces may have the same name.', gvk('', 'v1', 'Namespace'), {
    spec: coreRef('NamespaceSpec', 'Behaviour of the namespace.'),
    status: coreRef('NamespaceStatus', 'Current status of the namespace. Read-only.'),
  }),

  [C('NamespaceSpec')]: obj('Attributes of a namespace.', {
    finalizers: arr(str(), 'Must be empty before the namespace is removed from storage; `kubernetes` is cleared once all content is deleted.'),
  }),

  [C('NamespaceStatus')]: obj('Status of a namespace.', {
    conditions: mergeList(coreRef('NamespaceCondition'), 'Latest observations of the namespace\'s state.', 'type'),
    phase: enumStr(['Active', 'Terminating'], 'Lifecycle phase of the namespace.'),
  }),

  [C('NamespaceCondition')]: obj('One condition of a namespace.', {
    lastTransitionTime: timeRef('When the condition last changed status.'),
    message: str('Human-readable detail about the last transition.'),
    reason: str('CamelCase reason for the last transition.'),
    status: str(CONDITION_STATUS),
    type: str('Type of the condition.'),
  }, { required: ['type', 'status'] }),
};
