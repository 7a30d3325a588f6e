// ownerReferences: which controller owns an object, and how a controller claims (adopts) or releases (orphans) it.
import type { KubeObject, OwnerReference } from '../lib/api/types.js';

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
