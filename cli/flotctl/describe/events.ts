// What every describer is given (the client, --show-events), and the Events section closing most descriptions:
// the events found by an involvedObject field selector, oldest last-seen first, with kubectl's `3m (x4 over 10m)`.
import { findByKind, type KindInfo } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import type { Client } from '../../../lib/client/rest.js';
import { type Writer, since } from './writer.js';

export interface Env {
  client: Client;
  showEvents: boolean;
}

/** Describes one object, already fetched, as text ending in a newline. */
export type Describer = (env: Env, kind: KindInfo, obj: KubeObject) => Promise<string>;

export interface EventObj extends KubeObject {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string } | null;
  source?: { component?: string };
  reportingComponent?: string;
}

const EVENT = findByKind('v1', 'Event') as KindInfo;

export interface Ref {
  name: string;
  namespace: string;
  kind?: string;
  uid?: string;
}

/** The involvedObject reference kubectl searches by; the pod describer leaves the kind out. */
export const refOf = (kind: KindInfo, obj: KubeObject): Ref => ({ name: obj.metadata.name ?? '', namespace: obj.metadata.namespace ?? '', kind: kind.kind, uid: obj.metadata.uid });

/** Events about ref, or an empty list when they cannot be read (kubectl shows `<none>` then). */
export async function searchEvents(env: Env, ref: Ref): Promise<EventObj[]> {
  const terms: [string, string][] = [['involvedObject.name', ref.name], ['involvedObject.namespace', ref.namespace]];
  if (ref.kind) terms.push(['involvedObject.kind', ref.kind]);
  if (ref.uid) terms.push(['involvedObject.uid', ref.uid]);
  const fieldSelector = terms.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v.replace(/[\\,=]/g, (c) => `\\${c}`)}`).join(',');
  try {
    return (await env.client.listAll<EventObj>(EVENT, { namespace: ref.namespace, fieldSelector })).items;
  } catch {
    return [];
  }
}

const time = (t: string | null | undefined) => (t ? Date.parse(t) : -Infinity);

/** The Events table; the tabwriter is flushed first so the table aligns on its own. */
export function describeEvents(events: EventObj[], w: Writer, now = Date.now()): void {
  if (!events.length) {
    w.write(0, 'Events:\t<none>\n');
    return;
  }
  w.flush();
  const sorted = [...events].sort((a, b) => time(a.lastTimestamp) - time(b.lastTimestamp));
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const e of sorted) {
    const first = e.eventTime ? since(e.eventTime, now) : since(e.firstTimestamp, now);
    let age = first;
    if (e.series) age = `${since(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
    else if ((e.count ?? 0) > 1) age = `${since(e.lastTimestamp, now)} (x${e.count} over ${first})`;
    const from = e.source?.component || (e.reportingComponent ?? '');
    w.write(1, `${e.type ?? ''}\t${e.reason ?? ''}\t${age}\t${from}\t${(e.message ?? '').trim()}\n`);
  }
}
