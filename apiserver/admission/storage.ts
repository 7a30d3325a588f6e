// Admission for the storage kinds, as Kubernetes' DefaultStorageClass and StorageObjectInUseProtection plugins do on
// create: a claim without spec.storageClassName gets the default StorageClass, and every claim and volume gets the
// protection finalizer its controller removes once nothing uses it.
import type { KubeObject } from '../../lib/api/types.js';

export { PVC_PROTECTION_FINALIZER, PV_PROTECTION_FINALIZER } from '../../lib/api/storage.js';

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

export const isDefaultClass = (sc: KubeObject): boolean =>
  sc.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true' || sc.metadata.annotations?.[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';

/** The default class among these: with several, the newest (then the first by name), as Kubernetes 1.28+ picks. */
export function defaultClassOf(classes: KubeObject[]): KubeObject | undefined {
  const defaults = classes.filter((c) => isDefaultClass(c) && !c.metadata.deletionTimestamp);
  defaults.sort((a, b) => (Date.parse(b.metadata.creationTimestamp ?? '') || 0) - (Date.parse(a.metadata.creationTimestamp ?? '') || 0)
    || String(a.metadata.name).localeCompare(String(b.metadata.name)));
  return defaults[0];
}

/** A claim that names no class (the field absent, not "") gets the default one, when there is one. */
export function admitDefaultStorageClass(pvc: KubeObject, classes: KubeObject[]): void {
  const spec = (pvc.spec ??= {}) as Record<string, unknown>;
  if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
  const def = defaultClassOf(classes);
  if (def) spec.storageClassName = def.metadata.name;
}

export function addFinalizer(obj: KubeObject, finalizer: string): void {
  const list = obj.metadata.finalizers ?? [];
  if (!list.includes(finalizer)) obj.metadata.finalizers = [...list, finalizer];
}
