// Structural checks against the kind's JSON Schema: value types (with ajv, one compiled validator per kind) and, for
// strict field validation, fields the schema does not know.
import { Ajv, type AnySchemaObject, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { KindInfo } from '../../lib/api/kinds.js';
import { packageRoot } from '../../lib/util/package-root.js';
import { INT_OR_STRING, QUANTITY, REF_PREFIX, components, schemaNameFor, type Schema } from '../../lib/api/schema/index.js';
import { isObj, typeInvalid, unknownField, type FieldCause } from './field.js';

type AjvNode = AnySchemaObject;

/** The schema as ajv needs it: types only (nulls allowed, as Kubernetes' decoder ignores them), no annotations. */
function toAjv(s: Schema, name?: string): AjvNode {
  if (name === INT_OR_STRING || (!s.$ref && s['x-kubernetes-int-or-string'])) return { type: ['integer', 'string', 'null'] };
  if (name === QUANTITY) return { type: ['string', 'number', 'null'] };
  if (s.$ref) return { $ref: s.$ref };
  if (s['x-kubernetes-preserve-unknown-fields']) return s.type ? { type: [s.type, 'null'] } : {};
  const out: AjvNode = {};
  if (s.type) out.type = [s.type, 'null'];
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toAjv(v)]));
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = toAjv(s.additionalProperties);
  if (s.items) out.items = toAjv(s.items);
  return out;
}

/** The id of the one schema document holding every component: each kind's validator refers into it. */
export const COMPONENTS_ID = 'flotilla:components';
/** ajv's options, the same for the validators compiled at build time and at run time. */
export const AJV_OPTIONS: Options = { allErrors: true, strict: false, validateFormats: false, validateSchema: false };

let doc: { schema: AnySchemaObject; hash: string } | undefined;
/**
 * The document every validator refers into (each component's types, as `toAjv` makes them) and a hash of it: a
 * validator compiled at build time is used only if it was compiled from a document with this hash.
 */
export function componentsDocument(): { schema: AnySchemaObject; hash: string } {
  if (!doc) {
    const schema = { $id: COMPONENTS_ID, components: { schemas: Object.fromEntries(Object.entries(components()).map(([n, s]) => [n, toAjv(s, n)])) } };
    doc = { schema, hash: createHash('sha256').update(JSON.stringify(schema)).digest('hex') };
  }
  return doc;
}

/** The ref a component's validator is compiled from. */
export const componentRef = (schemaName: string): string => COMPONENTS_ID + REF_PREFIX + schemaName;

/** Where the build (scripts/validators.mjs) writes every component's validator, compiled ahead of time. */
export const PRECOMPILED_PATH = join('dist', 'validators', 'components.cjs');

let precompiled: Map<string, ValidateFunction> | undefined;
/**
 * The validators the build compiled (the Pod's alone takes ajv about 0.7 s of CPU to compile, which an API server
 * paid on its first pod after every start), if the build saw the same schemas as this process; none otherwise (a
 * build older than the code), and each kind's validator is then compiled here on first use, as before.
 */
export function precompiledValidators(): Map<string, ValidateFunction> {
  if (!precompiled) {
    precompiled = new Map();
    try {
      type Built = { hash: string; names: string[] } & Record<string, ValidateFunction>;
      const m = createRequire(import.meta.url)(join(packageRoot(import.meta.url), PRECOMPILED_PATH)) as Built;
      if (m.hash === componentsDocument().hash) m.names.forEach((n, i) => precompiled?.set(n, m[`v${i}`]));
    } catch {
      // not built: compiled on first use
    }
  }
  return precompiled;
}

let ajv: Ajv | undefined;
/** A component's validator compiled in this process (what the build does ahead of time, for every component). */
export function compileValidator(schemaName: string): ValidateFunction {
  if (!ajv) {
    ajv = new Ajv(AJV_OPTIONS);
    // one document, added once: a component's compiled code is then shared by every kind that reaches it, instead
    // of each kind's validator compiling its whole tree again (Pod, Deployment, StatefulSet, ... all reach PodSpec)
    ajv.addSchema(componentsDocument().schema);
  }
  return ajv.compile({ $ref: componentRef(schemaName) });
}

const validators = new Map<string, ValidateFunction>();
function validatorFor(schemaName: string): ValidateFunction {
  let v = validators.get(schemaName);
  if (!v) {
    v = precompiledValidators().get(schemaName) ?? compileValidator(schemaName);
    validators.set(schemaName, v);
  }
  return v;
}

/** JSON type name of a value, as Kubernetes' schema validator names it. */
export function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** A field path (`spec.containers[0].image`) for a JSON pointer into `root`. */
export function fieldPathOf(pointer: string, root: unknown): string {
  let path = '';
  let cur: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      path += `[${seg}]`;
      cur = cur[Number(seg)];
    } else {
      path = path ? `${path}.${seg}` : seg;
      cur = isObj(cur) ? cur[seg] : undefined;
    }
  }
  return path;
}

function valueAt(pointer: string, root: unknown): unknown {
  let cur: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = Array.isArray(cur) ? cur[Number(seg)] : isObj(cur) ? cur[seg] : undefined;
  }
  return cur;
}

/** Type mismatches, one cause per field, worded as Kubernetes words schema type errors. */
export function typeErrors(schemaName: string, obj: unknown): FieldCause[] {
  const validate = validatorFor(schemaName);
  if (validate(obj)) return [];
  const seen = new Set<string>();
  const out: FieldCause[] = [];
  for (const e of (validate.errors ?? []) as ErrorObject[]) {
    if (e.keyword !== 'type' || seen.has(e.instancePath)) continue;
    seen.add(e.instancePath);
    const field = fieldPathOf(e.instancePath, obj);
    const expected = (Array.isArray(e.params.type) ? e.params.type : String(e.params.type).split(',')).filter((t: string) => t !== 'null').join(',');
    const actual = jsonTypeName(valueAt(e.instancePath, obj));
    out.push(typeInvalid(field, actual, `${field} in body must be of type ${expected}: "${actual}"`));
  }
  return out;
}

function deref(node: Schema | undefined, all: Readonly<Record<string, Schema>>): Schema | undefined {
  let n = node;
  for (let i = 0; n && i < 16; i++) {
    if (n.$ref) n = all[n.$ref.slice(REF_PREFIX.length)];
    else if (n.allOf?.length === 1 && !n.properties) n = n.allOf[0];
    else break;
  }
  return n;
}

function walkUnknown(value: unknown, schema: Schema | undefined, path: string, all: Readonly<Record<string, Schema>>, out: FieldCause[]): void {
  const s = deref(schema, all);
  if (!s || s['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (s.items) value.forEach((v, i) => walkUnknown(v, s.items, `${path}[${i}]`, all, out));
    return;
  }
  if (!isObj(value)) return;
  const extra = s.additionalProperties;
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    const prop = s.properties?.[k];
    if (prop) walkUnknown(v, prop, p, all, out);
    else if (extra && typeof extra === 'object') walkUnknown(v, extra, p, all, out);
    else if (!extra && s.properties) out.push(unknownField(p));
  }
}

/** Fields the schema does not define (outside maps and free-form parts), as strict decoding reports them. */
export function unknownFields(schemaName: string, obj: unknown): FieldCause[] {
  const all = components();
  const out: FieldCause[] = [];
  walkUnknown(obj, all[schemaName], '', all, out);
  return out;
}

export const schemaOfKind = (kind: KindInfo): string => schemaNameFor(kind);
