// Secrets (core/v1): stringData is a write-only convenience, merged into data (base64) and never stored; the type
// defaults to Opaque and may not change; frozen once `immutable` is set.
import { setOwn } from '../../../lib/api/own.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { AGE, NAME, age } from '../../printers/columns.js';
import { validateSecret } from '../../validation/data.js';
import { immutableData, typeImmutable } from '../../validation/update.js';
import { defineKind, identity } from '../kind.js';

function mergeStringData(obj: KubeObject): void {
  const sd = obj.stringData as Record<string, unknown> | undefined;
  if (!sd || typeof sd !== 'object') return;
  const data = { ...((obj.data as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries(sd)) if (typeof v === 'string') setOwn(data, k, Buffer.from(v, 'utf8').toString('base64'));
  obj.data = data;
  delete obj.stringData;
}

export default defineKind(identity('v1', 'Secret'), {
  defaults(obj) {
    if (!obj.type) obj.type = 'Opaque';
  },
  prepareForCreate: mergeStringData,
  prepareForUpdate: (obj) => mergeStringData(obj),
  validate: validateSecret,
  validateUpdate: (obj, old) => [...typeImmutable(obj, old), ...immutableData(obj, old, ['data'])],
  printer: {
    columns: [NAME, ['Type', 'string', 0, 'The secret type.'], ['Data', 'string', 0, 'Number of keys.'], AGE],
    row: (o, now) => [o.metadata.name ?? '', String(o.type ?? 'Opaque'), Object.keys((o.data as object | undefined) ?? {}).length, age(o.metadata.creationTimestamp, now)],
  },
  selectableFields: { values: (o) => ({ type: o.type === undefined || o.type === null ? '' : String(o.type) }) },
});
