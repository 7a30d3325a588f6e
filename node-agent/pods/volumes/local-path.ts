// Persistent volumes on this node: the built-in local-path provisioner (what k3s's does) and the persistentVolumeClaim
// volume source of the volume manager.
//
// Provisioning runs here, in the node agent that owns the directories, not in the controller-manager (which may run
// elsewhere): a claim of a class provisioned by flotilla.io/local-path whose selected node (set by the scheduler) is
// this node gets a directory <data-dir>/storage/pvc-<uid>_<namespace>_<name> and a PersistentVolume `pvc-<uid>` of
// type local, with node affinity to this node, pre-bound to the claim (the binder completes the binding). Each such
// volume carries a finalizer of ours: once the volume is deleted (reclaim policy Delete, after its claim went) this
// agent removes the directory, then the finalizer.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { findByKind } from '../../../lib/api/kinds.js';
import {
  HOSTNAME_LABEL, LOCAL_PATH_CLEANUP_FINALIZER, LOCAL_PATH_PROVISIONER, PROVISIONED_BY_ANNOTATION, SELECTED_NODE_ANNOTATION,
} from '../../../lib/api/storage.js';
import type { KubeObject } from '../../../lib/api/types.js';
import type { EventRecorder } from '../../../lib/client/events.js';
import { Informer, isAlreadyExists, isNotFound, ReconcileLoop, type Client } from '../../../lib/client/index.js';
import { logger } from '../../../lib/util/log.js';
import { VolumeSetupError } from './projection.js';

const log = logger('node-agent');
const PVC = findByKind('v1', 'PersistentVolumeClaim')!;
const PV = findByKind('v1', 'PersistentVolume')!;
const STORAGE_CLASS = findByKind('storage.k8s.io/v1', 'StorageClass')!;

export interface LocalPathOptions {
  nodeName: string;
  /** Where the directories go: <data-dir>/storage. */
  root: string;
  recorder?: EventRecorder;
  /** A claim became Bound: the pods that mount it stop waiting (the node agent syncs them at once). */
  onClaimBound?: (namespace: string, name: string) => void;
}

/** The node a local-path volume lives on, from its node affinity. */
export function nodeOfVolume(pv: KubeObject): string | undefined {
  type Term = { matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
  const terms = (pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) as Term[];
  for (const t of terms) for (const e of t.matchExpressions ?? []) if (e.key === HOSTNAME_LABEL && e.operator === 'In' && e.values?.length === 1) return e.values[0];
  return undefined;
}

/** The volume the provisioner makes for a claim on a node. */
export function provisionedVolume(pvc: KubeObject, cls: KubeObject, nodeName: string, root: string): KubeObject {
  const uid = pvc.metadata.uid as string;
  return {
    metadata: {
      name: `pvc-${uid}`,
      annotations: { [PROVISIONED_BY_ANNOTATION]: LOCAL_PATH_PROVISIONER },
      finalizers: [LOCAL_PATH_CLEANUP_FINALIZER],
    },
    spec: {
      capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
      accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
      storageClassName: cls.metadata.name,
      volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
      local: { path: join(root, `pvc-${uid}_${pvc.metadata.namespace}_${pvc.metadata.name}`) },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [nodeName] }] }] } },
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid, resourceVersion: pvc.metadata.resourceVersion },
    },
  };
}

export class LocalPathStorage {
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly loop: ReconcileLoop;
  private readonly root: string;

  constructor(private readonly client: Client, private readonly o: LocalPathOptions) {
    this.root = resolve(o.root);
    this.claims = new Informer(client, PVC);
    this.volumes = new Informer(client, PV);
    this.classes = new Informer(client, STORAGE_CLASS);
    this.loop = new ReconcileLoop({ name: 'local-path-provisioner', reconcile: (key) => this.reconcile(key) });
    const claim = (c: KubeObject): void => {
      if (c.metadata.annotations?.[SELECTED_NODE_ANNOTATION] === o.nodeName && !c.spec?.volumeName) this.loop.add(`claim/${c.metadata.namespace}/${c.metadata.name}`);
    };
    this.claims.onAdd(claim).onUpdate((old, c) => {
      claim(c);
      if (c.status?.phase === 'Bound' && old.status?.phase !== 'Bound') o.onClaimBound?.(c.metadata.namespace as string, c.metadata.name as string);
    });
    const volume = (v: KubeObject): void => {
      if (v.metadata.deletionTimestamp && v.metadata.finalizers?.includes(LOCAL_PATH_CLEANUP_FINALIZER) && nodeOfVolume(v) === o.nodeName) this.loop.add(`volume/${v.metadata.name}`);
    };
    this.volumes.onAdd(volume).onUpdate((_o, v) => volume(v));
  }

  async start(signal: AbortSignal): Promise<void> {
    await Promise.all([this.claims.start(), this.volumes.start(), this.classes.start()]);
    await this.loop.run(1, signal);
  }

