// Acceptance: the streaming list (watch with sendInitialEvents=true, resourceVersionMatch=NotOlderThan), as
// Kubernetes 1.32 serves it: the current state as ADDED events, then one BOOKMARK marked
// k8s.io/initial-events-end at a revision at least as new as asked for, then the changes; the rules for
// resourceVersion ""/"0"/N and sendInitialEvents=false; Kubernetes' 422s for options that don't fit together. Driven
// with raw requests, @kubernetes/client-node's Watch, and the real client-go reflector (kubectl with the
// WatchListClient feature on).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import { TestCluster, watchEvents } from './harness.js';

const NS = 'wl';
const CMS = `/api/v1/namespaces/${NS}/configmaps`;
const WATCH_LIST = 'watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true';
const END = 'k8s.io/initial-events-end';

type Ev = { type: string; object: { metadata: { name?: string; resourceVersion?: string; annotations?: Record<string, string> }; [k: string]: unknown } };

let c: TestCluster;
const written: number[] = [];

async function create(name: string, labels: Record<string, string> = {}): Promise<number> {
  const r = await c.request('POST', CMS, { metadata: { name, labels }, data: { k: 'v1' } });
  assert.equal(r.status, 201, r.text);
  return Number(r.body.metadata.resourceVersion);
}

