// The three walks of server-side apply over parsed objects, each guided by the schema's types: the field set a
// value holds (what an applier owns), what changed between two versions of an object (what an update takes over
// and what it removed), and the merge of an applied configuration into the live object. Lists merge by their
// x-kubernetes-list-type: atomic lists are one value, sets by value, map lists by their list-map-keys.
import { getOwn, setOwn } from '../../lib/api/own.js';
import { deepEqual } from '../registry/meta.js';
import { FieldSet, fieldPE, keyPE, valuePE } from './fieldset.js';
import type { ApplyType } from './schema-type.js';

type Obj = Record<string, unknown>;

export class ApplyInputError extends Error {}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object whose fields are owned one by one (not an atomic struct or map). */
const granular = (t: ApplyType): boolean => (t.kind === 'object' || t.kind === 'deduced') && !t.atomic;

/** A list whose items are owned one by one. */
const itemized = (t: ApplyType): boolean => t.kind === 'list' && (t.listType === 'set' || (t.listType === 'map' && t.keys.length > 0));

/**
 * The path element of a list item: its merge keys (a key left out takes the schema's default, as a port's
 * protocol does) or its value. Undefined when the item cannot be named; `strict` (an applied configuration) makes
 * that an error instead, with Kubernetes' wording.
 */
export function itemPE(item: unknown, t: ApplyType, strict: boolean): string | undefined {
  if (t.listType === 'set') return valuePE(item);
  if (!isObj(item)) {
    if (strict) throw new ApplyInputError('associative list with keys has an element that is not a map');
    return undefined;
  }
  const keys: Array<[string, unknown]> = [];
  for (const k of t.keys) {
    let v = Object.hasOwn(item, k) ? item[k] : undefined;
    if (v === undefined || v === null) v = t.keyDefault(k);
    if (v === undefined || v === null) {
      if (strict) throw new ApplyInputError(`associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`);
      // Kubernetes names a live item that lacks an optional key by the keys it has
      continue;
    }
    keys.push([k, v]);
  }
  return keys.length ? keyPE(keys) : undefined;
}

/** Indexes a list's items by path element; undefined when an item has none (the list is then one value). */
function indexItems(list: unknown[], t: ApplyType, strict: boolean): Map<string, number> | undefined {
  const out = new Map<string, number>();
  for (let i = 0; i < list.length; i++) {
    const pe = itemPE(list[i], t, strict);
    if (pe === undefined) return undefined;
    if (out.has(pe)) {
      if (strict) throw new ApplyInputError(`duplicate entries for key ${pe.slice(2)}`);
      continue; // a live object may hold duplicates (written by update); the first one names the item
    }
    out.set(pe, i);
  }
  return out;
}

/**
 * Adds every path `v` holds into `node` (the node of v's own path). `added`: v is new in an update, at that depth;
 * the maps and lists it brings (below the top-level structs) are then members themselves, as Kubernetes records them.
 */
export function collect(v: unknown, t: ApplyType, node: FieldSet, strict = false, added?: number): void {
  const next = added === undefined ? undefined : added + 1;
  if (isObj(v) && granular(t)) {
    const keys = Object.keys(v);
    if (!keys.length || (added !== undefined && added > 1)) node.self = true; // an empty object is a value of its own
    for (const k of keys) collect(v[k], t.field(k), node.child(fieldPE(k)), strict, next);
    return;
  }
  if (Array.isArray(v) && itemized(t)) {
    if (!v.length || (added !== undefined && added > 1)) node.self = true;
    const index = indexItems(v, t, strict);
    if (!index) {
      node.self = true;
      return;
    }
    for (const [pe, i] of index) collectItem(v[i], t, node.child(pe), strict);
    return;
  }
  node.self = true;
}

/** A list item is a member itself (`.`) and, in a map list, so are its fields. */
function collectItem(item: unknown, t: ApplyType, node: FieldSet, strict: boolean): void {
  node.self = true;
  const it = t.items;
  if (t.listType === 'map' && isObj(item) && granular(it)) for (const k of Object.keys(item)) collect(item[k], it.field(k), node.child(fieldPE(k)), strict);
}

/** What an update did: the paths it set or changed, and the paths it removed. */
export interface Change {
  changed: FieldSet;
  removed: FieldSet;
}

/** Compares two versions of an object; `depth` 0 is the object itself, whose top-level structs never count as new. */
export function diff(a: unknown, b: unknown, t: ApplyType, ch: FieldSet, rm: FieldSet, depth = 0): void {
  if (a === undefined && b === undefined) return;
  if (a === undefined) {
    collect(b, t, ch, false, depth);
    return;
  }
  if (b === undefined) {
    rm.self = true;
    collect(a, t, rm);
    return;
  }
  if (isObj(a) && isObj(b) && granular(t)) {
    for (const k of Object.keys(b)) diffChild(a[k], b[k], t.field(k), ch, rm, fieldPE(k), depth + 1);
    for (const k of Object.keys(a)) if (!Object.hasOwn(b, k)) diffChild(a[k], undefined, t.field(k), ch, rm, fieldPE(k), depth + 1);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && itemized(t)) {
    const ia = indexItems(a, t, false);
    const ib = indexItems(b, t, false);
    if (ia && ib) {
      for (const [pe, j] of ib) {
        const i = ia.get(pe);
        if (i === undefined) collectItem(b[j], t, ch.child(pe), false);
        else if (t.listType === 'map') diffChild(a[i], b[j], t.items, ch, rm, pe, depth + 1, true);
      }
      for (const [pe, i] of ia) if (!ib.has(pe)) collectItem(a[i], t, rm.child(pe), false);
      return;
    }
  }
  if (!deepEqual(a, b)) {
    ch.self = true;
    if (isObj(b) && granular(t)) collect(b, t, ch);
  }
}

