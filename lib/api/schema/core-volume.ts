// core/v1 volumes: Volume and every volume source a pod can use (the common ones in detail, the legacy in-tree
// cloud and network drivers with their fields), projections and the ephemeral PVC template.
import {
  CORE, arr, bool, coreRef, enumStr, int32, int64, metaRef, obj, quantity, resourceList, str, stringMap, withExt,
  type Schema,
} from './dsl.js';

const C = (n: string): string => CORE + n;

const fsType = (): Schema => str('Filesystem type to mount, e.g. ext4 or xfs. Defaults to ext4.');
const readOnly = (): Schema => bool('Mount read-only. Defaults to false.');
const secretRef = (what = 'credentials'): Schema => coreRef('LocalObjectReference', `Secret holding the ${what}.`);
const defaultMode = (): Schema => int32('Mode bits (0000-0777, octal in YAML, decimal in JSON) for created files. Defaults to 0644 (420).');
const keyItems = (what: string): Schema => arr(coreRef('KeyToPath'), `Keys of the ${what} to project, each to a relative path. When empty, every key becomes a file named after it.`);

/** The volume sources, shared by Volume (inlined, as Kubernetes does) and nothing else. */
const volumeSourceProps = (): Record<string, Schema> => ({
  awsElasticBlockStore: coreRef('AWSElasticBlockStoreVolumeSource', 'Deprecated in-tree AWS EBS volume; use the CSI driver.'),
  azureDisk: coreRef('AzureDiskVolumeSource', 'Deprecated in-tree Azure Data Disk; use the CSI driver.'),
  azureFile: coreRef('AzureFileVolumeSource', 'Deprecated in-tree Azure File share; use the CSI driver.'),
  cephfs: coreRef('CephFSVolumeSource', 'Deprecated: a CephFS mount from the host.'),
  cinder: coreRef('CinderVolumeSource', 'Deprecated in-tree OpenStack Cinder volume; use the CSI driver.'),
  configMap: coreRef('ConfigMapVolumeSource', 'A ConfigMap whose keys become files.'),
  csi: coreRef('CSIVolumeSource', 'An ephemeral volume provided by a CSI driver.'),
  downwardAPI: coreRef('DownwardAPIVolumeSource', 'Files holding information about the pod itself.'),
  emptyDir: coreRef('EmptyDirVolumeSource', 'A scratch directory that lives as long as the pod.'),
  ephemeral: coreRef('EphemeralVolumeSource', 'A volume from a PersistentVolumeClaim created for the pod and deleted with it.'),
  fc: coreRef('FCVolumeSource', 'A Fibre Channel disk attached to the host.'),
  flexVolume: coreRef('FlexVolumeSource', 'Deprecated: a volume from an exec-based FlexVolume plugin.'),
  flocker: coreRef('FlockerVolumeSource', 'Deprecated: a Flocker dataset.'),
  gcePersistentDisk: coreRef('GCEPersistentDiskVolumeSource', 'Deprecated in-tree GCE persistent disk; use the CSI driver.'),
  gitRepo: coreRef('GitRepoVolumeSource', 'Deprecated: a git repository cloned into an emptyDir. Use an init container instead.'),
  glusterfs: coreRef('GlusterfsVolumeSource', 'Deprecated: a GlusterFS mount.'),
  hostPath: coreRef('HostPathVolumeSource', 'A file or directory of the host node. Mostly for system agents; dangerous for ordinary workloads.'),
  image: coreRef('ImageVolumeSource', 'The contents of an OCI image or artifact, mounted read-only.'),
  iscsi: coreRef('ISCSIVolumeSource', 'An iSCSI disk attached to the host.'),
  nfs: coreRef('NFSVolumeSource', 'An NFS export mounted from the host.'),
  persistentVolumeClaim: coreRef('PersistentVolumeClaimVolumeSource', 'A PersistentVolumeClaim in the pod\'s namespace.'),
  photonPersistentDisk: coreRef('PhotonPersistentDiskVolumeSource', 'Deprecated: a PhotonController persistent disk.'),
  portworxVolume: coreRef('PortworxVolumeSource', 'Deprecated in-tree Portworx volume; use the CSI driver.'),
  projected: coreRef('ProjectedVolumeSource', 'Several sources (secrets, configmaps, downward API, service account token) in one directory.'),
  quobyte: coreRef('QuobyteVolumeSource', 'Deprecated: a Quobyte mount.'),
  rbd: coreRef('RBDVolumeSource', 'Deprecated: a Rados Block Device.'),
  scaleIO: coreRef('ScaleIOVolumeSource', 'Deprecated: a ScaleIO volume.'),
  secret: coreRef('SecretVolumeSource', 'A Secret whose keys become files.'),
  storageos: coreRef('StorageOSVolumeSource', 'Deprecated: a StorageOS volume.'),
  vsphereVolume: coreRef('VsphereVirtualDiskVolumeSource', 'Deprecated in-tree vSphere disk; use the CSI driver.'),
});

