// core/v1 PersistentVolume and PersistentVolumeClaim, storage.k8s.io/v1 StorageClass; with their protobuf field
// numbers (storageFieldNumbers). A PersistentVolume's sources are the ones a single-host cluster can serve (hostPath,
// local, nfs); the others are pruned on write.
import {
  CORE, arr, bool, coreRef, enumStr, gvk, kindSchema, mergeList, obj, resourceList, str, stringMap, timeRef, withExt, type Schema,
} from './dsl.js';

const C = (n: string): string => CORE + n;
export const STORAGE = 'io.k8s.api.storage.v1.';
const S = (n: string): string => STORAGE + n;

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];

export const storageSchemas: Record<string, Schema> = {
  [C('PersistentVolume')]: kindSchema('A piece of storage provisioned by an administrator or a provisioner, bound to at most one claim.', gvk('', 'v1', 'PersistentVolume'), {
    spec: coreRef('PersistentVolumeSpec', 'What the volume is and how it may be used.'),
    status: coreRef('PersistentVolumeStatus', 'Current state of the volume. Read-only.'),
  }),

  [C('PersistentVolumeSpec')]: obj('The specification of a persistent volume.', {
    accessModes: arr(enumStr(ACCESS_MODES), 'Ways the volume can be mounted.'),
    capacity: resourceList('Capacity of the volume (storage).'),
    claimRef: withExt(coreRef('ObjectReference', 'The claim bound to this volume (set by the binder, or by an administrator to pre-bind).'), { 'x-kubernetes-map-type': 'granular' }),
    hostPath: coreRef('HostPathVolumeSource', 'A directory on the host; single-node testing only.'),
    local: coreRef('LocalVolumeSource', 'A directory or disk on one node; needs nodeAffinity.'),
    mountOptions: arr(str(), 'Mount options, not validated.'),
    nfs: coreRef('NFSVolumeSource', 'An NFS export.'),
    nodeAffinity: coreRef('VolumeNodeAffinity', 'Nodes this volume can be accessed from; pods using it are scheduled there.'),
    persistentVolumeReclaimPolicy: enumStr(['Delete', 'Recycle', 'Retain'], 'What happens to the volume once released from its claim: Retain (default for manually created volumes), Delete (default for dynamically provisioned ones) or Recycle (deprecated).'),
    storageClassName: str('StorageClass this volume belongs to; empty: no class.'),
    volumeAttributesClassName: str('VolumeAttributesClass of the volume.'),
    volumeMode: enumStr(['Block', 'Filesystem'], 'Filesystem (default) or raw Block.'),
  }),

  [C('LocalVolumeSource')]: obj('A local directory or disk, mounted on the node it is on.', {
    fsType: str('Filesystem type, for a block device only.'),
    path: str('Full path of the directory or device on the node.'),
  }, { required: ['path'] }),

  [C('VolumeNodeAffinity')]: obj('Constraints on the nodes a volume can be accessed from.', {
    required: coreRef('NodeSelector', 'Hard constraints on the nodes.'),
  }),

  [C('PersistentVolumeStatus')]: obj('The current status of a persistent volume.', {
    lastPhaseTransitionTime: timeRef('When the volume last changed phase.'),
    message: str('Human-readable reason the volume is in this state.'),
    phase: enumStr(['Available', 'Bound', 'Failed', 'Pending', 'Released'], 'Available, Bound, Released, Failed or Pending.'),
    reason: str('Brief CamelCase reason for a failure.'),
  }),

  [C('PersistentVolumeClaim')]: kindSchema('A user\'s request for and claim to a persistent volume.', gvk('', 'v1', 'PersistentVolumeClaim'), {
    spec: coreRef('PersistentVolumeClaimSpec', 'What the claim requests.'),
    status: coreRef('PersistentVolumeClaimStatus', 'Current state of the claim. Read-only.'),
  }),

  [C('PersistentVolumeClaimStatus')]: obj('The current status of a persistent volume claim.', {
    accessModes: arr(enumStr(ACCESS_MODES), 'Access modes of the bound volume.'),
    allocatedResources: resourceList('Resources allocated to the claim (expansion).'),
    capacity: resourceList('Capacity of the bound volume.'),
    conditions: mergeList(coreRef('PersistentVolumeClaimCondition'), 'Current conditions of the claim.', 'type'),
    phase: enumStr(['Bound', 'Lost', 'Pending'], 'Pending, Bound or Lost.'),
  }),

  [C('PersistentVolumeClaimCondition')]: obj('A condition of a persistent volume claim.', {
    lastProbeTime: timeRef('Last time the condition was probed.'),
    lastTransitionTime: timeRef('Last time the condition changed status.'),
    message: str('Human-readable detail.'),
    reason: str('Brief CamelCase reason.'),
    status: str('True, False or Unknown.'),
    type: str('Type of the condition, e.g. Resizing.'),
  }, { required: ['type', 'status'] }),

  [S('StorageClass')]: kindSchema('A class of storage that can be provisioned dynamically: its provisioner, parameters and reclaim policy.', gvk('storage.k8s.io', 'v1', 'StorageClass'), {
    allowVolumeExpansion: bool('Whether the class allows volume expansion.'),
    allowedTopologies: arr(coreRef('TopologySelectorTerm'), 'Topologies where volumes can be provisioned; empty: anywhere.'),
    mountOptions: arr(str(), 'Mount options of the volumes provisioned by this class.'),
    parameters: stringMap('Parameters for the provisioner.'),
    provisioner: str('The provisioner of the class, e.g. rancher.io/local-path.'),
    reclaimPolicy: enumStr(['Delete', 'Recycle', 'Retain'], 'Reclaim policy of volumes provisioned by this class. Defaults to Delete.'),
    volumeBindingMode: enumStr(['Immediate', 'WaitForFirstConsumer'], 'When claims are bound and provisioned: Immediate (default) or WaitForFirstConsumer (once a pod using the claim is scheduled).'),
  }, ['provisioner']),

  [C('TopologySelectorTerm')]: obj('A topology term: the AND of its requirements.', {
    matchLabelExpressions: arr(coreRef('TopologySelectorLabelRequirement'), 'Requirements by node label.'),
  }, { atomic: true }),

  [C('TopologySelectorLabelRequirement')]: obj('A node label and the values it may have.', {
    key: str('The label key.'),
    values: arr(str(), 'Values the label may have.'),
  }, { required: ['key', 'values'] }),
};

