// ControllerRevisions (apps/v1): immutable snapshots of state that StatefulSets and DaemonSets keep for updates and
// rollbacks. The data is mandatory and may never change; the revision is a number of at least 0. No controller of
// its own: the owners' controllers write and delete them, and the garbage collector removes an owner's revisions.
import type { KubeObject } from '../../../lib/api/types.js';
import { AGE, NAME, age } from '../../printers/columns.js';
import { goRaw, invalid, isSet, optNum, required, type FieldCause, type Obj } from '../../validation/field.js';
import { FIELD_IMMUTABLE } from '../../validation/meta.js';
import { semanticEqual } from '../../validation/update.js';
import { defineKind, identity } from '../kind.js';

function validate(obj: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  if (!isSet(obj.data)) out.push(required('data', 'data is mandatory'));
  const revision = optNum(obj.revision);
  if (revision !== undefined && revision < 0) out.push(invalid('revision', revision, 'must be greater than or equal to 0'));
  return out;
}

/** data as Go prints the runtime.RawExtension it decodes to (%#v), the value Kubernetes' "field is immutable" shows. */
function goRawExtension(data: unknown): string {
  const raw = isSet(data) ? [...Buffer.from(JSON.stringify(data))].map((b) => `0x${b.toString(16)}`).join(', ') : '';
  return `runtime.RawExtension{Raw:${raw ? `[]uint8{${raw}}` : '[]uint8(nil)'}, Object:runtime.Object(nil)}`;
}

function validateUpdate(obj: Obj, old: Obj): FieldCause[] {
  return semanticEqual(obj.data, old.data) ? [] : [invalid('data', goRaw(goRawExtension(obj.data)), FIELD_IMMUTABLE)];
}

/** The controlling owner as kubectl names it: `statefulset.apps/web`, `<none>` without one. */
function controllerOf(o: KubeObject): string {
  const ref = o.metadata.ownerReferences?.find((r) => r.controller === true);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

export default defineKind(identity('apps/v1', 'ControllerRevision'), {
  validate,
  validateUpdate,
  printer: {
    columns: [NAME, ['Controller', 'string', 0, 'Controller of the object'],
      ['Revision', 'string', 0, 'Revision indicates the revision of the state represented by Data.'], AGE],
    row: (o, now) => [o.metadata.name ?? '', controllerOf(o), typeof o.revision === 'number' ? o.revision : 0, age(o.metadata.creationTimestamp, now)],
  },
});