/** diff() one level down, leaving no empty nodes behind. `item`: a map list's item, compared field by field. */
function diffChild(a: unknown, b: unknown, t: ApplyType, ch: FieldSet, rm: FieldSet, pe: string, depth: number, item = false): void {
  if (a === b) return; // the common case: an unchanged scalar
  // an unchanged subtree is compared once, without building the field-set nodes a changed one needs
  if (typeof a === 'object' && typeof b === 'object' && deepEqual(a, b)) return;
  const c = ch.child(pe);
  const r = rm.child(pe);
  if (item && isObj(a) && isObj(b) && granular(t)) {
    for (const k of Object.keys(b)) diffChild(a[k], b[k], t.field(k), c, r, fieldPE(k), depth + 1);
    for (const k of Object.keys(a)) if (!Object.hasOwn(b, k)) diffChild(a[k], undefined, t.field(k), c, r, fieldPE(k), depth + 1);
  } else diff(a, b, t, c, r, depth);
  if (c.isEmpty()) ch.children?.delete(pe);
  if (r.isEmpty()) rm.children?.delete(pe);
}

/**
 * The applied configuration merged into the live object: fields of granular objects one by one, items of sets and
 * map lists by their key (live items first, in their order, then new ones in the configuration's), everything else
 * replaced. A null in the configuration removes the field. Returns a new value; `live` is not changed.
 */
export function merge(live: unknown, config: unknown, t: ApplyType): unknown {
  if (config === undefined) return live;
  if (isObj(config) && isObj(live) && granular(t)) {
    const out: Obj = { ...live };
    for (const k of Object.keys(config)) {
      const c = config[k];
      if (c === null) delete out[k];
      else setOwn(out, k, merge(getOwn(live, k), c, t.field(k))); // `__proto__` is a key like any other
    }
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live) && itemized(t)) {
    const ic = indexItems(config, t, true);
    const il = indexItems(live, t, false);
    if (ic && il) {
      const out = live.map((item, i) => {
        const pe = itemPE(item, t, false);
        const j = pe === undefined || il.get(pe) !== i ? undefined : ic.get(pe);
        return j === undefined ? item : t.listType === 'map' ? merge(item, config[j], t.items) : config[j];
      });
      for (const [pe, j] of ic) if (!il.has(pe)) out.push(config[j]);
      return out;
    }
  }
  if (isObj(config) && granular(t)) return stripNulls(config);
  return config;
}

function stripNulls(o: Obj): Obj {
  const out: Obj = {};
  for (const k of Object.keys(o)) if (o[k] !== null) setOwn(out, k, o[k]);
  return out;
}

/**
 * Removes from `v` the members of `remove` that nobody in `keep` owns, at or below them (a field another manager
 * set inside a list item keeps the item). Changes `v` in place; true when it removed anything.
 */
export function prune(v: unknown, t: ApplyType, remove: FieldSet, keep: FieldSet | undefined): boolean {
  if (!remove.children) return false;
  let removed = false;
  if (isObj(v) && granular(t)) {
    for (const [pe, r] of remove.children) {
      if (!pe.startsWith('f:')) continue;
      const k = pe.slice(2);
      if (!Object.hasOwn(v, k)) continue;
      const kept = keep?.get(pe);
      if (r.self && (!kept || kept.isEmpty())) {
        delete v[k];
        removed = true;
      } else if (prune(v[k], t.field(k), r, kept)) {
        removed = true;
        // a list or map emptied by the removal goes too (Kubernetes stores it as null, which is no field)
        const left = v[k];
        if ((Array.isArray(left) && !left.length) || (isObj(left) && !Object.keys(left).length)) delete v[k];
      }
    }
    return removed;
  }
  if (Array.isArray(v) && itemized(t)) {
    for (let i = v.length - 1; i >= 0; i--) {
      const pe = itemPE(v[i], t, false);
      const r = pe === undefined ? undefined : remove.get(pe);
      if (!r || pe === undefined) continue;
      const kept = keep?.get(pe);
      if (r.self && (!kept || kept.isEmpty())) {
        v.splice(i, 1);
        removed = true;
      } else if (t.listType === 'map') {
        const item = v[i];
        if (isObj(item)) removed = prune(item, t.items, stripSelf(r), kept) || removed;
      }
    }
  }
  return removed;
}

/** A list item's removal set without the item itself, to prune its fields (prune() handles objects' fields). */
function stripSelf(r: FieldSet): FieldSet {
  const out = r.clone();
  out.self = false;
  return out;
}
