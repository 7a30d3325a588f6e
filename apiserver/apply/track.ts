// Ownership for writes that are not applies (create, update, and the JSON, merge and strategic patches): the fields
// a write set or changed become its manager's (an Update entry per API version and subresource) and stop being
// anyone else's; the fields it removed stop being anyone's. Computed from the parsed objects the store already holds,
// once the write is final (defaulted, its status reset), so what is recorded is what is stored.
import type { KubeObject } from '../../lib/api/types.js';
import type { KindDefinition } from '../registry/kind.js';
import { deepEqual } from '../registry/meta.js';
import type { FieldManagerContext } from '../registry/types.js';
import { FieldSet } from './fieldset.js';
import { kindType } from './kind-type.js';
import { capUpdateManagers, decodeManaged, encodeManaged, identity, isReset, nowTime, scopeToStatus, stripUntracked, type Managed } from './managed-fields.js';
import { diff } from './walk.js';

/** The object without its managedFields, as a shallow copy (the walks never look at them). */
export function withoutManaged(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, managedFields: undefined } };
}

/**
 * The managedFields a write stores, set on `obj` (the object about to be stored; `old` the stored one, or none on a
 * create). A client may send managedFields of its own (kubectl moves client-side apply's fields to its apply entry
 * so): those are the base then; none, an empty list or invalid ones leave the stored ones as they are, and `[{}]`
 * strips them all, as Kubernetes does.
 */
export function trackWrite(def: Pick<KindDefinition, 'schema' | 'ownSchema' | 'subresources'>, fm: FieldManagerContext, obj: KubeObject, old: KubeObject | undefined): void {
  if (fm.applied) return;
  const meta = obj.metadata;
  const incoming = meta.managedFields as unknown;
  if (isReset(incoming)) {
    delete meta.managedFields;
    return;
  }
  const stored = old?.metadata.managedFields as unknown;
  const supplied = Array.isArray(incoming) && incoming.length > 0 && !deepEqual(incoming, stored);
  let managed: Managed[] | undefined;
  if (supplied) {
    try {
      managed = decodeManaged(incoming);
    } catch {
      managed = undefined; // as Kubernetes: unreadable managedFields from a client fall back to the stored ones
    }
  }
  let ch = new FieldSet();
  let rm = new FieldSet();
  diff(old ? withoutManaged(old) : {}, withoutManaged(obj), kindType(def), ch, rm);
  stripUntracked(ch);
  stripUntracked(rm);
  // status and the rest are recorded apart: status by /status writes, the rest by the main resource's
  const status = fm.subresource === 'status' ? 'only' : def.subresources.status ? 'without' : undefined;
  if (status) {
    ch = scopeToStatus(ch, status);
    rm = scopeToStatus(rm, status);
  }
  const changed = !ch.isEmpty() || !rm.isEmpty();
  if (!changed && !managed) {
    if (stored === undefined) delete meta.managedFields;
    else meta.managedFields = stored as KubeObject['metadata']['managedFields'];
    return;
  }
  if (!managed) {
    try {
      managed = decodeManaged(stored);
    } catch {
      managed = [];
    }
  }
  if (changed) {
    const id = identity({ manager: fm.manager, operation: 'Update', apiVersion: fm.apiVersion, subresource: fm.subresource });
    let mine: Managed | undefined;
    const taken = ch.union(rm);
    for (const m of managed) {
      if (identity(m) === id) mine = m;
      else m.set.subtract(taken);
    }
    if (!mine) {
      mine = { manager: fm.manager, operation: 'Update', apiVersion: fm.apiVersion, set: new FieldSet() };
      if (fm.subresource) mine.subresource = fm.subresource;
      managed.push(mine);
    }
    mine.set.merge(ch).subtract(rm);
    mine.time = nowTime();
    capUpdateManagers(managed);
  }
  const out = encodeManaged(managed);
  if (out.length) meta.managedFields = out as KubeObject['metadata']['managedFields'];
  else delete meta.managedFields;
}
