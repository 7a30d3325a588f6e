// Follows one object by name, as kubectl's UntilWithSync does: a list with fieldSelector=metadata.name=NAME (a
// SYNC event carrying the object, or none if it is absent), then a watch from that resourceVersion, resumed when the
// server ends it and re-listed on 410 Gone. Stops quietly when the signal aborts (the caller's timeout).
import type { KindInfo } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { isGone, type Client } from '../../../lib/client/rest.js';
import { watch } from '../../../lib/client/watch.js';

export type ObjectEvent = { type: 'SYNC'; object?: KubeObject } | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject };

export async function* followObject(client: Client, kind: KindInfo, namespace: string | undefined, name: string,
  signal: AbortSignal): AsyncGenerator<ObjectEvent> {
  const fieldSelector = `metadata.name=${name}`;
  let rv: string | undefined;
  while (!signal.aborted) {
    if (rv === undefined) {
      const list = await client.list(kind, { namespace: namespace ?? '', fieldSelector });
      rv = list.metadata.resourceVersion;
      yield { type: 'SYNC', object: list.items.find((o) => o.metadata.name === name) };
      continue;
    }
    try {
      for await (const ev of watch(client, kind, { namespace: namespace ?? '', fieldSelector, resourceVersion: rv, allowWatchBookmarks: true, signal })) {
        if (ev.object?.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') {
          if (ev.object.metadata.name === name) yield { type: ev.type, object: ev.object };
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      if (!isGone(e)) throw e;
      rv = undefined; // too old: list again
    }
  }
}

/** An AbortSignal that fires after ms (never for 0), and a way to release its timer. */
export function deadline(ms: number): { signal: AbortSignal; clear: () => void; expired: () => boolean } {
  const ac = new AbortController();
  const t = ms > 0 ? setTimeout(() => ac.abort(), ms) : undefined;
  return { signal: ac.signal, clear: () => clearTimeout(t), expired: () => ac.signal.aborted };
}
