// Defaulting and validation for a write: the kind's JSON Schema (through apiserver/validation) plus its strategy's
// own checks. Unknown fields are dropped as Kubernetes' decoder drops them, and reported per fieldValidation.
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject, StatusCause } from '../../lib/api/types.js';
import { applyDefaults, decodeErrorMessage, formatInvalidMessage, validate } from '../validation/index.js';
import { pruneUnknownFields } from './prune.js';
import { errors } from '../errors.js';
import type { Strategy } from './strategy.js';
import type { WriteContext } from './store.js';

export function checkObject(kind: KindInfo, strategy: Strategy, obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext): void {
  // a number that does not fit its int32/int64 field fails decoding in Kubernetes, before strict field checks
  const undecodable = decodeErrorMessage(kind, obj);
  if (undecodable) throw errors.badRequest(undecodable);
  const unknown = pruneUnknownFields(kind, obj);
  if (unknown.length) {
    if (ctx.fieldValidation === 'Strict') {
      throw errors.badRequest(`${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
        unknown.map((f) => ({ reason: 'FieldValueUnknown', field: f, message: `unknown field "${f}"` })));
    }
    if (ctx.fieldValidation === 'Warn') for (const f of unknown) ctx.warnings.push(`unknown field "${f}"`);
  }
  applyDefaults(kind, obj);
  const causes: StatusCause[] = [...validate(kind, obj, { old, strict: false }).causes, ...(strategy.validate?.(obj, old) ?? [])];
  if (causes.length) {
    const name = obj.metadata?.name ?? obj.metadata?.generateName ?? '';
    const label = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
    throw errors.invalid(kind, name, formatInvalidMessage(label, name, causes), causes);
  }
}
