// Watches: newline-delimited JSON events from a chunked response, as an async iterable. A watch ends when the
// server closes it; resuming from the last resourceVersion is the caller's job (the Informer does it).
import type { KindInfo } from '../api/kinds.js';
import type { KubeObject, Status, WatchEvent } from '../api/types.js';
import { ApiError, resourcePath, type Client } from './rest.js';

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /** Accept header: a Table watch (`as=Table`) gets each event's object as a Table of one row. */
  accept?: string;
  signal?: AbortSignal;
}

/** Streams watch events. A 410 Gone (HTTP or ERROR event) is thrown as an ApiError with code 410. */
export async function* watch<T = KubeObject>(client: Client, kind: KindInfo, o: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
  const q = new URLSearchParams({ watch: 'true' });
  if (o.labelSelector) q.set('labelSelector', o.labelSelector);
  if (o.fieldSelector) q.set('fieldSelector', o.fieldSelector);
  if (o.resourceVersion) q.set('resourceVersion', o.resourceVersion);
  if (o.allowWatchBookmarks) q.set('allowWatchBookmarks', 'true');
  if (o.timeoutSeconds) q.set('timeoutSeconds', String(o.timeoutSeconds));
  const ns = kind.namespaced ? (o.namespace === '' ? undefined : o.namespace) : undefined;
  const res = await client.stream({ method: 'GET', path: `${resourcePath(kind, ns)}?${q}`, accept: o.accept, signal: o.signal });
  if ((res.statusCode ?? 0) >= 400) {
    let text = '';
    for await (const c of res) text += (c as Buffer).toString();
    let status: Status;
    try {
      status = JSON.parse(text) as Status;
    } catch {
      status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: res.statusCode ?? 0, message: text };
    }
    throw new ApiError(res.statusCode ?? 0, status);
  }
  let buf = '';
  try {
    for await (const chunk of res) {
      buf += (chunk as Buffer).toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        const ev = JSON.parse(line) as WatchEvent<T>;
        if (ev.type === 'ERROR') {
          const status = ev.object as unknown as Status;
          throw new ApiError(status.code ?? 500, status);
        }
        yield ev;
      }
    }
  } catch (e) {
    if (o.signal?.aborted) return;
    throw e;
  }
}
