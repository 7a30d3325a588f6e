// createOrUpdate: a controller's "make this child look like this" (controller-runtime's CreateOrUpdate). The child
// is created with the owner as its controller when missing; when present, the fields the controller states are
// merged over what is stored (server defaults and other writers' fields stay) and it is written only if that
// changed something: a controller re-stating the same desire every reconcile must not write (each write wakes
// every watcher, itself included). An existing object controlled by someone else is not touched: that is an error.
import { apiVersionOf, type KindInfo } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { controllerRef, newControllerRef } from './owners.js';
import { isAlreadyExists, type Client } from './rest.js';

export type Operation = 'created' | 'updated' | 'unchanged';

export interface CreateOrUpdateOptions {
  /** The object that controls the child (it gets a controller ownerReference, so deleting it deletes the child). */
  owner?: KubeObject;
  ownerKind?: KindInfo;
  /** What the caller's cache holds of the child (no read when given; undefined: a live GET). */
  current?: KubeObject | null;
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * desired's fields over base's, recursively: objects merge key by key, arrays element by element (their length is
 * desired's), scalars are desired's. What desired leaves out stays as base has it.
 */
export function mergeOver<T>(base: unknown, desired: T): T {
  if (Array.isArray(desired)) {
    const b = Array.isArray(base) ? base : [];
    return desired.map((d, i) => mergeOver(b[i], d)) as T;
  }
  if (isPlain(desired)) {
    const out: Record<string, unknown> = isPlain(base) ? { ...base } : {};
    for (const [k, v] of Object.entries(desired)) out[k] = v === undefined ? out[k] : mergeOver(out[k], v);
    return out as T;
  }
  return desired;
}

/** Creates the child or brings the stored one to desired; tells which it did. */
export async function createOrUpdate<T extends KubeObject>(
  client: Client, kind: KindInfo, desired: T, o: CreateOrUpdateOptions = {},
): Promise<{ object: T; operation: Operation }> {
  const name = desired.metadata.name as string;
  const namespace = desired.metadata.namespace;
  const refs = o.owner && o.ownerKind ? [newControllerRef(o.owner, apiVersionOf(o.ownerKind), o.ownerKind.kind)] : undefined;
  let current = o.current === undefined ? await client.get<T>(kind, name, { namespace }).catch(() => null) : (o.current as T | null);
  if (!current) {
    const body = structuredClone(desired);
    if (refs) body.metadata.ownerReferences = [...(body.metadata.ownerReferences ?? []), ...refs];
    try {
      return { object: await client.create<T>(kind, body), operation: 'created' };
    } catch (e) {
      // the cache had not seen it yet (or it was created a moment ago): go on from what is stored
      if (!isAlreadyExists(e)) throw e;
      current = await client.get<T>(kind, name, { namespace });
    }
  }
  const ctl = controllerRef(current);
  if (o.owner && ctl && ctl.uid !== o.owner.metadata.uid) {
    throw new Error(`${kind.kind} ${namespace ? `${namespace}/` : ''}${name} is controlled by ${ctl.kind} ${ctl.name}, not by ${o.owner.metadata.name}`);
  }
  const next = mergeOver(current, { ...desired, metadata: { ...desired.metadata, resourceVersion: current.metadata.resourceVersion } }) as T;
  if (refs && !ctl) next.metadata.ownerReferences = [...(current.metadata.ownerReferences ?? []), ...refs];
  if (JSON.stringify(next) === JSON.stringify(current)) return { object: current, operation: 'unchanged' };
  return { object: await client.update<T>(kind, next), operation: 'updated' };
}
