// Deployments (apps/v1): declarative updates of a pod template through ReplicaSets (the deployment controller does the
// rolling). The generation counts spec changes, status is the controller's (through /status), the selector may not
// change, and /scale sets spec.replicas.
import { AGE, NAME, age, containers, selectorString } from '../../printers/columns.js';
import { defaultTemplate, ensureObject, setDefault } from '../../validation/defaults.js';
import type { Obj } from '../../validation/field.js';
import { selectorImmutable } from '../../validation/update.js';
import { validateDeployment } from '../../validation/workloads.js';
import { defineKind, identity } from '../kind.js';
import { scaleSubresource, statusSubresource } from '../subresources.js';

function defaults(d: Obj): void {
  const spec = ensureObject(d, 'spec');
  if (!spec) return;
  setDefault(spec, 'replicas', 1);
  const strategy = ensureObject(spec, 'strategy');
  if (strategy) {
    if (!strategy.type) strategy.type = 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const ru = ensureObject(strategy, 'rollingUpdate');
      if (ru) {
        setDefault(ru, 'maxUnavailable', '25%');
        setDefault(ru, 'maxSurge', '25%');
      }
    }
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultTemplate(spec);
}

export default defineKind(identity('apps/v1', 'Deployment'), {
  generation: true,
  defaults,
  prepareForCreate(obj) {
    obj.status = {};
  },
  validate: validateDeployment,
  validateUpdate: selectorImmutable,
  printer: {
    columns: [NAME, ['Ready', 'string', 0, 'Ready replicas out of desired.'], ['Up-to-date', 'integer', 0, 'Replicas updated to the latest template.'], ['Available', 'integer', 0, 'Replicas available to users.'], AGE,
      ['Containers', 'string', 1, 'Container names.'], ['Images', 'string', 1, 'Container images.'], ['Selector', 'string', 1, 'Label selector of the pods.']],
    row: (o, now) => [o.metadata.name ?? '', `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, o.status?.updatedReplicas ?? 0, o.status?.availableReplicas ?? 0, age(o.metadata.creationTimestamp, now),
      containers(o).map((c) => c.name).join(','), containers(o).map((c) => c.image).join(','), selectorString(o.spec?.selector)],
  },
  subresources: {
    status: statusSubresource(),
    scale: scaleSubresource({ specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' }),
  },
});
