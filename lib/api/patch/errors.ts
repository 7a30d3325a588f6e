// The error every patch function throws, carrying the HTTP status Kubernetes answers with for that failure, plus
// small helpers shared by the three patch kinds (JSON values, and Go-style renderings used in error messages).

/**
 * 400: the patch document itself is malformed (not a list of operations, not an object, bad directive format).
 * 413: a JSON patch with more than 10000 operations.
 * 422: a well-formed patch that does not apply to this object (failed `test`, missing path, list of lists).
 * 500: what Kubernetes reports as an internal error (unknown `$patch` value, missing merge key, order mismatch).
 */
export type PatchErrorCode = 400 | 413 | 422 | 500;

/** Status reasons Kubernetes puts next to each code ('' is its "Unknown" reason, omitted from the Status). */
const REASONS: Record<PatchErrorCode, string> = { 400: 'BadRequest', 413: 'RequestEntityTooLarge', 422: 'Invalid', 500: '' };

/** The message Kubernetes sends for a 422 from a patch: the detail is dropped from the Status. */
export const UNPROCESSABLE_STATUS_MESSAGE = 'the server rejected our request due to an error in our request';

export class PatchError extends Error {
  constructor(message: string, readonly code: PatchErrorCode = 422) {
    super(message);
    this.name = 'PatchError';
  }

  /** The `reason` of the Status Kubernetes answers with. */
  get reason(): string {
    return REASONS[this.code];
  }

  /** The `message` of the Status Kubernetes answers with (for 422 the detail is replaced by a generic sentence). */
  get statusMessage(): string {
    return this.code === 422 ? UNPROCESSABLE_STATUS_MESSAGE : this.message;
  }
}

export type JsonMap = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepClone<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The JSON type names Go's encoding/json uses in "cannot unmarshal X into Go value of type Y". */
export function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // object, string, number
}

/** Go's reflect type name of a decoded JSON value, as in "expected a X, but received a Y". */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (isObject(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

/** Go's `%v` rendering of a decoded JSON value: `map[a:1 b:[x y]]`, keys sorted. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isObject(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  return String(v);
}
