// apps/v1 StatefulSet, with its protobuf field numbers (statefulSetFieldNumbers). In a file of its own beside apps.ts
// so the apps kinds can grow without every change touching one file.
import {
  APPS, arr, coreRef, enumStr, gvk, int32, int64, intOrString, kindSchema, mergeList, metaRef, obj, ref, str, timeRef,
  type Schema,
} from './dsl.js';

const A = (n: string): string => APPS + n;

export const statefulSetSchemas: Record<string, Schema> = {
  [A('StatefulSet')]: kindSchema('A set of pods with stable identities: a stable network name (<set>-<ordinal>) and stable storage (one claim per ordinal and volume claim template).', gvk('apps', 'v1', 'StatefulSet'), {
    spec: ref(A('StatefulSetSpec'), 'The desired identities of the pods in this set.'),
    status: ref(A('StatefulSetStatus'), 'The current status of the pods in this set; may lag.'),
  }),

  [A('StatefulSetSpec')]: obj('The specification of a StatefulSet.', {
    minReadySeconds: int32('Seconds a new pod must be ready, without any container crashing, to count as available. Defaults to 0.'),
    ordinals: ref(A('StatefulSetOrdinals'), 'How replica indices are numbered; by default from 0.'),
    persistentVolumeClaimRetentionPolicy: ref(A('StatefulSetPersistentVolumeClaimRetentionPolicy'), 'What happens to the claims made from volumeClaimTemplates when the set is deleted or scaled down. By default they are kept.'),
    podManagementPolicy: enumStr(['OrderedReady', 'Parallel'], 'How pods are created and deleted: OrderedReady (default: one at a time in ordinal order, each waiting for the previous to be Running and Ready; removal in reverse order) or Parallel (all at once).'),
    replicas: int32('Desired number of replicas. Defaults to 1.'),
    revisionHistoryLimit: int32('Number of revisions kept in the set\'s history (ControllerRevisions not in use). Defaults to 10.'),
    selector: metaRef('LabelSelector', 'Label query over the pods that count towards the replica count. It must match the template\'s labels.'),
    serviceName: str('Name of the (headless) Service governing the set: pods get the hostname <pod> and the subdomain <serviceName>, so their DNS names are <pod>.<serviceName>.<namespace>.svc.cluster.local.'),
    template: coreRef('PodTemplateSpec', 'Template of the pods; each pod is named <set>-<ordinal>.'),
    updateStrategy: ref(A('StatefulSetUpdateStrategy'), 'How pods are replaced when the template changes.'),
    volumeClaimTemplates: arr(coreRef('PersistentVolumeClaim'), 'Claims made for every pod, named <template>-<set>-<ordinal>, and mounted where a container mounts a volume of the template\'s name.'),
  }, { required: ['selector', 'template'] }),

  [A('StatefulSetOrdinals')]: obj('How replica ordinals are assigned.', {
    start: int32('The first ordinal: replicas are numbered [start, start+replicas). Defaults to 0.'),
  }),

  [A('StatefulSetPersistentVolumeClaimRetentionPolicy')]: obj('What happens to the claims made from the volume claim templates.', {
    whenDeleted: str('Retain (default) keeps the claims when the set is deleted; Delete deletes them.'),
    whenScaled: str('Retain (default) keeps the claims of pods removed by a scale down; Delete deletes them.'),
  }),

  [A('StatefulSetUpdateStrategy')]: obj('How the StatefulSet controller replaces pods after a template change.', {
    rollingUpdate: ref(A('RollingUpdateStatefulSetStrategy'), 'Parameters of a rolling update; only with type RollingUpdate.'),
    type: enumStr(['OnDelete', 'RollingUpdate'], 'RollingUpdate (default: pods are replaced in reverse ordinal order) or OnDelete (a pod is replaced only when deleted by hand).'),
  }),

  [A('RollingUpdateStatefulSetStrategy')]: obj('Parameters of a StatefulSet rolling update.', {
    maxUnavailable: intOrString('Maximum number of pods that may be unavailable during the update, a number or a percentage (rounded up, at least 1). Defaults to 1.'),
    partition: int32('Only pods with an ordinal greater than or equal to the partition are updated; the others keep their revision. Defaults to 0.'),
  }),

  [A('StatefulSetStatus')]: obj('The most recently observed status of a StatefulSet.', {
    availableReplicas: int32('Pods of this set ready for at least minReadySeconds.'),
    collisionCount: int32('Count of hash collisions, used to name the newest ControllerRevision.'),
    conditions: mergeList(ref(A('StatefulSetCondition')), 'Latest available observations of the set\'s state.', 'type'),
    currentReplicas: int32('Pods created from the revision currentRevision.'),
    currentRevision: str('The revision the pods [0, currentReplicas) were made from.'),
    observedGeneration: int64('The generation last seen by the controller.'),
    readyReplicas: int32('Pods of this set with a Ready condition.'),
    replicas: int32('Pods created by the controller.'),
    updateRevision: str('The revision the pods [replicas-updatedReplicas, replicas) are made from.'),
    updatedReplicas: int32('Pods created from the revision updateRevision.'),
  }, { required: ['replicas'] }),

  [A('StatefulSetCondition')]: obj('The state of a StatefulSet at a certain point.', {
    lastTransitionTime: timeRef('When the condition last changed status.'),
    message: str('Human-readable detail about the transition.'),
    reason: str('Reason for the last transition.'),
    status: str('Status of the condition: True, False or Unknown.'),
    type: str('Type of StatefulSet condition.'),
  }, { required: ['type', 'status'] }),
};

/** Upstream's protobuf field numbers of the types above (apiserver/protobuf/numbers.ts describes the syntax). */
export const statefulSetFieldNumbers: Readonly<Record<string, string>> = {
  'k8s.io.api.apps.v1': `
    RollingUpdateStatefulSetStrategy: partition=1* maxUnavailable=2*
    StatefulSet: metadata=1 spec=2 status=3
    StatefulSetCondition: type=1 status=2 lastTransitionTime=3 reason=4 message=5
    StatefulSetOrdinals: start=1
    StatefulSetPersistentVolumeClaimRetentionPolicy: whenDeleted=1 whenScaled=2
    StatefulSetSpec: replicas=1* selector=2* template=3 volumeClaimTemplates=4 serviceName=5 podManagementPolicy=6
      updateStrategy=7 revisionHistoryLimit=8* minReadySeconds=9 persistentVolumeClaimRetentionPolicy=10* ordinals=11*
    StatefulSetStatus: observedGeneration=1 replicas=2 readyReplicas=3 currentReplicas=4 updatedReplicas=5
      currentRevision=6 updateRevision=7 collisionCount=9* conditions=10 availableReplicas=11
    StatefulSetUpdateStrategy: type=1 rollingUpdate=2*
  `,
};
