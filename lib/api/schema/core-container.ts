// core/v1 container types: Container and EphemeralContainer with their ports, environment, resources, mounts,
// probes, lifecycle hooks and security context.
import {
  CORE, arr, bool, coreRef, enumStr, int32, int64, intOrString, keyedList, mergeList, obj, quantity, resourceList, str,
  withExt, type Schema,
} from './dsl.js';

const C = (n: string): string => CORE + n;

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

function containerProps(ephemeral: boolean): Record<string, Schema> {
  const noProbe = ephemeral ? ' Not allowed for ephemeral containers.' : '';
  return {
    args: arr(str(), 'Arguments to the entrypoint. The image CMD is used if not set. $(VAR) references to container environment variables are expanded; $$ escapes.'),
    command: arr(str(), 'Entrypoint array, run without a shell. The image ENTRYPOINT is used if not set. $(VAR) references are expanded. Cannot be updated.'),
    env: mergeList(coreRef('EnvVar'), 'Environment variables to set in the container. Cannot be updated.', 'name'),
    envFrom: arr(coreRef('EnvFromSource'), 'Sources (ConfigMaps, Secrets) whose keys become environment variables. Explicit `env` entries win on conflict. Cannot be updated.'),
    image: str('Container image name, e.g. `nginx:1.27` or `registry.example/app@sha256:...`.'),
    imagePullPolicy: enumStr(['Always', 'Never', 'IfNotPresent'], 'When to pull the image. Defaults to Always when the tag is `:latest` or missing, IfNotPresent otherwise. Cannot be updated.'),
    lifecycle: coreRef('Lifecycle', `Actions the system runs after the container starts and before it stops. Cannot be updated.${noProbe}`),
    livenessProbe: coreRef('Probe', `Periodic check of container liveness; the container is restarted when it fails. Cannot be updated.${noProbe}`),
    name: str('Name of the container, a DNS label unique within the pod. Cannot be updated.'),
    ports: mergeList(coreRef('ContainerPort'), `Ports the container exposes. Informational: any port the process listens on is reachable. Cannot be updated.${noProbe}`, 'containerPort', ['containerPort', 'protocol']),
    readinessProbe: coreRef('Probe', `Periodic check of readiness; the container is removed from service endpoints while it fails. Cannot be updated.${noProbe}`),
    resizePolicy: arr(coreRef('ContainerResizePolicy'), 'How each resource may be resized in place.'),
    resources: coreRef('ResourceRequirements', `Compute resources (CPU, memory...) the container requests and is limited to.${noProbe}`),
    restartPolicy: str(ephemeral
      ? 'Not allowed for ephemeral containers.'
      : 'Restart behaviour of an individual container. Only `Always` is allowed, and only for init containers: it turns the init container into a sidecar that keeps running alongside the regular containers.'),
    securityContext: coreRef('SecurityContext', 'Security options the container runs with; these override the pod-level security context.'),
    startupProbe: coreRef('Probe', `Check that the container has started; other probes wait until it succeeds, and the container is restarted if it fails. Cannot be updated.${noProbe}`),
    stdin: bool('Allocate a buffer for stdin in the container runtime. Defaults to false.'),
    stdinOnce: bool('Close stdin after the first attach session disconnects. Defaults to false.'),
    terminationMessagePath: str('File in the container whose contents are written to the termination message. Defaults to /dev/termination-log. Cannot be updated.'),
    terminationMessagePolicy: enumStr(['File', 'FallbackToLogsOnError'], 'How the termination message is filled in: File reads terminationMessagePath; FallbackToLogsOnError also uses the tail of the log when that file is empty and the container failed. Defaults to File.'),
    tty: bool('Allocate a TTY for the container. Needs stdin. Defaults to false.'),
    volumeDevices: mergeList(coreRef('VolumeDevice'), 'Raw block devices the container uses.', 'devicePath'),
    volumeMounts: mergeList(coreRef('VolumeMount'), 'Pod volumes to mount into the container filesystem. Cannot be updated.', 'mountPath'),
    workingDir: str('Working directory of the container. Defaults to the image\'s. Cannot be updated.'),
  };
}

const handlerProps = (): Record<string, Schema> => ({
  exec: coreRef('ExecAction', 'Run a command inside the container.'),
  httpGet: coreRef('HTTPGetAction', 'Perform an HTTP GET request.'),
  tcpSocket: coreRef('TCPSocketAction', 'Open a TCP connection.'),
});

