import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi, immediate, json, status, stream, until } from '../testing/fake-api.js';
import { ListWatcher, type Snapshot } from './watch.js';
import type { KubeObject, TableRow } from './types.js';

const pod = (name: string, rv: string, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', resourceVersion: rv }, ...extra });
const list = (rv: string, items: KubeObject[], cont?: string) => json(200, { kind: 'PodList', metadata: { resourceVersion: rv, continue: cont }, items });
const names = (s: Snapshot<KubeObject>) => [...s.items.keys()].sort();

test('lists, then follows the watch from the list\'s resourceVersion; the stream ending resumes from the last version seen', async () => {
  const api = new FakeApi();
  const streams: Array<ReturnType<typeof stream>> = [];
  api.on((r) => (r.url.searchParams.get('watch') ? undefined : list('10', [pod('a', '5'), pod('b', '9')])));
  api.on(() => {
    const s = stream();
    streams.push(s);
    return s.response;
  });
  const w = new ListWatcher(api.client, { path: '/api/v1/namespaces/default/pods' }, immediate);
  let last: Snapshot<KubeObject> | undefined;
  w.subscribe((s) => (last = s));
  w.start();
  await until('the list', () => !!last?.synced);
  assert.deepEqual(names(last as Snapshot<KubeObject>), ['default/a', 'default/b']);
  await until('a watch', () => streams.length === 1);
  const first = api.requests.find((r) => r.url.searchParams.get('watch'));
  assert.equal(first?.url.searchParams.get('resourceVersion'), '10');
  assert.equal(first?.url.searchParams.get('allowWatchBookmarks'), 'true');
  streams[0]?.push({ type: 'ADDED', object: pod('c', '11') });
  streams[0]?.push({ type: 'MODIFIED', object: pod('a', '12', { status: { phase: 'Running' } }) });
  // an event split across two chunks is joined
  const deleted = JSON.stringify({ type: 'DELETED', object: pod('b', '13') });
  streams[0]?.raw(deleted.slice(0, 20));
  streams[0]?.raw(`${deleted.slice(20)}\n`);
  streams[0]?.push({ type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '20' } } });
  await until('the events', () => last?.items.size === 2 && last.items.has('default/c'));
  assert.equal((last?.items.get('default/a') as KubeObject).status.phase, 'Running');
  streams[0]?.end();
  await until('a resumed watch', () => streams.length === 2);
  const second = api.requests.filter((r) => r.url.searchParams.get('watch'))[1];
  assert.equal(second?.url.searchParams.get('resourceVersion'), '20', 'resumed from the bookmark');
  assert.equal(api.requests.filter((r) => !r.url.searchParams.get('watch')).length, 1, 'no second list');
  w.stop();
  assert.equal(w.running, false);
});

