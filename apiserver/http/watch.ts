// Serving a watch: newline-delimited JSON events over a chunked HTTP response, or one JSON message per event over
// a WebSocket. Events come from the watch cache; bookmarks are sent on request; a stalled client is cut off.
import { WebSocket } from 'ws';
import type { KubeObject, WatchEvent } from '../../lib/api/types.js';
import { buildTable } from '../printers/index.js';
import type { KindDefinition } from '../registry/kind.js';
import type { Store } from '../registry/store.js';
import { listOptions, type ResourceRequest, type WatchSink } from './request.js';
import { optionalQueryBool, queryBool } from '../../lib/api/query.js';
import { validateListOptions } from './list-validation.js';
import { INITIAL_EVENTS_END, listBlueprint, withBlueprint } from './watch-list.js';
import { watchMetrics } from './metrics.js';
import { watchEventJson } from './encode.js';

const MAX_BUFFERED = 32 * 1024 * 1024;
/** kube-apiserver's --min-request-timeout default. */
export const DEFAULT_MIN_REQUEST_TIMEOUT_SECONDS = 1800;

/**
 * How long a watch lives: its timeoutSeconds, else --min-request-timeout times a random factor between 1 and 2 (as
 * kube-apiserver: watches of many clients do not all end, and reconnect, at once). The watch then ends cleanly (a
 * bookmark first when asked for) and clients such as kubectl's informers watch again from where they were.
 */
export function watchTimeoutMs(timeoutSeconds: string | null, minRequestTimeoutSeconds: number, random: () => number = Math.random): number {
  const asked = Number(timeoutSeconds ?? '');
  if (Number.isFinite(asked) && asked > 0) return asked * 1000;
  return minRequestTimeoutSeconds * (1 + random()) * 1000;
}

export type { WatchSink } from './request.js';

export function httpSink(r: ResourceRequest): WatchSink {
  const res = r.reply.res;
  return {
    start() {
      res.statusCode = 200;
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-cache, private');
      res.setHeader('Transfer-Encoding', 'chunked');
      res.flushHeaders();
    },
    write(line) {
      res.write(line);
      return res.writableLength < MAX_BUFFERED;
    },
    drained: () => new Promise<void>((resolve) => {
      if (res.writableLength < MAX_BUFFERED / 2 || res.destroyed || res.writableEnded) return resolve();
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    }),
    end: () => res.end(),
    onClose(cb) {
      r.req.on('close', cb);
      res.on('close', cb);
    },
  };
}

export async function serveWatch(r: ResourceRequest, def: KindDefinition, store: Store, namespace: string | undefined,
  sink: WatchSink = httpSink(r)): Promise<void> {
  const q = r.query;
  validateListOptions(q, true);
  const opts = listOptions(def, q);
  const kind = def.info;
  if (r.info.name) {
    const nameFilter = opts.filter;
    const name = r.info.name;
    opts.filter = { isEverything: false, matches: (o) => o.metadata.name === name && nameFilter.matches(o) };
  }
  const bookmarks = queryBool(q, 'allowWatchBookmarks');
  // unset, true or false: each asks for something else (see Store.watch)
  const sendInitialEvents = optionalQueryBool(q, 'sendInitialEvents');
  const blueprint = sendInitialEvents && bookmarks && !r.reply.out.table ? listBlueprint(kind) : undefined;
  const timeoutMs = watchTimeoutMs(q.get('timeoutSeconds'), r.minRequestTimeoutSeconds ?? DEFAULT_MIN_REQUEST_TIMEOUT_SECONDS);
  const { out } = r.reply;
  const table = out.table;
  let first = true;

  const encode = (ev: WatchEvent): string => {
    if (!table && ev.type !== 'ERROR' && ev.type !== 'BOOKMARK') return watchEventJson(ev.type, ev.object as KubeObject);
    let object: unknown = ev.object;
    if (table && (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED')) {
      object = buildTable(def, [ev.object as KubeObject], { now: new Date(), includeObject: r.reply.includeObject,
        resourceVersion: ev.object.metadata?.resourceVersion, noHeaders: !first, tableVersion: out.tableVersion });
      first = false;
    }
    return JSON.stringify({ type: ev.type, object }) + '\n';
  };

  sink.start();

  let closed = false;
  let stop: () => void = () => undefined;
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(ticker);
    clearTimeout(timer);
    stop();
    watchMetrics.dec({ resource: kind.resource });
    sink.end();
  };
  const send = (ev: WatchEvent): boolean => {
    if (closed) return false;
    // no bookmark unless asked for, not even the one ending the initial events (as Kubernetes)
    if (ev.type === 'BOOKMARK' && !bookmarks) return true;
    if (blueprint && ev.type === 'BOOKMARK' && ev.object.metadata.annotations?.[INITIAL_EVENTS_END] === 'true') {
      return sink.write(encode(withBlueprint(ev, blueprint)));
    }
    return sink.write(encode(ev));
  };
  watchMetrics.inc({ resource: kind.resource });
  const ticker = setInterval(() => {
    if (bookmarks) send({ type: 'BOOKMARK', object: store.bookmark(storeRev(store)) });
  }, r.bookmarkIntervalMs);
  const timer = setTimeout(() => {
    if (bookmarks) send({ type: 'BOOKMARK', object: store.bookmark(storeRev(store)) });
    finish();
  }, timeoutMs);
  sink.onClose(finish);
  try {
    stop = await store.watch(namespace, { filter: opts.filter, resourceVersion: opts.resourceVersion, sendInitialEvents,
      drain: sink.drained && (() => (sink.drained as () => Promise<void>)()) }, send, finish);
  } catch (e) {
    const status = (e as { toStatus?: () => unknown }).toStatus?.() ?? { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, message: String(e) };
    if (!closed) sink.write(JSON.stringify({ type: 'ERROR', object: status }) + '\n');
    finish();
    return;
  }
  if (closed) stop();
}

function storeRev(store: Store): number {
  return store.currentRevision();
}

/**
 * A WebSocket carrying one JSON watch event per text message. The socket's errors are handled where it was
 * accepted (upgrade.ts); here a closed socket only ends the watch, and nothing is written to it once it is gone.
 */
export function webSocketSink(ws: WebSocket): WatchSink {
  return {
    start: () => undefined,
    write(line) {
      if (ws.readyState !== WebSocket.OPEN) return false;
      ws.send(line.endsWith('\n') ? line.slice(0, -1) : line);
      return ws.bufferedAmount < MAX_BUFFERED;
    },
    // ws has no drain event of its own: its buffer is looked at until it has gone down
    drained: async () => {
      while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount >= MAX_BUFFERED / 2) await new Promise((r) => setTimeout(r, 10));
    },
    end: () => {
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
    },
    onClose: (cb) => {
      // a client that left before the watch started gets no 'close' event any more
      if (ws.readyState === WebSocket.CLOSED) cb();
      else ws.once('close', cb);
    },
  };
}
