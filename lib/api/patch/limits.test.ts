// A JSON patch can grow a document by copying parts of it into itself: each copy may double it, in size and in
// depth. Copies are held to Kubernetes' 3 MiB budget, and no operation may nest the document past 400 levels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_NESTING_DEPTH, valueDepth } from '../depth.js';
import { MAX_COPY_BYTES, PatchError, jsonPatch } from './index.js';

test('copies that double the document stop at the 3 MiB copy budget (422, Kubernetes\' wording)', () => {
  const doc = { a: 'x'.repeat(1000), list: [] as unknown[] };
  const ops = Array.from({ length: 40 }, () => ({ op: 'copy', from: '/list', path: '/list/-' }));
  ops.unshift({ op: 'copy', from: '/a', path: '/list/-' });
  assert.throws(() => jsonPatch(doc, ops), (e) => e instanceof PatchError && e.code === 422 && /^Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728$/.test(e.message));
  assert.equal(MAX_COPY_BYTES, 3145728);
  // a few small copies are fine
  assert.deepEqual(jsonPatch({ a: [1] }, [{ op: 'copy', from: '/a', path: '/b' }, { op: 'copy', from: '/b', path: '/c' }]), { a: [1], b: [1], c: [1] });
});

test('copies and moves that would nest the document past the limit are refused before they are made', () => {
  // a chain 300 deep, copied into its own innermost level: 600 levels
  let chain: Record<string, unknown> = {};
  for (let i = 0; i < 299; i++) chain = { c: chain };
  const inner = '/x' + '/c'.repeat(299);
  assert.throws(() => jsonPatch({ x: chain }, [{ op: 'copy', from: '/x', path: `${inner}/again` }]), (e) => e instanceof PatchError && e.code === 422 && /exceeding the limit of 400/.test(e.message));
  assert.throws(() => jsonPatch({ x: chain, y: {} }, [{ op: 'move', from: '/x', path: `/y${'/c'.repeat(0)}/deep` }, { op: 'copy', from: '/y', path: `/y/deep${'/c'.repeat(299)}/z` }]), (e) => e instanceof PatchError && e.code === 422);
  // add: the value's own depth counts from where it lands
  let v: unknown = 1;
  for (let i = 0; i < MAX_NESTING_DEPTH - 1; i++) v = [v];
  assert.equal(valueDepth(jsonPatch({}, [{ op: 'add', path: '/a', value: v }])), MAX_NESTING_DEPTH);
  assert.throws(() => jsonPatch({ a: {} }, [{ op: 'add', path: '/a/b', value: v }]), (e) => e instanceof PatchError && /nest 401 levels deep/.test(e.message));
});