/** Upstream's protobuf field numbers of the types above (apiserver/protobuf/numbers.ts describes the syntax). */
export const storageFieldNumbers: Readonly<Record<string, string>> = {
  'k8s.io.api.core.v1': `
    LocalVolumeSource: path=1 fsType=2*
    PersistentVolume: metadata=1 spec=2 status=3
    PersistentVolumeClaim: metadata=1 spec=2 status=3
    PersistentVolumeClaimCondition: type=1 status=2 lastProbeTime=3 lastTransitionTime=4 reason=5 message=6
    PersistentVolumeClaimStatus: phase=1 accessModes=2 capacity=3 conditions=4 allocatedResources=5
    PersistentVolumeSpec: capacity=1 ...persistentVolumeSource=2:PersistentVolumeSource accessModes=3 claimRef=4*
      persistentVolumeReclaimPolicy=5 storageClassName=6 mountOptions=7 volumeMode=8* nodeAffinity=9*
      volumeAttributesClassName=10*
    PersistentVolumeSource: hostPath=3* nfs=5* local=20*
    PersistentVolumeStatus: phase=1 message=2 reason=3 lastPhaseTransitionTime=4*
    TopologySelectorLabelRequirement: key=1 values=2
    TopologySelectorTerm: matchLabelExpressions=1
    VolumeNodeAffinity: required=1*
  `,
  'k8s.io.api.storage.v1': `
    StorageClass: metadata=1 provisioner=2 parameters=3 reclaimPolicy=4* mountOptions=5 allowVolumeExpansion=6*
      volumeBindingMode=7* allowedTopologies=8
  `,
};
