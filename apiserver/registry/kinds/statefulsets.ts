// StatefulSets (apps/v1): pods with stable identities and storage (the statefulset controller runs them). The
// generation counts spec changes, status is the controller's (through /status), only some spec fields may change
// after creation, and /scale sets spec.replicas.
import { AGE, NAME, age, containers } from '../../printers/columns.js';
import { defaultStatefulSet, validateStatefulSet, validateStatefulSetUpdate } from '../../validation/statefulset.js';
import { defineKind, identity } from '../kind.js';
import { scaleSubresource, statusSubresource } from '../subresources.js';

export default defineKind(identity('apps/v1', 'StatefulSet'), {
  generation: true,
  defaults: defaultStatefulSet,
  prepareForCreate(obj) {
    obj.status = { replicas: 0, availableReplicas: 0 };
  },
  validate: validateStatefulSet,
  validateUpdate: validateStatefulSetUpdate,
  printer: {
    columns: [NAME, ['Ready', 'string', 0, 'Number of the pod with ready state'], AGE,
      ['Containers', 'string', 1, 'Names of each container in the template.'], ['Images', 'string', 1, 'Images referenced by each container in the template.']],
    row: (o, now) => [o.metadata.name ?? '', `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, age(o.metadata.creationTimestamp, now),
      containers(o).map((c) => c.name).join(','), containers(o).map((c) => c.image).join(',')],
  },
  subresources: {
    status: statusSubresource(),
    scale: scaleSubresource({ specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' }),
  },
});
