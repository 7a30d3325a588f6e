// EtcdStorage's writes as etcd receives them, through the etcd3 client's mock: a fake KV service that evaluates
// transactions as etcd does (every compare, then the success or the failure branch, one revision per transaction).
// With group commit, concurrent writes go as one transaction of guarded puts and a failed guard is told apart; the
// watch side takes the objects this server wrote instead of decoding their values again, and decodes a put's
// previous value only when asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IKeyValue, IWatchResponse } from 'etcd3';
import type { KubeObject } from '../../lib/api/types.js';
import { toRawEvent } from './etcd.js';
import { OwnWrites } from './own-writes.js';

const cmKey = (name: string) => `/registry/core/configmaps/default/${name}`;
const cm = (name: string, v = 'x'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });
/** A ConfigMap's data.v. */
const v = (o: KubeObject | undefined): unknown => (o?.data as { v?: string } | undefined)?.v;

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
