// What Kubernetes' JSON decoder refuses before any validation runs: a number that does not fit the Go integer field
// it lands in. Every integer field is an int32 or int64 in Go (the schema's `format`); a fraction (1.5) or a value
// out of range (replicas: 99999999999) cannot be decoded, and kube-apiserver answers 400 BadRequest with Go's
// encoding/json error: `json: cannot unmarshal number 99999999999 into Go struct field DeploymentSpec.spec.replicas
// of type int32`. The field path there is the JSON names from the root, without list indices; the struct is the Go
// type holding the field (our schema names are the Go type names). Int-or-string values go through IntOrString's own
// decoder, whose error names no struct field: `... into Go value of type int32`.
import { INT_OR_STRING, QUANTITY, REF_PREFIX, components, type Schema } from '../../lib/api/schema/index.js';
import { isObj } from './field.js';

type IntFormat = 'int32' | 'int64';

/**
 * The range each Go integer type accepts. int64's upper bound is exclusive at 2^63: JavaScript cannot tell
 * 9223372036854775807 from 2^63 (both parse to the same double), and a stored 2^63 would serialize as a number no Go
 * client can decode back into an int64, breaking every informer listing the object. So the largest int64s are
 * refused, which is the safe side.
 */
const RANGES: Readonly<Record<IntFormat, { min: number; fits: (v: number) => boolean }>> = {
  int32: { min: -2147483648, fits: (v) => v >= -2147483648 && v <= 2147483647 },
  int64: { min: -(2 ** 63), fits: (v) => v >= -(2 ** 63) && v < 2 ** 63 },
};

/** Whether a JSON number can be decoded into a Go integer of this type. */
export function fitsInteger(value: number, format: IntFormat): boolean {
  return Number.isInteger(value) && RANGES[format].fits(value);
}

/** A number as Go's error quotes the literal: plain digits for integers (no exponent below 1e21). */
function literal(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e21 ? BigInt(v).toString() : String(v);
}

/** Go's UnmarshalTypeError text for a number that does not fit. */
export function unmarshalNumberError(value: number, format: IntFormat, struct?: string, path?: string): string {
  const into = struct && path ? `Go struct field ${struct}.${path}` : 'Go value';
  return `json: cannot unmarshal number ${literal(value)} into ${into} of type ${format}`;
}

const shortName = (schemaName: string): string => schemaName.slice(schemaName.lastIndexOf('.') + 1);

interface Resolved {
  schema: Schema;
  /** Name of the named schema this node is (the Go struct type), if it is one. */
  name?: string;
}

function resolve(node: Schema, all: Readonly<Record<string, Schema>>): Resolved | undefined {
  let s: Schema | undefined = node;
  let name: string | undefined;
  // A property is either an inline schema or a $ref (in OpenAPI v3 form, possibly wrapped in a one-element allOf).
  for (let i = 0; s && i < 16; i++) {
    if (s.$ref) {
      name = s.$ref.startsWith(REF_PREFIX) ? s.$ref.slice(REF_PREFIX.length) : undefined;
      if (name === INT_OR_STRING) return { schema: { 'x-kubernetes-int-or-string': true }, name };
      s = name ? all[name] : undefined;
    } else if (s.allOf?.length === 1 && !s.properties) {
      s = s.allOf[0];
    } else {
      return { schema: s, name };
    }
  }
  return undefined;
}

/**
 * The first number in `value` that the Go decoder would refuse, as Go's error message (document order, as Go keeps
 * only the first decode error); undefined when every number fits. `struct` is the Go type of `value` itself.
 */
function firstError(value: unknown, node: Schema, struct: string, path: string, all: Readonly<Record<string, Schema>>, depth: number): string | undefined {
  if (value === null || value === undefined || depth > 256) return undefined;
  const r = resolve(node, all);
  if (!r) return undefined;
  const s = r.schema;
  if (r.name === QUANTITY || s['x-kubernetes-preserve-unknown-fields']) return undefined;
  if (s['x-kubernetes-int-or-string']) {
    return typeof value === 'number' && !fitsInteger(value, 'int32') ? unmarshalNumberError(value, 'int32') : undefined;
  }
  if (s.type === 'integer') {
    const format: IntFormat = s.format === 'int32' ? 'int32' : 'int64';
    return typeof value === 'number' && !fitsInteger(value, format) ? unmarshalNumberError(value, format, struct, path) : undefined;
  }
  if (Array.isArray(value)) {
    if (!s.items) return undefined;
    for (const item of value) {
      const e = firstError(item, s.items, struct, path, all, depth + 1);
      if (e) return e;
    }
    return undefined;
  }
  if (!isObj(value)) return undefined;
  const here = r.name ? shortName(r.name) : struct;
  for (const [k, v] of Object.entries(value)) {
    const field = s.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
    // Go's decoder names struct fields in the path, not map keys
    const prop = field ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    if (!prop) continue;
    const e = firstError(v, prop, here, field ? (path ? `${path}.${k}` : k) : path, all, depth + 1);
    if (e) return e;
  }
  return undefined;
}

/**
 * Go's decode error for the first integer field of `obj` that holds a fraction or a number out of its int32/int64
 * range, checked against the named schema; undefined when the object decodes.
 */
export function integerDecodeError(schemaName: string, obj: unknown): string | undefined {
  const all = components();
  if (!all[schemaName]) return undefined;
  return firstError(obj, { $ref: REF_PREFIX + schemaName }, shortName(schemaName), '', all, 0);
}
