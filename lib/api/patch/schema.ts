// How a strategic merge patch reads the kind's OpenAPI v3 schema: a field's patch strategy and merge key sit on
// the field's own schema (next to its `$ref`, or inside an `allOf` wrapper); the schema of the field's value is
// found by following `$ref` and looking through `allOf`; maps give every key their `additionalProperties` schema.
import { getOwn } from '../own.js';
import { PatchError } from './errors.js';

export interface SchemaNode {
  $ref?: string;
  type?: string;
  allOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  [keyword: string]: unknown;
}

export type SchemaResolver = (ref: string) => SchemaNode | undefined;

/** What the schema says about one field: its strategies (`merge`, `replace`, `retainKeys`) and merge key. */
export interface PatchMeta {
  strategies: string[];
  mergeKey: string;
}

/** A position in the schema: the (resolved) schema of the object or list element being merged, if known. */
export interface Cursor {
  node: SchemaNode | undefined;
  resolve: SchemaResolver;
}

const MAX_DEPTH = 32;

/** Follows `$ref`s and single-purpose `allOf` wrappers down to a schema with content. */
export function deref(node: SchemaNode | undefined, resolve: SchemaResolver): SchemaNode | undefined {
  let cur = node;
  for (let i = 0; cur && i < MAX_DEPTH; i++) {
    if (cur.$ref) cur = resolve(cur.$ref);
    else if (cur.allOf?.length && !cur.properties && !cur.items && cur.additionalProperties === undefined) cur = cur.allOf[0];
    else break;
  }
  return cur;
}

/** The schemas to search for a property: the node and, through them, its `allOf` members. */
function* layers(node: SchemaNode | undefined, resolve: SchemaResolver, depth = 0): Generator<SchemaNode> {
  const n = deref(node, resolve);
  if (!n || depth > MAX_DEPTH) return;
  yield n;
  for (const member of n.allOf ?? []) yield* layers(member, resolve, depth + 1);
}

function property(c: Cursor, key: string): SchemaNode | undefined {
  for (const layer of layers(c.node, c.resolve)) {
    const p = layer.properties ? getOwn(layer.properties, key) : undefined; // a body's `constructor` is no schema
    if (p) return p;
  }
  for (const layer of layers(c.node, c.resolve)) {
    if (typeof layer.additionalProperties === 'object') return layer.additionalProperties;
  }
  return undefined;
}

function metaOf(prop: SchemaNode | undefined): PatchMeta {
  const carriers = prop ? [prop, ...(prop.allOf ?? [])] : [];
  let strategy: string | undefined;
  let mergeKey: string | undefined;
  for (const c of carriers) {
    strategy ??= typeof c['x-kubernetes-patch-strategy'] === 'string' ? c['x-kubernetes-patch-strategy'] : undefined;
    mergeKey ??= typeof c['x-kubernetes-patch-merge-key'] === 'string' ? c['x-kubernetes-patch-merge-key'] : undefined;
  }
  return { strategies: strategy ? strategy.split(',') : [], mergeKey: mergeKey ?? '' };
}

/** A map-valued field: its patch metadata and the schema of its value. */
export function lookupStruct(c: Cursor, key: string): { meta: PatchMeta; sub: Cursor } {
  const prop = property(c, key);
  return { meta: metaOf(prop), sub: { node: deref(prop, c.resolve), resolve: c.resolve } };
}

/** A list-valued field: its patch metadata and the schema of its elements. */
export function lookupSlice(c: Cursor, key: string): { meta: PatchMeta; sub: Cursor } {
  const prop = property(c, key);
  let items: SchemaNode | undefined;
  for (const layer of layers(prop, c.resolve)) {
    items ??= layer.items;
  }
  return { meta: metaOf(prop), sub: { node: deref(items, c.resolve), resolve: c.resolve } };
}

/** The strategy other than `retainKeys` (which only matters to whoever builds the patch). */
export function strategyOf(meta: PatchMeta): string {
  const s = meta.strategies;
  if (s.length === 0) return '';
  if (s.length === 1) return s[0] === 'retainKeys' ? '' : (s[0] as string);
  if (s.length === 2 && s[0] === 'retainKeys') return s[1] as string;
  if (s.length === 2 && s[1] === 'retainKeys') return s[0] as string;
  throw new PatchError(`unexpected patch strategy: [${s.join(' ')}]`, 500);
}

/** The name Kubernetes uses for an element schema in "cannot merge lists without merge key for X". */
export function schemaName(c: Cursor): string {
  return typeof c.node?.type === 'string' && c.node.type ? c.node.type : 'Struct';
}