test('a 410 "too old" from the watch lists again (objects deleted meanwhile disappear)', async () => {
  const api = new FakeApi();
  let lists = 0;
  const streams: Array<ReturnType<typeof stream>> = [];
  api.on((r) => {
    if (r.url.searchParams.get('watch')) return undefined;
    lists++;
    return lists === 1 ? list('10', [pod('a', '5'), pod('gone', '6')]) : list('50', [pod('a', '40'), pod('new', '45')]);
  });
  api.on(() => {
    const s = stream();
    streams.push(s);
    return s.response;
  });
  const w = new ListWatcher(api.client, { path: '/api/v1/pods' }, immediate);
  let last: Snapshot<KubeObject> | undefined;
  w.subscribe((s) => (last = s));
  w.start();
  await until('a watch', () => streams.length === 1);
  streams[0]?.push({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 10 (40)' } });
  await until('the second list', () => last?.lists === 2);
  assert.deepEqual(names(last as Snapshot<KubeObject>), ['default/a', 'default/new']);
  await until('a watch from the new list', () => streams.length === 2);
  assert.equal(api.requests.filter((r) => r.url.searchParams.get('watch'))[1]?.url.searchParams.get('resourceVersion'), '50');
  assert.equal(last?.error, undefined);
  w.stop();
});

test('an HTTP 410 on the watch request itself also lists again; other failures are shown and retried', async () => {
  const api = new FakeApi();
  let watches = 0;
  let lists = 0;
  const open: Array<ReturnType<typeof stream>> = [];
  api.on((r) => {
    if (!r.url.searchParams.get('watch')) {
      lists++;
      return lists === 2 ? status(500, 'etcd is down') : list(String(lists * 10), [pod('a', '1')]);
    }
    watches++;
    if (watches === 1) return status(410, 'too old', 'Expired');
    const s = stream();
    open.push(s);
    return s.response;
  });
  const w = new ListWatcher(api.client, { path: '/api/v1/pods' }, immediate);
  const errors: string[] = [];
  w.subscribe((s) => s.error && errors.push(s.error.message));
  w.start();
  await until('a watch after the failures', () => open.length === 1);
  assert.deepEqual(errors.slice(0, 1), ['etcd is down'], 'the list failure was shown');
  assert.equal(lists, 3, 'listed, 410 -> listed again (failed), then listed');
  assert.equal(w.snapshot.error, undefined, 'cleared once it works');
  w.stop();
});

test('pages through a long list with continue tokens before showing anything', async () => {
  const api = new FakeApi();
  api.on((r) => {
    if (r.url.searchParams.get('watch')) return stream().response;
    assert.equal(r.url.searchParams.get('limit'), '2');
    return r.url.searchParams.get('continue') === 'p2' ? list('30', [pod('c', '3')]) : list('30', [pod('a', '1'), pod('b', '2')], 'p2');
  });
  const w = new ListWatcher(api.client, { path: '/api/v1/pods', pageSize: 2 }, immediate);
  const seen: number[] = [];
  w.subscribe((s) => seen.push(s.items.size));
  w.start();
  await until('synced', () => w.snapshot.synced);
  assert.equal(seen[0], 3, 'the first notification has every page');
  w.stop();
});

test('the Table form: rows keyed by their object\'s metadata, columns from the list, live rows from the watch', async () => {
  const api = new FakeApi('tok');
  const s = stream();
  const cols = [{ name: 'Name', type: 'string', format: 'name', priority: 0 }, { name: 'Holder', type: 'string', format: '', priority: 0 }];
  const row = (name: string, holder: string, rv: string): TableRow => ({ cells: [name, holder], object: { metadata: { name, namespace: 'kube-node-lease', resourceVersion: rv } } });
  api.on((r) => (r.url.searchParams.get('watch') ? s.response : json(200, { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '7' }, columnDefinitions: cols, rows: [row('n1', 'n1', '3')] })));
  const w = new ListWatcher<TableRow>(api.client, { path: '/apis/coordination.k8s.io/v1/leases', table: true }, immediate);
  w.start();
  await until('synced', () => w.snapshot.synced);
  assert.deepEqual(w.snapshot.columns?.map((c) => c.name), ['Name', 'Holder']);
  const req = api.requests[0];
  assert.match(req?.headers.get('accept') ?? '', /^application\/json;as=Table;v=v1;g=meta\.k8s\.io/);
  assert.equal(req?.url.searchParams.get('includeObject'), 'Metadata');
  assert.equal(req?.headers.get('authorization'), 'Bearer tok');
  await until('the watch', () => api.requests.length === 2);
  s.push({ type: 'ADDED', object: { kind: 'Table', metadata: { resourceVersion: '8' }, rows: [row('n2', 'n2', '8')] } });
  s.push({ type: 'DELETED', object: { kind: 'Table', metadata: { resourceVersion: '9' }, rows: [row('n1', 'n1', '9')] } });
  await until('the rows', () => w.snapshot.items.size === 1 && w.snapshot.items.has('kube-node-lease/n2'));
  assert.deepEqual(w.snapshot.items.get('kube-node-lease/n2')?.cells, ['n2', 'n2']);
  w.stop();
});

test('a burst of events is one notification per batch', async () => {
  const api = new FakeApi();
  const s = stream();
  api.on((r) => (r.url.searchParams.get('watch') ? s.response : list('1', [])));
  const batches: Array<() => void> = [];
  const manual = { schedule: (cb: () => void) => batches.push(cb), sleep: immediate.sleep };
  const w = new ListWatcher(api.client, { path: '/api/v1/pods' }, manual);
  let notified = 0;
  w.subscribe(() => notified++);
  w.start();
  await until('the list', () => batches.length === 1);
  batches.shift()?.();
  await until('the watch', () => api.requests.length === 2);
  for (let i = 0; i < 500; i++) s.push({ type: 'ADDED', object: pod(`p${i}`, String(i + 2)) });
  await until('the events', () => w.snapshot.updates === 500);
  assert.equal(batches.length, 1, 'one frame scheduled for 500 events');
  batches.shift()?.();
  assert.equal(notified, 2);
  assert.equal(w.snapshot.items.size, 500);
  w.stop();
});
