// An etcd-backed allocator over a range of values (service IPs, node ports), in the shape of Kubernetes 1.31's
// IPAddress objects: every allocated value is one record under its own key, created only if the key is absent. Two
// creates racing for one value (in one API server or in several) can't both win, a restart loses nothing, and two
// allocations of different values never contend, unlike one shared bitmap rewritten on every allocation. Each record
// names the object holding it (its parentRef), so the repair loop (repair.ts) can free what a crash leaked.
import type { KubeObject } from '../../../lib/api/types.js';

/** The part of the storage (storage/etcd.ts) the allocator writes through: every write is conditional. */
export interface AllocationStorage {
  get(key: string): Promise<{ obj: KubeObject; rev: number } | undefined>;
  create(key: string, obj: KubeObject): Promise<{ ok: boolean }>;
  delete(key: string, expectedRev: number): Promise<{ ok: boolean }>;
  list(prefix: string, opts?: { startKey?: string; limit?: number }): Promise<{ items: { key: string; obj: KubeObject; rev: number }[]; more: boolean }>;
}

/** Who holds a value: the Service (namespace, name and uid, so a recreated Service of the same name is another). */
export interface ParentRef {
  resource: string;
  namespace: string;
  name: string;
  uid: string;
}

/** One allocated value as stored. */
export interface Allocation {
  value: string;
  parent: ParentRef;
  rev: number;
}

export class NotInRangeError extends Error {}
export class AllocatedError extends Error {}
export class RangeFullError extends Error {}

export interface RangeAllocatorOptions {
  storage: AllocationStorage;
  /** Key prefix of the records, ending in '/', e.g. /registry/flotilla.io/allocations/serviceips/. */
  prefix: string;
  /** How many values the range holds; values are addressed by offset 0..size-1. */
  size: number;
  valueAt(offset: number): string;
  offsetOf(value: string): number | undefined;
  /** "the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12" */
  notInRange(value: string): string;
  /** "provided IP is already allocated" */
  allocatedMessage: string;
  random?: () => number;
}

const RECORD_KIND = { apiVersion: 'flotilla.dev/v1', kind: 'Allocation' } as const;

/**
 * Kubernetes' split of a range: the first min(max(16, size/16), 256) values are the static band, preferred for
 * values users ask for (10.96.0.10 for DNS); dynamic allocation takes from above it first, and from it only when the
 * rest is full, so a requested low address is rarely already taken by a random one.
 */
export function staticBandSize(size: number): number {
  return Math.min(Math.max(16, Math.floor(size / 16)), 256, size);
}

export class RangeAllocator {
  /** Offsets seen allocated (by a lost race or a full listing), so random picks avoid them; may be stale. */
  private readonly seenTaken = new Set<number>();
  private readonly random: () => number;

  constructor(private readonly o: RangeAllocatorOptions) {
    this.random = o.random ?? Math.random;
  }

  private key(value: string): string {
    return this.o.prefix + encodeURIComponent(value);
  }

  private record(value: string, parent: ParentRef): KubeObject {
    return { ...RECORD_KIND, metadata: { name: value }, parentRef: parent };
  }

  /** Checks that `value` is in the range (NotInRangeError otherwise) and returns it in canonical form. */
  canonical(value: string): string {
    const off = this.o.offsetOf(value);
    if (off === undefined) throw new NotInRangeError(this.o.notInRange(value));
    return this.o.valueAt(off);
  }

  /**
   * Allocates a requested value for `parent`. A value this same parent already holds counts as allocated to it (a
   * retried write). With dryRun nothing is written, only checked.
   */
  async allocate(value: string, parent: ParentRef, dryRun = false): Promise<string> {
    const v = this.canonical(value);
    if (dryRun) {
      const cur = await this.o.storage.get(this.key(v));
      if (cur && !sameParent(cur.obj, parent)) throw new AllocatedError(this.o.allocatedMessage);
      return v;
    }
    const res = await this.o.storage.create(this.key(v), this.record(v, parent));
    if (res.ok) return v;
    const cur = await this.o.storage.get(this.key(v));
    if (cur && sameParent(cur.obj, parent)) return v;
    this.seenTaken.add(this.o.offsetOf(v) as number);
    throw new AllocatedError(this.o.allocatedMessage);
  }

