// ownerReferences: which controller owns an object, and how a controller claims (adopts) or releases (orphans) it.
import type { KindInfo } from '../lib/api/kinds.js';
import type { KubeObject, OwnerReference } from '../lib/api/types.js';
import { isNotFound, type Client } from '../lib/client/index.js';

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
    return await client.patch(kind, obj.metadata.name as string, { metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: obj.metadata.resourceVersion } }, 'merge', { namespace: obj.metadata.namespace });
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Makes owner the controller of obj (adoption). */
export function adopt(client: Client, kind: KindInfo, obj: KubeObject, owner: KubeObject, ownerApiVersion: string, ownerKind: string): Promise<KubeObject | undefined> {
  return setOwnerReferences(client, kind, obj, [...(obj.metadata.ownerReferences ?? []), newControllerRef(owner, ownerApiVersion, ownerKind)]);
}

/** Removes owner from obj's ownerReferences (obj no longer matches its selector). */
export async function release(client: Client, kind: KindInfo, obj: KubeObject, ownerUid: string): Promise<void> {
  await setOwnerReferences(client, kind, obj, (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid));
}
