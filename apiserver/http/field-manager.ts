// Who a write is recorded for in metadata.managedFields, read from the request as Kubernetes reads it: the
// fieldManager parameter, else the product of the User-Agent (`kubectl/v1.32.0 (linux/amd64) ...` -> `kubectl`).
// A server-side apply must name its manager; `force` belongs to applies only.
import type { IncomingMessage } from 'node:http';
import { errors } from '../errors.js';
import type { FieldManagerContext } from '../registry/types.js';
import type { PatchType } from './negotiate.js';

/** The options kind whose validation failed, as Kubernetes names it in a 422. */
type Options = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

const MAX_MANAGER = 128;

function invalid(options: Options, field: string, reason: string, detail: string): Error {
  return errors.invalid({ group: 'meta.k8s.io', kind: options }, '', `${options}.meta.k8s.io "" is invalid: ${field}: ${detail}`, [{ reason, field, message: detail }]);
}

/** The write's field manager; throws Kubernetes' 422 for a missing (apply) or malformed one. */
export function fieldManagerOf(req: IncomingMessage, query: URLSearchParams, options: Options, apiVersion: string, patchType?: PatchType,
  subresource?: string): FieldManagerContext {
  const given = query.get('fieldManager');
  if (patchType === 'apply' && !given) throw invalid(options, 'fieldManager', 'FieldValueRequired', 'Required value: is required for apply patch');
  if (given !== null && given !== '') {
    if (Buffer.byteLength(given) > MAX_MANAGER) throw invalid(options, 'fieldManager', 'FieldValueTooLong', `Too long: may not be more than ${MAX_MANAGER} bytes`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(given)) throw invalid(options, 'fieldManager', 'FieldValueInvalid', `Invalid value: ${JSON.stringify(given)}: must only contain printable characters`);
  }
  const force = query.get('force');
  if (force !== null && patchType !== 'apply' && options === 'PatchOptions') {
    throw invalid(options, 'force', 'FieldValueForbidden', 'Forbidden: may not be specified for non-apply patch');
  }
  const ua = req.headers['user-agent'] ?? '';
  const manager = given || (ua.split('/')[0] ?? '').slice(0, MAX_MANAGER);
  const fm: FieldManagerContext = { manager, apiVersion };
  if (subresource) fm.subresource = subresource;
  if (patchType === 'apply') fm.applied = true;
  return fm;
}

/** `force=true` on an apply: conflicting fields change hands instead of refusing the apply. */
export function forceOf(query: URLSearchParams): boolean {
  const v = query.get('force');
  if (v === null) return false;
  if (v === 'true' || v === '1' || v === 'True' || v === 'TRUE') return true;
  if (v === 'false' || v === '0' || v === 'False' || v === 'FALSE' || v === '') return false;
  throw errors.badRequest(`invalid value for force: ${JSON.stringify(v)}: must be true or false`);
}
