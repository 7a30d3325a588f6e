// Events (core/v1): what happened to an object, reported by a component; the legacy (source) and the events.k8s.io
// (reportingComponent, eventTime) forms are both checked as Kubernetes checks them. Their metadata is not checked as
// other kinds' is: Kubernetes' event validation has its own rules for names and namespaces.
import type { KubeObject } from '../../../lib/api/types.js';
import { NAME, age } from '../../printers/columns.js';
import { asObj, asStr, invalid, invalidEach, isSet, required, type FieldCause, type Obj } from '../../validation/field.js';
import { byteLength, isDNS1123Subdomain, isQualifiedName } from '../../validation/names.js';
import { defineKind, identity } from '../kind.js';

function validate(obj: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  const m = asObj(obj.metadata) ?? {};
  const ns = asStr(m.namespace);
  const inv = asObj(obj.involvedObject) ?? {};
  const invNs = asStr(inv.namespace);
  if (!asStr(m.name) && !asStr(m.generateName)) out.push(required('metadata.name', 'name or generateName is required'));
  if (!isSet(obj.eventTime)) {
    if (!invNs) {
      if (ns !== '' && ns !== 'default') out.push(invalid('involvedObject.namespace', invNs, 'does not match event.namespace'));
    } else if (ns !== invNs) out.push(invalid('involvedObject.namespace', invNs, 'does not match event.namespace'));
  } else {
    if (!invNs && ns !== 'default' && ns !== 'kube-system') out.push(invalid('involvedObject.namespace', invNs, 'does not match event.namespace'));
    const rc = asStr(obj.reportingComponent);
    if (!rc) out.push(required('source'));
    out.push(...invalidEach('source', rc, isQualifiedName(rc)));
    const ri = asStr(obj.reportingInstance);
    if (!ri) out.push(required('reportingInstance'));
    if (byteLength(ri) > 128) out.push(invalid('reportingInstance', '', 'can have at most 128 characters'));
    const action = asStr(obj.action);
    if (!action) out.push(required('action'));
    if (byteLength(action) > 128) out.push(invalid('action', '', 'can have at most 128 characters'));
    const reason = asStr(obj.reason);
    if (!reason) out.push(required('reason'));
    if (byteLength(reason) > 128) out.push(invalid('reason', '', 'can have at most 128 characters'));
    if (byteLength(asStr(obj.message)) > 1024) out.push(invalid('message', '', 'can have at most 1024 characters'));
  }
  out.push(...invalidEach('namespace', ns, isDNS1123Subdomain(ns)));
  return out;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

function fields(o: KubeObject): Record<string, string> {
  const f: Record<string, string> = {};
  const io = (o.involvedObject ?? {}) as Record<string, unknown>;
  for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) f[`involvedObject.${k}`] = str(io[k]);
  f.reason = str(o.reason);
  f.reportingComponent = str(o.reportingComponent);
  f.source = str((o.source as Record<string, unknown> | undefined)?.component) || str(o.reportingComponent);
  f.type = str(o.type);
  return f;
}

export default defineKind(identity('v1', 'Event'), {
  objectMeta: null,
  validate,
  printer: {
    columns: [['Last Seen', 'string', 0, 'Time since the last occurrence.'], ['Type', 'string', 0, 'Normal or Warning.'], ['Reason', 'string', 0, 'Why it happened.'], ['Object', 'string', 0, 'The object it is about.'],
      ['Subobject', 'string', 1, 'The part of the object.'], ['Source', 'string', 1, 'The component that reported it.'], ['Message', 'string', 0, 'What happened.'], ['First Seen', 'string', 1, 'Time since the first occurrence.'], ['Count', 'string', 1, 'Occurrences.'], NAME],
    row(o, now) {
      const io = (o.involvedObject ?? {}) as Record<string, string>;
      const last = (o.lastTimestamp as string | undefined) ?? (o.eventTime as string | undefined) ?? o.metadata.creationTimestamp;
      const first = (o.firstTimestamp as string | undefined) ?? (o.eventTime as string | undefined) ?? o.metadata.creationTimestamp;
      const src = (o.source ?? {}) as Record<string, string>;
      return [age(last, now), String(o.type ?? ''), String(o.reason ?? ''), `${(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`, io.fieldPath ?? '',
        [src.component ?? o.reportingComponent ?? '', src.host].filter(Boolean).join(', '), String(o.message ?? '').trim(), age(first, now), String(o.count ?? 1), o.metadata.name ?? ''];
    },
  },
  selectableFields: { values: fields },
});
