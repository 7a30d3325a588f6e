// What a custom resource version's openAPIV3Schema does to each write, as Kubernetes' apiextensions-apiserver does it:
// pruning of fields the schema does not declare (x-kubernetes-preserve-unknown-fields and embedded resources keep
// theirs), defaulting from `default`, then validation (types, required, enum, pattern, bounds, formats, nullable,
// int-or-string, list types), one cause per bad field worded as Kubernetes words it. The value checks run on ajv.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { META, components } from '../../lib/api/schema/index.js';
import { compileRules, ruleCauses, type CompiledRule } from './cel.js';
import { duplicate, goRaw, invalid, notSupported, required, tooLong, tooMany, typeInvalid, type FieldCause } from '../validation/field.js';

/** A JSON Schema node of a CRD (JSONSchemaProps), read loosely: the CRD's validation vouched for its shape. */
export type SchemaNode = Record<string, unknown>;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const props = (s: SchemaNode): Record<string, SchemaNode> => (isObj(s.properties) ? (s.properties as Record<string, SchemaNode>) : {});
const itemsOf = (s: SchemaNode): SchemaNode | undefined => (isObj(s.items) ? (s.items as SchemaNode) : undefined);
const additionalOf = (s: SchemaNode): SchemaNode | undefined => (isObj(s.additionalProperties) ? (s.additionalProperties as SchemaNode) : undefined);
const child = (path: string, k: string): string => (path ? `${path}.${k}` : k);

/** The fields every object has whatever its schema says (metadata is checked by the ObjectMeta rules). */
const ROOT_FIELDS = ['apiVersion', 'kind', 'metadata'];

/** The fields of ObjectMeta: a custom object's metadata keeps these only, as Kubernetes' decoder keeps them. */
const OBJECT_META_FIELDS = new Set(Object.keys(components()[`${META}ObjectMeta`]?.properties ?? {}));

/** Drops what the schema doesn't declare; returns the dropped fields' paths (`spec.foo`), for fieldValidation. */
export function prune(obj: unknown, schema: SchemaNode): string[] {
  const out: string[] = [];
  if (!isObj(obj)) return out;
  if (isObj(obj.metadata)) {
    for (const key of Object.keys(obj.metadata)) {
      if (OBJECT_META_FIELDS.has(key)) {
        // a known field sent as null is its zero value (`creationTimestamp: null` in a generated manifest)
        if (obj.metadata[key] === null) delete obj.metadata[key];
        continue;
      }
      out.push(`metadata.${key}`);
      delete obj.metadata[key];
    }
  }
  pruneNode(obj, schema, '', out, true);
  return out;
}

function pruneNode(value: unknown, s: SchemaNode, path: string, out: string[], root: boolean): void {
  if (Array.isArray(value)) {
    const items = itemsOf(s);
    if (items) value.forEach((v, i) => pruneNode(v, items, `${path}[${i}]`, out, false));
    return;
  }
  if (!isObj(value)) return;
  const known = props(s);
  const additional = additionalOf(s);
  const keep = s['x-kubernetes-preserve-unknown-fields'] === true || s.additionalProperties === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  for (const key of Object.keys(value)) {
    const p = child(path, key);
    if ((root || embedded) && ROOT_FIELDS.includes(key) && !Object.hasOwn(known, key)) continue;
    if (Object.hasOwn(known, key)) pruneNode(value[key], known[key] as SchemaNode, p, out, false);
    else if (additional) pruneNode(value[key], additional, p, out, false);
    else if (!keep) {
      out.push(p);
      delete value[key];
    }
  }
}

/** Fills in the schema's defaults where a field is missing (or null and not nullable), as Kubernetes does after pruning. */
export function applyDefaults(value: unknown, s: SchemaNode): void {
  if (Array.isArray(value)) {
    const items = itemsOf(s);
    if (items) for (const v of value) applyDefaults(v, items);
    return;
  }
  if (!isObj(value)) return;
  for (const [key, ps] of Object.entries(props(s))) {
    const cur = value[key];
    if (ps.default !== undefined && (cur === undefined || (cur === null && ps.nullable !== true))) value[key] = structuredClone(ps.default);
    if (value[key] !== undefined) applyDefaults(value[key], ps);
  }
  const additional = additionalOf(s);
  if (additional) for (const key of Object.keys(value)) if (!Object.hasOwn(props(s), key)) applyDefaults(value[key], additional);
}

/** The JSON type name kube-openapi reports for a value (`must be of type integer: "string"`). */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

// Formats Kubernetes checks; others (and unknown ones) pass, as they do there.
const FORMATS: Record<string, RegExp | ((s: string) => boolean)> = {
  int32: () => true, int64: () => true, float: () => true, double: () => true, password: () => true, byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  hostname: /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/i,
  ipv4: /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
  ipv6: (s) => /^[0-9a-fA-F:.]+$/.test(s) && s.includes(':'),
  cidr: /^[0-9a-fA-F:.]+\/\d{1,3}$/,
  mac: /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/,
  uuid: /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/,
  uri: /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/,
  duration: /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/,
};

