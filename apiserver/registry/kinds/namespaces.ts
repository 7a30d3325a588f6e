// Namespaces (core/v1): Active on creation; a delete marks them Terminating, and they go once the namespace controller
// has emptied them and cleared spec.finalizers through /finalize. No deletecollection: one DELETE would take them all.
import type { KubeObject } from '../../../lib/api/types.js';
import { namespaceDeleteRequested } from '../../admission/namespace-lifecycle.js';
import { errors } from '../../errors.js';
import { AGE, NAME, age } from '../../printers/columns.js';
import { ensureObject, setDefault } from '../../validation/defaults.js';
import { asArr, asObj, invalid, invalidEach, type FieldCause, type Obj } from '../../validation/field.js';
import { isQualifiedName, nameIsDNSLabel } from '../../validation/names.js';
import { defineKind, identity, type SubresourceDefinition } from '../kind.js';
import { statusSubresource } from '../subresources.js';
import type { WriteScope } from '../types.js';

const finalizersOf = (obj: KubeObject): string[] => (obj.spec?.finalizers as string[] | undefined) ?? [];

function defaults(obj: Obj): void {
  const meta = ensureObject(obj, 'metadata');
  if (meta && typeof meta.name === 'string' && meta.name) {
    const labels = ensureObject(meta, 'labels');
    if (labels) setDefault(labels, 'kubernetes.io/metadata.name', meta.name);
  }
  const spec = ensureObject(obj, 'spec');
  if (spec) setDefault(spec, 'finalizers', ['kubernetes']);
  const status = ensureObject(obj, 'status');
  if (status && !status.phase) status.phase = 'Active';
}

function validate(obj: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  for (const f of asArr(asObj(obj.spec)?.finalizers)) {
    if (typeof f !== 'string') continue;
    out.push(...invalidEach('spec.finalizers', f, isQualifiedName(f)));
    if (!f.includes('/') && !['kubernetes', 'orphan', 'foregroundDeletion'].includes(f)) out.push(invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return out;
}

/** A finalize write changes spec.finalizers only. */
const FINALIZE_WRITE: WriteScope = {
  merge: (next, old) => ({ ...structuredClone(old), spec: next.spec }),
  updateChecks: false,
};

/** PUT namespaces/NAME/finalize: how the namespace controller clears spec.finalizers once the namespace is empty. */
const finalize: SubresourceDefinition = {
  verbs: ['update'],
  async serve(c) {
    if (c.method !== 'PUT') throw errors.methodNotAllowed();
    const obj = await c.body();
    const out = await c.store.update(c.ctx, c.name, (cur) => ({ ...cur, spec: { ...cur.spec, finalizers: obj.spec?.finalizers ?? [] } }), FINALIZE_WRITE);
    c.sendObject(200, out.obj);
  },
};

export default defineKind(identity('v1', 'Namespace'), {
  deleteCollection: false,
  objectMeta: { nameCheck: nameIsDNSLabel },
  defaults,
  prepareForCreate(obj: KubeObject) {
    obj.spec = { ...(obj.spec ?? {}), finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
  },
  prepareForUpdate(obj: KubeObject, old: KubeObject) {
    // spec.finalizers change only through /finalize; the name label always mirrors the name.
    obj.spec = { ...(obj.spec ?? {}), finalizers: old.spec?.finalizers ?? [] };
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': old.metadata.name ?? '' };
  },
  validate,
  beginDelete(obj: KubeObject) {
    namespaceDeleteRequested(obj.metadata.name as string);
    obj.status = { ...(obj.status ?? {}), phase: 'Terminating' };
    return finalizersOf(obj).length > 0;
  },
  isFinalized: (obj) => finalizersOf(obj).length === 0,
  printer: {
    columns: [NAME, ['Status', 'string', 0, 'The namespace phase.'], AGE],
    row: (o, now) => [o.metadata.name ?? '', o.status?.phase ?? 'Active', age(o.metadata.creationTimestamp, now)],
  },
  selectableFields: { values: (o) => ({ 'status.phase': o.status?.phase === undefined || o.status.phase === null ? '' : String(o.status.phase) }) },
  subresources: { status: statusSubresource(), finalize },
});
