// Group commit against a fake etcd with etcd's transaction rules (every guard compared, all writes or none, one
// revision for all, the failure branch reading every key back, duplicate keys refused): fewer transactions than
// writes under load, a failed guard answered at once and the others sent again alone, no lost update, and the rules
// on what may share a transaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit, guardHolds, resourceOf, type FoundKey, type GuardedWrite, type TxnAnswer, type WriteOutcome } from './group-commit.js';

interface Entry {
  value: string;
  modRevision: number;
}

class FakeEtcd {
  revision = 1;
  readonly kv = new Map<string, Entry>();
  readonly txns: GuardedWrite[][] = [];
  /** Runs as a transaction arrives, before it is applied: another writer may change a key meanwhile. */
  beforeApply?: (writes: GuardedWrite[]) => void;
  fail?: Error;

  commit = async (writes: GuardedWrite[]): Promise<TxnAnswer<Entry>> => {
    await new Promise((r) => setImmediate(r)); // a round trip: writes arriving meanwhile queue up
    if (this.fail) throw this.fail;
    const keys = new Set(writes.map((w) => w.key));
    if (keys.size !== writes.length) throw new Error('etcdserver: duplicate key given in txn request');
    this.txns.push(writes);
    this.beforeApply?.(writes);
    const found = writes.map((w): FoundKey<Entry> | undefined => {
      const e = this.kv.get(w.key);
      return e && { modRevision: e.modRevision, kv: { ...e } };
    });
    if (!writes.every((w, i) => guardHolds(w, found[i]))) return { succeeded: false, found };
    const rev = ++this.revision;
    for (const w of writes) {
      if (w.op === 'delete') this.kv.delete(w.key);
      else this.kv.set(w.key, { value: String(w.value), modRevision: rev });
    }
    return { succeeded: true, revision: rev };
  };

  /** Another writer's put, outside the batcher. */
  put(key: string, value: string): number {
    const rev = ++this.revision;
    this.kv.set(key, { value, modRevision: rev });
    return rev;
  }
}

const cm = (name: string) => `/registry/core/configmaps/default/${name}`;
const pod = (name: string) => `/registry/core/pods/default/${name}`;
const create = (key: string, value = 'v'): GuardedWrite => ({ op: 'create', key, value });
const update = (key: string, expectedRev: number, value = 'v2'): GuardedWrite => ({ op: 'update', key, value, expectedRev });

test('concurrent writes to different keys go to etcd in fewer transactions than writes, and all land', async () => {
  const etcd = new FakeEtcd();
  const g = new GroupCommit(etcd.commit, { mode: 'all', maxInflight: 1 });
  const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => g.write(create(cm(`c${i}`), `v${i}`))));
  assert.ok(outcomes.every((o) => o.ok), 'every create succeeded');
  assert.equal(etcd.kv.size, 50);
  for (let i = 0; i < 50; i++) assert.equal(etcd.kv.get(cm(`c${i}`))?.value, `v${i}`);
  assert.ok(etcd.txns.length < 50, `${etcd.txns.length} transactions for 50 writes`);
  assert.equal(g.stats.txns, etcd.txns.length);
  // each write's revision is the one etcd gave its transaction
  outcomes.forEach((o, i) => assert.equal((o as { rev: number }).rev, etcd.kv.get(cm(`c${i}`))?.modRevision));
});

test('one write at a time goes alone, at once', async () => {
  const etcd = new FakeEtcd();
  const g = new GroupCommit(etcd.commit, { mode: 'all' });
  const a = await g.write(create(cm('a')));
  const b = await g.write(create(cm('b')));
  assert.deepEqual([a, b], [{ ok: true, rev: 2 }, { ok: true, rev: 3 }]);
  assert.deepEqual(etcd.txns.map((t) => t.length), [1, 1]);
});

test('a failed guard is answered with what the key holds; the other writes are sent again, each alone, and land', async () => {
  const etcd = new FakeEtcd();
  const taken = etcd.put(cm('taken'), 'theirs');
  const stale = etcd.put(cm('stale'), 'x');
  etcd.put(cm('stale'), 'y'); // stale's revision moved on
  const fine = etcd.put(cm('fine'), 'z');
  const g = new GroupCommit(etcd.commit, { mode: 'all', maxInflight: 1 });
  const [a, b, c, d] = await Promise.all([
    g.write(create(cm('taken'), 'mine')),
    g.write(create(cm('new'))),
    g.write(update(cm('stale'), stale)),
    g.write(update(cm('fine'), fine, 'z2')),
  ]);
  assert.deepEqual(a, { ok: false, current: { value: 'theirs', modRevision: taken } });
  assert.equal(c?.ok, false);
  assert.equal((c as Extract<WriteOutcome<Entry>, { ok: false }>).current?.value, 'y');
  assert.ok(b?.ok && d?.ok, 'the writes whose guard held landed');
  assert.equal(etcd.kv.get(cm('taken'))?.value, 'theirs');
  assert.equal(etcd.kv.get(cm('fine'))?.value, 'z2');
  assert.ok(etcd.kv.has(cm('new')));
  // the first transaction carried all four; then b and d alone
  assert.deepEqual(etcd.txns.map((t) => t.map((w) => w.key)), [[cm('taken'), cm('new'), cm('stale'), cm('fine')], [cm('new')], [cm('fine')]]);
  assert.equal(g.stats.retried, 2);
  // sent again alone, each got a revision of its own
  assert.notEqual((b as { rev: number }).rev, (d as { rev: number }).rev);
});