  /** Allocates any free value for `parent` (RangeFullError when none is left). With dryRun: a free value, unwritten. */
  async allocateNext(parent: ParentRef, dryRun = false): Promise<string> {
    const size = this.o.size;
    const band = staticBandSize(size);
    // A few random picks first: in a range mostly free they nearly always succeed at once.
    for (let i = 0; i < 8; i++) {
      const off = band < size ? band + Math.floor(this.random() * (size - band)) : Math.floor(this.random() * size);
      if (this.seenTaken.has(off)) continue;
      const got = await this.tryOffset(off, parent, dryRun);
      if (got) return got;
    }
    // Crowded: learn what is taken from storage, then walk the free values from a random point (upper band first).
    await this.refreshTaken();
    const order = [[band, size], [0, band]] as const;
    for (const [from, to] of order) {
      const span = to - from;
      if (span <= 0) continue;
      const start = Math.floor(this.random() * span);
      for (let i = 0; i < span; i++) {
        const off = from + ((start + i) % span);
        if (this.seenTaken.has(off)) continue;
        const got = await this.tryOffset(off, parent, dryRun);
        if (got) return got;
      }
    }
    throw new RangeFullError('range is full');
  }

  private async tryOffset(off: number, parent: ParentRef, dryRun: boolean): Promise<string | undefined> {
    const v = this.o.valueAt(off);
    if (dryRun) {
      if (!(await this.o.storage.get(this.key(v)))) return v;
    } else if ((await this.o.storage.create(this.key(v), this.record(v, parent))).ok) {
      return v;
    }
    this.seenTaken.add(off);
    return undefined;
  }

  private async refreshTaken(): Promise<void> {
    this.seenTaken.clear();
    for (const a of await this.list()) {
      const off = this.o.offsetOf(a.value);
      if (off !== undefined) this.seenTaken.add(off);
    }
  }

  /** Frees `value` if `parent` (when given: the same uid) holds it. Returns whether a record was deleted. */
  async release(value: string, parent?: Pick<ParentRef, 'uid'>): Promise<boolean> {
    const off = this.o.offsetOf(value);
    if (off === undefined) return false;
    const key = this.key(this.o.valueAt(off));
    for (let attempt = 0; attempt < 3; attempt++) {
      const cur = await this.o.storage.get(key);
      if (!cur) return false;
      if (parent && parentOf(cur.obj)?.uid !== parent.uid) return false;
      if ((await this.o.storage.delete(key, cur.rev)).ok) {
        this.seenTaken.delete(off);
        return true;
      }
    }
    return false;
  }

  /** Frees a record only if it is still the one listed (same revision): the repair loop's leak cleanup. */
  async releaseIfUnchanged(a: Allocation): Promise<boolean> {
    const off = this.o.offsetOf(a.value);
    if (off === undefined) return false;
    const ok = (await this.o.storage.delete(this.key(this.o.valueAt(off)), a.rev)).ok;
    if (ok) this.seenTaken.delete(off);
    return ok;
  }

  /** Every allocated value with its holder. */
  async list(): Promise<Allocation[]> {
    const out: Allocation[] = [];
    let startKey: string | undefined;
    for (;;) {
      const page = await this.o.storage.list(this.o.prefix, { startKey, limit: 1000 });
      for (const item of page.items) {
        const parent = parentOf(item.obj);
        if (parent) out.push({ value: item.obj.metadata.name ?? '', parent, rev: item.rev });
      }
      const last = page.items[page.items.length - 1];
      if (!page.more || !last) return out;
      startKey = last.key + '\0';
    }
  }
}

function parentOf(obj: KubeObject): ParentRef | undefined {
  const p = obj.parentRef as Partial<ParentRef> | undefined;
  if (!p || typeof p.uid !== 'string' || typeof p.name !== 'string') return undefined;
  return { resource: p.resource ?? '', namespace: p.namespace ?? '', name: p.name, uid: p.uid };
}

function sameParent(obj: KubeObject, parent: ParentRef): boolean {
  return parentOf(obj)?.uid === parent.uid;
}
