// metadata.managedFields: who owns which fields of an object, one entry per field manager and operation (Apply, or
// Update per API version), with its subresource. Entries are decoded into field sets once per write and written
// back sorted as Kubernetes sorts them (Apply before Update, then oldest first, then by manager).
import type { KubeObject } from '../../lib/api/types.js';
import { FieldSet } from './fieldset.js';

export type Operation = 'Apply' | 'Update';

/** One entry of metadata.managedFields, as stored and served. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: Operation;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** An entry with its fields as a set. */
export interface Managed {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** The identity conflicts and updates key entries by: Update entries are per API version, Apply ones are not. */
export function identity(m: Pick<Managed, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify([m.manager, m.operation, m.operation === 'Update' ? m.apiVersion : '', m.subresource ?? '']);
}

/** Decodes managedFields; throws when they are not a valid list (the caller then falls back, as Kubernetes does). */
export function decodeManaged(raw: unknown): Managed[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new Error('managedFields must be a list');
  return raw.map((e: unknown, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new Error(`managedFields[${i}] must be an object`);
    const entry = e as ManagedFieldsEntry;
    if (entry.operation !== 'Apply' && entry.operation !== 'Update') throw new Error(`managedFields[${i}].operation must be Apply or Update`);
    if (entry.fieldsType !== 'FieldsV1') throw new Error(`managedFields[${i}].fieldsType must be FieldsV1`);
    const m: Managed = {
      manager: typeof entry.manager === 'string' ? entry.manager : '',
      operation: entry.operation,
      apiVersion: typeof entry.apiVersion === 'string' ? entry.apiVersion : '',
      set: FieldSet.fromFieldsV1(entry.fieldsV1 ?? {}),
    };
    if (entry.fieldsV1 === undefined) m.set = new FieldSet();
    if (typeof entry.time === 'string') m.time = entry.time;
    if (typeof entry.subresource === 'string' && entry.subresource) m.subresource = entry.subresource;
    return m;
  });
}

/** How many Update entries an object keeps (Kubernetes' DefaultMaxUpdateManagers) before the oldest are merged. */
export const MAX_UPDATE_MANAGERS = 10;
/** The manager that older Update entries are merged into, one per API version. */
export const ANCIENT_CHANGES = 'ancient-changes';

/**
 * Keeps the Update entries at `max`, as Kubernetes does: taking them oldest first, the first of each API version
 * stays while later ones of that version are merged into that version's `ancient-changes` entry (which the first
 * becomes, if there is none yet), until `max` are left. Apply entries are never merged. In place.
 */
export function capUpdateManagers(list: Managed[], max = MAX_UPDATE_MANAGERS): void {
  const updaters = list.filter((m) => m.operation === 'Update' && !m.set.isEmpty());
  let count = updaters.length;
  if (count <= max) return;
  updaters.sort((p, q) => ((p.time ?? '') !== (q.time ?? '') ? ((p.time ?? '') < (q.time ?? '') ? -1 : 1) : identity(p) < identity(q) ? -1 : 1));
  const firstOfVersion = new Map<string, Managed>();
  const bucketOf = (version: string) => list.find((m) => m.operation === 'Update' && m.manager === ANCIENT_CHANGES && m.apiVersion === version && !m.subresource);
  for (const m of updaters) {
    if (count <= max) break;
    const first = firstOfVersion.get(m.apiVersion);
    if (!first) {
      firstOfVersion.set(m.apiVersion, m);
      continue;
    }
    let bucket = bucketOf(m.apiVersion);
    if (!bucket) {
      // the version's first (oldest) entry becomes its bucket
      bucket = first;
      bucket.manager = ANCIENT_CHANGES;
      delete bucket.subresource;
    }
    if (bucket === m) continue;
    bucket.set.merge(m.set);
    // the merged entry is the more recent: the bucket takes its time
    if (m.time) bucket.time = m.time;
    list.splice(list.indexOf(m), 1);
    count--;
  }
}

/** `[{}]`: the one way a client strips managedFields entirely (an empty list means "leave them as they are"). */
export function isReset(raw: unknown): boolean {
  return Array.isArray(raw) && raw.length === 1 && typeof raw[0] === 'object' && raw[0] !== null && Object.keys(raw[0] as object).length === 0;
}

/** The entries to store: empty ones dropped, sorted as Kubernetes sorts them. */
export function encodeManaged(list: Managed[]): ManagedFieldsEntry[] {
  const kept = list.filter((m) => !m.set.isEmpty());
  kept.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const pt = p.time ?? '';
    const qt = q.time ?? '';
    if (pt !== qt) return pt < qt ? -1 : 1;
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    return (p.subresource ?? '') < (q.subresource ?? '') ? -1 : 1;
  });
  return kept.map((m) => {
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.set.toFieldsV1();
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

/**
 * The fields Kubernetes never tracks: the type, the identity and the server's bookkeeping in metadata. Removed from
 * every set computed from an object, in place.
 */
const UNTRACKED_META = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'selfLink', 'managedFields', 'clusterName'];

export function stripUntracked(set: FieldSet): FieldSet {
  set.self = false;
  const c = set.children;
  if (!c) return set;
  c.delete('f:apiVersion');
  c.delete('f:kind');
  const meta = c.get('f:metadata');
  if (meta) {
    meta.self = false;
    for (const f of UNTRACKED_META) meta.children?.delete('f:' + f);
    if (meta.isEmpty()) c.delete('f:metadata');
  }
  return set;
}

/** Keeps only `status` (a status write's own fields) or drops it (a main-resource write, with a status subresource). */
export function scopeToStatus(set: FieldSet, status: 'only' | 'without'): FieldSet {
  const c = set.children;
  if (!c) return set;
  if (status === 'without') {
    c.delete('f:status');
    return set;
  }
  const st = c.get('f:status');
  const out = new FieldSet();
  if (st) out.child('f:status').merge(st);
  return out;
}

export const nowTime = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** The managedFields an object carries, as the list it is (undefined when unset). */
export function rawManaged(obj: KubeObject | undefined): unknown {
  return obj?.metadata?.managedFields;
}
