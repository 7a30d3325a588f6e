// Acceptance (issue 19, items 8 and 9): the API server's embedded etcd on the real stack. SIGKILL etcd: the API
// server restarts it, answers 503 (never 500) meanwhile, and its watch cache catches up. SIGKILL the API server: its
// etcd dies with it and the next start works. An etcd left running on the data dir is stopped before a new one
// starts. A second cluster never uses the first one's etcd, and no write lands in an etcd of another identity.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedApiServer, alive } from './embedded.js';
import { apiFetch, waitFor } from './harness.js';

const servers: EmbeddedApiServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.destroy()));
});

async function server(args?: string[]): Promise<EmbeddedApiServer> {
  const s = await EmbeddedApiServer.create(args);
  servers.push(s);
  return s;
}

const CM = '/api/v1/namespaces/default/configmaps';
const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } });

test('SIGKILL etcd: the API server restarts it, answers 503 meanwhile, and its watch cache catches up', async () => {
  const s = await server();
  await s.start();
  assert.equal((await s.request('POST', CM, cm('before'))).status, 201);
  const rv = (await s.request('GET', CM)).body.metadata.resourceVersion as string;
  const ac = new AbortController();
  const watched: string[] = [];
  const watch = (async () => {
    const res = await apiFetch(`${s.url}${CM}?watch=true&resourceVersion=${rv}`, { signal: ac.signal });
    let buf = '';
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buf += Buffer.from(chunk).toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const ev = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        watched.push(`${ev.type} ${ev.object.metadata.name}`);
      }
    }
  })().catch(() => undefined);

  const first = s.etcdPid;
  process.kill(first, 'SIGKILL');
  // every answer while etcd is down is a 503 (or 504) Status naming the storage, until etcd is back
  const failures: Array<{ status: number; reason?: string; message?: string }> = [];
  await waitFor('the API to answer again after a 503', async () => {
    const r = await s.request('GET', CM);
    if (r.status !== 200) failures.push({ status: r.status, reason: r.body?.reason, message: r.body?.message });
    return r.status === 200 && failures.length > 0;
  }, 60_000, 20);
  for (const f of failures) {
    assert.ok(f.status === 503 || f.status === 504, `answered ${f.status}: ${f.message}`);
    assert.match(f.message ?? '', /^storage (is unavailable|did not answer in time): etcd at http:\/\/127\.0\.0\.1:/);
    assert.doesNotMatch(f.message ?? '', /circuit breaker/);
  }

  const second = s.etcdPid;
  assert.notEqual(second, first);
  assert.ok(alive(second));
  assert.equal(alive(first), false);
  assert.ok(/embedded etcd exited; restarting it/.test(s.log()), 'the exit is logged');
  await waitFor('the restart to be logged', async () => /embedded etcd restarted/.test(s.log()), 30_000);
  const metrics = await (await apiFetch(`${s.url}/metrics`)).text();
  assert.match(metrics, /^flotilla_embedded_etcd_restarts_total 1$/m);

  // the cache follows the new etcd: a write after the restart reaches lists and the watch opened before it
  assert.equal((await s.request('POST', CM, cm('after'))).status, 201);
  await waitFor('the watch to see the write', async () => watched.includes('ADDED after'), 30_000);
  // once the watch has it, so does the cache (resourceVersion=0: served from the cache as it is)
  const names = (await s.request('GET', `${CM}?resourceVersion=0`)).body.items.map((i: { metadata: { name: string } }) => i.metadata.name);
  assert.ok(names.includes('after') && names.includes('before'), names.join(','));
  ac.abort();
  await watch;
});

test('SIGKILL the API server: its etcd dies with it, and a new API server starts on the same data dir', async () => {
  const s = await server();
  await s.start();
  assert.equal((await s.request('POST', CM, cm('kept'))).status, 201);
  const etcd = s.etcdPid;
  await s.kill('SIGKILL');
  await waitFor('the orphaned etcd to die', async () => !alive(etcd), 10_000);
  await s.start();
  assert.doesNotMatch(s.log(), /address already in use/);
  assert.equal((await s.request('GET', `${CM}/kept`)).status, 200);
  assert.notEqual(s.etcdPid, etcd);
});

