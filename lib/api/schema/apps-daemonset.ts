// apps/v1 DaemonSet, with its protobuf field numbers (daemonSetFieldNumbers, merged into the apps package's); kept
// apart from apps.ts so the workloads can grow in parallel.
import { APPS, coreRef, enumStr, gvk, int32, int64, intOrString, kindSchema, mergeList, metaRef, obj, ref, str, timeRef, withExt, type Schema } from './dsl.js';

const A = (n: string): string => APPS + n;

export const daemonSetSchemas: Record<string, Schema> = {
  [A('DaemonSet')]: kindSchema('Runs one copy of a pod on every eligible node.', gvk('apps', 'v1', 'DaemonSet'), {
    spec: ref(A('DaemonSetSpec'), 'Desired behaviour of the DaemonSet.'),
    status: ref(A('DaemonSetStatus'), 'Most recently observed status of the DaemonSet.'),
  }),

  [A('DaemonSetSpec')]: obj('The desired state of a DaemonSet.', {
    minReadySeconds: int32('Seconds a new daemon pod must be ready, without any container crashing, to count as available. Defaults to 0.'),
    revisionHistoryLimit: int32('Number of old ControllerRevisions kept to allow rollback. Defaults to 10.'),
    selector: metaRef('LabelSelector', 'Label query over the pods managed by the DaemonSet. It must match the pod template\'s labels and cannot change.'),
    template: coreRef('PodTemplateSpec', 'The pod run on every eligible node (those matching its nodeSelector and node affinity, whose taints it tolerates). Its only allowed restartPolicy is Always.'),
    updateStrategy: withExt(ref(A('DaemonSetUpdateStrategy'), 'How existing daemon pods are replaced with new ones.'), { 'x-kubernetes-patch-strategy': 'retainKeys' }),
  }, { required: ['selector', 'template'] }),

  [A('DaemonSetUpdateStrategy')]: obj('How a DaemonSet replaces its pods.', {
    rollingUpdate: ref(A('RollingUpdateDaemonSet'), 'Parameters of a rolling update; only present when type is RollingUpdate.'),
    type: enumStr(['OnDelete', 'RollingUpdate'], 'Type of update: RollingUpdate (replace old pods gradually) or OnDelete (a new pod only once the old one is deleted). Defaults to RollingUpdate.'),
  }),

  [A('RollingUpdateDaemonSet')]: obj('Controls the pace of a DaemonSet\'s rolling update.', {
    maxSurge: intOrString('Maximum number of nodes with an available old pod that may get an updated pod before the old one is removed, as a number or a percentage of desired pods (rounded up). Cannot be 0 if maxUnavailable is 0. Defaults to 0.'),
    maxUnavailable: intOrString('Maximum number of daemon pods that may be unavailable during the update, as a number or a percentage of desired pods (rounded up). Cannot be 0 if maxSurge is 0. Defaults to 1.'),
  }),

  [A('DaemonSetStatus')]: obj('The most recently observed status of a DaemonSet.', {
    collisionCount: int32('Count of hash collisions for the DaemonSet, used to name its newest ControllerRevision.'),
    conditions: mergeList(ref(A('DaemonSetCondition')), 'Latest available observations of the DaemonSet\'s current state.', 'type'),
    currentNumberScheduled: int32('Nodes running at least one daemon pod that are supposed to run it.'),
    desiredNumberScheduled: int32('Nodes that should be running the daemon pod.'),
    numberAvailable: int32('Nodes that should run the daemon pod and have one running and available (ready for at least minReadySeconds).'),
    numberMisscheduled: int32('Nodes running the daemon pod that are not supposed to run it.'),
    numberReady: int32('Nodes that should run the daemon pod and have one or more of them running with a Ready condition.'),
    numberUnavailable: int32('Nodes that should run the daemon pod and have none running and available.'),
    observedGeneration: int64('The most recent generation observed by the daemon set controller.'),
    updatedNumberScheduled: int32('Nodes running the updated daemon pod.'),
  }, { required: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'] }),

  [A('DaemonSetCondition')]: obj('Describes the state of a DaemonSet at a certain point.', {
    lastTransitionTime: timeRef('When the condition last changed status.'),
    message: str('Human-readable detail about the transition.'),
    reason: str('Reason for the last transition.'),
    status: str('Status of the condition: True, False or Unknown.'),
    type: str('Type of DaemonSet condition.'),
  }, { required: ['type', 'status'] }),
};

/** Upstream's numbers (k8s.io/api/apps/v1/generated.proto), appended to the apps package's table. */
export const daemonSetFieldNumbers = `
    DaemonSet: metadata=1 spec=2 status=3
    DaemonSetCondition: type=1 status=2 lastTransitionTime=3 reason=4 message=5
    DaemonSetSpec: selector=1* template=2 updateStrategy=3 minReadySeconds=4 revisionHistoryLimit=6*
    DaemonSetStatus: currentNumberScheduled=1 numberMisscheduled=2 desiredNumberScheduled=3 numberReady=4
      observedGeneration=5 updatedNumberScheduled=6 numberAvailable=7 numberUnavailable=8 collisionCount=9* conditions=10
    DaemonSetUpdateStrategy: type=1 rollingUpdate=2*
    RollingUpdateDaemonSet: maxUnavailable=1* maxSurge=2*
`;