test('a write sent again alone that another writer beat meanwhile is answered as a conflict', async () => {
  const etcd = new FakeEtcd();
  etcd.put(cm('taken'), 'theirs');
  const rev = etcd.put(cm('raced'), 'x');
  const g = new GroupCommit(etcd.commit, { mode: 'all', maxInflight: 1 });
  etcd.beforeApply = (writes) => {
    if (writes.length === 1 && writes[0]?.key === cm('raced')) etcd.put(cm('raced'), 'another writer');
  };
  const [, raced] = await Promise.all([g.write(create(cm('taken'))), g.write(update(cm('raced'), rev))]);
  assert.equal(raced?.ok, false);
  assert.equal(etcd.kv.get(cm('raced'))?.value, 'another writer');
});

test('no lost update: concurrent read-modify-write loops on shared counters count every increment', async () => {
  const etcd = new FakeEtcd();
  const g = new GroupCommit(etcd.commit, { mode: 'all', maxInflight: 2 });
  const counters = ['a', 'b', 'c'].map(cm);
  for (const k of counters) await g.write(create(k, '0'));
  const conflicts = { n: 0 };
  const increment = async (key: string) => {
    for (;;) {
      const cur = etcd.kv.get(key) as Entry;
      const o = await g.write(update(key, cur.modRevision, String(Number(cur.value) + 1)));
      if (o.ok) return;
      conflicts.n++;
    }
  };
  await Promise.all(Array.from({ length: 60 }, (_, i) => increment(counters[i % 3] as string)));
  for (const k of counters) assert.equal(etcd.kv.get(k)?.value, '20');
  assert.ok(conflicts.n > 0, 'the loops did race');
  assert.ok(etcd.txns.every((t) => new Set(t.map((w) => w.key)).size === t.length), 'no transaction carried a key twice');
});

test('two writes of one key never share a transaction', async () => {
  const etcd = new FakeEtcd();
  const g = new GroupCommit(etcd.commit, { mode: 'all', maxInflight: 1 });
  const [first, second, other] = await Promise.all([g.write(create(cm('x'), '1')), g.write(create(cm('x'), '2')), g.write(create(cm('y')))]);
  assert.equal(first?.ok, true);
  assert.deepEqual(second, { ok: false, current: { value: '1', modRevision: (first as { rev: number }).rev } });
  assert.equal(other?.ok, true);
  assert.deepEqual(etcd.txns.map((t) => t.map((w) => w.key)), [[cm('x'), cm('y')], [cm('x')]]);
});

test("'resource' mode: writes of different resources go together, two of one resource never do", async () => {
  const etcd = new FakeEtcd();
  const g = new GroupCommit(etcd.commit, { mode: 'resource' });
  const writes = [create(cm('a')), create(cm('b')), create(pod('p')), create('/registry/apps/deployments/default/d'), create(pod('q'))];
  const outcomes = await Promise.all(writes.map((w) => g.write(w)));
  assert.ok(outcomes.every((o) => o.ok));
  for (const t of etcd.txns) {
    const resources = t.map((w) => resourceOf(w.key));
    assert.equal(new Set(resources).size, resources.length, `one write per resource in ${JSON.stringify(resources)}`);
  }
  assert.ok(etcd.txns.length < writes.length, `${etcd.txns.length} transactions for ${writes.length} writes`);
  // the revisions of one resource's objects stay distinct: a watch never sees two events at one resourceVersion
  const revs = (prefix: string) => outcomes.filter((_, i) => writes[i]?.key.startsWith(prefix)).map((o) => (o as { rev: number }).rev);
  for (const prefix of ['/registry/core/configmaps/', '/registry/core/pods/']) assert.equal(new Set(revs(prefix)).size, revs(prefix).length);
});

test('a transaction holds at most maxWrites writes and maxBytes of values (a larger write goes alone)', async () => {
  const etcd = new FakeEtcd();
  const g = new GroupCommit(etcd.commit, { mode: 'all', maxInflight: 1, maxWrites: 4, maxBytes: 1000 });
  const big = 'x'.repeat(2000);
  await Promise.all([
    ...Array.from({ length: 9 }, (_, i) => g.write(create(cm(`s${i}`)))),
    g.write(create(cm('big'), big)),
    g.write(create(cm('after'))),
  ]);
  assert.ok(etcd.txns.every((t) => t.length <= 4));
  const withBig = etcd.txns.find((t) => t.some((w) => w.key === cm('big')));
  assert.deepEqual(withBig?.map((w) => w.key), [cm('big')]);
  assert.equal(etcd.kv.size, 11);
});

test('when etcd cannot be asked, every write of the transaction fails with its error', async () => {
  const etcd = new FakeEtcd();
  etcd.fail = new Error('etcd is down');
  const g = new GroupCommit(etcd.commit, { mode: 'all', maxInflight: 1 });
  const results = await Promise.allSettled([g.write(create(cm('a'))), g.write(create(cm('b'))), g.write(create(cm('c')))]);
  assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as Error).message === 'etcd is down'));
  etcd.fail = undefined;
  assert.deepEqual(await g.write(create(cm('a'))), { ok: true, rev: 2 }, 'the next write goes through');
});

test('resourceOf: the resource part of a key under /registry/, the key itself elsewhere', () => {
  assert.equal(resourceOf('/registry/core/pods/default/p'), '/registry/core/pods/');
  assert.equal(resourceOf('/registry/apps/deployments/d'), '/registry/apps/deployments/');
  assert.equal(resourceOf('/flotilla/ranges/x'), '/flotilla/ranges/x');
  assert.equal(resourceOf('/registry/odd'), '/registry/odd');
});