export const containerSchemas: Record<string, Schema> = {
  [C('Container')]: obj('A single application container to run within a pod.', containerProps(false), { required: ['name'] }),

  [C('EphemeralContainer')]: obj('A temporary container added to a running pod for troubleshooting, e.g. with `kubectl debug`. It is never restarted and may not declare ports, probes, lifecycle or resources.', {
    ...containerProps(true),
    targetContainerName: str('Name of a container in the pod whose namespaces (IPC, PID...) this container joins. Defaults to the pod\'s own namespaces.'),
  }, { required: ['name'] }),

  [C('ContainerPort')]: obj('A network port in a single container.', {
    containerPort: int32('Port number on the pod\'s IP address, 1-65535.'),
    hostIP: str('Host IP to bind the external port to.'),
    hostPort: int32('Port number to expose on the host, 1-65535. Most containers do not need this.'),
    name: str('An IANA_SVC_NAME unique within the pod, which services can refer to.'),
    protocol: withExt(enumStr(PROTOCOLS, 'Protocol of the port: UDP, TCP or SCTP. Defaults to TCP.'), { default: 'TCP' }),
  }, { required: ['containerPort'] }),

  [C('EnvVar')]: obj('An environment variable in a container.', {
    name: str('Name of the variable. May not contain `=`.'),
    value: str('Value of the variable. $(VAR) references to earlier variables are expanded; $$ escapes. Defaults to "".'),
    valueFrom: coreRef('EnvVarSource', 'Source of the value. Cannot be used if `value` is not empty.'),
  }, { required: ['name'] }),

  [C('EnvVarSource')]: obj('Where an environment variable takes its value from. Exactly one field may be set.', {
    configMapKeyRef: coreRef('ConfigMapKeySelector', 'A key of a ConfigMap.'),
    fieldRef: coreRef('ObjectFieldSelector', 'A field of the pod: metadata.name, metadata.namespace, metadata.labels[\'<KEY>\'], metadata.annotations[\'<KEY>\'], spec.nodeName, spec.serviceAccountName, status.hostIP, status.hostIPs, status.podIP or status.podIPs.'),
    resourceFieldRef: coreRef('ResourceFieldSelector', 'A resource of the container: its limits or requests of cpu, memory or ephemeral-storage.'),
    secretKeyRef: coreRef('SecretKeySelector', 'A key of a Secret in the pod\'s namespace.'),
  }),

  [C('EnvFromSource')]: obj('A set of ConfigMap or Secret keys to turn into environment variables.', {
    configMapRef: coreRef('ConfigMapEnvSource', 'The ConfigMap to read.'),
    prefix: str('Prefix to add to every variable name. Must be a C identifier.'),
    secretRef: coreRef('SecretEnvSource', 'The Secret to read.'),
  }),

  [C('ConfigMapEnvSource')]: obj('A ConfigMap whose key/value pairs become environment variables.', {
    name: withExt(str('Name of the ConfigMap.'), { default: '' }),
    optional: bool('Whether the ConfigMap may be missing.'),
  }),

  [C('SecretEnvSource')]: obj('A Secret whose key/value pairs become environment variables.', {
    name: withExt(str('Name of the Secret.'), { default: '' }),
    optional: bool('Whether the Secret may be missing.'),
  }),

  [C('ConfigMapKeySelector')]: obj('Selects one key of a ConfigMap.', {
    key: str('The key to select.'),
    name: withExt(str('Name of the ConfigMap.'), { default: '' }),
    optional: bool('Whether the ConfigMap or its key may be missing.'),
  }, { required: ['key'], atomic: true }),

  [C('SecretKeySelector')]: obj('Selects one key of a Secret.', {
    key: str('The key of the secret to select. Must be a valid secret key.'),
    name: withExt(str('Name of the Secret.'), { default: '' }),
    optional: bool('Whether the Secret or its key may be missing.'),
  }, { required: ['key'], atomic: true }),

  [C('ObjectFieldSelector')]: obj('Selects a field of an object.', {
    apiVersion: str('Version of the schema the fieldPath is written in. Defaults to `v1`.'),
    fieldPath: str('Path of the field to select, in that API version.'),
  }, { required: ['fieldPath'], atomic: true }),

  [C('ResourceFieldSelector')]: obj('Selects a container resource (a limit or request).', {
    containerName: str('Container name; required for volumes, optional for env vars.'),
    divisor: quantity('Output format of the value. Defaults to 1.'),
    resource: str('Resource to select, e.g. `limits.cpu` or `requests.memory`.'),
  }, { required: ['resource'], atomic: true }),

  [C('ResourceRequirements')]: obj('Compute resource requirements.', {
    claims: keyedList(coreRef('ResourceClaim'), 'Names of resource claims (from spec.resourceClaims) this container uses.', ['name']),
    limits: resourceList('Maximum amount of each resource the container may use.'),
    requests: resourceList('Minimum amount of each resource the container needs; used for scheduling. Defaults to the limits when those are set.'),
  }),

  [C('ResourceClaim')]: obj('A reference to one entry of PodSpec.resourceClaims.', {
    name: str('Name of an entry in spec.resourceClaims of the pod.'),
    request: str('Name of one request inside the claim; all requests when empty.'),
  }, { required: ['name'] }),

  [C('ContainerResizePolicy')]: obj('How one resource of a container may be resized in place.', {
    resourceName: str('Resource this policy applies to: cpu or memory.'),
    restartPolicy: enumStr(['NotRequired', 'RestartContainer'], 'Restart policy to apply when this resource is resized.'),
  }, { required: ['resourceName', 'restartPolicy'] }),

  [C('VolumeMount')]: obj('Mounts a volume into a container.', {
    mountPath: str('Path in the container where the volume is mounted. May not contain `:`.'),
    mountPropagation: enumStr(['None', 'HostToContainer', 'Bidirectional'], 'How mounts propagate between host and container. Defaults to None.'),
    name: str('Name of a volume of the pod.'),
    readOnly: bool('Mount read-only when true. Defaults to false.'),
    recursiveReadOnly: enumStr(['Disabled', 'IfPossible', 'Enabled'], 'Whether a read-only mount is made recursively read-only.'),
    subPath: str('Path within the volume to mount instead of its root. Defaults to "".'),
    subPathExpr: str('Like subPath, with $(VAR) references to the container environment expanded. Exclusive with subPath.'),
  }, { required: ['name', 'mountPath'] }),

  [C('VolumeDevice')]: obj('Maps a raw block volume into a container.', {
    devicePath: str('Path inside the container the device is mapped to.'),
    name: str('Name of a persistentVolumeClaim volume of the pod.'),
  }, { required: ['name', 'devicePath'] }),

  [C('Probe')]: obj('A health check run against a container to see whether it is alive or ready for traffic.', {
    ...handlerProps(),
    failureThreshold: int32('Consecutive failures after which the probe is considered failed. Defaults to 3; minimum 1.'),
    grpc: coreRef('GRPCAction', 'Call the gRPC health checking service.'),
    initialDelaySeconds: int32('Seconds after the container starts before the first probe.'),
    periodSeconds: int32('How often, in seconds, to probe. Defaults to 10; minimum 1.'),
    successThreshold: int32('Consecutive successes after a failure for the probe to count as passing. Defaults to 1; must be 1 for liveness and startup probes.'),
    terminationGracePeriodSeconds: int64('Grace period after a failed probe before the container is killed; overrides the pod\'s terminationGracePeriodSeconds.'),
    timeoutSeconds: int32('Seconds after which the probe times out. Defaults to 1; minimum 1.'),
  }),

  [C('ExecAction')]: obj('Runs a command in the container.', {
    command: arr(str(), 'Command line to run, inside the container\'s filesystem and without a shell. Exit status 0 means healthy.'),
  }),

  [C('HTTPGetAction')]: obj('An HTTP GET request.', {
    host: str('Host name to connect to; defaults to the pod IP. Set the Host header in httpHeaders instead, usually.'),
    httpHeaders: arr(coreRef('HTTPHeader'), 'Custom headers to send. Repeated headers are allowed.'),
    path: str('Path to request on the HTTP server.'),
    port: intOrString('Port to request, by number or IANA_SVC_NAME.'),
    scheme: enumStr(['HTTP', 'HTTPS'], 'Scheme to connect with. Defaults to HTTP.'),
  }, { required: ['port'] }),

  [C('HTTPHeader')]: obj('A header to send in an HTTP probe.', {
    name: str('Header field name. It is canonicalized on output, so differently-cased names count as the same header.'),
    value: str('Header field value.'),
  }, { required: ['name', 'value'] }),

  [C('TCPSocketAction')]: obj('Opens a TCP connection.', {
    host: str('Host name to connect to; defaults to the pod IP.'),
    port: intOrString('Port to connect to, by number or IANA_SVC_NAME.'),
  }, { required: ['port'] }),

  [C('GRPCAction')]: obj('Calls the standard gRPC health checking service.', {
    port: int32('Port of the gRPC service, 1-65535.'),
    service: withExt(str('Service name passed in the HealthCheckRequest. Empty means the default service.'), { default: '' }),
  }, { required: ['port'] }),

  [C('Lifecycle')]: obj('Actions the kubelet runs around container lifecycle events.', {
    postStart: coreRef('LifecycleHandler', 'Runs right after the container is created. If it fails the container is restarted per its restart policy.'),
    preStop: coreRef('LifecycleHandler', 'Runs before the container is terminated by an API request or management event. The grace period countdown starts before it runs.'),
  }),

  [C('LifecycleHandler')]: obj('One lifecycle action. Exactly one field must be set.', {
    ...handlerProps(),
    sleep: coreRef('SleepAction', 'Sleep for some seconds.'),
  }),

  [C('SleepAction')]: obj('Sleeps for a while.', {
    seconds: int64('Seconds to sleep.'),
  }, { required: ['seconds'] }),

  [C('SecurityContext')]: obj('Security settings for a container. Fields here take precedence over the same fields of the PodSecurityContext.', {
    allowPrivilegeEscalation: bool('Whether a process can gain more privileges than its parent (sets no_new_privs). Always true when privileged or with CAP_SYS_ADMIN.'),
    appArmorProfile: coreRef('AppArmorProfile', 'AppArmor profile for this container.'),
    capabilities: coreRef('Capabilities', 'Capabilities to add to or drop from the runtime defaults.'),
    privileged: bool('Run in privileged mode, equivalent to root on the host. Defaults to false.'),
    procMount: enumStr(['Default', 'Unmasked'], 'Kind of /proc mount to use. Defaults to Default.'),
    readOnlyRootFilesystem: bool('Mount the root filesystem read-only. Defaults to false.'),
    runAsGroup: int64('GID to run the entrypoint as. Defaults to the runtime default.'),
    runAsNonRoot: bool('Refuse to start the container if the image would run as UID 0.'),
    runAsUser: int64('UID to run the entrypoint as. Defaults to the user in the image metadata.'),
    seLinuxOptions: coreRef('SELinuxOptions', 'SELinux context for the container.'),
    seccompProfile: coreRef('SeccompProfile', 'Seccomp profile for the container.'),
    windowsOptions: coreRef('WindowsSecurityContextOptions', 'Windows-specific settings.'),
  }),

  [C('Capabilities')]: obj('Linux capabilities to add to or drop from a running container.', {
    add: arr(str(), 'Capabilities to add, e.g. NET_ADMIN.'),
    drop: arr(str(), 'Capabilities to drop, e.g. ALL.'),
  }),

  [C('SELinuxOptions')]: obj('SELinux labels for a container.', {
    level: str('SELinux level label.'),
    role: str('SELinux role label.'),
    type: str('SELinux type label.'),
    user: str('SELinux user label.'),
  }),

  [C('WindowsSecurityContextOptions')]: obj('Windows-specific security options.', {
    gmsaCredentialSpec: str('Contents of the GMSA credential spec named by gmsaCredentialSpecName.'),
    gmsaCredentialSpecName: str('Name of the GMSA credential spec to use.'),
    hostProcess: bool('Run the container as a Windows HostProcess container.'),
    runAsUserName: str('User name in Windows to run the entrypoint as.'),
  }),

  [C('SeccompProfile')]: obj('A seccomp profile. Exactly one source must be set.', {
    localhostProfile: str('Path of a profile on the node, relative to the kubelet\'s seccomp directory. Required, and only allowed, for type Localhost.'),
    type: enumStr(['Unconfined', 'RuntimeDefault', 'Localhost'], 'Kind of profile: Localhost (a file on the node), RuntimeDefault (the runtime\'s default) or Unconfined.'),
  }, { required: ['type'], extra: { 'x-kubernetes-unions': [{ discriminator: 'type', 'fields-to-discriminateBy': { localhostProfile: 'LocalhostProfile' } }] } }),

  [C('AppArmorProfile')]: obj('An AppArmor profile for a pod or container.', {
    localhostProfile: str('Name of a profile loaded on the node. Required, and only allowed, for type Localhost.'),
    type: enumStr(['Unconfined', 'RuntimeDefault', 'Localhost'], 'Kind of profile: Localhost, RuntimeDefault or Unconfined.'),
  }, { required: ['type'], extra: { 'x-kubernetes-unions': [{ discriminator: 'type', 'fields-to-discriminateBy': { localhostProfile: 'LocalhostProfile' } }] } }),
};

export const PORT_PROTOCOLS = PROTOCOLS;