/** Reads a watch until `done` says so (or the deadline passes), then closes it. */
async function readWatch(query: string, done: (evs: Ev[]) => boolean, during?: (evs: Ev[]) => Promise<void>, ms = 20_000): Promise<Ev[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  const evs: Ev[] = [];
  const side = during?.(evs);
  try {
    for await (const ev of watchEvents<Ev['object']>(`${c.url}${CMS}?${query}`, abort.signal)) {
      evs.push(ev);
      if (done(evs)) {
        // aborting first: a bare break would wait for the body's next chunk before the stream lets go
        abort.abort();
        break;
      }
    }
  } catch (e) {
    if (!abort.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  await side;
  return evs;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits (a bounded while) until the events read so far satisfy `ok`. */
async function until(evs: Ev[], ok: (evs: Ev[]) => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(evs); i++) await sleep(20);
}

const endIndex = (evs: Ev[]): number => evs.findIndex((e) => e.type === 'BOOKMARK' && e.object.metadata.annotations?.[END] === 'true');
const names = (evs: Ev[]): string[] => evs.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name as string);

before(async () => {
  c = await TestCluster.start();
  assert.equal((await c.request('POST', '/api/v1/namespaces', { metadata: { name: NS } })).status, 201);
  for (const n of ['a', 'b']) written.push(await create(n, { tier: 'front' }));
  written.push(await create('c', { tier: 'back' }));
});
after(async () => {
  await c?.stop();
});

test('resourceVersion "": the current state, then the end bookmark at a revision covering every write before the request, then changes', async () => {
  let later = 0;
  const evs = await readWatch(WATCH_LIST, (e) => e.some((x) => x.object.metadata.name === 'late'), async (seen) => {
    await until(seen, (e) => endIndex(e) >= 0);
    later = await create('late');
  });
  const end = endIndex(evs);
  assert.ok(end > 0, JSON.stringify(evs.map((e) => e.type)));
  assert.deepEqual(names(evs.slice(0, end)).sort(), ['a', 'b', 'c']);
  assert.ok(evs.slice(0, end).every((e) => e.type === 'ADDED'), 'only ADDED events before the bookmark');
  const bookmark = evs[end].object;
  const rv = Number(bookmark.metadata.resourceVersion);
  assert.ok(rv >= Math.max(...written), `bookmark ${rv} is at least the last write ${Math.max(...written)} (a consistent read)`);
  assert.equal(bookmark.kind, 'ConfigMap');
  assert.equal(bookmark.apiVersion, 'v1');
  const blueprint = JSON.parse(Buffer.from(bookmark.metadata.annotations?.['kubernetes.io/initial-events-list-blueprint'] ?? '', 'base64').toString());
  assert.deepEqual(blueprint, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: {}, items: [] });
  const changes = evs.slice(end + 1).filter((e) => e.type !== 'BOOKMARK');
  assert.deepEqual(changes.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED late']);
  assert.equal(Number(changes[0].object.metadata.resourceVersion), later);
  assert.ok(later > rv, 'the change comes after the bookmark\'s revision');
  assert.equal((await c.request('DELETE', `${CMS}/late`)).status, 200);
});

test('resourceVersion "0" and an old N: the current state all the same (NotOlderThan), never "too old"', async () => {
  for (const rv of ['0', String(written[0]), '1']) {
    const evs = await readWatch(`${WATCH_LIST}&resourceVersion=${rv}`, (e) => endIndex(e) >= 0);
    const end = endIndex(evs);
    assert.ok(end >= 0, `rv=${rv}: ${JSON.stringify(evs)}`);
    assert.deepEqual(names(evs.slice(0, end)).sort(), ['a', 'b', 'c'], `rv=${rv}`);
    assert.ok(Number(evs[end].object.metadata.resourceVersion) >= Math.max(...written), `rv=${rv}`);
  }
});

test('a label selector applies to the initial events too', async () => {
  const evs = await readWatch(`${WATCH_LIST}&labelSelector=tier%3Dfront`, (e) => endIndex(e) >= 0);
  assert.deepEqual(names(evs.slice(0, endIndex(evs))).sort(), ['a', 'b']);
});

test('without allowWatchBookmarks: the initial events, but no bookmark (Kubernetes accepts the request)', async () => {
  const evs = await readWatch(WATCH_LIST.replace('&allowWatchBookmarks=true', ''), (e) => e.some((x) => x.object.metadata.name === 'nobm'), async (seen) => {
    // the initial events are sent right after the watch is registered, so a write after them is seen
    await until(seen, (e) => names(e).length >= 3);
    await create('nobm');
  });
  assert.deepEqual(names(evs.slice(0, 3)).sort(), ['a', 'b', 'c']);
  assert.deepEqual(names(evs.slice(3)), ['nobm']);
  assert.ok(!evs.some((e) => e.type === 'BOOKMARK'), JSON.stringify(evs.map((e) => e.type)));
  assert.equal((await c.request('DELETE', `${CMS}/nobm`)).status, 200);
});

test('sendInitialEvents=false: changes only, from now on', async () => {
  const made: string[] = [];
  const evs = await readWatch('watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan', (e) => e.some((x) => x.type === 'ADDED'), async (seen) => {
    // the watch may register a moment after its headers: keep writing until one write is seen
    for (let i = 0; i < 100 && !seen.some((x) => x.type === 'ADDED'); i++) {
      made.push(`fresh-${i}`);
      await create(`fresh-${i}`);
      await sleep(100);
    }
  });
  const seenNames = names(evs);
  assert.ok(seenNames.length >= 1);
  assert.ok(seenNames.every((n) => made.includes(n)), `only objects written after the watch began: ${seenNames}`);
  for (const n of made) await c.request('DELETE', `${CMS}/${n}`);
});

test('options that do not fit together are Kubernetes\' 422 on ListOptions, for list and watch', async () => {
  const cases: Array<[string, string]> = [
    ['sendInitialEvents=true', 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list'],
    ['watch=true&sendInitialEvents=true', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'],
    ['watch=true&resourceVersionMatch=NotOlderThan', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'],
    ['watch=true&sendInitialEvents=true&resourceVersionMatch=Exact&allowWatchBookmarks=true', 'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]'],
    ['resourceVersionMatch=NotOlderThan', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
  ];
  for (const [q, message] of cases) {
    const r = await c.request('GET', `${CMS}?${q}`);
    assert.equal(r.status, 422, q);
    assert.equal(r.body.reason, 'Invalid', q);
    assert.equal(r.body.message, message, q);
    assert.equal(r.body.details.kind, 'ListOptions');
    assert.equal(r.body.details.group, 'meta.k8s.io');
  }
  const del = await c.request('DELETE', `${CMS}?sendInitialEvents=true`);
  assert.equal(del.status, 422, 'deletecollection checks its list options too, and deletes nothing');
  assert.equal((await c.request('GET', CMS)).body.items.length, 3);
});

test('@kubernetes/client-node\'s Watch streams a watch-list with the query parameters it passes through', async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(c.apiserver.kubeconfig);
  const evs: Ev[] = [];
  let controller: AbortController | undefined;
  const ended = new Promise<void>((resolve, reject) => {
    void new k8s.Watch(kc).watch(CMS, { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true }, (type, object) => {
      evs.push({ type, object });
      if (endIndex(evs) >= 0) resolve();
    }, (err) => (err ? reject(err) : resolve())).then((ctl) => {
      controller = ctl;
    });
  });
  await ended;
  controller?.abort();
  const end = endIndex(evs);
  assert.deepEqual(names(evs.slice(0, end)).sort(), ['a', 'b', 'c']);
  const refused = await new Promise<unknown>((resolve) => {
    void new k8s.Watch(kc).watch(CMS, { sendInitialEvents: true }, () => undefined, resolve);
  });
  assert.equal((refused as { statusCode?: number }).statusCode, 422);
});

// client-go's reflector (kubectl wait and rollout status run one) uses the streaming list when the WatchListClient
// feature is on; the log shows the request and the reflector ending its initial sync on our bookmark.
for (const kubectl of ['/usr/lib/google-cloud-sdk/bin/kubectl.1.33', '/usr/bin/kubectl']) {
  test(`client-go's reflector in ${kubectl} syncs through the streaming list and then sees a change`, { skip: existsSync(kubectl) ? false : `${kubectl} is not installed` }, async () => {
    const name = `waited-${kubectl.endsWith('33') ? 'a' : 'b'}`;
    await create(name);
    const child = spawn(kubectl, ['-n', NS, 'wait', `configmap/${name}`, '--for=jsonpath={.data.k}=v2', '--timeout=60s', '-v=6'], {
      env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig, KUBE_FEATURE_WatchListClient: 'true', HOME: c.dir },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    try {
      const deadline = Date.now() + 30_000;
      while (!/marks the end of initial events stream/.test(err) && Date.now() < deadline && child.exitCode === null) await sleep(50);
      assert.match(err, /sendInitialEvents=true/, 'the reflector asked for the streaming list');
      assert.match(err, /exiting .*watch because received the bookmark that marks the end of initial events stream/i);
      const patched = await c.request('PATCH', `${CMS}/${name}`, { data: { k: 'v2' } }, { 'Content-Type': 'application/merge-patch+json' });
      assert.equal(patched.status, 200);
      assert.equal(await exited, 0, err);
      assert.match(out, new RegExp(`configmap/${name} condition met`));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
}
