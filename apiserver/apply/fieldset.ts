// A set of field paths, as server-side apply records who owns what: a tree whose edges are path elements in
// Kubernetes' FieldsV1 spelling (`f:<field>`, `k:<json of the merge keys>` for an item of a map-keyed list,
// `v:<json>` for an item of a set, `i:<index>`), and whose nodes say whether the path itself is a member (`.`).
// The tree converts to and from the FieldsV1 JSON stored in metadata.managedFields without any other encoding.

export class FieldSet {
  /** The path itself is in the set (FieldsV1 `.`; a leaf `{}` when the node has no children). */
  self = false;
  children: Map<string, FieldSet> | undefined;

  child(pe: string): FieldSet {
    this.children ??= new Map();
    let c = this.children.get(pe);
    if (!c) {
      c = new FieldSet();
      this.children.set(pe, c);
    }
    return c;
  }

  get(pe: string): FieldSet | undefined {
    return this.children?.get(pe);
  }

  isEmpty(): boolean {
    if (this.self) return false;
    if (!this.children) return true;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** Drops empty branches (after removals), so the FieldsV1 form has no `{}` that isn't a member. */
  compact(): this {
    if (!this.children) return this;
    for (const [k, c] of this.children) {
      c.compact();
      if (!c.self && !c.children?.size) this.children.delete(k);
    }
    if (!this.children.size) this.children = undefined;
    return this;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.self = this.self;
    if (this.children) for (const [k, c] of this.children) out.child(k).merge(c);
    return out;
  }

  /** Adds every member of other into this set. */
  merge(other: FieldSet): this {
    if (other.self) this.self = true;
    if (other.children) for (const [k, c] of other.children) this.child(k).merge(c);
    return this;
  }

  union(other: FieldSet): FieldSet {
    return this.clone().merge(other);
  }

  /** Removes other's members from this set, in place (no copy of the parts other does not touch). */
  subtract(other: FieldSet): this {
    if (other.self) this.self = false;
    if (this.children && other.children) {
      for (const [k, o] of other.children) {
        const c = this.children.get(k);
        if (!c) continue;
        c.subtract(o);
        if (!c.self && !c.children?.size) this.children.delete(k);
      }
    }
    return this;
  }

  /** The members of this set that are not in other. */
  difference(other: FieldSet | undefined): FieldSet {
    const out = new FieldSet();
    out.self = this.self && !other?.self;
    if (this.children) {
      for (const [k, c] of this.children) {
        const d = c.difference(other?.get(k));
        if (!d.isEmpty()) out.child(k).merge(d);
      }
    }
    return out;
  }

  intersection(other: FieldSet | undefined): FieldSet {
    const out = new FieldSet();
    if (!other) return out;
    out.self = this.self && other.self;
    if (this.children && other.children) {
      for (const [k, c] of this.children) {
        const o = other.children.get(k);
        if (!o) continue;
        const d = c.intersection(o);
        if (!d.isEmpty()) out.child(k).merge(d);
      }
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }

  /** Every member, as its list of path elements, in the tree's order. */
  members(prefix: string[] = [], out: string[][] = []): string[][] {
    if (this.self) out.push(prefix);
    if (this.children) for (const [k, c] of this.children) c.members([...prefix, k], out);
    return out;
  }

  /** The FieldsV1 JSON: members without children are `{}`, members with children carry `".": {}`. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.self && this.children?.size) out['.'] = {};
    if (this.children) {
      for (const k of [...this.children.keys()].sort()) {
        const c = this.children.get(k) as FieldSet;
        if (!c.isEmpty()) out[k] = c.toFieldsV1();
      }
    }
    return out;
  }

  /** Reads FieldsV1 JSON; throws on anything that is not one (a client may write managedFields itself). */
  static fromFieldsV1(v: unknown, depth = 0): FieldSet {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || depth > 100) throw new Error('FieldsV1 must be a JSON object of path elements');
    const out = new FieldSet();
    const keys = Object.keys(v);
    if (keys.length === 0) {
      out.self = true;
      return out;
    }
    for (const k of keys) {
      const sub = (v as Record<string, unknown>)[k];
      if (k === '.') {
        out.self = true;
        continue;
      }
      if (!/^[fkvi]:/.test(k)) throw new Error(`unknown path element ${JSON.stringify(k)}`);
      out.child(k).merge(FieldSet.fromFieldsV1(sub, depth + 1));
    }
    return out;
  }
}

/** `f:<name>`, the path element of a field. */
export const fieldPE = (name: string): string => 'f:' + name;

/** `k:{...}`: an item of a map-keyed list, by its key fields in name order. */
export function keyPE(keys: ReadonlyArray<readonly [string, unknown]>): string {
  const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return 'k:{' + sorted.map(([k, v]) => JSON.stringify(k) + ':' + JSON.stringify(v)).join(',') + '}';
}

/** `v:<json>`: an item of a set. */
export const valuePE = (v: unknown): string => 'v:' + JSON.stringify(v);

/** A path as Kubernetes prints it in conflicts: `.spec.template.spec.containers[name="web"].image`. */
export function pathString(pes: readonly string[]): string {
  let out = '';
  for (const pe of pes) {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f': out += '.' + body; break;
      case 'i': out += `[${body}]`; break;
      case 'v': out += `[=${body}]`; break;
      case 'k': {
        try {
          const keys = JSON.parse(body) as Record<string, unknown>;
          out += '[' + Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',') + ']';
        } catch {
          out += `[${body}]`;
        }
        break;
      }
      default: out += pe;
    }
  }
  return out;
}
