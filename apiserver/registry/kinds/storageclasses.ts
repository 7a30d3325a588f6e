// StorageClasses (storage.k8s.io/v1, cluster-scoped): how claims of a class are provisioned. The one annotated
// storageclass.kubernetes.io/is-default-class=true is given to claims that name no class. The provisioner, its
// parameters, the reclaim policy and the binding mode are fixed once created.
import type { KubeObject } from '../../../lib/api/types.js';
import { isDefaultClass } from '../../admission/storage.js';
import { AGE, NAME, age } from '../../printers/columns.js';
import { forbidden, type FieldCause, type Obj } from '../../validation/field.js';
import { FIELD_IMMUTABLE } from '../../validation/meta.js';
import { validateStorageClass } from '../../validation/storage.js';
import { semanticEqual } from '../../validation/update.js';
import { defineKind, identity } from '../kind.js';

function validateUpdate(obj: Obj, old: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  if (!semanticEqual(obj.parameters, old.parameters)) out.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (obj.provisioner !== old.provisioner) out.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (obj.reclaimPolicy !== old.reclaimPolicy) out.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if (obj.volumeBindingMode !== old.volumeBindingMode) out.push(forbidden('volumeBindingMode', FIELD_IMMUTABLE));
  return out;
}

export default defineKind(identity('storage.k8s.io/v1', 'StorageClass'), {
  defaults(obj) {
    if (!obj.reclaimPolicy) obj.reclaimPolicy = 'Delete';
    if (!obj.volumeBindingMode) obj.volumeBindingMode = 'Immediate';
  },
  validate: validateStorageClass,
  validateUpdate,
  printer: {
    columns: [NAME, ['Provisioner', 'string', 0, 'Provisioner of the class.'], ['ReclaimPolicy', 'string', 0, 'Reclaim policy of its volumes.'],
      ['VolumeBindingMode', 'string', 0, 'When its claims are bound.'], ['AllowVolumeExpansion', 'string', 0, 'Whether its volumes may grow.'], AGE],
    row: (o: KubeObject, now) => [`${o.metadata.name ?? ''}${isDefaultClass(o) ? ' (default)' : ''}`, String(o.provisioner ?? ''),
      String(o.reclaimPolicy ?? 'Delete'), String(o.volumeBindingMode ?? 'Immediate'), o.allowVolumeExpansion === true ? 'true' : 'false', age(o.metadata.creationTimestamp, now)],
  },
});
