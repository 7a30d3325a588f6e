// apps/v1 Deployment and ReplicaSet, autoscaling/v1 Scale (the /scale subresource) and coordination.k8s.io/v1 Lease;
// with their protobuf field numbers (appsFieldNumbers), which are the one wire fact a schema does not carry.
import {
  APPS, AUTOSCALING, COORDINATION, RAW_EXTENSION, bool, coreRef, enumStr, gvk, int32, int64, intOrString, kindSchema,
  mergeList, metaRef, microTimeRef, obj, ref, str, timeRef, withExt, type Schema,
} from './dsl.js';

const A = (n: string): string => APPS + n;

const condition = (what: string, extra: Record<string, Schema> = {}): Schema => obj(`Describes the state of a ${what} at a certain point.`, {
  lastTransitionTime: timeRef('When the condition last changed status.'),
  message: str('Human-readable detail about the transition.'),
  reason: str('Reason for the last transition.'),
  status: str('Status of the condition: True, False or Unknown.'),
  type: str(`Type of ${what} condition.`),
  ...extra,
}, { required: ['type', 'status'] });

export const appsSchemas: Record<string, Schema> = {
  [A('Deployment')]: kindSchema('Declarative updates for Pods and ReplicaSets.', gvk('apps', 'v1', 'Deployment'), {
    spec: ref(A('DeploymentSpec'), 'Desired behaviour of the Deployment.'),
    status: ref(A('DeploymentStatus'), 'Most recently observed status of the Deployment.'),
  }),

  [A('DeploymentSpec')]: obj('The desired state of a Deployment.', {
    minReadySeconds: int32('Seconds a new pod must be ready, without any container crashing, to count as available. Defaults to 0.'),
    paused: bool('Whether the Deployment is paused; a paused Deployment is not rolled out.'),
    progressDeadlineSeconds: int32('Seconds a rollout may make no progress before it is reported as failed (ProgressDeadlineExceeded in the Progressing condition). Defaults to 600.'),
    replicas: int32('Number of desired pods. Defaults to 1.'),
    revisionHistoryLimit: int32('Number of old ReplicaSets kept to allow rollback. Defaults to 10.'),
    selector: metaRef('LabelSelector', 'Label selector for the pods. Existing ReplicaSets whose pods match it are affected by this Deployment. It must match the pod template\'s labels, and cannot change after creation in apps/v1.'),
    strategy: withExt(ref(A('DeploymentStrategy'), 'The deployment strategy used to replace existing pods with new ones.'), { 'x-kubernetes-patch-strategy': 'retainKeys' }),
    template: coreRef('PodTemplateSpec', 'Template of the pods to run. Its only allowed restartPolicy is Always.'),
  }, { required: ['selector', 'template'] }),

  [A('DeploymentStrategy')]: obj('How a Deployment replaces existing pods with new ones.', {
    rollingUpdate: ref(A('RollingUpdateDeployment'), 'Parameters of a rolling update; only present when type is RollingUpdate.'),
    type: enumStr(['Recreate', 'RollingUpdate'], 'Type of deployment: Recreate (kill all existing pods before creating new ones) or RollingUpdate (replace the old ReplicaSet gradually). Defaults to RollingUpdate.'),
  }),

  [A('RollingUpdateDeployment')]: obj('Controls the pace of a rolling update.', {
    maxSurge: intOrString('Maximum number of pods above the desired count during the update, as a number or a percentage of desired pods (rounded up). Cannot be 0 if maxUnavailable is 0. Defaults to 25%.'),
    maxUnavailable: intOrString('Maximum number of pods that may be unavailable during the update, as a number or a percentage of desired pods (rounded down). Cannot be 0 if maxSurge is 0. Defaults to 25%.'),
  }),

  [A('DeploymentStatus')]: obj('The most recently observed status of a Deployment.', {
    availableReplicas: int32('Pods of this Deployment ready for at least minReadySeconds.'),
    collisionCount: int32('Count of hash collisions for the Deployment, used to build names of new ReplicaSets.'),
    conditions: mergeList(ref(A('DeploymentCondition')), 'Latest available observations of the Deployment\'s current state.', 'type'),
    observedGeneration: int64('The generation observed by the deployment controller.'),
    readyReplicas: int32('Pods of this Deployment with a Ready condition.'),
    replicas: int32('Non-terminated pods of this Deployment (their labels match the selector).'),
    unavailableReplicas: int32('Pods still needed for the Deployment to have 100% available capacity.'),
    updatedReplicas: int32('Non-terminated pods that have the desired template.'),
  }),

  [A('DeploymentCondition')]: condition('deployment', { lastUpdateTime: timeRef('When this condition was last updated.') }),

  [A('ReplicaSet')]: kindSchema('Ensures that a specified number of pod replicas are running at any given time.', gvk('apps', 'v1', 'ReplicaSet'), {
    spec: ref(A('ReplicaSetSpec'), 'Desired behaviour of the ReplicaSet.'),
    status: ref(A('ReplicaSetStatus'), 'Most recently observed status of the ReplicaSet.'),
  }),

  [A('ReplicaSetSpec')]: obj('The desired state of a ReplicaSet.', {
    minReadySeconds: int32('Seconds a new pod must be ready, without any container crashing, to count as available. Defaults to 0.'),
    replicas: int32('Number of desired pods. Defaults to 1.'),
    selector: metaRef('LabelSelector', 'Label query over the pods that count towards the replica count. It must match the template\'s labels.'),
    template: coreRef('PodTemplateSpec', 'Template of the pods created when too few replicas exist.'),
  }, { required: ['selector'] }),

  [A('ReplicaSetStatus')]: obj('The most recently observed status of a ReplicaSet.', {
    availableReplicas: int32('Pods ready for at least minReadySeconds.'),
    conditions: mergeList(ref(A('ReplicaSetCondition')), 'Latest available observations of the ReplicaSet\'s current state.', 'type'),
    fullyLabeledReplicas: int32('Pods whose labels match the labels of the pod template.'),
    observedGeneration: int64('The generation of the most recently observed ReplicaSet.'),
    readyReplicas: int32('Pods of this ReplicaSet with a Ready condition.'),
    replicas: int32('Most recently observed number of replicas.'),
  }, { required: ['replicas'] }),

  [A('ReplicaSetCondition')]: condition('replica set'),

  [A('ControllerRevision')]: kindSchema(
    'An immutable snapshot of state data, which StatefulSets and DaemonSets keep to update and roll back. Clients serialize and deserialize the objects that hold their internal state.',
    gvk('apps', 'v1', 'ControllerRevision'),
    {
      data: ref(RAW_EXTENSION, 'The serialized representation of the state.'),
      revision: int64('The revision of the state represented by data.'),
    },
    ['revision'],
  ),

  [AUTOSCALING + 'Scale']: kindSchema('A scaling request for a resource: the /scale subresource.', gvk('autoscaling', 'v1', 'Scale'), {
    spec: ref(AUTOSCALING + 'ScaleSpec', 'Desired behaviour of the scale.'),
    status: ref(AUTOSCALING + 'ScaleStatus', 'Current status of the scale. Read-only.'),
  }),

  [AUTOSCALING + 'ScaleSpec']: obj('Attributes of a scale subresource.', {
    replicas: int32('Desired number of instances of the scaled object.'),
  }),

  [AUTOSCALING + 'ScaleStatus']: obj('Current status of a scale subresource.', {
    replicas: int32('Actual number of observed instances of the scaled object.'),
    selector: str('Label query over the pods counted as replicas, in the string form of a label selector.'),
  }, { required: ['replicas'] }),

  [COORDINATION + 'Lease']: kindSchema('A lease, used for leader election and node heartbeats.', gvk('coordination.k8s.io', 'v1', 'Lease'), {
    spec: ref(COORDINATION + 'LeaseSpec', 'Specification of the lease.'),
  }),

  [COORDINATION + 'LeaseSpec']: obj('Specification of a lease.', {
    acquireTime: microTimeRef('When the current holder acquired the lease.'),
    holderIdentity: str('Identity of the current holder of the lease.'),
    leaseDurationSeconds: int32('Seconds candidates must wait, counted from the last renewTime, before they may take the lease over.'),
    leaseTransitions: int32('Number of times the lease has changed holders.'),
    preferredHolder: str('Holder the lease should be handed to; only with a strategy.'),
    renewTime: microTimeRef('When the current holder last renewed the lease.'),
    strategy: str('How coordinated leader election picks the holder, e.g. OldestEmulationVersion.'),
  }),
};

