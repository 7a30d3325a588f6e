// The 409 of a refused apply, worded as Kubernetes words it: one cause (reason FieldManagerConflict) per manager and
// field, and a message naming each manager ("kubectl-client-side-apply" using apps/v1) with its fields.
import { ApiError } from '../errors.js';
import { pathString, type FieldSet } from './fieldset.js';
import type { Managed } from './managed-fields.js';

export interface Conflict {
  manager: Managed;
  fields: FieldSet;
}

/** How Kubernetes names a manager in a conflict: Update entries with their API version, subresources named. */
export function printManager(m: Pick<Managed, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

export function conflictError(conflicts: Conflict[]): ApiError {
  const byManager = conflicts
    .map((c) => ({ name: printManager(c.manager), key: [c.manager.manager, c.manager.operation, c.manager.apiVersion, c.manager.subresource ?? ''].join('\0'),
      paths: c.fields.members().map(pathString).sort() }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const causes = byManager.flatMap((m) => m.paths.map((field) => ({ reason: 'FieldManagerConflict', message: `conflict with ${m.name}`, field })));
  let message: string;
  const first = byManager[0];
  if (causes.length === 1 && first) message = `Apply failed with 1 conflict: conflict with ${first.name}: ${first.paths[0]}`;
  else {
    const lines = byManager.flatMap((m) => [`conflicts with ${m.name}:`, ...m.paths.map((p) => `- ${p}`)]);
    message = `Apply failed with ${causes.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}
