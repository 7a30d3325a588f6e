// EtcdStorage's writes as etcd receives them, through the etcd3 client's mock: a fake KV service that evaluates
// transactions as etcd does (every compare, then the success or the failure branch, one revision per transaction).
// With group commit, concurrent writes go as one transaction of guarded puts and a failed guard is told apart; the
// watch side takes the objects this server wrote instead of decoding their values again, and decodes a put's
// previous value only when asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IKeyValue, IWatchResponse } from 'etcd3';
import type { KubeObject } from '../../lib/api/types.js';
import { EtcdStorage, toRawEvent } from './etcd.js';
import { IDENTITY_KEY } from './identity.js';
import { OwnWrites } from './own-writes.js';

interface Compare { key: Buffer; result: number; target: number; create_revision?: number; mod_revision?: number; value?: Buffer }
type Op = { request_put?: { key: Buffer; value: Buffer }; request_delete_range?: { key: Buffer }; request_range?: { key: Buffer } };
interface TxnRequest { compare: Compare[]; success: Op[]; failure: Op[] }

/** etcd's KV.Txn over a map, for the etcd3 client's mock. */
class FakeKv {
  revision = 1;
  readonly kv = new Map<string, { value: Buffer; create: number; mod: number }>();
  readonly txns: TxnRequest[] = [];

  exec = async (service: string, method: string, req: unknown): Promise<unknown> => {
    assert.equal(`${service}.${method}`, 'KV.txn');
    const t = req as TxnRequest;
    this.txns.push(t);
    const holds = t.compare.every((c) => {
      const e = this.kv.get(c.key.toString());
      // CompareTarget: Create 1, Mod 2, Value 3; CompareResult Equal 0
      assert.equal(c.result, 0);
      if (c.target === 1) return (e?.create ?? 0) === Number(c.create_revision);
      if (c.target === 2) return (e?.mod ?? 0) === Number(c.mod_revision);
      if (c.target === 3) return !!e && e.value.equals(c.value as Buffer);
      throw new Error(`compare target ${c.target}`);
    });
    const ops = holds ? t.success : t.failure;
    const writes = ops.some((o) => o.request_put || o.request_delete_range);
    if (writes) this.revision++;
    const responses = ops.map((o) => {
      if (o.request_put) {
        const k = o.request_put.key.toString();
        this.kv.set(k, { value: Buffer.from(o.request_put.value), create: this.kv.get(k)?.create ?? this.revision, mod: this.revision });
        return { response_put: {} };
      }
      if (o.request_delete_range) {
        this.kv.delete(o.request_delete_range.key.toString());
        return { response_delete_range: {} };
      }
      const k = (o.request_range as { key: Buffer }).key.toString();
      const e = this.kv.get(k);
      const kvs = e ? [{ key: Buffer.from(k), value: e.value, create_revision: String(e.create), mod_revision: String(e.mod), version: '1', lease: '0' }] : [];
      return { response_range: { kvs, more: false, count: String(kvs.length) } };
    });
    return { header: { cluster_id: '1', member_id: '1', revision: String(this.revision), raft_term: '1' }, succeeded: holds, responses };
  };
}

const cmKey = (name: string) => `/registry/core/configmaps/default/${name}`;
const cm = (name: string, v = 'x'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });
/** A ConfigMap's data.v. */
const v = (o: KubeObject | undefined): unknown => (o?.data as { v?: string } | undefined)?.v;

function storageOn(kv: FakeKv, identity = 'cluster-a'): EtcdStorage {
  const s = new EtcdStorage(['http://127.0.0.1:1']);
  s.client.mock({ exec: kv.exec } as never);
  kv.kv.set(IDENTITY_KEY, { value: Buffer.from(identity), create: 1, mod: 1 });
  s.guard('cluster-a');
  return s;
}

test('group commit: concurrent creates go to etcd as one transaction of guarded puts, each answered at its revision', async () => {
  const kv = new FakeKv();
  const s = storageOn(kv);
  s.groupCommit({ mode: 'all', maxInflight: 1 });
  try {
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((n) => s.create(cmKey(n), cm(n))));
    assert.equal(kv.txns.length, 1, 'one transaction for four creates');
    const t = kv.txns[0] as TxnRequest;
    // a create guard per key (create_revision == 0), the cluster identity, then one put per key
    assert.deepEqual(t.compare.map((c) => [c.key.toString(), c.target]), [...['a', 'b', 'c', 'd'].map((n) => [cmKey(n), 1]), [IDENTITY_KEY, 3]]);
    assert.deepEqual(t.success.map((o) => o.request_put?.key.toString()), ['a', 'b', 'c', 'd'].map(cmKey));
    assert.deepEqual(t.failure.map((o) => o.request_range?.key.toString()), [...['a', 'b', 'c', 'd'].map(cmKey), IDENTITY_KEY]);
    for (const [i, r] of results.entries()) {
      assert.ok(r.ok);
      assert.equal(r.rev, kv.revision);
      assert.equal(r.obj.metadata.resourceVersion, String(kv.revision));
      assert.equal(r.obj.metadata.name, ['a', 'b', 'c', 'd'][i]);
      // stored without its resourceVersion, as every write
      assert.equal(JSON.parse(String(kv.kv.get(cmKey(['a', 'b', 'c', 'd'][i] as string))?.value)).metadata.resourceVersion, undefined);
    }
    assert.deepEqual(s.groupCommitStats, { txns: 1, writes: 4, retried: 0 });
  } finally {
    s.close();
  }
});