/** The schema as ajv reads it: Kubernetes' extensions declared, `nullable` kept only where a type goes with it. */
function forAjv(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(forAjv);
  if (!isObj(s)) return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'default' || k === 'example' || k === 'enum') out[k] = v;
    else if (k === 'properties' && isObj(v)) out[k] = Object.fromEntries(Object.entries(v).map(([n, ps]) => [n, forAjv(ps)]));
    else if (k === 'nullable' && !s.type) continue;
    else if (k === 'x-kubernetes-validations') continue;
    else out[k] = forAjv(v);
  }
  return out;
}

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, logger: false, validateFormats: true });
  for (const [name, f] of Object.entries(FORMATS)) ajv.addFormat(name, typeof f === 'function' ? { validate: f } : f);
  // unknown formats pass (strict: false only warns, and the logger is off)
  ajv.addKeyword({ keyword: 'x-kubernetes-int-or-string', schemaType: 'boolean',
    validate: function intOrString(on: boolean, data: unknown) {
      return !on || typeof data === 'string' || (typeof data === 'number' && Number.isInteger(data));
    } });
  for (const k of ['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys',
    'x-kubernetes-map-type']) ajv.addKeyword({ keyword: k });
  return ajv;
}

/** `/spec/items/0/name` -> `spec.items[0].name` */
function fieldPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out = /^\d+$/.test(seg) ? `${out}[${seg}]` : child(out, seg);
  }
  return out;
}

/** One ajv error as the field cause Kubernetes gives for it; undefined for errors another one already says. */
function causeOf(e: ErrorObject): FieldCause | undefined {
  const path = fieldPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  const data = e.data;
  const inBody = `${path} in body`;
  switch (e.keyword) {
    case 'type':
      return typeInvalid(path, typeName(data), `${inBody} must be of type ${String(p.type).replace(',null', '')}: ${JSON.stringify(typeName(data))}`);
    case 'x-kubernetes-int-or-string':
      return typeInvalid(path, typeName(data), `${inBody} must be of type integer-or-string: ${JSON.stringify(typeName(data))}`);
    case 'required':
      return required(child(path, String(p.missingProperty)));
    case 'enum':
      return notSupported(path, data, ((e.schema as unknown[]) ?? []).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))));
    case 'pattern':
      return invalid(path, data, `${inBody} should match '${String(p.pattern)}'`);
    case 'format':
      return invalid(path, data, `${inBody} must be of type ${String(p.format)}: ${JSON.stringify(data)}`);
    case 'maximum':
      return invalid(path, data, `${inBody} should be less than or equal to ${String(p.limit)}`);
    case 'minimum':
      return invalid(path, data, `${inBody} should be greater than or equal to ${String(p.limit)}`);
    case 'exclusiveMaximum':
      return invalid(path, data, `${inBody} should be less than ${String(p.limit)}`);
    case 'exclusiveMinimum':
      return invalid(path, data, `${inBody} should be greater than ${String(p.limit)}`);
    case 'multipleOf':
      return invalid(path, data, `${inBody} should be a multiple of ${String(p.multipleOf)}`);
    case 'maxLength':
      return tooLong(path, Number(p.limit));
    case 'minLength':
      return invalid(path, data, `${inBody} should be at least ${String(p.limit)} chars long`);
    case 'maxItems':
      return tooMany(path, Array.isArray(data) ? data.length : 0, Number(p.limit));
    case 'minItems':
      return invalid(path, goRawList(data), `${inBody} should have at least ${String(p.limit)} items`);
    case 'maxProperties':
      return tooMany(path, isObj(data) ? Object.keys(data).length : 0, Number(p.limit));
    case 'minProperties':
      return invalid(path, goRawList(data), `${inBody} should have at least ${String(p.limit)} properties`);
    case 'anyOf':
    case 'oneOf':
    case 'allOf':
    case 'not':
      return invalid(path, goRawList(data), `${inBody} ${e.keyword === 'not' ? 'must not validate the schema' : `must validate ${e.keyword === 'oneOf' ? 'one and only one' : 'at least one'} schema (${e.keyword})`}`);
    default:
      return invalid(path, goRawList(data), e.message ?? e.keyword);
  }
}

const goRawList = (v: unknown): unknown => (Array.isArray(v) || isObj(v) ? typeName(v) : v);