test('an etcd left running on the data dir is stopped before a new one starts', async () => {
  const s = await server();
  await s.start();
  assert.equal((await s.request('POST', CM, cm('kept'))).status, 201);
  await s.kill('SIGTERM');
  // what an API server killed on a machine without setpriv leaves behind: its etcd, on its ports, still running
  const { clientPort, peerPort } = s.record;
  const ep = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const fd = openSync(join(s.dir, 'stale-etcd.log'), 'a');
  const stale = spawn('etcd', ['--name', 'flotilla', '--data-dir', join(s.dir, 'etcd'), '--listen-client-urls', ep, '--advertise-client-urls', ep,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `flotilla=${peer}`], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  try {
    writeFileSync(join(s.dir, 'etcd.pid'), `${stale.pid}\n`);
    await waitFor('the stale etcd to serve', async () => readFileSync(join(s.dir, 'stale-etcd.log'), 'utf8').includes('ready to serve client requests'), 30_000);
    await s.start();
    assert.match(s.log(), /stopping an etcd left running on this data dir/);
    assert.equal(alive(stale.pid as number), false);
    assert.notEqual(s.etcdPid, stale.pid);
    assert.deepEqual([s.record.clientPort, s.record.peerPort], [clientPort, peerPort], 'the ports it freed are ours again');
    assert.equal((await s.request('GET', `${CM}/kept`)).status, 200);
  } finally {
    stale.kill('SIGKILL');
  }
});

test("two clusters on one machine: the second never uses the first one's etcd", async () => {
  const a = await server();
  await a.start();
  // b's data dir says its etcd listens where a's does (as when both took the defaults): b picks its own ports
  const b = await server([]);
  writeFileSync(join(b.dir, 'etcd.json'), JSON.stringify({ clientPort: a.record.clientPort, peerPort: a.record.peerPort }));
  await b.start();
  assert.notEqual(b.record.clientPort, a.record.clientPort);
  assert.notEqual(b.record.peerPort, a.record.peerPort);
  assert.notEqual(b.record.identity, a.record.identity);
  assert.match(b.log(), /the embedded etcd's client port is taken; picking a free one/);
  assert.equal((await a.request('POST', CM, cm('only-in-a'))).status, 201);
  assert.equal((await b.request('POST', CM, cm('only-in-b'))).status, 201);
  assert.equal((await a.request('GET', `${CM}/only-in-b`)).status, 404);
  assert.equal((await b.request('GET', `${CM}/only-in-a`)).status, 404);

  // asked for a's port explicitly, c refuses to start rather than use a's etcd
  const c = await server(['--etcd-client-port', String(a.record.clientPort), '--etcd-peer-port', '0']);
  c.spawn();
  assert.equal(await c.exited(), 1);
  assert.match(c.log(), new RegExp(`client port ${a.record.clientPort} \\(--etcd-client-port\\) is in use by pid ${a.etcdPid} \\(etcd .*refusing to use an etcd this API server did not start`));
  assert.equal((await a.request('GET', `${CM}/only-in-a`)).status, 200, 'a is untouched');
});

test('a data dir whose recorded identity differs from its etcd is refused, and no write lands in an etcd of another identity', async () => {
  const s = await server();
  await s.start();
  const identity = s.record.identity as string;
  const etcd = s.etcdClient();
  try {
    // the etcd's identity changes under a running API server (another cluster's etcd took its place): writes stop
    await etcd.put('/flotilla/cluster-identity').value('someone-else');
    const r = await s.request('POST', CM, cm('lost'));
    assert.equal(r.status, 503, r.text);
    assert.match(r.body.message, /is not this cluster's etcd \(its cluster identity is someone-else, expected .*\); nothing was written/);
    assert.equal(await etcd.get('/registry/core/configmaps/default/lost').string(), null);
    await etcd.put('/flotilla/cluster-identity').value(identity);
    assert.equal((await s.request('POST', CM, cm('written'))).status, 201);
  } finally {
    etcd.close();
  }
  await s.kill('SIGTERM');
  writeFileSync(join(s.dir, 'etcd.json'), JSON.stringify({ ...s.record, identity: 'another-cluster' }));
  s.spawn();
  assert.equal(await s.exited(), 1);
  assert.match(s.log(), /holds cluster identity [0-9a-f-]+, but .*etcd\.json records another-cluster: refusing to serve another cluster's data/);
});