test('group commit: a create of a taken name and a stale update fail with what the key holds; the rest is written alone', async () => {
  const kv = new FakeKv();
  const s = storageOn(kv);
  s.groupCommit({ mode: 'all', maxInflight: 1 });
  try {
    const taken = await s.create(cmKey('taken'), cm('taken', 'theirs'));
    const old = await s.create(cmKey('old'), cm('old'));
    assert.ok(taken.ok && old.ok);
    await s.update(cmKey('old'), cm('old', 'newer'), old.rev);
    const before = kv.txns.length;
    const [dup, fresh, stale, del] = await Promise.all([
      s.create(cmKey('taken'), cm('taken', 'mine')),
      s.create(cmKey('fresh'), cm('fresh')),
      s.update(cmKey('old'), cm('old', 'lost?'), old.rev),
      s.delete(cmKey('taken'), taken.rev),
    ]);
    assert.equal(dup.ok, false);
    assert.equal(v((dup as { current?: { obj: KubeObject } }).current?.obj), 'theirs');
    assert.equal(stale.ok, false);
    assert.equal(v((stale as { current?: { obj: KubeObject } }).current?.obj), 'newer');
    assert.ok(fresh.ok, 'a write whose guard held is written');
    assert.ok(del.ok, 'the delete whose guard held went through');
    assert.ok(kv.kv.has(cmKey('fresh')) && !kv.kv.has(cmKey('taken')));
    assert.equal(JSON.parse(String(kv.kv.get(cmKey('old'))?.value)).data.v, 'newer', 'the stale update wrote nothing');
    // the same key twice (create and delete of taken) never shares a transaction; the failed one is split
    for (const t of kv.txns.slice(before)) {
      const keys = t.success.map((o) => (o.request_put ?? o.request_delete_range)?.key.toString());
      assert.equal(new Set(keys).size, keys.length);
    }
  } finally {
    s.close();
  }
});

test('group commit: a transaction refused over the cluster identity is a 503 for every write in it, and nothing is written', async () => {
  const kv = new FakeKv();
  const s = storageOn(kv, 'another-cluster');
  s.groupCommit({ mode: 'all', maxInflight: 1 });
  try {
    const results = await Promise.allSettled([s.create(cmKey('a'), cm('a')), s.create(cmKey('b'), cm('b'))]);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.equal((r as PromiseRejectedResult).reason.code, 503);
      assert.match((r as PromiseRejectedResult).reason.message, /not this cluster's etcd/);
    }
    assert.ok(!kv.kv.has(cmKey('a')) && !kv.kv.has(cmKey('b')));
  } finally {
    s.close();
  }
});

const putEvent = (key: string, value: string, rev: number, prev?: string): IWatchResponse['events'][number] => ({
  type: 'Put',
  kv: { key: Buffer.from(key), value: Buffer.from(value), mod_revision: String(rev), create_revision: String(rev), version: '1', lease: '0' } as IKeyValue,
  prev_kv: prev === undefined ? undefined : ({ key: Buffer.from(key), value: Buffer.from(prev), mod_revision: String(rev - 1), create_revision: '1', version: '1', lease: '0' } as IKeyValue),
} as IWatchResponse['events'][number]);

test("the watch event of this server's own write carries the object it wrote; another's is decoded", () => {
  const own = new OwnWrites();
  own.watches = 1;
  const mine: KubeObject = { ...cm('a'), metadata: { name: 'a', namespace: 'default', resourceVersion: '7' } };
  own.remember(cmKey('a'), 7, mine);
  const value = JSON.stringify(cm('a'));
  const ev = toRawEvent(putEvent(cmKey('a'), value, 7), own);
  assert.equal(ev.obj, mine, 'the very object, not a decoded copy');
  // taken once: a second event at that key is decoded
  const again = toRawEvent(putEvent(cmKey('a'), value, 7), own);
  assert.notEqual(again.obj, mine);
  assert.deepEqual(again.obj, mine);
  // another revision of the key (another writer) is decoded from its value
  own.remember(cmKey('a'), 8, mine);
  assert.equal(v(toRawEvent(putEvent(cmKey('a'), JSON.stringify(cm('a', 'theirs')), 9), own).obj), 'theirs');
});

test('own writes are dropped once the watch passed them, and never kept with no watch open', () => {
  const own = new OwnWrites();
  own.remember(cmKey('a'), 5, cm('a'));
  assert.equal(own.size, 0, 'no watch: nothing kept');
  own.watches = 1;
  own.remember(cmKey('a'), 5, cm('a'));
  own.remember(cmKey('b'), 6, cm('b'));
  own.passed(5);
  assert.equal(own.size, 1);
  assert.equal(own.take(cmKey('a'), 5), undefined);
  // a write whose event already went by (its answer came after the event) is not kept
  own.remember(cmKey('c'), 4, cm('c'));
  assert.equal(own.take(cmKey('c'), 4), undefined);
});

test("a put's previous value is decoded only when read", () => {
  const ev = toRawEvent(putEvent(cmKey('a'), JSON.stringify(cm('a', 'new')), 9, 'not json at all'));
  assert.equal(v(ev.obj), 'new', 'the event was made without decoding the previous value');
  assert.throws(() => ev.prev, SyntaxError);
  const ok = toRawEvent(putEvent(cmKey('a'), JSON.stringify(cm('a', 'new')), 9, JSON.stringify(cm('a', 'old'))));
  assert.equal(v(ok.prev), 'old');
  assert.equal(ok.prev?.metadata.resourceVersion, '8');
});