/**
 * Upstream's protobuf field numbers of the types above, per proto package, in the syntax apiserver/protobuf/numbers.ts
 * describes (`field=N`, `field=N*` for a Go pointer); the protobuf message types are generated from the schemas and
 * these. A field in a schema above without a number here fails start-up and `npm test`.
 */
export const appsFieldNumbers: Readonly<Record<string, string>> = {
  'k8s.io.api.apps.v1': `
    ControllerRevision: metadata=1 data=2 revision=3
    Deployment: metadata=1 spec=2 status=3
    DeploymentCondition: type=1 status=2 lastUpdateTime=6 lastTransitionTime=7 reason=4 message=5
    DeploymentSpec: replicas=1* selector=2* template=3 strategy=4 minReadySeconds=5 revisionHistoryLimit=6* paused=7
      progressDeadlineSeconds=9*
    DeploymentStatus: observedGeneration=1 replicas=2 updatedReplicas=3 readyReplicas=7 availableReplicas=4
      unavailableReplicas=5 conditions=6 collisionCount=8*
    DeploymentStrategy: type=1 rollingUpdate=2*
    ReplicaSet: metadata=1 spec=2 status=3
    ReplicaSetCondition: type=1 status=2 lastTransitionTime=3 reason=4 message=5
    ReplicaSetSpec: replicas=1* minReadySeconds=4 selector=2* template=3
    ReplicaSetStatus: replicas=1 fullyLabeledReplicas=2 readyReplicas=4 availableReplicas=5 observedGeneration=3
      conditions=6
    RollingUpdateDeployment: maxUnavailable=1* maxSurge=2*
  `,
  'k8s.io.api.autoscaling.v1': `
    Scale: metadata=1 spec=2 status=3
    ScaleSpec: replicas=1
    ScaleStatus: replicas=1 selector=2
  `,
  'k8s.io.api.coordination.v1': `
    Lease: metadata=1 spec=2
    LeaseSpec: holderIdentity=1* leaseDurationSeconds=2* acquireTime=3* renewTime=4* leaseTransitions=5* strategy=6*
      preferredHolder=7*
  `,
};
