// ownerReferences: which controller owns an object, and claim(), the one way a controller adopts the orphans its
// selector matches and releases the objects it controls that stopped matching (client-go's ControllerRefManager
// contract). Before its first adoption claim() re-reads the owner with a live GET: an informer can lag, and a
// controller must not adopt for an owner that was just deleted or deleted and re-created under the same name.
import type { KindInfo } from '../api/kinds.js';
import { apiVersionOf } from '../api/kinds.js';
import type { KubeObject, OwnerReference } from '../api/types.js';
import { isNotFound, type Client } from './rest.js';

export function controllerRef(o: KubeObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}

export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name as string, uid: owner.metadata.uid as string, controller: true, blockOwnerDeletion: true };
}

/** Index function: the uid of an object's controller (for Informer.addIndex). */
export const byControllerUid = (o: KubeObject): string[] => {
  const ref = controllerRef(o);
  return ref ? [ref.uid] : [];
};

export const isBeingDeleted = (o: KubeObject): boolean => !!o.metadata.deletionTimestamp;

/**
 * Writes obj's ownerReferences. The resourceVersion in the patch makes it fail (409) if obj changed meanwhile, so
 * two controllers can't both adopt it. Resolves undefined when obj is gone.
 */
export async function setOwnerReferences(client: Client, kind: KindInfo, obj: KubeObject, refs: OwnerReference[]): Promise<KubeObject | undefined> {
  try {
    return await client.patch(
      kind,
      obj.metadata.name as string,
      { metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: obj.metadata.resourceVersion } },
      'merge',
      { namespace: obj.metadata.namespace },
    );
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Removes the owner with ownerUid from obj's ownerReferences (orphaning it). */
export async function release(client: Client, kind: KindInfo, obj: KubeObject, ownerUid: string): Promise<KubeObject | undefined> {
  return setOwnerReferences(
    client,
    kind,
    obj,
    (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid),
  );
}

export interface ClaimOptions<T extends KubeObject> {
  client: Client;
  /** The controller, as its informer has it. */
  owner: KubeObject;
  ownerKind: KindInfo;
  /** The kind of the candidates. */
  kind: KindInfo;
  /** Does the owner's selector (and whatever else it requires) select o? */
  match: (o: T) => boolean;
  /** The objects to look at, owned by anyone or no one: usually every one of the kind in the owner's namespace. */
  candidates: Iterable<T>;
}

/**
 * The candidates the owner controls once orphans that match are adopted and controlled ones that don't match are
 * released. Objects controlled by someone else are left alone; an owner being deleted adopts and releases nothing
 * (it keeps what it has). Every candidate is looked at even when one fails; then the first failure is thrown, so
 * the caller retries from fresh state.
 */
export async function claim<T extends KubeObject>(o: ClaimOptions<T>): Promise<T[]> {
  const { owner } = o;
  const uid = owner.metadata.uid as string;
  const ownerDeleting = isBeingDeleted(owner);
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let canAdopt: Promise<void> | undefined;
  for (const obj of o.candidates) {
    const ref = controllerRef(obj);
    try {
      if (ref) {
        if (ref.uid !== uid) continue;
        if (o.match(obj)) claimed.push(obj);
        else if (!ownerDeleting) await release(o.client, o.kind, obj, uid);
        continue;
      }
      if (ownerDeleting || isBeingDeleted(obj) || !o.match(obj)) continue;
      if (owner.metadata.namespace && owner.metadata.namespace !== obj.metadata.namespace) continue;
      // one live read per claim, and only once there is something to adopt
      canAdopt ??= recheckOwner(o.client, o.ownerKind, owner);
      try {
        await canAdopt;
      } catch (e) {
        throw new Error(`can't adopt ${o.kind.kind} ${describe(obj)} (${obj.metadata.uid}): ${(e as Error).message}`);
      }
      const adopted = await setOwnerReferences(o.client, o.kind, obj, [
        ...(obj.metadata.ownerReferences ?? []),
        newControllerRef(owner, apiVersionOf(o.ownerKind), o.ownerKind.kind),
      ]);
      if (adopted) claimed.push(adopted as T);
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length) throw errors[0];
  return claimed;
}

/** An uncached read of the owner: it must still exist with the same uid and not be on its way out. */
async function recheckOwner(client: Client, kind: KindInfo, owner: KubeObject): Promise<void> {
  let fresh: KubeObject;
  try {
    fresh = await client.get(kind, owner.metadata.name as string, { namespace: owner.metadata.namespace });
  } catch (e) {
    throw new Error(`can't recheck DeletionTimestamp: ${(e as Error).message}`);
  }
  if (fresh.metadata.uid !== owner.metadata.uid) {
    throw new Error(`original ${kind.kind} ${describe(owner)} is gone: got uid ${fresh.metadata.uid}, wanted ${owner.metadata.uid}`);
  }
  if (fresh.metadata.deletionTimestamp) throw new Error(`${describe(fresh)} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
}

const describe = (o: KubeObject): string => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata.name as string));
