// ReplicaSets (apps/v1): keep a number of pods of one template running (the replicaset controller does it). The
// generation counts spec changes, status is the controller's (through /status), the selector may not change, and
// /scale sets spec.replicas.
import { AGE, NAME, age, containers, selectorString } from '../../printers/columns.js';
import { defaultTemplate, ensureObject, setDefault } from '../../validation/defaults.js';
import { asObj, type Obj } from '../../validation/field.js';
import { selectorImmutable } from '../../validation/update.js';
import { validateReplicatedSpec } from '../../validation/workloads.js';
import { defineKind, identity } from '../kind.js';
import { scaleSubresource, statusSubresource } from '../subresources.js';

function defaults(obj: Obj): void {
  const spec = ensureObject(obj, 'spec');
  if (!spec) return;
  setDefault(spec, 'replicas', 1);
  defaultTemplate(spec);
}

export default defineKind(identity('apps/v1', 'ReplicaSet'), {
  generation: true,
  defaults,
  prepareForCreate(obj) {
    obj.status = {};
  },
  validate: (obj) => validateReplicatedSpec(asObj(obj.spec) ?? {}, 'ReplicaSet'),
  validateUpdate: selectorImmutable,
  printer: {
    columns: [NAME, ['Desired', 'integer', 0, 'Desired replicas.'], ['Current', 'integer', 0, 'Observed replicas.'], ['Ready', 'integer', 0, 'Ready replicas.'], AGE,
      ['Containers', 'string', 1, 'Container names.'], ['Images', 'string', 1, 'Container images.'], ['Selector', 'string', 1, 'Label selector of the pods.']],
    row: (o, now) => [o.metadata.name ?? '', o.spec?.replicas ?? 0, o.status?.replicas ?? 0, o.status?.readyReplicas ?? 0, age(o.metadata.creationTimestamp, now),
      containers(o).map((c) => c.name).join(','), containers(o).map((c) => c.image).join(','), selectorString(o.spec?.selector)],
  },
  selectableFields: { values: (o) => ({ 'status.replicas': String(typeof o.status?.replicas === 'number' ? o.status.replicas : 0) }) },
  subresources: {
    status: statusSubresource(),
    scale: scaleSubresource({ specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' }),
  },
});
