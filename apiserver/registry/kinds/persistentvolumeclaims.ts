// PersistentVolumeClaims (core/v1): a request for storage, bound to one PersistentVolume by the binder controller.
// On create a claim without a class gets the default StorageClass and the pvc-protection finalizer (admission); the
// spec is fixed once created but for the storage request, and for volumeName while the claim is not yet bound.
import type { KubeObject } from '../../../lib/api/types.js';
import { PVC_PROTECTION_FINALIZER, addFinalizer, admitDefaultStorageClass } from '../../admission/storage.js';
import { AGE, NAME, age } from '../../printers/columns.js';
import { setDefault, ensureObject } from '../../validation/defaults.js';
import { asObj, asStr, forbidden, type FieldCause, type Obj } from '../../validation/field.js';
import { validateClaimSpec } from '../../validation/storage.js';
import { semanticEqual } from '../../validation/update.js';
import { defineKind, identity } from '../kind.js';
import { statusSubresource } from '../subresources.js';
import { accessModesString } from './persistentvolumes.js';

function validateUpdate(obj: Obj, old: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const oldSpec = asObj(old.spec) ?? {};
  const strip = (s: Obj, keepVolumeName: boolean): Obj => {
    const copy: Obj = { ...s, resources: { ...(asObj(s.resources) ?? {}), requests: undefined } };
    delete copy.volumeAttributesClassName;
    if (!keepVolumeName) delete copy.volumeName;
    return JSON.parse(JSON.stringify(copy)) as Obj;
  };
  // the binder fills volumeName in once; after that it is fixed too
  const keep = asStr(oldSpec.volumeName) !== '';
  if (semanticEqual(strip(spec, keep), strip(oldSpec, keep))) return [];
  return [forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims')];
}

export default defineKind(identity('v1', 'PersistentVolumeClaim'), {
  defaults(obj) {
    const spec = ensureObject(obj, 'spec');
    if (spec) setDefault(spec, 'volumeMode', 'Filesystem');
  },
  prepareForCreate(obj, ctx) {
    obj.status = { phase: 'Pending' };
    admitDefaultStorageClass(obj, ctx.listCached('storageclasses.storage.k8s.io'));
    addFinalizer(obj, PVC_PROTECTION_FINALIZER);
  },
  validate: (obj) => validateClaimSpec(asObj(obj.spec) ?? {}, 'spec'),
  validateUpdate,
  printer: {
    columns: [NAME, ['Status', 'string', 0, 'Status of the claim.'], ['Volume', 'string', 0, 'Name of the bound volume.'],
      ['Capacity', 'string', 0, 'Capacity of the bound volume.'], ['Access Modes', 'string', 0, 'Access modes of the bound volume.'],
      ['StorageClass', 'string', 0, 'StorageClass of the claim.'], ['VolumeAttributesClass', 'string', 0, 'VolumeAttributesClass of the claim.'], AGE,
      ['VolumeMode', 'string', 1, 'Volume mode of the claim.']],
    row: (o: KubeObject, now) => {
      const bound = !!o.spec?.volumeName;
      return [o.metadata.name ?? '', o.metadata.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? ''), o.spec?.volumeName ?? '',
        bound ? String(o.status?.capacity?.storage ?? '') : '', bound ? accessModesString(o.status?.accessModes) : '',
        o.spec?.storageClassName ?? '', o.spec?.volumeAttributesClassName ?? '<unset>', age(o.metadata.creationTimestamp, now), o.spec?.volumeMode ?? ''];
    },
  },
  selectableFields: { values: (o) => ({ 'spec.volumeName': o.spec?.volumeName ?? '' }) },
  subresources: { status: statusSubresource() },
});
