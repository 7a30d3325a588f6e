// Acceptance (issue 19, item 3): the API server starts again however much etcd holds. More than 4 MiB of ConfigMaps
// (one etcd range of them is larger than a gRPC message may be), three at ConfigMaps' 1 MiB limit and one near
// etcd's 1.5 MiB request limit, each written twice (so one watch event carries two of them): the API server is
// SIGKILLed and restarted over them, and serves every object; a watch resumed from before the restart gets every
// event since; lists that go to etcd rather than the cache work too. The benchmark
// (bench/restart-at-scale.ts) does the same with 100,000 objects and prints the start time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedApiServer, writeConfigMaps } from './embedded.js';
import { apiFetch } from './harness.js';

const NS = 'scale';
const COUNT = 6000;
const PAYLOAD = 1000;
/** ConfigMap data may hold up to 1 MiB (Kubernetes' limit, which the API server enforces). */
const BIG = 1000 * 1024;
/** Written straight into etcd: an object just under etcd's 1.5 MiB request limit. */
const HUGE = 1500 * 1024;

let s: EmbeddedApiServer;
before(async () => {
  s = await EmbeddedApiServer.create();
  await s.start();
});
after(async () => {
  await s?.destroy();
});

const CM = `/api/v1/namespaces/${NS}/configmaps`;

test('SIGKILLed over more than 4 MiB in etcd, the API server starts again and nothing acknowledged is missing', async () => {
  assert.equal((await s.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status, 201);
  const acked: string[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await s.request('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `acked-${i}` }, data: { i: String(i) } });
    assert.equal(r.status, 201, r.text);
    acked.push(`acked-${i}`);
  }
  const before = (await s.request('GET', `${CM}?limit=1`)).body.metadata.resourceVersion as string;

  const etcd = s.etcdClient();
  let direct: string[];
  try {
    direct = await writeConfigMaps(etcd, NS, COUNT, PAYLOAD);
    const all = await etcd.getAll().prefix(`/registry/core/configmaps/${NS}/`).exec();
    const bytes = all.kvs.reduce((n, kv) => n + kv.key.length + kv.value.length, 0);
    assert.ok(bytes > 4 * 1024 * 1024 + 512 * 1024, `etcd holds more than a gRPC message's 4 MiB (${bytes} bytes)`);
    for (const fill of ['a', 'b']) {
      const huge = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'huge', namespace: NS, uid: 'f0f0f0f0-0000-4000-8000-000000000001', creationTimestamp: '2026-01-01T00:00:00Z' }, data: { blob: fill.repeat(HUGE) } };
      await etcd.put(`/registry/core/configmaps/${NS}/huge`).value(JSON.stringify(huge));
    }
    direct.push('huge');
  } finally {
    etcd.close();
  }
  // three objects at ConfigMaps' limit, each written twice: one watch event carries two of them
  for (const name of ['big-0', 'big-1', 'big-2']) {
    const created = await s.request('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { blob: 'a'.repeat(BIG) } });
    assert.equal(created.status, 201, created.text.slice(0, 300));
    const updated = await s.request('PUT', `${CM}/${name}`, { ...created.body, data: { blob: 'b'.repeat(BIG) } });
    assert.equal(updated.status, 200, updated.text.slice(0, 300));
    acked.push(name);
  }

  await s.kill('SIGKILL');
  await s.start();
  assert.match(s.log(), /watch cache primed/);

  const list = await s.request('GET', CM);
  assert.equal(list.status, 200, list.text.slice(0, 300));
  const names = new Set<string>(list.body.items.map((i: { metadata: { name: string } }) => i.metadata.name));
  assert.equal(names.size, direct.length + acked.length);
  for (const n of [...acked, ...direct]) assert.ok(names.has(n), `${n} is listed`);
  for (const n of acked) {
    const r = await s.request('GET', `${CM}/${n}`);
    assert.equal(r.status, 200, `${n}: ${r.text.slice(0, 200)}`);
  }
  const big = await s.request('GET', `${CM}/big-1`);
  assert.equal(big.body.data.blob, 'b'.repeat(BIG));
  const huge = await s.request('GET', `${CM}/huge`);
  assert.equal(huge.body.data.blob, 'b'.repeat(HUGE));
  const sample = await s.request('GET', `${CM}/${direct[COUNT - 1] as string}`);
  assert.equal(sample.status, 200);
  assert.equal(sample.body.data.payload.length, PAYLOAD);

  // a paginated list, and an exact-revision list that is read from etcd (in pages) rather than the cache
  let pages = 0;
  let seen = 0;
  let cont = '';
  do {
    const page = await s.request('GET', `${CM}?limit=1000${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
    assert.equal(page.status, 200, page.text.slice(0, 300));
    seen += page.body.items.length;
    cont = page.body.metadata.continue ?? '';
    pages++;
  } while (cont);
  assert.equal(seen, names.size);
  assert.ok(pages > 1);
  const exact = await s.request('GET', `${CM}?resourceVersion=${list.body.metadata.resourceVersion}&resourceVersionMatch=Exact`);
  assert.equal(exact.status, 200, exact.text.slice(0, 300));
  assert.equal(exact.body.items.length, names.size);

  // a watch resumed from before the restart gets every change since, the big updates included
  const ac = new AbortController();
  const res = await apiFetch(`${s.url}${CM}?watch=true&resourceVersion=${before}`, { signal: ac.signal });
  assert.equal(res.status, 200);
  const events: Array<{ type: string; name: string }> = [];
  let buf = '';
  const dec = new TextDecoder();
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buf += dec.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const ev = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        assert.notEqual(ev.type, 'ERROR', JSON.stringify(ev.object));
        events.push({ type: ev.type, name: ev.object.metadata.name });
      }
      if (events.length >= COUNT + 8) break;
    }
  } finally {
    ac.abort();
  }
  assert.equal(events.filter((e) => e.type === 'ADDED').length, COUNT + 4);
  assert.deepEqual(events.filter((e) => e.type === 'MODIFIED').map((e) => e.name), ['huge', 'big-0', 'big-1', 'big-2']);
});