  stop(): void {
    for (const inf of [this.claims, this.volumes, this.classes]) inf.stop();
  }

  async reconcile(key: string): Promise<void> {
    const [kind, a, b] = key.split('/');
    if (kind === 'claim') await this.provision(a as string, b as string);
    else await this.cleanup(a as string);
  }

  private async provision(namespace: string, name: string): Promise<void> {
    const pvc = this.claims.get(name, namespace);
    if (!pvc || pvc.metadata.deletionTimestamp || pvc.spec?.volumeName || pvc.metadata.annotations?.[SELECTED_NODE_ANNOTATION] !== this.o.nodeName) return;
    const cls = pvc.spec?.storageClassName ? this.classes.get(pvc.spec.storageClassName as string) : undefined;
    if (cls?.provisioner !== LOCAL_PATH_PROVISIONER) return;
    if (this.volumes.get(`pvc-${pvc.metadata.uid}`)) return;
    const pv = provisionedVolume(pvc, cls, this.o.nodeName, this.root);
    mkdirSync(pv.spec?.local.path as string, { recursive: true, mode: 0o777 });
    try {
      await this.client.create(PV, pv);
    } catch (e) {
      if (isAlreadyExists(e)) return;
      this.o.recorder?.event({ ...pvc, kind: 'PersistentVolumeClaim', apiVersion: 'v1' }, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${cls.metadata.name}": ${(e as Error).message}`);
      throw e;
    }
    log.info('provisioned a local-path volume', { claim: `${namespace}/${name}`, volume: pv.metadata.name, path: pv.spec?.local.path });
    this.o.recorder?.event({ ...pvc, kind: 'PersistentVolumeClaim', apiVersion: 'v1' }, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata.name}`);
  }

  /** Is `path` a directory this provisioner made (inside the root, one level down)? Nothing else is ever removed. */
  private owns(path: string): boolean {
    const p = resolve(path);
    return p.startsWith(this.root + sep) && !p.slice(this.root.length + 1).includes(sep) && p.slice(this.root.length + 1).startsWith('pvc-');
  }

  private async cleanup(name: string): Promise<void> {
    const pv = this.volumes.get(name);
    if (!pv?.metadata.deletionTimestamp || !pv.metadata.finalizers?.includes(LOCAL_PATH_CLEANUP_FINALIZER)) return;
    const path = (pv.spec?.local?.path ?? pv.spec?.hostPath?.path) as string | undefined;
    if (path && this.owns(path)) {
      rmSync(path, { recursive: true, force: true });
      log.info('removed a local-path volume\'s directory', { volume: name, path });
    }
    const finalizers = (pv.metadata.finalizers ?? []).filter((f) => f !== LOCAL_PATH_CLEANUP_FINALIZER);
    try {
      await this.client.patch(PV, name, { metadata: { finalizers, resourceVersion: pv.metadata.resourceVersion } }, 'merge');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * The persistentVolumeClaim volume source: the directory of the volume bound to the pod's claim. Until the claim is
   * bound the pod waits (FailedMount, as the kubelet reports it).
   */
  readonly source = async (pod: KubeObject, claimName: string): Promise<string> => {
    const namespace = pod.metadata.namespace as string;
    let pvc = this.claims.get(claimName, namespace);
    if (!pvc?.spec?.volumeName) pvc = await this.live(PVC, claimName, namespace); // the informer may lag the binder
    if (!pvc) throw new VolumeSetupError(`persistentvolumeclaim "${claimName}" not found`);
    if (pvc.metadata.deletionTimestamp) throw new VolumeSetupError(`error processing PVC ${namespace}/${claimName}: PVC is being deleted`);
    const volumeName = pvc.spec?.volumeName as string | undefined;
    if (!volumeName || pvc.status?.phase !== 'Bound') throw new VolumeSetupError(`error processing PVC ${namespace}/${claimName}: PVC is not bound`);
    const pv = this.volumes.get(volumeName) ?? (await this.live(PV, volumeName));
    if (!pv) throw new VolumeSetupError(`persistentvolume "${volumeName}" not found`);
    const path = (pv.spec?.local?.path ?? pv.spec?.hostPath?.path) as string | undefined;
    if (!path) throw new VolumeSetupError(`persistentvolume "${volumeName}": only local and hostPath volumes are served by this node`);
    const node = nodeOfVolume(pv);
    if (node && node !== this.o.nodeName) throw new VolumeSetupError(`persistentvolume "${volumeName}" is on node "${node}", not on this node`);
    if (!existsSync(path)) {
      // our own directories are made again if something removed them; anything else must exist, as for the kubelet
      if (!this.owns(path)) throw new VolumeSetupError(`path "${path}" does not exist`);
      mkdirSync(path, { recursive: true, mode: 0o777 });
    }
    return path;
  };

  private async live(kind: typeof PVC, name: string, namespace?: string): Promise<KubeObject | undefined> {
    try {
      return await this.client.get(kind, name, { namespace });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}
