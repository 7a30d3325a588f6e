// Defaulting and validation for a write: the kind's JSON Schema (through apiserver/validation) plus its strategy's
// own checks. Unknown fields are dropped as Kubernetes' decoder drops them, and reported per fieldValidation,
// together with the repeated keys the body decoder found.
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject, StatusCause } from '../../lib/api/types.js';
import { applyDefaults, decodeErrorMessage, formatInvalidMessage, validate } from '../validation/index.js';
import { pruneUnknownFields } from './prune.js';
import { duplicatesForPrune, strictReport } from './strict-decoding.js';
import { ApiError, errors } from '../errors.js';
import type { Strategy } from './strategy.js';
import type { WriteContext } from './store.js';

export function checkObject(kind: KindInfo, strategy: Strategy, obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext): void {
  // a number that does not fit its int32/int64 field fails decoding in Kubernetes, before strict field checks
  const undecodable = decodeErrorMessage(kind, obj);
  if (undecodable) throw errors.badRequest(undecodable);
  const findings = pruneUnknownFields(kind, obj, duplicatesForPrune(ctx.decoded));
  if (ctx.fieldValidation !== 'Ignore') {
    const report = strictReport(findings, ctx.decoded);
    if (report.errors.length && ctx.fieldValidation === 'Strict') {
      const causes: StatusCause[] = findings.map((f) => f.type === 'unknown'
        ? { reason: 'FieldValueUnknown', field: f.path, message: `unknown field "${f.path}"` }
        : { reason: 'FieldValueDuplicate', field: f.path, message: `duplicate field "${f.path}"` });
      throw errors.badRequest(`${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: strict decoding error: ${report.errors.join(', ')}`, causes);
    }
    if (ctx.fieldValidation === 'Warn') ctx.warnings.push(...report.warnings);
  }
  applyDefaults(kind, obj);
  const schemaCauses = validate(kind, obj, { old, strict: false }).causes;
  const causes: StatusCause[] = [...schemaCauses, ...strategyCauses(strategy, obj, old, schemaCauses.length > 0)];
  if (causes.length) {
    const name = obj.metadata?.name ?? obj.metadata?.generateName ?? '';
    const label = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
    throw errors.invalid(kind, name, formatInvalidMessage(label, name, causes), causes);
  }
}

/** A kind's own checks assume the schema's shape; on a malformed object the schema's causes already say why. */
function strategyCauses(strategy: Strategy, obj: KubeObject, old: KubeObject | undefined, malformed: boolean): StatusCause[] {
  try {
    return strategy.validate?.(obj, old) ?? [];
  } catch (e) {
    if (malformed) return [];
    throw e;
  }
}

/**
 * Runs a strategy hook (prepareForCreate, prepareForUpdate), which may assume a well-formed object: Kubernetes'
 * typed decoding guarantees one. When it trips over a malformed body (`"spec": 0`), the validation error that says
 * what is malformed is the answer, not the hook's TypeError as a 500.
 */
export function guardedHook(kind: KindInfo, strategy: Strategy, obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext, hook: () => void): void {
  try {
    hook();
  } catch (e) {
    if (e instanceof ApiError) throw e;
    checkObject(kind, strategy, structuredClone(obj), old, { ...ctx, warnings: [] });
    throw e;
  }
}
