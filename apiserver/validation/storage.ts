// Checks on the storage kinds (PersistentVolume, PersistentVolumeClaim, StorageClass) and on the claim templates of a
// StatefulSet, in Kubernetes' wording.
import { QUANTITY_FORMAT_ERROR, parseQuantity } from '../../lib/api/quantity.js';
import {
  asArr, asObj, asStr, child, forbidden, index, invalid, isSet, notSupported, objects, required, type FieldCause, type Obj,
} from './field.js';
import { validateLabelSelector } from './meta.js';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
export const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const VOLUME_MODES = ['Block', 'Filesystem'];
/** The PersistentVolume sources this API serves (core-storage.ts's schema). */
export const PV_SOURCES = ['hostPath', 'nfs', 'local'];

function accessModes(modes: unknown, path: string): FieldCause[] {
  const list = asArr(modes);
  if (!list.length) return [required(path, 'at least 1 access mode is required')];
  const out: FieldCause[] = [];
  list.forEach((m, i) => {
    if (!ACCESS_MODES.includes(asStr(m))) out.push(notSupported(index(path, i), m, ACCESS_MODES));
  });
  if (list.includes('ReadWriteOncePod') && list.length > 1) out.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return out;
}

function storageQuantity(list: unknown, path: string): FieldCause[] {
  const storage = asObj(list)?.storage;
  const p = `${path}[storage]`;
  if (!isSet(storage)) return [required(p, '')];
  const n = parseQuantity(storage);
  if (n === undefined) return [invalid(p, storage, QUANTITY_FORMAT_ERROR)];
  if (n <= 0) return [invalid(p, storage, 'must be greater than zero')];
  return [];
}

function volumeMode(v: unknown, path: string): FieldCause[] {
  return isSet(v) && !VOLUME_MODES.includes(asStr(v)) ? [notSupported(path, v, VOLUME_MODES)] : [];
}

/** A PersistentVolumeClaimSpec (`spec` of a claim, or of a StatefulSet's claim template). */
export function validateClaimSpec(spec: Obj, path: string): FieldCause[] {
  const out = accessModes(spec.accessModes, child(path, 'accessModes'));
  if (isSet(spec.selector)) out.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
  out.push(...storageQuantity(asObj(spec.resources)?.requests, child(child(path, 'resources'), 'requests'), ));
  out.push(...volumeMode(spec.volumeMode, child(path, 'volumeMode')));
  return out;
}

export function validatePersistentVolume(pv: Obj): FieldCause[] {
  const spec = asObj(pv.spec) ?? {};
  const out = accessModes(spec.accessModes, 'spec.accessModes');
  out.push(...storageQuantity(spec.capacity, 'spec.capacity'));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (isSet(policy) && !RECLAIM_POLICIES.includes(asStr(policy))) out.push(notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES));
  out.push(...volumeMode(spec.volumeMode, 'spec.volumeMode'));
  const sources = PV_SOURCES.filter((s) => isSet(spec[s]));
  if (sources.length === 0) out.push(required('spec', 'must specify a volume type'));
  if (sources.length > 1) out.push(forbidden(`spec.${sources[1]}`, 'may not specify more than 1 volume type'));
  const local = asObj(spec.local);
  if (local) {
    if (!asStr(local.path)) out.push(required('spec.local.path'));
    if (!asObj(spec.nodeAffinity)?.required) out.push(required('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  const hostPath = asObj(spec.hostPath);
  if (hostPath && !asStr(hostPath.path)) out.push(required('spec.hostPath.path'));
  const nfs = asObj(spec.nfs);
  if (nfs) {
    if (!asStr(nfs.server)) out.push(required('spec.nfs.server'));
    if (!asStr(nfs.path)) out.push(required('spec.nfs.path'));
  }
  const terms = asArr(asObj(asObj(spec.nodeAffinity)?.required)?.nodeSelectorTerms);
  if (asObj(spec.nodeAffinity)?.required && !terms.length) out.push(required('spec.nodeAffinity.required.nodeSelectorTerms', 'must have at least one node selector term'));
  return out;
}

export function validateStorageClass(sc: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  if (!asStr(sc.provisioner)) out.push(required('provisioner'));
  if (isSet(sc.reclaimPolicy) && !RECLAIM_POLICIES.includes(asStr(sc.reclaimPolicy))) out.push(notSupported('reclaimPolicy', sc.reclaimPolicy, RECLAIM_POLICIES));
  if (isSet(sc.volumeBindingMode) && !BINDING_MODES.includes(asStr(sc.volumeBindingMode))) out.push(notSupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES));
  for (const [term, i] of objects(sc.allowedTopologies)) {
    if (!asArr(term.matchLabelExpressions).length) out.push(required(child(index('allowedTopologies', i), 'matchLabelExpressions'), 'must contain at least one key-value pair'));
  }
  return out;
}
