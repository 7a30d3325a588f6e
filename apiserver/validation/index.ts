// Validation of API objects: the structural check against a schema (types, and unknown fields for
// fieldValidation=Strict) combined with the semantic checks Kubernetes makes, which each kind's definition brings
// (apiserver/registry/kinds/) from the helpers in this folder.
import type { KindInfo } from '../../lib/api/kinds.js';
import { BINDING_SCHEMA, SCALE_SCHEMA, schemaNameFor } from '../../lib/api/schema/index.js';
import type { StatusCause } from '../../lib/api/types.js';
import { integerDecodeError } from './decode.js';
import { isObj, type FieldCause } from './field.js';
import { validateBindingSemantics, validateScaleSemantics } from './subresources.js';
import { typeErrors, unknownFields } from './structural.js';

export { imageTag } from './defaults.js';
export type { CauseReason, FieldCause } from './field.js';

export interface ValidationResult {
  causes: StatusCause[];
}

const under = (field: string, parent: string): boolean =>
  parent === '' || field === parent || field.startsWith(`${parent}.`) || field.startsWith(`${parent}[`);

/**
 * The 400 BadRequest message Kubernetes gives for an object its decoder cannot read because a number does not fit its
 * Go integer field (`Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number
 * 99999999999 into Go struct field DeploymentSpec.spec.replicas of type int32`); undefined when it decodes.
 */
export function decodeErrorMessage(kind: Pick<KindInfo, 'group' | 'kind' | 'version'>, obj: unknown): string | undefined {
  const e = integerDecodeError(schemaNameFor(kind), obj);
  return e && `${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: ${e}`;
}

/** decodeErrorMessage for the body of a /scale request (an autoscaling/v1 Scale). */
export function scaleDecodeErrorMessage(obj: unknown): string | undefined {
  const e = integerDecodeError(SCALE_SCHEMA, obj);
  return e && `Scale in version "v1" cannot be handled as a Scale: ${e}`;
}

/** Checks the body of a /scale request (an autoscaling/v1 Scale). */
export function validateScale(obj: object, opts: { strict: boolean } = { strict: false }): ValidationResult {
  return validateAgainstSchema(SCALE_SCHEMA, obj, validateScaleSemantics(isObj(obj) ? obj : {}), opts.strict);
}

/** Checks the body of a pods/binding request (a core/v1 Binding). */
export function validateBinding(obj: object, opts: { strict: boolean } = { strict: false }): ValidationResult {
  return validateAgainstSchema(BINDING_SCHEMA, obj, validateBindingSemantics(isObj(obj) ? obj : {}), opts.strict);
}

/**
 * Checks an object against a schema and combines what is found with the semantic causes given: every problem, one
 * cause per bad field: unknown fields (when `strict`), type mismatches, then the semantic ones - except those on a
 * mistyped field, its parents or children.
 */
export function validateAgainstSchema(schema: string, obj: object, semantic: FieldCause[], strict: boolean): ValidationResult {
  const unknown = strict ? unknownFields(schema, obj) : [];
  const types = typeErrors(schema, obj);
  const kept = semantic.filter((c) => !types.some((t) => under(c.field, t.field) || under(t.field, c.field)));
  const seen = new Set<string>();
  const causes: StatusCause[] = [];
  for (const c of [...unknown, ...types, ...kept]) {
    const id = `${c.field}\u0000${c.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    causes.push(c);
  }
  return { causes };
}

/** Separates unknown-field causes (a 400 strict decoding error, or warnings) from the rest (a 422 Invalid). */
export function splitUnknownFieldCauses(causes: StatusCause[]): { unknown: StatusCause[]; other: StatusCause[] } {
  const unknown = causes.filter((c) => c.reason === 'FieldValueUnknown');
  return { unknown, other: causes.filter((c) => c.reason !== 'FieldValueUnknown') };
}

/** `strict decoding error: unknown field "spec.foo", unknown field "bar"`. */
export function strictDecodingError(unknown: StatusCause[]): string {
  return `strict decoding error: ${unknown.map((c) => `unknown field "${c.field ?? ''}"`).join(', ')}`;
}

/** The BadRequest message Kubernetes returns for unknown fields under fieldValidation=Strict. */
export function strictDecodingMessage(kind: Pick<KindInfo, 'kind' | 'version'>, unknown: StatusCause[]): string {
  return `${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: ${strictDecodingError(unknown)}`;
}

/** Warning header texts for fieldValidation=Warn. */
export const unknownFieldWarnings = (unknown: StatusCause[]): string[] => unknown.map((c) => `unknown field "${c.field ?? ''}"`);

/**
 * The message of a 422 Invalid Status: `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be
 * greater than or equal to 0`, with several causes in brackets separated by ", ".
 */
export function formatInvalidMessage(kindLabel: string, name: string, causes: StatusCause[]): string {
  const msgs: string[] = [];
  for (const c of causes) {
    const m = `${c.field ?? ''}: ${c.message ?? ''}`;
    if (!msgs.includes(m)) msgs.push(m);
  }
  const head = `${kindLabel} "${name}" is invalid`;
  if (!msgs.length) return head;
  return msgs.length === 1 ? `${head}: ${msgs[0]}` : `${head}: [${msgs.join(', ')}]`;
}
