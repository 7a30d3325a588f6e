// Defaulting and validation for a write: the kind's JSON Schema (through apiserver/validation) plus its definition's
// own checks. Unknown fields are dropped as Kubernetes' decoder drops them, and reported per fieldValidation,
// together with the repeated keys the body decoder found.
import type { KubeObject, StatusCause } from '../../lib/api/types.js';
import { decodeErrorMessage, formatInvalidMessage, validateAgainstSchema, type ValidationResult } from '../validation/index.js';
import { isObj, type FieldCause } from '../validation/field.js';
import { validateObjectMeta } from '../validation/meta.js';
import { pruneUnknownFields, type FieldFinding } from './prune.js';
import { duplicatesForPrune, strictReport } from './strict-decoding.js';
import { ApiError, errors } from '../errors.js';
import type { KindDefinition } from './kind.js';
import type { WriteContext } from './types.js';

export function checkObject(def: KindDefinition, obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext): void {
  const kind = def.info;
  // a number that does not fit its int32/int64 field fails decoding in Kubernetes, before strict field checks
  const undecodable = def.ownSchema ? undefined : decodeErrorMessage(kind, obj);
  if (undecodable) throw errors.badRequest(undecodable);
  const findings: FieldFinding[] = def.ownSchema
    ? def.ownSchema.prune(obj).map((path) => ({ type: 'unknown', path }))
    : pruneUnknownFields(kind, obj, duplicatesForPrune(ctx.decoded));
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
  def.defaults(obj);
  def.ownSchema?.default(obj);
  const causes = validateObject(def, obj, { old, strict: false }).causes;
  if (causes.length) {
    const name = obj.metadata?.name ?? obj.metadata?.generateName ?? '';
    const label = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
    throw errors.invalid(kind, name, formatInvalidMessage(label, name, causes), causes);
  }
}

/**
 * Checks an object of the kind: every problem found, one cause per bad field: unknown fields (when `strict`), type
 * mismatches against the schema, then the metadata and the kind's own checks (and, given the stored object, the
 * update-only ones), except those on a mistyped field, its parents or children.
 */
export function validateObject(def: KindDefinition, obj: object, opts: { old?: object; strict: boolean }): ValidationResult {
  const target = isObj(obj) ? obj : {};
  const run = (check: () => FieldCause[]): FieldCause[] => {
    try {
      return check();
    } catch (e) {
      // the kind's checks assume the schema's shape; on a malformed object the schema's causes already say why
      if (def.ownSchema ? def.ownSchema.validate(target).length : validateAgainstSchema(def.schema, obj, [], false).causes.length) return [];
      throw e;
    }
  };
  const semantic: FieldCause[] = def.objectMeta ? validateObjectMeta(target.metadata, def.objectMeta) : [];
  semantic.push(...run(() => def.validate(target)));
  const old = opts.old;
  if (old && isObj(old)) semantic.push(...run(() => def.validateUpdate(target, old)));
  if (def.ownSchema) return { causes: [...def.ownSchema.validate(target, old && isObj(old) ? old : undefined), ...semantic] };
  return validateAgainstSchema(def.schema, obj, semantic, opts.strict);
}

/**
 * Runs a definition's hook (prepareForCreate, prepareForUpdate), which may assume a well-formed object: Kubernetes'
 * typed decoding guarantees one. When it trips over a malformed body (`"spec": 0`), the validation error that says
 * what is malformed is the answer, not the hook's TypeError as a 500.
 */
export function guardedHook(def: KindDefinition, obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext, hook: () => void): void {
  try {
    hook();
  } catch (e) {
    if (e instanceof ApiError) throw e;
    checkObject(def, structuredClone(obj), old, { ...ctx, warnings: [] });
    throw e;
  }
}
