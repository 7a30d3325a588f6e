// Storage facts shared by the API server, the controllers, the scheduler and the node agent: the built-in local-path
// provisioner's names, and the annotations and finalizers of Kubernetes' volume binding.

/** The default StorageClass every cluster starts with (what k3s calls its local-path class). */
export const LOCAL_PATH_CLASS = 'local-path';
/** The built-in provisioner of node-local directories; its volumes are directories under each node agent's data dir. */
export const LOCAL_PATH_PROVISIONER = 'flotilla.io/local-path';
/** On a claim: the node the scheduler picked for its first consumer (WaitForFirstConsumer). */
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
/** On a claim: the provisioner asked to provision it (and its beta form, which Kubernetes still writes). */
export const STORAGE_PROVISIONER_ANNOTATION = 'volume.kubernetes.io/storage-provisioner';
export const BETA_STORAGE_PROVISIONER_ANNOTATION = 'volume.beta.kubernetes.io/storage-provisioner';
/** On a volume: which provisioner made it (it alone deletes it on Delete reclaim). */
export const PROVISIONED_BY_ANNOTATION = 'pv.kubernetes.io/provisioned-by';
/** On a claim and its volume once the binder bound them. */
export const BIND_COMPLETED_ANNOTATION = 'pv.kubernetes.io/bind-completed';
export const BOUND_BY_CONTROLLER_ANNOTATION = 'pv.kubernetes.io/bound-by-controller';
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';
/** On a local-path volume: the node agent that owns the directory removes it, then drops this finalizer. */
export const LOCAL_PATH_CLEANUP_FINALIZER = 'flotilla.io/local-path-cleanup';
/** The node label the local-path volumes' node affinity names. */
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