/** Repeated items of `x-kubernetes-list-type: set` and `map` lists (by their map keys), walked with the object. */
function listTypeCauses(value: unknown, s: SchemaNode, path: string, out: FieldCause[]): void {
  if (Array.isArray(value)) {
    const type = s['x-kubernetes-list-type'];
    if (type === 'set' || type === 'map') {
      const keys = Array.isArray(s['x-kubernetes-list-map-keys']) ? (s['x-kubernetes-list-map-keys'] as string[]) : [];
      const seen = new Set<string>();
      value.forEach((item, i) => {
        const id = type === 'map' && isObj(item) ? JSON.stringify(keys.map((k) => item[k] ?? null)) : JSON.stringify(item);
        if (seen.has(id)) {
          const shown = type === 'map' && isObj(item) ? Object.fromEntries(keys.map((k) => [k, item[k]])) : item;
          out.push(duplicate(`${path}[${i}]`, typeof shown === 'object' ? goRaw(goValueRaw(shown)) : shown));
        }
        seen.add(id);
      });
    }
    const items = itemsOf(s);
    if (items) value.forEach((v, i) => listTypeCauses(v, items, `${path}[${i}]`, out));
    return;
  }
  if (!isObj(value)) return;
  for (const [key, ps] of Object.entries(props(s))) if (value[key] !== undefined) listTypeCauses(value[key], ps, child(path, key), out);
  const additional = additionalOf(s);
  if (additional) for (const key of Object.keys(value)) if (!Object.hasOwn(props(s), key)) listTypeCauses(value[key], additional, child(path, key), out);
}

const goValueRaw = (v: unknown): string => `map[string]interface {}${JSON.stringify(v)}`;

/** An embedded resource (x-kubernetes-embedded-resource) names its apiVersion and kind. */
function embeddedCauses(value: unknown, s: SchemaNode, path: string, out: FieldCause[]): void {
  if (Array.isArray(value)) {
    const items = itemsOf(s);
    if (items) value.forEach((v, i) => embeddedCauses(v, items, `${path}[${i}]`, out));
    return;
  }
  if (!isObj(value)) return;
  if (s['x-kubernetes-embedded-resource'] === true) {
    if (!value.apiVersion) out.push(required(child(path, 'apiVersion'), 'must not be empty'));
    if (!value.kind) out.push(required(child(path, 'kind'), 'must not be empty'));
  }
  for (const [key, ps] of Object.entries(props(s))) if (value[key] !== undefined) embeddedCauses(value[key], ps, child(path, key), out);
}

/** One version's schema, compiled once: what a write of an object of that version goes through. */
export class ObjectSchema {
  private readonly check: ValidateFunction;
  private readonly body: SchemaNode;

  constructor(readonly schema: SchemaNode) {
    // apiVersion, kind and metadata are the API server's to check (ObjectMeta rules), whatever the schema says
    const known = { ...props(schema) };
    for (const f of ROOT_FIELDS) delete known[f];
    this.body = { ...schema, properties: known };
    if (Array.isArray(schema.required)) this.body.required = (schema.required as string[]).filter((r) => !ROOT_FIELDS.includes(r));
    this.check = sharedAjv().compile(forAjv(this.body) as object);
  }

  prune(obj: unknown): string[] {
    return prune(obj, this.schema);
  }

  default(obj: unknown): void {
    applyDefaults(obj, this.schema);
  }

  private readonly rules = new WeakMap<SchemaNode, CompiledRule[]>();

  /** A node's CEL rules, compiled once (the CRD's validation refused those that don't compile). */
  private rulesOf = (s: SchemaNode): CompiledRule[] => {
    let r = this.rules.get(s);
    if (!r) {
      r = s['x-kubernetes-validations'] === undefined ? [] : compileRules(s['x-kubernetes-validations'], '').rules;
      this.rules.set(s, r);
    }
    return r;
  };

  /** Every bad field of the object, one cause each, in the order the schema is walked; `old`: the stored object. */
  validate(obj: Record<string, unknown>, old?: Record<string, unknown>): FieldCause[] {
    const body: Record<string, unknown> = { ...obj };
    for (const f of ROOT_FIELDS) delete body[f];
    const out: FieldCause[] = [];
    if (!this.check(body)) {
      const errs = this.check.errors ?? [];
      // ajv reports a failed anyOf/oneOf with its branches' errors; Kubernetes names the field once
      const combined = new Set(errs.filter((e) => ['anyOf', 'oneOf'].includes(e.keyword)).map((e) => e.instancePath));
      for (const e of errs) {
        if (combined.has(e.instancePath) && !['anyOf', 'oneOf'].includes(e.keyword) && e.schemaPath.includes(`/${'anyOf'}/`)) continue;
        if (combined.has(e.instancePath) && e.schemaPath.includes('/oneOf/')) continue;
        const c = causeOf(e);
        if (c && !out.some((o) => o.field === c.field && o.message === c.message)) out.push(c);
      }
    }
    // a value of the wrong type gets that one cause, as kube-openapi stops there (no enum or bounds on it)
    const mistyped = new Set(out.filter((c) => c.reason === 'FieldValueTypeInvalid').map((c) => c.field));
    for (let i = out.length - 1; i >= 0; i--) if (mistyped.has(out[i]?.field as string) && out[i]?.reason !== 'FieldValueTypeInvalid') out.splice(i, 1);
    listTypeCauses(body, this.body, '', out);
    embeddedCauses(body, this.body, '', out);
    // CEL rules run on values of the right shape only, as Kubernetes runs them after the schema's checks
    if (!out.length) ruleCauses(obj, old, this.schema, '', this.rulesOf, out);
    return out;
  }
}

let ajv: Ajv | undefined;
const sharedAjv = (): Ajv => (ajv ??= newAjv());

