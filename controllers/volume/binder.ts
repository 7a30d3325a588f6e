// The PersistentVolume binder (Kubernetes' persistentvolume-binder-controller): binds each claim to a volume and
// keeps both phases true. A claim without volumeName takes the best matching Available volume (or one pre-bound to
// it, such as a provisioner's); a claim of a WaitForFirstConsumer class waits until the scheduler picked a node
// (volume.kubernetes.io/selected-node) and then binds to a volume reachable from that node, or asks its class's
// provisioner for one (volume.kubernetes.io/storage-provisioner). A volume whose claim is gone is Released and, with
// reclaim policy Delete, deleted (a provisioned volume's data goes with it: the provisioner's finalizer); Retain keeps it.
import { findByKind } from '../../lib/api/kinds.js';
import {
  BETA_STORAGE_PROVISIONER_ANNOTATION, BIND_COMPLETED_ANNOTATION, BOUND_BY_CONTROLLER_ANNOTATION, PROVISIONED_BY_ANNOTATION, SELECTED_NODE_ANNOTATION,
  STORAGE_PROVISIONER_ANNOTATION,
} from '../../lib/api/storage.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isNotFound, Reconciler, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { EventRecorder } from '../../lib/client/events.js';
import type { ControllerContext } from '../context.js';
import { anyTermMatches, type NodeSelectorTerm } from '../../scheduler/plugins/helpers.js';
import { claimRefOf, findMatchingVolume } from './matching.js';

const PVC = findByKind('v1', 'PersistentVolumeClaim')!;
const PV = findByKind('v1', 'PersistentVolume')!;
const STORAGE_CLASS = findByKind('storage.k8s.io/v1', 'StorageClass')!;
const NODE = findByKind('v1', 'Node')!;

const claimKey = (ns: string, name: string): string => `claim/${ns}/${name}`;
const volumeKey = (name: string): string => `volume/${name}`;

