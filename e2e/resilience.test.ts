// Acceptance: optimistic concurrency under 50 concurrent updaters, and restarts of the API server and of etcd in
// the middle of writes and watches: nothing acknowledged is lost, and a resuming watcher sees every event once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, apiFetch, waitFor } from './harness.js';

let c: TestCluster;
before(async () => {
  c = await TestCluster.start();
});
after(async () => {
  await c?.stop();
});

const CM = '/api/v1/namespaces/default/configmaps';

test('50 concurrent read-modify-write updaters lose no update; conflicts are 409s the clients retry', async () => {
  const created = await c.request('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'counter' }, data: { n: '0' } });
  assert.equal(created.status, 201);
  let conflicts = 0;
  const updater = async () => {
    for (;;) {
      const cur = await c.request('GET', `${CM}/counter`);
      const next = { ...cur.body, data: { n: String(Number(cur.body.data.n) + 1) } };
      const r = await c.request('PUT', `${CM}/counter`, next);
      if (r.status === 200) return;
      assert.equal(r.status, 409, r.text);
      assert.equal(r.body.reason, 'Conflict');
      conflicts++;
    }
  };
  await Promise.all(Array.from({ length: 50 }, updater));
  const final = await c.request('GET', `${CM}/counter`);
  assert.equal(final.body.data.n, '50');
  assert.ok(conflicts > 0, 'the updaters really raced');
});

interface Seen {
  type: string;
  name: string;
  rv: number;
}

/** A watcher that resumes from the last resourceVersion it saw whenever its connection drops. */
function resumingWatcher(startRv: string) {
  const seen: Seen[] = [];
  let rv = startRv;
  let stopped = false;
  let controller: AbortController | undefined;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const r = await apiFetch(`${c.url}${CM}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`, { signal: controller.signal });
        if (!r.ok || !r.body) throw new Error(`watch answered ${r.status}`);
        let buf = '';
        const decoder = new TextDecoder();
        for await (const chunk of r.body) {
          buf += decoder.decode(chunk as Uint8Array, { stream: true });
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (!line.trim()) continue;
            const ev = JSON.parse(line);
            if (ev.type === 'ERROR') throw new Error(`watch error: ${JSON.stringify(ev.object)}`);
            rv = ev.object.metadata.resourceVersion;
            if (ev.type !== 'BOOKMARK') seen.push({ type: ev.type, name: ev.object.metadata.name, rv: Number(rv) });
          }
        }
      } catch (e) {
        if (stopped) return;
        if (String(e).includes('watch error')) throw e;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  let failure: unknown;
  const done = run().catch((e) => {
    failure = e;
  });
  return {
    seen,
    /** Stops the watcher; throws what ended it early, if anything did (e.g. a 410 on resuming). */
    async stop() {
      stopped = true;
      controller?.abort();
      await done;
      if (failure) throw failure;
    },
  };
}

test('restarting the API server and then etcd mid-traffic loses nothing acknowledged and no watch event', async () => {
  const start = await c.request('GET', CM);
  const watcher = resumingWatcher(start.body.metadata.resourceVersion);
  const acked: string[] = [];
  let writing = true;
  let n = 0;
  const writer = (async () => {
    while (writing) {
      const name = `w-${n}`;
      try {
        const r = await c.request('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(n) } });
        if (r.status === 201) {
          acked.push(name);
          n++;
        } else if (r.status === 409) n++; // the previous attempt had landed before the connection dropped
      } catch {
        // connection refused while restarting: retry the same name
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const grow = async (more: number) => {
    const target = acked.length + more;
    await waitFor(`${target} acknowledged writes`, async () => acked.length >= target, 60_000);
  };
  try {
    await grow(20);
    await c.apiserver.stop();
    await c.apiserver.start();
    await grow(20);
    await c.etcd.stop();
    await new Promise((r) => setTimeout(r, 500));
    await c.etcd.start();
    await grow(20);
  } catch (e) {
    await watcher.stop().catch(() => undefined);
    throw e;
  } finally {
    writing = false;
    await writer;
  }

  const list = await c.request('GET', CM);
  const stored = new Set(list.body.items.map((i: { metadata: { name: string } }) => i.metadata.name));
  try {
    for (const name of acked) assert.ok(stored.has(name), `acknowledged ${name} is stored`);
    await waitFor('the watcher to catch up', async () => watcher.seen.filter((s) => s.type === 'ADDED').length >= stored.size - 1, 30_000);
  } finally {
    await watcher.stop();
  }
  const added = watcher.seen.filter((s) => s.type === 'ADDED' && s.name.startsWith('w-')).map((s) => s.name);
  assert.equal(new Set(added).size, added.length, 'no event was delivered twice');
  for (const name of stored) if ((name as string).startsWith('w-')) assert.ok(added.includes(name as string), `the watcher saw ${String(name)}`);
  const rvs = watcher.seen.map((s) => s.rv);
  assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b), 'events arrive in resourceVersion order');
});
