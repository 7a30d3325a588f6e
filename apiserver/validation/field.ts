// Field errors as Kubernetes reports them: a reason (FieldValueRequired...), the field path (`spec.containers[0].image`)
// and a message body in the wording of apimachinery's field.Error (`Invalid value: -1: must be greater than or equal
// to 0`). Values are printed the way Go's fmt does (%q for strings, %v for numbers, %#v for structs).
import { setOwn } from '../../lib/api/own.js';
import type { StatusCause } from '../../lib/api/types.js';

export type CauseReason =
  | 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueTypeInvalid' | 'FieldValueTooLong'
  | 'FieldValueTooMany' | 'FieldValueDuplicate' | 'FieldValueForbidden' | 'FieldValueNotFound' | 'FieldValueUnknown' | 'InternalError';

export interface FieldCause extends StatusCause {
  reason: CauseReason;
  field: string;
  message: string;
}

/** A value already rendered the way Go would print it (for structs and maps that %#v prints). */
export class GoValue {
  constructor(readonly text: string) {}
}

export const goRaw = (text: string): GoValue => new GoValue(text);

export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** How fmt prints a value inside an error body. */
export function goValue(value: unknown): string {
  if (value instanceof GoValue) return value.text;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return `[]string{${value.map(goQuote).join(', ')}}`;
  if (isStringMap(value)) return goStringMap(value);
  return JSON.stringify(value);
}

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/** `map[string]string{"a":"b", "c":"d"}`, keys sorted, as %#v prints a map. */
export function goStringMap(m: Record<string, string> | undefined): string {
  if (!m) return 'map[string]string(nil)';
  return `map[string]string{${Object.keys(m).sort().map((k) => `${goQuote(k)}:${goQuote(m[k])}`).join(', ')}}`;
}

// ---- paths --------------------------------------------------------------------------------------------------------

export const child = (path: string, name: string): string => (path ? `${path}.${name}` : name);
export const index = (path: string, i: number): string => `${path}[${i}]`;
export const key = (path: string, k: string): string => `${path}[${k}]`;

// ---- causes -------------------------------------------------------------------------------------------------------

function cause(reason: CauseReason, field: string, message: string): FieldCause {
  return { reason, field, message };
}

const withDetail = (body: string, detail?: string): string => (detail ? `${body}: ${detail}` : body);

export const required = (field: string, detail = ''): FieldCause => cause('FieldValueRequired', field, withDetail('Required value', detail));
export const forbidden = (field: string, detail = ''): FieldCause => cause('FieldValueForbidden', field, withDetail('Forbidden', detail));
export const invalid = (field: string, value: unknown, detail = ''): FieldCause =>
  cause('FieldValueInvalid', field, withDetail(`Invalid value: ${goValue(value)}`, detail));
export const duplicate = (field: string, value: unknown): FieldCause => cause('FieldValueDuplicate', field, `Duplicate value: ${goValue(value)}`);
export const notFound = (field: string, value: unknown): FieldCause => cause('FieldValueNotFound', field, `Not found: ${goValue(value)}`);
export const tooLong = (field: string, maxBytes: number): FieldCause => cause('FieldValueTooLong', field, `Too long: may not be more than ${maxBytes} bytes`);
export const tooMany = (field: string, actual: number, max: number): FieldCause =>
  cause('FieldValueTooMany', field, `Too many: ${actual}: must have at most ${max} items`);
export const typeInvalid = (field: string, value: unknown, detail: string): FieldCause =>
  cause('FieldValueTypeInvalid', field, withDetail(`Invalid value: ${goValue(value)}`, detail));
export const unknownField = (field: string): FieldCause => cause('FieldValueUnknown', field, `unknown field ${goQuote(field)}`);

export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldCause {
  const detail = supported.length ? `supported values: ${supported.map(goQuote).join(', ')}` : '';
  return cause('FieldValueNotSupported', field, withDetail(`Unsupported value: ${goValue(value)}`, detail));
}

/** Invalid-value causes for each message of a format check. */
export const invalidEach = (field: string, value: unknown, msgs: string[]): FieldCause[] => msgs.map((m) => invalid(field, value, m));

// ---- reading loosely typed objects ----------------------------------------------------------------------------------

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asObj = (v: unknown): Obj | undefined => (isObj(v) ? v : undefined);
export const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A string field as Go sees it: missing (or of another type) reads as "". */
export const asStr = (v: unknown): string => (typeof v === 'string' ? v : '');
export const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** A number field as Go sees it: missing reads as 0. */
export const asNum = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
export const optNum = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/** The string-valued entries of a map field (others are reported by the structural check). */
export function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  // setOwn: a `__proto__` label must reach the key checks, not vanish into the prototype slot
  if (isObj(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') setOwn(out, k, x);
  return out;
}

/** Objects of a list, with their index (non-objects are reported by the structural check). */
export function objects(v: unknown): Array<[Obj, number]> {
  const out: Array<[Obj, number]> = [];
  asArr(v).forEach((x, i) => {
    if (isObj(x)) out.push([x, i]);
  });
  return out;
}
