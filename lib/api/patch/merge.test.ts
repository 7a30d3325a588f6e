import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePatch } from './index.js';

test('RFC 7386 appendix A examples', () => {
  const cases: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) assert.deepEqual(mergePatch(target, patch), want, JSON.stringify({ target, patch }));
});

test('merge patch: deep merge, arrays replaced whole, nulls inside arrays kept, inputs untouched', () => {
  const target = { metadata: { labels: { a: '1', b: '2' }, finalizers: ['x'] }, spec: { n: 1 } };
  const patch = { metadata: { labels: { b: null, c: '3' }, finalizers: ['y', null] }, spec: { m: { deep: true } } };
  const out = mergePatch(target, patch) as typeof target & { spec: { m: unknown } };
  assert.deepEqual(out, { metadata: { labels: { a: '1', c: '3' }, finalizers: ['y', null] }, spec: { n: 1, m: { deep: true } } });
  assert.deepEqual(target.metadata.labels, { a: '1', b: '2' });
  (out.spec.m as { deep: boolean }).deep = false;
  assert.deepEqual(patch.spec.m, { deep: true }, 'the result does not alias the patch');
  assert.deepEqual(mergePatch({ a: 1 }, {}), { a: 1 });
  assert.deepEqual(mergePatch(undefined, { a: 1 }), { a: 1 });
});