export const volumeSchemas: Record<string, Schema> = {
  [C('Volume')]: obj('A named volume in a pod that containers can mount. Exactly one source must be set.', {
    ...volumeSourceProps(),
    name: str('Name of the volume, a DNS label unique within the pod.'),
  }, { required: ['name'] }),

  [C('LocalObjectReference')]: obj('Refers to an object by name within the same namespace.', {
    name: withExt(str('Name of the referent.'), { default: '' }),
  }, { atomic: true }),

  [C('KeyToPath')]: obj('Maps a key to a path within a volume.', {
    key: str('The key to project.'),
    mode: int32('Mode bits for this file (0000-0777); defaults to the volume defaultMode.'),
    path: str('Relative path of the file. May not be absolute, contain `..`, or start with `..`.'),
  }, { required: ['key', 'path'] }),

  [C('EmptyDirVolumeSource')]: obj('An empty directory for the pod\'s lifetime.', {
    medium: enumStr(['', 'Memory', 'HugePages', 'HugePages-'], 'Storage medium: "" for the node\'s default disk, or Memory for a tmpfs.'),
    sizeLimit: quantity('Maximum local storage the directory may use.'),
  }),

  [C('HostPathVolumeSource')]: obj('A host path mapped into the pod.', {
    path: str('Path on the host. A symlink is followed to its target.'),
    type: enumStr(['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'], 'Check made on the path before mounting. Defaults to "" (no check).'),
  }, { required: ['path'] }),

  [C('SecretVolumeSource')]: obj('Populates a volume with the keys of a Secret.', {
    defaultMode: defaultMode(),
    items: keyItems('Secret'),
    optional: bool('Whether the Secret or its keys may be missing.'),
    secretName: str('Name of the Secret in the pod\'s namespace.'),
  }),

  [C('ConfigMapVolumeSource')]: obj('Populates a volume with the keys of a ConfigMap.', {
    defaultMode: defaultMode(),
    items: keyItems('ConfigMap'),
    name: withExt(str('Name of the ConfigMap.'), { default: '' }),
    optional: bool('Whether the ConfigMap or its keys may be missing.'),
  }),

  [C('PersistentVolumeClaimVolumeSource')]: obj('Mounts the volume bound to a PersistentVolumeClaim of the same namespace.', {
    claimName: str('Name of the PersistentVolumeClaim.'),
    readOnly: bool('Force the mount read-only. Defaults to false.'),
  }, { required: ['claimName'] }),

  [C('DownwardAPIVolumeSource')]: obj('Files holding pod metadata and container resources.', {
    defaultMode: defaultMode(),
    items: arr(coreRef('DownwardAPIVolumeFile'), 'The files to create.'),
  }),

  [C('DownwardAPIVolumeFile')]: obj('One file of a downward API volume.', {
    fieldRef: coreRef('ObjectFieldSelector', 'A pod field: metadata.name, metadata.namespace, metadata.labels, metadata.annotations or metadata.uid.'),
    mode: int32('Mode bits for this file (0000-0777); defaults to the volume defaultMode.'),
    path: str('Relative path of the file to create.'),
    resourceFieldRef: coreRef('ResourceFieldSelector', 'A container resource: limits.cpu, limits.memory, requests.cpu or requests.memory.'),
  }, { required: ['path'] }),

  [C('ProjectedVolumeSource')]: obj('Several volume sources projected into one directory.', {
    defaultMode: defaultMode(),
    sources: arr(coreRef('VolumeProjection'), 'The sources to project.'),
  }),

  [C('VolumeProjection')]: obj('One source of a projected volume. Exactly one field must be set.', {
    clusterTrustBundle: coreRef('ClusterTrustBundleProjection', 'Certificates from ClusterTrustBundle objects.'),
    configMap: coreRef('ConfigMapProjection', 'Keys of a ConfigMap.'),
    downwardAPI: coreRef('DownwardAPIProjection', 'Downward API information.'),
    secret: coreRef('SecretProjection', 'Keys of a Secret.'),
    serviceAccountToken: coreRef('ServiceAccountTokenProjection', 'A token for the pod\'s service account.'),
  }),

  [C('SecretProjection')]: obj('Keys of a Secret to project.', {
    items: keyItems('Secret'),
    name: withExt(str('Name of the Secret.'), { default: '' }),
    optional: bool('Whether the Secret or its keys may be missing.'),
  }),

  [C('ConfigMapProjection')]: obj('Keys of a ConfigMap to project.', {
    items: keyItems('ConfigMap'),
    name: withExt(str('Name of the ConfigMap.'), { default: '' }),
    optional: bool('Whether the ConfigMap or its keys may be missing.'),
  }),

  [C('DownwardAPIProjection')]: obj('Downward API information to project.', {
    items: arr(coreRef('DownwardAPIVolumeFile'), 'The files to create.'),
  }),

  [C('ServiceAccountTokenProjection')]: obj('A bound service account token, refreshed by the kubelet.', {
    audience: str('Intended audience of the token. Defaults to the API server\'s identifier.'),
    expirationSeconds: int64('Requested lifetime of the token, at least 600 seconds. Defaults to 1 hour.'),
    path: str('Relative path of the token file.'),
  }, { required: ['path'] }),

  [C('ClusterTrustBundleProjection')]: obj('Certificates from ClusterTrustBundle objects, written as one PEM file.', {
    labelSelector: metaRef('LabelSelector', 'Select bundles of signerName by label.'),
    name: str('Select one bundle by name. Exclusive with signerName and labelSelector.'),
    optional: bool('Start the pod even if the bundles are unavailable.'),
    path: str('Relative path of the file.'),
    signerName: str('Select bundles of this signer.'),
  }, { required: ['path'] }),

  [C('EphemeralVolumeSource')]: obj('A volume backed by a PersistentVolumeClaim that lives and dies with the pod.', {
    volumeClaimTemplate: coreRef('PersistentVolumeClaimTemplate', 'Template for the PVC, named <pod name>-<volume name>. Required.'),
  }),

  [C('PersistentVolumeClaimTemplate')]: obj('Template of a PersistentVolumeClaim created for an ephemeral volume.', {
    metadata: metaRef('ObjectMeta', 'Labels and annotations copied to the PVC. Other metadata fields are rejected.'),
    spec: coreRef('PersistentVolumeClaimSpec', 'Specification of the PVC; copied unchanged.'),
  }, { required: ['spec'] }),

  [C('PersistentVolumeClaimSpec')]: obj('Desired characteristics of a volume requested by a claim.', {
    accessModes: arr(enumStr(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']), 'Access modes the volume must support.'),
    dataSource: coreRef('TypedLocalObjectReference', 'Existing VolumeSnapshot or PVC to populate the volume from.'),
    dataSourceRef: coreRef('TypedObjectReference', 'Any object that populates the volume.'),
    resources: coreRef('VolumeResourceRequirements', 'Minimum resources (storage) the volume must have.'),
    selector: metaRef('LabelSelector', 'Label query over volumes to bind to.'),
    storageClassName: str('StorageClass the claim requires.'),
    volumeAttributesClassName: str('VolumeAttributesClass the claim uses.'),
    volumeMode: enumStr(['Block', 'Filesystem'], 'Kind of volume required. Defaults to Filesystem.'),
    volumeName: str('Binding reference to a specific PersistentVolume.'),
  }),

  [C('VolumeResourceRequirements')]: obj('Storage resource requirements of a volume.', {
    limits: resourceList('Maximum amount of each resource.'),
    requests: resourceList('Minimum amount of each resource.'),
  }),

  [C('TypedLocalObjectReference')]: obj('A reference to a typed object in the same namespace.', {
    apiGroup: str('API group of the referent; empty for the core group.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
  }, { required: ['kind', 'name'], atomic: true }),

  [C('TypedObjectReference')]: obj('A reference to a typed object, possibly in another namespace.', {
    apiGroup: str('API group of the referent; empty for the core group.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    namespace: str('Namespace of the referent.'),
  }, { required: ['kind', 'name'] }),

  [C('ImageVolumeSource')]: obj('An OCI image or artifact mounted as a read-only volume.', {
    pullPolicy: enumStr(['Always', 'Never', 'IfNotPresent'], 'When to pull the reference. Defaults to Always for `:latest`, IfNotPresent otherwise.'),
    reference: str('Image or artifact reference, as for a container image.'),
  }),

  [C('CSIVolumeSource')]: obj('An inline volume provided by a CSI driver.', {
    driver: str('Name of the CSI driver.'),
    fsType: str('Filesystem type to mount.'),
    nodePublishSecretRef: secretRef('data passed to NodePublishVolume'),
    readOnly: bool('Mount read-only. Defaults to false.'),
    volumeAttributes: stringMap('Driver-specific properties.'),
  }, { required: ['driver'] }),

  [C('NFSVolumeSource')]: obj('An NFS mount.', {
    path: str('Path exported by the NFS server.'),
    readOnly: readOnly(),
    server: str('Host name or IP address of the NFS server.'),
  }, { required: ['server', 'path'] }),

  [C('ISCSIVolumeSource')]: obj('An iSCSI disk, mounted read/write once.', {
    chapAuthDiscovery: bool('Support iSCSI Discovery CHAP authentication.'),
    chapAuthSession: bool('Support iSCSI Session CHAP authentication.'),
    fsType: fsType(),
    initiatorName: str('Custom iSCSI initiator name.'),
    iqn: str('Target iSCSI Qualified Name.'),
    iscsiInterface: withExt(str('iSCSI interface name. Defaults to `default`.'), { default: 'default' }),
    lun: int32('Target LUN number.'),
    portals: arr(str(), 'Additional target portals (ip:port).'),
    readOnly: readOnly(),
    secretRef: secretRef('CHAP credentials'),
    targetPortal: str('Target portal (ip:port; the port defaults to 3260).'),
  }, { required: ['targetPortal', 'iqn', 'lun'] }),

  [C('FCVolumeSource')]: obj('A Fibre Channel volume.', {
    fsType: fsType(),
    lun: int32('Target LUN number.'),
    readOnly: readOnly(),
    targetWWNs: arr(str(), 'Target world wide names.'),
    wwids: arr(str(), 'Volume world wide identifiers; exclusive with targetWWNs and lun.'),
  }),

  [C('GCEPersistentDiskVolumeSource')]: obj('A GCE persistent disk.', {
    fsType: fsType(),
    partition: int32('Partition to mount; the whole disk when 0.'),
    pdName: str('Name of the persistent disk.'),
    readOnly: readOnly(),
  }, { required: ['pdName'] }),

  [C('AWSElasticBlockStoreVolumeSource')]: obj('An AWS EBS volume.', {
    fsType: fsType(),
    partition: int32('Partition to mount; the whole disk when 0.'),
    readOnly: readOnly(),
    volumeID: str('Unique ID of the EBS volume.'),
  }, { required: ['volumeID'] }),

  [C('GitRepoVolumeSource')]: obj('A git repository cloned into the volume.', {
    directory: str('Target directory name; `.` clones into the volume root.'),
    repository: str('Repository URL.'),
    revision: str('Commit hash to check out.'),
  }, { required: ['repository'] }),

  [C('GlusterfsVolumeSource')]: obj('A Glusterfs mount.', {
    endpoints: str('Name of the Endpoints object describing the Glusterfs topology.'),
    path: str('Glusterfs volume path.'),
    readOnly: readOnly(),
  }, { required: ['endpoints', 'path'] }),

  [C('RBDVolumeSource')]: obj('A Rados Block Device mount.', {
    fsType: fsType(),
    image: str('Rados image name.'),
    keyring: withExt(str('Path of the RBD keyring. Defaults to /etc/ceph/keyring.'), { default: '/etc/ceph/keyring' }),
    monitors: arr(str(), 'Ceph monitors.'),
    pool: withExt(str('Rados pool name. Defaults to rbd.'), { default: 'rbd' }),
    readOnly: readOnly(),
    secretRef: secretRef('the RBD user key'),
    user: withExt(str('Rados user name. Defaults to admin.'), { default: 'admin' }),
  }, { required: ['monitors', 'image'] }),

  [C('FlexVolumeSource')]: obj('A volume provisioned by an exec-based plugin.', {
    driver: str('Name of the driver.'),
    fsType: str('Filesystem type to mount; depends on the driver.'),
    options: stringMap('Extra driver options.'),
    readOnly: readOnly(),
    secretRef: secretRef('data passed to the plugin'),
  }, { required: ['driver'] }),

  [C('CinderVolumeSource')]: obj('An OpenStack Cinder volume.', {
    fsType: fsType(),
    readOnly: readOnly(),
    secretRef: secretRef('OpenStack connection parameters'),
    volumeID: str('Cinder volume ID.'),
  }, { required: ['volumeID'] }),

  [C('CephFSVolumeSource')]: obj('A Ceph filesystem mount.', {
    monitors: arr(str(), 'Ceph monitors.'),
    path: str('Path to mount as root; defaults to /.'),
    readOnly: readOnly(),
    secretFile: str('Path to the key ring of the user; defaults to /etc/ceph/user.secret.'),
    secretRef: secretRef('the authentication secret of the user'),
    user: str('Rados user name; defaults to admin.'),
  }, { required: ['monitors'] }),

  [C('FlockerVolumeSource')]: obj('A Flocker volume; set exactly one of datasetName and datasetUUID.', {
    datasetName: str('Name of the dataset.'),
    datasetUUID: str('UUID of the dataset.'),
  }),

  [C('AzureFileVolumeSource')]: obj('An Azure File Service mount.', {
    readOnly: readOnly(),
    secretName: str('Name of the secret holding the account name and key.'),
    shareName: str('Share name.'),
  }, { required: ['secretName', 'shareName'] }),

  [C('AzureDiskVolumeSource')]: obj('An Azure Data Disk.', {
    cachingMode: withExt(enumStr(['None', 'ReadOnly', 'ReadWrite'], 'Host caching mode.'), { default: 'ReadWrite' }),
    diskName: str('Name of the data disk in blob storage.'),
    diskURI: str('URI of the data disk in blob storage.'),
    fsType: withExt(fsType(), { default: 'ext4' }),
    kind: withExt(enumStr(['Shared', 'Dedicated', 'Managed'], 'Kind of disk.'), { default: 'Shared' }),
    readOnly: withExt(readOnly(), { default: false }),
  }, { required: ['diskName', 'diskURI'] }),

  [C('VsphereVirtualDiskVolumeSource')]: obj('A vSphere volume.', {
    fsType: fsType(),
    storagePolicyID: str('Storage policy based management profile ID.'),
    storagePolicyName: str('Storage policy based management profile name.'),
    volumePath: str('Path that identifies the vSphere volume vmdk.'),
  }, { required: ['volumePath'] }),

  [C('QuobyteVolumeSource')]: obj('A Quobyte mount.', {
    group: str('Group to map volume access to.'),
    readOnly: readOnly(),
    registry: str('Quobyte registries (host:port, comma-separated).'),
    tenant: str('Tenant owning the volume.'),
    user: str('User to map volume access to.'),
    volume: str('Name of an existing Quobyte volume.'),
  }, { required: ['registry', 'volume'] }),

  [C('PhotonPersistentDiskVolumeSource')]: obj('A Photon Controller persistent disk.', {
    fsType: fsType(),
    pdID: str('ID of the persistent disk.'),
  }, { required: ['pdID'] }),

  [C('PortworxVolumeSource')]: obj('A Portworx volume.', {
    fsType: fsType(),
    readOnly: readOnly(),
    volumeID: str('Unique ID of the Portworx volume.'),
  }, { required: ['volumeID'] }),

  [C('ScaleIOVolumeSource')]: obj('A ScaleIO persistent volume.', {
    fsType: withExt(fsType(), { default: 'xfs' }),
    gateway: str('Host address of the ScaleIO API gateway.'),
    protectionDomain: str('Name of the protection domain.'),
    readOnly: readOnly(),
    secretRef: secretRef('the ScaleIO user credentials'),
    sslEnabled: bool('Enable SSL to the gateway.'),
    storageMode: withExt(str('ThickProvisioned or ThinProvisioned. Defaults to ThinProvisioned.'), { default: 'ThinProvisioned' }),
    storagePool: str('Storage pool of the protection domain.'),
    system: str('Name of the storage system.'),
    volumeName: str('Name of a volume already created in the ScaleIO system.'),
  }, { required: ['gateway', 'system', 'secretRef'] }),

  [C('StorageOSVolumeSource')]: obj('A StorageOS volume.', {
    fsType: fsType(),
    readOnly: readOnly(),
    secretRef: secretRef('StorageOS API credentials'),
    volumeName: str('Name of the StorageOS volume.'),
    volumeNamespace: str('StorageOS namespace of the volume.'),
  }),
};
