// CustomResourceDefinitions (apiextensions.k8s.io/v1): cluster-scoped definitions of new kinds. The server's CRD
// controller (apiserver/apiextensions/controller.ts) sets their NamesAccepted and Established conditions and serves
// each established one as kinds; a delete keeps the definition (finalizer customresourcecleanup.apiextensions.k8s.io,
// Terminating condition) until the controller has deleted every object of it.
import type { KubeObject } from '../../../lib/api/types.js';
import { CLEANUP_FINALIZER } from '../../apiextensions/custom-kind.js';
import { validateCRD, validateCRDUpdate } from '../../apiextensions/crd-validation.js';
import { NAME } from '../../printers/columns.js';
import { asArr, asObj, asStr, type Obj } from '../../validation/field.js';
import { defineKind, identity } from '../kind.js';
import { nowTime } from '../meta.js';
import { statusSubresource } from '../subresources.js';

const storageVersion = (obj: KubeObject): string | undefined =>
  asArr(asObj(obj.spec)?.versions).map((v) => asObj(v) ?? {}).find((v) => v.storage === true)?.name as string | undefined;

function defaults(obj: Obj): void {
  const spec = asObj(obj.spec);
  if (!spec) return;
  const names = asObj(spec.names);
  if (names && asStr(names.kind)) {
    if (!asStr(names.singular)) names.singular = asStr(names.kind).toLowerCase();
    if (!asStr(names.listKind)) names.listKind = `${asStr(names.kind)}List`;
  }
  if (!asObj(spec.conversion)) spec.conversion = { strategy: 'None' };
  if (spec.preserveUnknownFields === undefined) spec.preserveUnknownFields = false;
}

export default defineKind(identity('apiextensions.k8s.io/v1', 'CustomResourceDefinition'), {
  generation: true,
  objectMeta: { kubeFinalizers: false },
  defaults,
  prepareForCreate(obj) {
    const sv = storageVersion(obj);
    obj.status = { conditions: [], acceptedNames: { plural: '', kind: '' }, storedVersions: sv ? [sv] : [] };
  },
  prepareForUpdate(obj, old) {
    // the stored status is kept (status subresource); a new storage version joins status.storedVersions
    const sv = storageVersion(obj);
    const stored = asArr(asObj(old.status)?.storedVersions).map(String);
    if (sv && !stored.includes(sv)) obj.status = { ...(obj.status ?? {}), storedVersions: [...stored, sv] };
  },
  validate: validateCRD,
  validateUpdate: validateCRDUpdate,
  beginDelete(obj) {
    // the definition stays, Terminating, until the controller has deleted its objects and drops the finalizer
    const m = obj.metadata;
    if (!(m.finalizers ?? []).includes(CLEANUP_FINALIZER)) m.finalizers = [...(m.finalizers ?? []), CLEANUP_FINALIZER];
    const conditions = asArr(asObj(obj.status)?.conditions).filter((c) => asObj(c)?.type !== 'Terminating');
    conditions.push({ type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending', lastTransitionTime: nowTime(),
      message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' });
    obj.status = { ...(obj.status ?? {}), conditions };
    return true;
  },
  printer: {
    columns: [NAME, ['Created At', 'date', 0, 'Time the definition was created.']],
    row: (o) => [o.metadata.name ?? '', o.metadata.creationTimestamp ?? ''],
  },
  subresources: { status: statusSubresource() },
});
