// PersistentVolumes (core/v1, cluster-scoped): storage a claim binds to. Created by an administrator or the built-in
// local-path provisioner; the binder controller sets claimRef and the phase (through /status). Each gets the
// pv-protection finalizer on create (removed once no claim is bound to it); its source is fixed once created.
import type { KubeObject } from '../../../lib/api/types.js';
import { PV_PROTECTION_FINALIZER, addFinalizer } from '../../admission/storage.js';
import { AGE, NAME, age } from '../../printers/columns.js';
import { ensureObject, setDefault } from '../../validation/defaults.js';
import { asObj, forbidden, invalid, goRaw, isSet, type FieldCause, type Obj } from '../../validation/field.js';
import { FIELD_IMMUTABLE } from '../../validation/meta.js';
import { PV_SOURCES, validatePersistentVolume } from '../../validation/storage.js';
import { semanticEqual } from '../../validation/update.js';
import { defineKind, identity } from '../kind.js';
import { statusSubresource } from '../subresources.js';

const SHORT: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

/** Access modes as kubectl prints them: RWO,ROX,RWX,RWOP, in that order, each once. */
export function accessModesString(modes: unknown): string {
  const list = Array.isArray(modes) ? modes : [];
  return Object.keys(SHORT).filter((m) => list.includes(m)).map((m) => SHORT[m]).join(',');
}

function validateUpdate(obj: Obj, old: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const oldSpec = asObj(old.spec) ?? {};
  const out: FieldCause[] = [];
  if (PV_SOURCES.some((s) => !semanticEqual(spec[s], oldSpec[s]))) out.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  if (isSet(oldSpec.nodeAffinity) && !semanticEqual(spec.nodeAffinity, oldSpec.nodeAffinity)) out.push(invalid('spec.nodeAffinity', goRaw('&core.VolumeNodeAffinity{...}'), FIELD_IMMUTABLE));
  return out;
}

export default defineKind(identity('v1', 'PersistentVolume'), {
  defaults(obj) {
    const spec = ensureObject(obj, 'spec');
    if (!spec) return;
    setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
    setDefault(spec, 'volumeMode', 'Filesystem');
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending', lastPhaseTransitionTime: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z') };
    addFinalizer(obj, PV_PROTECTION_FINALIZER);
  },
  validate: validatePersistentVolume,
  validateUpdate,
  printer: {
    columns: [NAME, ['Capacity', 'string', 0, 'Capacity of the volume.'], ['Access Modes', 'string', 0, 'Access modes of the volume.'],
      ['Reclaim Policy', 'string', 0, 'What happens to the volume once released.'], ['Status', 'string', 0, 'Phase of the volume.'],
      ['Claim', 'string', 0, 'The claim bound to the volume.'], ['StorageClass', 'string', 0, 'StorageClass of the volume.'],
      ['VolumeAttributesClass', 'string', 0, 'VolumeAttributesClass of the volume.'], ['Reason', 'string', 0, 'Reason of a failure.'], AGE,
      ['VolumeMode', 'string', 1, 'Volume mode of the volume.']],
    row: (o: KubeObject, now) => {
      const ref = o.spec?.claimRef as { namespace?: string; name?: string } | undefined;
      return [o.metadata.name ?? '', String(o.spec?.capacity?.storage ?? ''), accessModesString(o.spec?.accessModes), o.spec?.persistentVolumeReclaimPolicy ?? '',
        o.metadata.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? ''), ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '',
        o.spec?.storageClassName ?? '', o.spec?.volumeAttributesClassName ?? '<unset>', o.status?.reason ?? '', age(o.metadata.creationTimestamp, now), o.spec?.volumeMode ?? ''];
    },
  },
  subresources: { status: statusSubresource() },
});
