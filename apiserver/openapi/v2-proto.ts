// The Swagger 2.0 document in gnostic's protobuf form (gnostic.ts), the bytes kubectl and client-go decode from
// /openapi/v2. The mapping is gnostic's: JSON keys become snake_case fields, maps become lists of named pairs in
// document order, `$ref` becomes `_ref`, and every free-form value (default, enum, example, the `x-` extensions) is
// kept as its YAML text, which is what kubectl parses back (a group/version/kind, a patch merge key).
// A key Swagger 2.0 doesn't define throws: Kubernetes' server would fail to build this form from such a document,
// and a test converts the whole document so a schema change that breaks it is caught at once.
import { stringify } from 'yaml';
import { gnosticDocumentType } from './gnostic.js';

type Json = Record<string, unknown>;
type Msg = Record<string, unknown>;

export class SwaggerShapeError extends Error {
  constructor(where: string, message: string) {
    super(`OpenAPI v2 ${where}: ${message}`);
    this.name = 'SwaggerShapeError';
  }
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function object(v: unknown, where: string): Json {
  if (!isObject(v)) throw new SwaggerShapeError(where, 'expected an object');
  return v;
}

/**
 * A free-form value as gnostic keeps it: its YAML text. YAML 1.1 rules, so that a string such as "yes" or "on" is
 * quoted and read back by kubectl's YAML 1.1 decoder as the string it is.
 */
function any(v: unknown): Msg {
  return { yaml: stringify(v, { version: '1.1' }) };
}

function extensions(o: Json): Msg[] {
  return Object.entries(o).filter(([k]) => k.startsWith('x-')).map(([name, value]) => ({ name, value: any(value) }));
}

interface FieldMap {
  /** JSON key -> [message field, how to convert the value]. */
  [key: string]: [string, (v: unknown, where: string) => unknown];
}

const str = (v: unknown, where: string): string => {
  if (typeof v !== 'string') throw new SwaggerShapeError(where, 'expected a string');
  return v;
};
const bool = (v: unknown, where: string): boolean => {
  if (typeof v !== 'boolean') throw new SwaggerShapeError(where, 'expected a boolean');
  return v;
};
const num = (v: unknown, where: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SwaggerShapeError(where, 'expected a number');
  return v;
};
const strings = (v: unknown, where: string): string[] => {
  if (!Array.isArray(v)) throw new SwaggerShapeError(where, 'expected a list of strings');
  return v.map((s, i) => str(s, `${where}[${i}]`));
};
const anyValue = (v: unknown): Msg => any(v);
const anyList = (v: unknown, where: string): Msg[] => {
  if (!Array.isArray(v)) throw new SwaggerShapeError(where, 'expected a list');
  return v.map(any);
};

/** Converts the keys of `o` by `fields`, its `x-` keys to vendor extensions; any other key throws. */
function convert(o: Json, fields: FieldMap, where: string, extensionField: string | undefined = 'vendor_extension'): Msg {
  const out: Msg = {};
  for (const [key, value] of Object.entries(o)) {
    if (value === undefined) continue;
    if (key.startsWith('x-') && extensionField) continue;
    const f = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (!f) throw new SwaggerShapeError(where, `"${key}" is not a Swagger 2.0 field here`);
    out[f[0]] = f[1](value, `${where}.${key}`);
  }
  if (extensionField) {
    const ext = extensions(o);
    if (ext.length) out[extensionField] = ext;
  }
  return out;
}

function named<T>(v: unknown, where: string, each: (value: unknown, where: string) => T): Array<{ name: string; value: T }> {
  return Object.entries(object(v, where)).map(([name, value]) => ({ name, value: each(value, `${where}.${name}`) }));
}

// ---- schemas ----------------------------------------------------------------------------------------------------

const SCHEMA_FIELDS: FieldMap = {
  $ref: ['_ref', str],
  format: ['format', str],
  title: ['title', str],
  description: ['description', str],
  default: ['default', anyValue],
  multipleOf: ['multiple_of', num],
  maximum: ['maximum', num],
  exclusiveMaximum: ['exclusive_maximum', bool],
  minimum: ['minimum', num],
  exclusiveMinimum: ['exclusive_minimum', bool],
  maxLength: ['max_length', num],
  minLength: ['min_length', num],
  pattern: ['pattern', str],
  maxItems: ['max_items', num],
  minItems: ['min_items', num],
  uniqueItems: ['unique_items', bool],
  maxProperties: ['max_properties', num],
  minProperties: ['min_properties', num],
  required: ['required', strings],
  enum: ['enum', anyList],
  additionalProperties: ['additional_properties', (v, w) => (typeof v === 'boolean' ? { boolean: v } : { schema: schema(v, w) })],
  type: ['type', (v, w) => ({ value: Array.isArray(v) ? strings(v, w) : [str(v, w)] })],
  items: ['items', (v, w) => ({ schema: Array.isArray(v) ? v.map((s, i) => schema(s, `${w}[${i}]`)) : [schema(v, w)] })],
  allOf: ['all_of', (v, w) => {
    if (!Array.isArray(v)) throw new SwaggerShapeError(w, 'expected a list of schemas');
    return v.map((s, i) => schema(s, `${w}[${i}]`));
  }],
  properties: ['properties', (v, w) => ({ additional_properties: named(v, w, schema) })],
  discriminator: ['discriminator', str],
  readOnly: ['read_only', bool],
  example: ['example', anyValue],
};

export function schema(v: unknown, where: string): Msg {
  return convert(object(v, where), SCHEMA_FIELDS, where);
}

// ---- paths ------------------------------------------------------------------------------------------------------

const NON_BODY_FIELDS: FieldMap = {
  required: ['required', bool],
  in: ['in', str],
  description: ['description', str],
  name: ['name', str],
  allowEmptyValue: ['allow_empty_value', bool],
  type: ['type', str],
  format: ['format', str],
  collectionFormat: ['collection_format', str],
  default: ['default', anyValue],
  maximum: ['maximum', num],
  minimum: ['minimum', num],
  pattern: ['pattern', str],
  uniqueItems: ['unique_items', bool],
  enum: ['enum', anyList],
};

const SUB_SCHEMA: Record<string, string> = { query: 'query_parameter_sub_schema', path: 'path_parameter_sub_schema', header: 'header_parameter_sub_schema', formData: 'form_data_parameter_sub_schema' };

function parameter(v: unknown, where: string): Msg {
  const p = object(v, where);
  if (typeof p.$ref === 'string') return { json_reference: { _ref: p.$ref } };
  if (p.in === 'body') {
    return { parameter: { body_parameter: convert(p, { description: ['description', str], name: ['name', str], in: ['in', str], required: ['required', bool], schema: ['schema', schema] }, where) } };
  }
  const sub = typeof p.in === 'string' && Object.hasOwn(SUB_SCHEMA, p.in) ? SUB_SCHEMA[p.in] : undefined;
  if (!sub) throw new SwaggerShapeError(where, `a parameter "in" ${JSON.stringify(p.in)}`);
  const fields = p.in === 'path' || p.in === 'header' ? Object.fromEntries(Object.entries(NON_BODY_FIELDS).filter(([k]) => k !== 'allowEmptyValue')) : NON_BODY_FIELDS;
  return { parameter: { non_body_parameter: { [sub]: convert(p, fields, where) } } };
}

const parameters = (v: unknown, where: string): Msg[] => {
  if (!Array.isArray(v)) throw new SwaggerShapeError(where, 'expected a list of parameters');
  return v.map((p, i) => parameter(p, `${where}[${i}]`));
};

function responses(v: unknown, where: string): Msg {
  const o = object(v, where);
  const codes = Object.entries(o).filter(([k]) => !k.startsWith('x-'));
  const out: Msg = {
    response_code: codes.map(([code, r]) => {
      if (!/^([0-9]{3}|default)$/.test(code)) throw new SwaggerShapeError(where, `"${code}" is not a status code`);
      const rv = object(r, `${where}.${code}`);
      if (typeof rv.$ref === 'string') return { name: code, value: { json_reference: { _ref: rv.$ref } } };
      return { name: code, value: { response: convert(rv, { description: ['description', str], schema: ['schema', (s, w) => ({ schema: schema(s, w) })] }, `${where}.${code}`) } };
    }),
  };
  const ext = extensions(o);
  if (ext.length) out.vendor_extension = ext;
  return out;
}

const OPERATION_FIELDS: FieldMap = {
  tags: ['tags', strings],
  summary: ['summary', str],
  description: ['description', str],
  operationId: ['operation_id', str],
  produces: ['produces', strings],
  consumes: ['consumes', strings],
  parameters: ['parameters', parameters],
  responses: ['responses', responses],
  schemes: ['schemes', strings],
  deprecated: ['deprecated', bool],
};

const operation = (v: unknown, where: string): Msg => convert(object(v, where), OPERATION_FIELDS, where);

const PATH_ITEM_FIELDS: FieldMap = {
  $ref: ['_ref', str],
  ...Object.fromEntries(['get', 'put', 'post', 'delete', 'options', 'head', 'patch'].map((m) => [m, [m, operation]])),
  parameters: ['parameters', parameters],
};

function paths(v: unknown, where: string): Msg {
  const o = object(v, where);
  const out: Msg = {
    path: Object.entries(o).filter(([k]) => !k.startsWith('x-')).map(([p, item]) => {
      if (!p.startsWith('/')) throw new SwaggerShapeError(where, `"${p}" is not a path`);
      return { name: p, value: convert(object(item, `${where}.${p}`), PATH_ITEM_FIELDS, `${where}.${p}`) };
    }),
  };
  const ext = extensions(o);
  if (ext.length) out.vendor_extension = ext;
  return out;
}

// ---- the document -----------------------------------------------------------------------------------------------

function securityDefinition(v: unknown, where: string): Msg {
  const o = object(v, where);
  if (o.type !== 'apiKey') throw new SwaggerShapeError(where, `security definition of type ${JSON.stringify(o.type)}`);
  return { api_key_security: convert(o, { type: ['type', str], name: ['name', str], in: ['in', str], description: ['description', str] }, where) };
}

const DOCUMENT_FIELDS: FieldMap = {
  swagger: ['swagger', str],
  info: ['info', (v, w) => convert(object(v, w), { title: ['title', str], version: ['version', str], description: ['description', str], termsOfService: ['terms_of_service', str] }, w)],
  host: ['host', str],
  basePath: ['base_path', str],
  schemes: ['schemes', strings],
  consumes: ['consumes', strings],
  produces: ['produces', strings],
  paths: ['paths', paths],
  definitions: ['definitions', (v, w) => ({ additional_properties: named(v, w, schema) })],
  parameters: ['parameters', (v, w) => ({ additional_properties: named(v, w, (p, pw) => (parameter(p, pw) as { parameter: Msg }).parameter) })],
  security: ['security', (v, w) => {
    if (!Array.isArray(v)) throw new SwaggerShapeError(w, 'expected a list');
    return v.map((req, i) => ({ additional_properties: named(req, `${w}[${i}]`, (s, sw) => ({ value: strings(s, sw) })) }));
  }],
  securityDefinitions: ['security_definitions', (v, w) => ({ additional_properties: named(v, w, securityDefinition) })],
};

/** The document as gnostic message objects (field names as in gnostic.ts). Throws SwaggerShapeError on a non-Swagger key. */
export function gnosticDocument(doc: Json): Msg {
  return convert(doc, DOCUMENT_FIELDS, 'document');
}

/** The document encoded as gnostic's openapi.v2.Document. */
export function encodeSwaggerProto(doc: Json): Uint8Array {
  const type = gnosticDocumentType();
  return type.encode(type.fromObject(gnosticDocument(doc))).finish();
}