export class PersistentVolumeBinder extends Reconciler {
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly nodes: Informer;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    super('persistentvolume-binder-controller');
    this.recorder = ctx.recorder('persistentvolume-controller');
    this.claims = ctx.informers.informerFor(PVC);
    this.volumes = ctx.informers.informerFor(PV);
    this.classes = ctx.informers.informerFor(STORAGE_CLASS);
    this.nodes = ctx.informers.informerFor(NODE);
    const claim = (c: KubeObject): void => this.enqueue(claimKey(c.metadata.namespace as string, c.metadata.name as string));
    const volume = (v: KubeObject): void => {
      this.enqueue(volumeKey(v.metadata.name as string));
      const ref = claimRefOf(v);
      if (ref?.namespace && ref.name) this.enqueue(claimKey(ref.namespace, ref.name));
    };
    this.claims.onAdd(claim).onUpdate((_o, c) => claim(c)).onDelete((c) => {
      // the claim's volume is released now
      if (c.spec?.volumeName) this.enqueue(volumeKey(c.spec.volumeName));
    });
    this.volumes.onAdd(volume).onUpdate((_o, v) => volume(v));
    // a new volume or class may be what an unbound claim waits for
    const unbound = (): void => {
      for (const c of this.claims.list()) if (!c.spec?.volumeName) claim(c);
    };
    this.volumes.onAdd(unbound).onUpdate((old, v) => {
      if (claimRefOf(old) && !claimRefOf(v)) unbound(); // a volume freed by hand
    });
    this.classes.onAdd(unbound).onUpdate(unbound);
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.claims.start(), this.volumes.start(), this.classes.start(), this.nodes.start()]);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [kind, a, b] = key.split('/');
    if (kind === 'claim') {
      const pvc = this.claims.get(b as string, a);
      if (pvc && !pvc.metadata.deletionTimestamp) await this.syncClaim(pvc);
    } else if (kind === 'volume') {
      const pv = this.volumes.get(a as string);
      if (pv) await this.syncVolume(pv);
    }
  }

  private async syncClaim(pvc: KubeObject): Promise<void> {
    const volumeName = pvc.spec?.volumeName as string | undefined;
    if (volumeName) {
      const pv = this.volumes.get(volumeName);
      if (!pv) {
        if (pvc.status?.phase === 'Bound') {
          await this.claimStatus(pvc, { phase: 'Lost' });
          this.recorder.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
        }
        return;
      }
      const ref = claimRefOf(pv);
      if (!ref) return this.bind(pv, pvc); // the user named the volume: bind it to the claim
      if (ref.uid && ref.uid !== pvc.metadata.uid) {
        if (pvc.status?.phase !== 'Pending') await this.claimStatus(pvc, { phase: 'Pending' });
        this.recorder.event(pvc, 'Warning', 'FailedBinding', 'volume already bound to a different claim.');
        return;
      }
      return this.bind(pv, pvc);
    }
    const cls = pvc.spec?.storageClassName ? this.classes.get(pvc.spec.storageClassName as string) : undefined;
    const delayed = cls?.volumeBindingMode === 'WaitForFirstConsumer';
    const selectedNode = pvc.metadata.annotations?.[SELECTED_NODE_ANNOTATION];
    if (delayed && !selectedNode) {
      this.recorder.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      return;
    }
    const node = selectedNode ? this.nodes.get(selectedNode) : undefined;
    const nodeOk = (pv: KubeObject): boolean => {
      const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms as NodeSelectorTerm[] | undefined;
      return !selectedNode || !terms || (!!node && anyTermMatches(terms, node));
    };
    const pv = findMatchingVolume(pvc, this.volumes.list(), nodeOk);
    if (pv) return this.bind(pv, pvc);
    if (!cls) {
      if (pvc.spec?.storageClassName) this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${pvc.spec.storageClassName}" not found`);
      else this.recorder.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    // no volume fits: the class's provisioner makes one (ours runs in the node agents: node-agent/pods/volumes/local-path.ts)
    const provisioner = cls.provisioner as string;
    if (pvc.metadata.annotations?.[STORAGE_PROVISIONER_ANNOTATION] !== provisioner) {
      await this.ctx.client.patch(PVC, pvc.metadata.name as string, {
        metadata: { annotations: { [STORAGE_PROVISIONER_ANNOTATION]: provisioner, [BETA_STORAGE_PROVISIONER_ANNOTATION]: provisioner } },
      }, 'merge', { namespace: pvc.metadata.namespace });
      this.recorder.event(pvc, 'Normal', 'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
    }
  }

  /** Binds volume and claim: the volume's claimRef and phase first, then the claim's volumeName and phase. */
  private async bind(pv: KubeObject, pvc: KubeObject): Promise<void> {
    const ref = claimRefOf(pv);
    if (!ref?.uid) {
      const claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion };
      const patch: Record<string, unknown> = { spec: { claimRef } };
      if (!ref) patch.metadata = { annotations: { [BOUND_BY_CONTROLLER_ANNOTATION]: 'yes' } };
      pv = await this.ctx.client.patch(PV, pv.metadata.name as string, patch, 'merge');
    }
    if (pv.status?.phase !== 'Bound') pv = await this.volumeStatus(pv, 'Bound');
    if (pvc.spec?.volumeName !== pv.metadata.name || pvc.metadata.annotations?.[BIND_COMPLETED_ANNOTATION] !== 'yes') {
      const annotations: Record<string, string> = { [BIND_COMPLETED_ANNOTATION]: 'yes' };
      if (!pvc.spec?.volumeName) annotations[BOUND_BY_CONTROLLER_ANNOTATION] = 'yes';
      pvc = await this.ctx.client.patch(PVC, pvc.metadata.name as string, { metadata: { annotations }, spec: { volumeName: pv.metadata.name } }, 'merge', { namespace: pvc.metadata.namespace });
    }
    if (pvc.status?.phase !== 'Bound') {
      await this.claimStatus(pvc, { phase: 'Bound', accessModes: pv.spec?.accessModes, capacity: pv.spec?.capacity });
      this.recorder.event(pvc, 'Normal', 'Bound', `Successfully bound to volume ${pv.metadata.name}`);
    }
  }

  private async syncVolume(pv: KubeObject): Promise<void> {
    const ref = claimRefOf(pv);
    if (!ref) {
      if (pv.status?.phase !== 'Available' && !pv.metadata.deletionTimestamp) await this.volumeStatus(pv, 'Available');
      return;
    }
    const pvc = ref.name ? this.claims.get(ref.name, ref.namespace) : undefined;
    if (pvc && (!ref.uid || pvc.metadata.uid === ref.uid)) {
      if (pvc.spec?.volumeName === pv.metadata.name && pv.status?.phase !== 'Bound') await this.volumeStatus(pv, 'Bound');
      return;
    }
    if (!ref.uid) return; // pre-bound to a claim that doesn't exist yet: wait for it
    // the claim is gone (or was re-created): the volume is released
    if (pv.status?.phase === 'Failed' || pv.metadata.deletionTimestamp) return; // reclaiming failed before, or under way
    let cur = pv;
    if (pv.status?.phase !== 'Released') cur = await this.volumeStatus(pv, 'Released');
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Delete') {
      if (!pv.metadata.annotations?.[PROVISIONED_BY_ANNOTATION]) {
        await this.volumeStatus(cur, 'Failed', 'VolumeFailedDelete', 'error getting deleter volume plugin for volume: no deletable volume plugin matched');
        return;
      }
      try {
        await this.ctx.client.delete(PV, pv.metadata.name as string);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    } else if (policy === 'Recycle') {
      await this.volumeStatus(cur, 'Failed', 'VolumeFailedRecycle', 'recycling is not supported: use Delete or Retain');
    }
  }

  private async volumeStatus(pv: KubeObject, phase: string, reason?: string, message?: string): Promise<KubeObject> {
    const status: Record<string, unknown> = { ...(pv.status ?? {}), phase };
    if (pv.status?.phase !== phase) status.lastPhaseTransitionTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (reason) Object.assign(status, { reason, message });
    else {
      delete status.reason;
      delete status.message;
    }
    if (reason) this.recorder.event(pv, 'Warning', reason, message ?? '');
    try {
      return await this.ctx.client.updateStatus(PV, { ...pv, status });
    } catch (e) {
      if (isNotFound(e)) return pv;
      throw e;
    }
  }

  private async claimStatus(pvc: KubeObject, status: Record<string, unknown>): Promise<void> {
    try {
      await this.ctx.client.updateStatus(PVC, { ...pvc, status: { ...(pvc.status ?? {}), ...status } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
