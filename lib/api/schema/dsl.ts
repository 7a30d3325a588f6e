// A small vocabulary for writing the API's JSON Schemas (the OpenAPI v3 flavour Kubernetes publishes) in TypeScript.
// Named schemas are referenced as `#/components/schemas/NAME`; extensions (merge keys, list types, int-or-string)
// always sit on the schema of the property itself, next to its `$ref` when it has one.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface GroupVersionKind {
  group: string;
  kind: string;
  version: string;
}

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

export interface Schema {
  $ref?: string;
  type?: SchemaType;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  enum?: JsonValue[];
  default?: JsonValue;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-unions'?: JsonValue[];
}

export const REF_PREFIX = '#/components/schemas/';

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const CORE = 'io.k8s.api.core.v1.';
export const APPS = 'io.k8s.api.apps.v1.';
export const COORDINATION = 'io.k8s.api.coordination.v1.';
export const AUTOSCALING = 'io.k8s.api.autoscaling.v1.';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

function described(s: Schema, description?: string): Schema {
  return description ? { ...s, description } : s;
}

export const str = (description?: string): Schema => described({ type: 'string' }, description);
export const int32 = (description?: string): Schema => described({ type: 'integer', format: 'int32' }, description);
export const int64 = (description?: string): Schema => described({ type: 'integer', format: 'int64' }, description);
export const num = (description?: string): Schema => described({ type: 'number', format: 'double' }, description);
export const bool = (description?: string): Schema => described({ type: 'boolean' }, description);
/** Base64-encoded bytes. */
export const bytes = (description?: string): Schema => described({ type: 'string', format: 'byte' }, description);

/** A string restricted to the given values (published sorted, as Kubernetes does). */
export function enumStr(values: string[], description?: string): Schema {
  return described({ type: 'string', enum: [...values].sort() }, description);
}

/** A reference to a named schema. */
export function ref(name: string, description?: string): Schema {
  return described({ $ref: REF_PREFIX + name }, description);
}

export const metaRef = (name: string, description?: string): Schema => ref(META + name, description);
export const coreRef = (name: string, description?: string): Schema => ref(CORE + name, description);
export const timeRef = (description?: string): Schema => ref(META + 'Time', description);
export const microTimeRef = (description?: string): Schema => ref(META + 'MicroTime', description);

/** An int-or-string field (ports by number or name, percentages). */
export function intOrString(description?: string): Schema {
  return { ...ref(INT_OR_STRING, description), 'x-kubernetes-int-or-string': true };
}

/** A resource quantity such as `500m` or `1Gi` (a string, or a plain number). */
export const quantity = (description?: string): Schema => ref(QUANTITY, description);

/** A map from resource name to quantity. */
export const resourceList = (description?: string): Schema => map(ref(QUANTITY), description);

/** A plain list; `atomic` unless told otherwise. */
export function arr(items: Schema, description?: string, listType: 'atomic' | 'set' | null = 'atomic'): Schema {
  const s: Schema = described({ type: 'array', items }, description);
  if (listType) s['x-kubernetes-list-type'] = listType;
  return s;
}

/**
 * A list of objects keyed by some of their fields: merged by `mergeKey` in strategic merge patches and treated as a
 * map keyed by `mapKeys` by server-side apply.
 */
export function mergeList(items: Schema, description: string, mergeKey: string, mapKeys: string[] = [mergeKey], strategy = 'merge'): Schema {
  return {
    ...arr(items, description, null),
    'x-kubernetes-list-map-keys': mapKeys,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': mergeKey,
    'x-kubernetes-patch-strategy': strategy,
  };
}

/** A list of scalars merged as a set. */
export function mergeSet(items: Schema, description: string): Schema {
  return { ...arr(items, description, 'set'), 'x-kubernetes-patch-strategy': 'merge' };
}

/** A list keyed by `mapKeys` for server-side apply, replaced whole by strategic merge patches. */
export function keyedList(items: Schema, description: string, mapKeys: string[]): Schema {
  return { ...arr(items, description, null), 'x-kubernetes-list-map-keys': mapKeys, 'x-kubernetes-list-type': 'map' };
}

/** A map from string keys to values of one schema. */
export function map(values: Schema, description?: string, atomic = false): Schema {
  const s: Schema = described({ type: 'object', additionalProperties: values }, description);
  if (atomic) s['x-kubernetes-map-type'] = 'atomic';
  return s;
}

export const stringMap = (description?: string, atomic = false): Schema => map(str(), description, atomic);

export interface ObjOptions {
  required?: string[];
  /** The struct is replaced whole by apply and merge (`x-kubernetes-map-type: atomic`). */
  atomic?: boolean;
  extra?: Partial<Schema>;
}

/** An object with known properties. */
export function obj(description: string, properties: Record<string, Schema>, opts: ObjOptions = {}): Schema {
  const s: Schema = { description, type: 'object', properties };
  if (opts.required?.length) s.required = opts.required;
  if (opts.atomic) s['x-kubernetes-map-type'] = 'atomic';
  return opts.extra ? { ...s, ...opts.extra } : s;
}

/** Adds or overrides keywords on a schema. */
export function withExt(s: Schema, extra: Partial<Schema>): Schema {
  return { ...s, ...extra };
}

export function gvk(group: string, version: string, kind: string): GroupVersionKind {
  return { group, kind, version };
}

/** Properties every top-level kind starts with. */
export function typeMeta(): Record<string, Schema> {
  return {
    apiVersion: str('Versioned schema of this representation of the object, e.g. `v1` or `apps/v1`.'),
    kind: str('Kind of REST resource this object represents, in CamelCase. Cannot be updated.'),
  };
}

/** A top-level kind: TypeMeta, metadata and the given body, tagged with its group/version/kind. */
export function kindSchema(description: string, k: GroupVersionKind, body: Record<string, Schema>, required: string[] = []): Schema {
  return obj(
    description,
    { ...typeMeta(), metadata: metaRef('ObjectMeta', "Standard object metadata: name, namespace, labels, annotations and so on."), ...body },
    { required, extra: { 'x-kubernetes-group-version-kind': [k] } },
  );
}
