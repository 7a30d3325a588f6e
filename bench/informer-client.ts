// The client half of bench/extensions.ts's informer figure, run as its own process so that its peak RSS (VmHWM) is
// the informer's alone: it fills an informer's store (every object parsed and kept, by name) from one collection,
// either with a streaming list (watch-list: a watch with sendInitialEvents=true until the initial-events-end
// bookmark) or as informers do without it (a LIST, then a WATCH from the list's resourceVersion), and prints one
// JSON line: the time to synced, the objects held, the bytes read and its peak RSS.
// Usage: node dist/bench/informer-client.js MODE URL KUBECONFIG COLLECTION_PATH EXPECTED, MODE one of
// watch-list | list (one LIST of the whole collection at resourceVersion=0, as @kubernetes/client-node's informer
// reads it) | list-paged (pages of limit=500 with continue, consistent reads, as client-go's pager).
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { credentialsOf } from '../e2e/harness.js';

export type InformerMode = 'watch-list' | 'list' | 'list-paged';

export interface InformerFigures {
  mode: InformerMode;
  syncedMs: number;
  objects: number;
  bytes: number;
  peakRss: number;
  rssAtSynced: number;
  /** Set when the informer had not synced within BENCH_INFORMER_TIMEOUT_SECONDS (what it held by then). */
  stalled?: string;
}

const END = 'k8s.io/initial-events-end';

interface Meta {
  name: string;
  resourceVersion?: string;
  annotations?: Record<string, string>;
}
interface Obj {
  metadata: Meta;
}
interface ListBody {
  metadata: { resourceVersion: string; continue?: string };
  items: Obj[];
}

function statusKb(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m?.[1] ?? NaN) * 1024;
}

function open(agent: Agent, url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { Accept: 'application/json' } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** One whole response, parsed at once, as @kubernetes/client-node and client-go's JSON decoder read a LIST. */
async function getJson(agent: Agent, url: string, counted: { bytes: number }): Promise<ListBody> {
  const res = await open(agent, url);
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const buf = Buffer.concat(chunks);
  counted.bytes += buf.length;
  if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${buf.toString().slice(0, 300)}`);
  return JSON.parse(buf.toString('utf8')) as ListBody;
}

/** Reads watch events line by line, each into the store, until `stop` says so; the response is then destroyed. */
async function readEvents(res: IncomingMessage, counted: { bytes: number }, stop: (ev: { type: string; object: Obj }) => boolean): Promise<void> {
  if (res.statusCode !== 200) throw new Error(`watch answered ${res.statusCode}`);
  let buf = '';
  for await (const chunk of res) {
    counted.bytes += (chunk as Buffer).length;
    buf += (chunk as Buffer).toString('utf8');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim() && stop(JSON.parse(line))) {
        res.destroy();
        return;
      }
    }
  }
  throw new Error('the watch ended before the informer synced');
}

const TIMEOUT_MS = Number(process.env.BENCH_INFORMER_TIMEOUT_SECONDS ?? '120') * 1000;

async function main(): Promise<void> {
  const [mode, base, kubeconfig, path, expectedText] = process.argv.slice(2) as [InformerMode, string, string, string, string];
  const expected = Number(expectedText);
  const creds = await credentialsOf(kubeconfig);
  const agent = new Agent({ keepAlive: true, ca: creds.ca, cert: creds.cert, key: creds.key });
  const store = new Map<string, Obj>();
  const counted = { bytes: 0 };
  const t0 = performance.now();
  // a stream that stops short of synced is reported (with what arrived), not waited for forever
  const stall = setTimeout(() => {
    const out: InformerFigures = { mode, syncedMs: NaN, objects: store.size, bytes: counted.bytes, peakRss: statusKb('VmHWM'), rssAtSynced: statusKb('VmRSS'),
      stalled: `not synced after ${TIMEOUT_MS / 1000} s: ${store.size} of ${expected} objects, ${(counted.bytes / 2 ** 20).toFixed(0)} MB received` };
    process.stdout.write(JSON.stringify(out) + '\n');
    process.exit(0);
  }, TIMEOUT_MS);
  if (mode === 'watch-list') {
    const res = await open(agent, `${base}${path}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    await readEvents(res, counted, (ev) => {
      if (ev.type === 'ADDED' || ev.type === 'MODIFIED') store.set(ev.object.metadata.name, ev.object);
      return ev.type === 'BOOKMARK' && ev.object.metadata.annotations?.[END] === 'true';
    });
  } else {
    let cont = '';
    let rv = '';
    do {
      const q = mode === 'list' ? 'resourceVersion=0' : `limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
      const page = await getJson(agent, `${base}${path}?${q}`, counted);
      for (const o of page.items) store.set(o.metadata.name, o);
      cont = page.metadata.continue ?? '';
      rv = page.metadata.resourceVersion;
    } while (cont);
    // the reflector's WATCH from the list's revision: synced once the list is in the store and the watch is open
    const res = await open(agent, `${base}${path}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`);
    if (res.statusCode !== 200) throw new Error(`watch answered ${res.statusCode}`);
    res.destroy();
  }
  const syncedMs = performance.now() - t0;
  clearTimeout(stall);
  const rssAtSynced = statusKb('VmRSS');
  if (store.size < expected) throw new Error(`${mode}: synced with ${store.size} objects, at least ${expected} expected`);
  agent.destroy();
  const out: InformerFigures = { mode, syncedMs, objects: store.size, bytes: counted.bytes, peakRss: statusKb('VmHWM'), rssAtSynced };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
