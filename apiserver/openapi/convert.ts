// Publishing the shared schemas: OpenAPI v3 wraps a `$ref` that has siblings (a description, extensions) in `allOf`,
// since siblings of `$ref` are ignored there, which is also the shape kubectl explain renders; Swagger 2.0 points
// refs at #/definitions and has no oneOf.
import { INT_OR_STRING, QUANTITY, REF_PREFIX, type Schema } from '../../lib/api/schema/index.js';

type Node = Record<string, unknown>;

function mapSchema(s: Schema, f: (s: Schema) => Node): Node {
  const out: Node = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined) continue;
    if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, Schema>).map(([p, ps]) => [p, f(ps)]));
    } else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object') {
      out[k] = f(v as Schema);
    } else if ((k === 'allOf' || k === 'oneOf' || k === 'anyOf') && Array.isArray(v)) {
      out[k] = (v as Schema[]).map(f);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** A schema as published in an OpenAPI v3 document. */
export function toV3(s: Schema): Node {
  if (s.$ref && Object.keys(s).length > 1) {
    const { $ref, ...rest } = s;
    return { allOf: [{ $ref }], ...mapSchema(rest, toV3) };
  }
  return mapSchema(s, toV3);
}

const V2_PREFIX = '#/definitions/';

/** A schema as published in a Swagger 2.0 document. */
export function toV2(s: Schema, name?: string): Node {
  if (name === QUANTITY) return { description: s.description, type: 'string' };
  if (name === INT_OR_STRING) return { description: s.description, format: 'int-or-string', type: 'string' };
  const out = mapSchema(s, (c) => toV2(c));
  if (typeof out.$ref === 'string') out.$ref = V2_PREFIX + out.$ref.slice(REF_PREFIX.length);
  delete out.oneOf;
  delete out.anyOf;
  delete out.not;
  // Swagger 2.0 has no nullable (CRD schemas have it): a nullable field is left untyped there, as Kubernetes
  // publishes it, so clients validating against v2 (kubectl 1.27) accept its null
  if (out.nullable === true) for (const k of ['type', 'items', 'properties', 'additionalProperties']) delete out[k];
  delete out.nullable;
  return out;
}

/** Rewrites every `#/components/schemas/` reference inside a non-schema structure (paths) for Swagger 2.0. */
export function refsToV2<T>(v: T): T {
  return JSON.parse(JSON.stringify(v).split(`"${REF_PREFIX}`).join(`"${V2_PREFIX}`)) as T;
}
