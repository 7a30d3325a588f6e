// Finalizers: a controller that must clean up something outside the object's owner references (an external
// resource, a DNS record) puts its finalizer on the object; the API server then only marks the object deleted
// (deletionTimestamp) until every finalizer is gone. Writes carry the resourceVersion read, so two writers never
// drop each other's finalizers; a conflict re-reads the object and tries again.
import type { KindInfo } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { isConflict, isNotFound, type Client } from './rest.js';

export const hasFinalizer = (o: KubeObject, name: string): boolean => (o.metadata.finalizers ?? []).includes(name);

/** Writes obj's finalizers as edit(current) returns them; retries on conflict from a fresh read. undefined: obj is gone. */
async function editFinalizers<T extends KubeObject>(
  client: Client, kind: KindInfo, obj: T, edit: (f: string[]) => string[] | undefined,
): Promise<T | undefined> {
  let cur: T = obj;
  for (let i = 0; ; i++) {
    const next = edit([...(cur.metadata.finalizers ?? [])]);
    if (!next) return cur;
    try {
      return await client.patch<T>(kind, cur.metadata.name as string, { metadata: { finalizers: next.length ? next : null, resourceVersion: cur.metadata.resourceVersion } }, 'merge',
        { namespace: cur.metadata.namespace });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      if (!isConflict(e) || i >= 4) throw e;
      try {
        cur = await client.get<T>(kind, cur.metadata.name as string, { namespace: cur.metadata.namespace });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    }
  }
}

/** Adds the finalizer unless obj already has it (or is being deleted: a finalizer can't be added then). */
export function addFinalizer<T extends KubeObject>(client: Client, kind: KindInfo, obj: T, name: string): Promise<T | undefined> {
  return editFinalizers(client, kind, obj, (f) => (f.includes(name) || obj.metadata.deletionTimestamp ? undefined : [...f, name]));
}

/** Removes the finalizer if obj has it; the last one gone lets the API server delete a deleted object. */
export function removeFinalizer<T extends KubeObject>(client: Client, kind: KindInfo, obj: T, name: string): Promise<T | undefined> {
  return editFinalizers(client, kind, obj, (f) => (f.includes(name) ? f.filter((x) => x !== name) : undefined));
}

export interface FinalizeResult<T> {
  /** The object is being deleted: the reconcile should stop here (cleanup has run and the finalizer is gone). */
  deleted: boolean;
  /** The object as stored after the finalizer write (undefined once it is gone). */
  object?: T;
}

/**
 * The finalizer protocol in one call, at the top of a reconcile: a live object gets the finalizer; one being
 * deleted gets cleanup() run and then loses the finalizer. A cleanup that throws keeps the finalizer (the object
 * stays until a later reconcile's cleanup succeeds).
 */
export async function finalize<T extends KubeObject>(
  client: Client, kind: KindInfo, obj: T, name: string, cleanup: (o: T) => Promise<void>,
): Promise<FinalizeResult<T>> {
  if (!obj.metadata.deletionTimestamp) return { deleted: false, object: await addFinalizer(client, kind, obj, name) };
  if (!hasFinalizer(obj, name)) return { deleted: true, object: obj };
  await cleanup(obj);
  return { deleted: true, object: await removeFinalizer(client, kind, obj, name) };
}
