// Status writes that survive the races every controller meets: updateStatus() applies a change to the object's
// status and writes it through the status subresource; when someone else wrote the object meanwhile (409 Conflict)
// it reads the object again and re-applies the change, as client-go's RetryOnConflict loop does. An unchanged status
// is not written at all (a write would bump resourceVersion and wake every watcher, this controller included).
import type { KindInfo } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { rfc3339 } from '../api/time.js';
import type { Condition } from './builtin-types.js';
import { isConflict, type Client } from './rest.js';

export interface UpdateStatusOptions {
  /** Attempts in all (default 5). */
  attempts?: number;
}

/**
 * Applies mutate to a copy of obj and writes its status; on a conflict re-reads the object and applies mutate again.
 * Resolves with the object as stored (obj itself when mutate changed nothing).
 */
export async function updateStatus<T extends KubeObject>(
  client: Client, kind: KindInfo, obj: T, mutate: (o: T) => void, o: UpdateStatusOptions = {},
): Promise<T> {
  const attempts = o.attempts ?? 5;
  let cur = obj;
  for (let i = 0; ; i++) {
    const next = structuredClone(cur);
    mutate(next);
    if (JSON.stringify(next.status ?? null) === JSON.stringify(cur.status ?? null)) return cur;
    try {
      return await client.updateStatus<T>(kind, next);
    } catch (e) {
      if (!isConflict(e) || i >= attempts - 1) throw e;
      await new Promise((r) => setTimeout(r, 5 * 2 ** i));
      cur = await client.get<T>(kind, cur.metadata.name as string, { namespace: cur.metadata.namespace });
    }
  }
}

export function getCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition in place (adding it when missing). lastTransitionTime moves only when the status changes, so
 * a controller re-asserting the same state every reconcile writes nothing new.
 */
export function setCondition(conditions: Condition[], c: Omit<Condition, 'lastTransitionTime'> & { lastTransitionTime?: string }): Condition[] {
  const i = conditions.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? conditions[i] : undefined;
  const lastTransitionTime = prev && prev.status === c.status ? prev.lastTransitionTime : (c.lastTransitionTime ?? rfc3339());
  const next: Condition = { ...c, lastTransitionTime };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
  return conditions;
}
