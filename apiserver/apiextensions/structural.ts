// Kubernetes' structural schema rules for a CRD version's openAPIV3Schema: every object field names its type, the root
// is an object, metadata may restrict only name and generateName, no `$ref`, `additionalProperties: false`,
// `uniqueItems: true`, and the extensions are used as they must be. A non-structural schema is refused with the
// messages Kubernetes gives. CEL rules (x-kubernetes-validations) must compile (cel.ts).
import { forbidden, invalid, notSupported, required, type FieldCause } from '../validation/field.js';
import { compileRules } from './cel.js';

type Node = Record<string, unknown>;
const isObj = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const VALUE_VALIDATIONS = ['allOf', 'anyOf', 'oneOf', 'not'];

/** Every structural-schema problem of a version's openAPIV3Schema at `path`. */
export function structuralCauses(schema: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (!isObj(schema)) {
    out.push(required(path, 'schemas are required'));
    return out;
  }
  if (schema.type === undefined || schema.type === '') out.push(required(`${path}.type`, 'must not be empty at the root'));
  else if (schema.type !== 'object') out.push(invalid(`${path}.type`, schema.type, 'must be object at the root'));
  walk(schema, path, out, { root: true, inValueValidation: false });
  return out;
}

function walk(s: Node, path: string, out: FieldCause[], at: { root: boolean; inValueValidation: boolean }): void {
  if (s.$ref !== undefined) out.push(forbidden(`${path}.$ref`, '$ref is not supported'));
  if (s['x-kubernetes-validations'] !== undefined) out.push(...compileRules(s['x-kubernetes-validations'], `${path}.x-kubernetes-validations`).causes);
  if (s.pattern !== undefined) {
    try {
      new RegExp(String(s.pattern), 'u');
    } catch (e) {
      out.push(invalid(`${path}.pattern`, s.pattern, `must be a valid regular expression, but isn't: ${(e as Error).message}`));
    }
  }
  if (s.uniqueItems === true) out.push(forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s.additionalProperties === false) out.push(forbidden(`${path}.additionalProperties`, 'additionalProperties cannot be set to false'));
  if (s['x-kubernetes-preserve-unknown-fields'] === false) out.push(invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  if (s.type !== undefined && (typeof s.type !== 'string' || !TYPES.includes(s.type))) out.push(notSupported(`${path}.type`, s.type, TYPES));
  if (isObj(s.additionalProperties) && isObj(s.properties)) out.push(forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  if (intOrString && s.type !== undefined && !at.inValueValidation) out.push(invalid(`${path}.type`, s.type, 'must be empty to be structural'));
  if (s['x-kubernetes-embedded-resource'] === true) {
    if (s.type !== 'object') out.push(invalid(`${path}.type`, s.type ?? '', 'must be object if x-kubernetes-embedded-resource is true'));
    if (!isObj(s.properties) && s['x-kubernetes-preserve-unknown-fields'] !== true) {
      out.push(required(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
    }
  }
  const listType = s['x-kubernetes-list-type'];
  if (listType !== undefined) {
    if (!['atomic', 'set', 'map'].includes(String(listType))) out.push(notSupported(`${path}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
    if (s.type !== 'array') out.push(invalid(`${path}.type`, s.type ?? '', 'must be array if x-kubernetes-list-type is specified'));
    if (listType === 'map') {
      const keys = s['x-kubernetes-list-map-keys'];
      const items = isObj(s.items) ? s.items : undefined;
      if (!Array.isArray(keys) || !keys.length) out.push(required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
      if (items?.type !== 'object') out.push(invalid(`${path}.items.type`, items?.type ?? '', 'must be object if parent array\'s x-kubernetes-list-type is map'));
      else if (Array.isArray(keys)) {
        const itemProps = isObj(items.properties) ? items.properties : {};
        const req = Array.isArray(items.required) ? items.required : [];
        for (const k of keys) {
          const kp = itemProps[String(k)];
          if (!isObj(kp)) out.push(required(`${path}.items.properties[${String(k)}]`, 'entries for x-kubernetes-list-map-keys must be properties of the items'));
          else if (!req.includes(k) && kp.default === undefined) out.push(required(`${path}.items.properties[${String(k)}]`, 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
        }
      }
    }
  }
  if (Array.isArray(s.items)) out.push(forbidden(`${path}.items`, 'items must be a schema object and not an array'));
  if (s.type === 'array' && !isObj(s.items) && !at.inValueValidation) out.push(required(`${path}.items`, 'must be specified'));

  if (isObj(s.properties)) {
    for (const [name, ps] of Object.entries(s.properties)) {
      const p = `${path}.properties[${name}]`;
      if (!isObj(ps)) {
        out.push(invalid(p, ps, 'must be a schema object'));
        continue;
      }
      if (!at.inValueValidation && (ps.type === undefined || ps.type === '') && ps['x-kubernetes-int-or-string'] !== true && ps['x-kubernetes-preserve-unknown-fields'] !== true) {
        out.push(required(`${p}.type`, 'must not be empty for specified object fields'));
      }
      if (at.root && name === 'metadata' && isObj(ps.properties)) {
        const extra = Object.keys(ps.properties).filter((k) => k !== 'name' && k !== 'generateName');
        if (extra.length) out.push(forbidden(p, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
      }
      walk(ps, p, out, { root: false, inValueValidation: at.inValueValidation });
    }
  }
  if (isObj(s.items)) {
    const items = s.items;
    if (!at.inValueValidation && (items.type === undefined || items.type === '') && items['x-kubernetes-int-or-string'] !== true && items['x-kubernetes-preserve-unknown-fields'] !== true) {
      out.push(required(`${path}.items.type`, 'must not be empty for specified array items'));
    }
    walk(items, `${path}.items`, out, { root: false, inValueValidation: at.inValueValidation });
  }
  if (isObj(s.additionalProperties)) walk(s.additionalProperties, `${path}.additionalProperties`, out, { root: false, inValueValidation: at.inValueValidation });
  for (const v of VALUE_VALIDATIONS) {
    const branches = v === 'not' ? (isObj(s.not) ? [s.not] : []) : Array.isArray(s[v]) ? (s[v] as unknown[]) : [];
    branches.forEach((b, i) => {
      if (!isObj(b)) return;
      const bp = v === 'not' ? `${path}.not` : `${path}.${v}[${i}]`;
      for (const f of ['default', 'nullable', 'description', 'title', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource']) {
        if (b[f] !== undefined) out.push(forbidden(`${bp}.${f}`, 'must be undefined to be structural'));
      }
      walk(b, bp, out, { root: false, inValueValidation: true });
    });
  }
}
