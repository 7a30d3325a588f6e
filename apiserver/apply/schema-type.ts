// What server-side apply needs of a schema, read once per schema node and kept: is a value a struct or map (and is it
// atomic), a list (atomic, set, or a map keyed by x-kubernetes-list-map-keys), or a scalar. Built-in kinds and
// custom resources share it: both are OpenAPI v3 schemas whose extensions sit on a property's own schema (beside its
// `$ref`), inside an `allOf` wrapper, or on the named schema itself. A value without a schema (preserved unknown
// fields) is "deduced" as Kubernetes does: objects are granular maps, lists are atomic.
import { getOwn } from '../../lib/api/own.js';
import { deref, type SchemaNode, type SchemaResolver } from '../../lib/api/patch/schema.js';

export type ListType = 'atomic' | 'set' | 'map';

export interface ApplyType {
  readonly kind: 'object' | 'list' | 'scalar' | 'deduced';
  /** Objects: replaced whole (x-kubernetes-map-type: atomic, or a struct marked so). */
  readonly atomic: boolean;
  /** Lists: how their items merge; `atomic` when the schema does not say. */
  readonly listType: ListType;
  /** Lists of type map: the fields naming an item. */
  readonly keys: readonly string[];
  /** The type of a field of this object (a deduced type when the schema does not know it). */
  field(name: string): ApplyType;
  /** The type of this list's items. */
  readonly items: ApplyType;
  /** A key field's default, for items that leave it out (a port's protocol is TCP). */
  keyDefault(name: string): unknown;
}

const MAX_DEPTH = 32;

/** Reads types out of one schema document (the built-in components, or a CRD version's own plus them). */
export class TypeReader {
  private readonly cache = new WeakMap<SchemaNode, ApplyType>();

  constructor(private readonly resolve: SchemaResolver) {}

  /** The type of a value described by `node` (a property's schema, `$ref` and extensions included). */
  typeOf(node: SchemaNode | undefined): ApplyType {
    if (!node) return DEDUCED;
    const hit = this.cache.get(node);
    if (hit) return hit;
    const t = this.build(node);
    this.cache.set(node, t);
    return t;
  }

  private build(prop: SchemaNode): ApplyType {
    const carriers = this.carriers(prop);
    const ext = (name: string): unknown => {
      for (const c of carriers) if (c[name] !== undefined) return c[name];
      return undefined;
    };
    const body = deref(prop, this.resolve);
    const type = carriers.map((c) => c.type).find((t) => typeof t === 'string');
    const isList = type === 'array' || carriers.some((c) => c.items !== undefined);
    if (isList) {
      const lt = ext('x-kubernetes-list-type');
      const keys = ext('x-kubernetes-list-map-keys');
      const itemsNode = carriers.map((c) => c.items).find((i) => i !== undefined);
      const reader = this;
      let items: ApplyType | undefined;
      const itemProps = this.properties(itemsNode);
      return {
        kind: 'list', atomic: false,
        listType: lt === 'set' || lt === 'map' ? lt : 'atomic',
        keys: Array.isArray(keys) ? keys.map(String) : [],
        field: () => DEDUCED,
        get items(): ApplyType { return (items ??= reader.typeOf(itemsNode)); },
        keyDefault: (name) => {
          const p = itemProps.get(name);
          return p ? this.carriers(p).map((c) => c.default).find((d) => d !== undefined) : undefined;
        },
      };
    }
    const isObject = type === 'object' || carriers.some((c) => c.properties !== undefined || c.additionalProperties !== undefined);
    if (!isObject) {
      // int-or-string, quantities, plain scalars; a schema-less node with preserve-unknown-fields is deduced
      if (!type && (ext('x-kubernetes-preserve-unknown-fields') === true || !body || Object.keys(body).every((k) => k === 'description'))) return DEDUCED;
      return SCALAR;
    }
    const props = this.properties(prop);
    const additional = carriers.map((c) => c.additionalProperties).find((a) => typeof a === 'object') as SchemaNode | undefined;
    const fields = new Map<string, ApplyType>();
    const atomic = ext('x-kubernetes-map-type') === 'atomic';
    const reader = this;
    return {
      kind: 'object', atomic, listType: 'atomic', keys: [],
      field(name: string): ApplyType {
        let t = fields.get(name);
        if (!t) {
          const p = props.get(name) ?? additional;
          t = reader.typeOf(p);
          fields.set(name, t);
        }
        return t;
      },
      items: DEDUCED,
      keyDefault: () => undefined,
    };
  }

  /** The node, its `allOf` members and what its `$ref`s point at: every place an extension may sit. */
  private carriers(node: SchemaNode | undefined, depth = 0, out: SchemaNode[] = []): SchemaNode[] {
    if (!node || depth > MAX_DEPTH) return out;
    out.push(node);
    if (node.$ref) this.carriers(this.resolve(node.$ref), depth + 1, out);
    for (const m of node.allOf ?? []) this.carriers(m, depth + 1, out);
    return out;
  }

  private properties(node: SchemaNode | undefined): Map<string, SchemaNode> {
    const out = new Map<string, SchemaNode>();
    for (const c of this.carriers(node)) {
      if (!c.properties) continue;
      for (const k of Object.keys(c.properties)) {
        const p = getOwn(c.properties, k) as SchemaNode | undefined;
        if (p && !out.has(k)) out.set(k, p);
      }
    }
    return out;
  }
}

/** What a value without a schema is: objects are granular maps of deduced values, lists atomic. */
export const DEDUCED: ApplyType = {
  kind: 'deduced', atomic: false, listType: 'atomic', keys: [],
  field: () => DEDUCED,
  get items(): ApplyType { return DEDUCED; },
  keyDefault: () => undefined,
};

const SCALAR: ApplyType = {
  kind: 'scalar', atomic: true, listType: 'atomic', keys: [],
  field: () => DEDUCED,
  items: DEDUCED,
  keyDefault: () => undefined,
};
