// ConfigMaps (core/v1): string and binary data under valid keys, at most 1 MiB, frozen once `immutable` is set.
import { AGE, NAME, age } from '../../printers/columns.js';
import { validateConfigMap } from '../../validation/data.js';
import { immutableData } from '../../validation/update.js';
import { defineKind, identity } from '../kind.js';

export default defineKind(identity('v1', 'ConfigMap'), {
  validate: validateConfigMap,
  validateUpdate: (obj, old) => immutableData(obj, old, ['data', 'binaryData']),
  printer: {
    columns: [NAME, ['Data', 'string', 0, 'Number of keys.'], AGE],
    row: (o, now) => [o.metadata.name ?? '', Object.keys((o.data as object | undefined) ?? {}).length + Object.keys((o.binaryData as object | undefined) ?? {}).length, age(o.metadata.creationTimestamp, now)],
  },
});
