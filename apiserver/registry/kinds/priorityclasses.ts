// PriorityClasses (scheduling.k8s.io/v1, cluster-scoped): names for pod priorities. The Priority admission plugin
// (apiserver/admission/priority.ts) resolves a pod's priorityClassName into spec.priority and preemptionPolicy; the
// scheduler preempts lower-priority pods for higher ones. system-cluster-critical and system-node-critical are built
// in (priorityclasses-bootstrap.ts); other names starting with system- are reserved, and user values stop at 1e9.
import type { KubeObject } from '../../../lib/api/types.js';
import { AGE, NAME, age } from '../../printers/columns.js';
import { forbidden, type FieldCause, type Obj } from '../../validation/field.js';
import { defineKind, identity } from '../kind.js';

export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
export const SYSTEM_PRIORITY_CLASSES: Readonly<Record<string, number>> = { 'system-node-critical': 2_000_001_000, 'system-cluster-critical': 2_000_000_000 };

function validate(obj: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  const name = String((obj.metadata as Obj | undefined)?.name ?? '');
  const builtin = SYSTEM_PRIORITY_CLASSES[name];
  if (builtin !== undefined) {
    if (obj.value !== builtin) out.push(forbidden('value', `value of ${name} must be ${builtin}`));
  } else {
    if (name.startsWith('system-')) out.push(forbidden('metadata.name', "priority class names with 'system-' prefix are reserved"));
    if (typeof obj.value === 'number' && obj.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
      out.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
    }
  }
  return out;
}

function validateUpdate(obj: Obj, old: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  if (obj.value !== old.value) out.push(forbidden('value', 'may not be changed in an update.'));
  if ((obj.preemptionPolicy ?? 'PreemptLowerPriority') !== (old.preemptionPolicy ?? 'PreemptLowerPriority')) out.push(forbidden('preemptionPolicy', 'may not be changed in an update.'));
  return out;
}

export default defineKind(identity('scheduling.k8s.io/v1', 'PriorityClass'), {
  defaults(obj) {
    if (!obj.preemptionPolicy) obj.preemptionPolicy = 'PreemptLowerPriority';
  },
  validate,
  validateUpdate,
  printer: {
    columns: [NAME, ['Value', 'integer', 0, 'The priority of pods of this class.'], ['Global-Default', 'boolean', 0, 'Whether pods naming no class get this one.'], AGE,
      ['PreemptionPolicy', 'string', 0, 'Whether pods of this class may preempt lower-priority pods.']],
    row: (o: KubeObject, now) => [o.metadata.name ?? '', Number(o.value ?? 0), o.globalDefault === true, age(o.metadata.creationTimestamp, now), String(o.preemptionPolicy ?? '')],
  },
});
