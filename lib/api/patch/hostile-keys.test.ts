// `__proto__`, `constructor` and `prototype` are ordinary keys to every patch type: they are stored as members of
// the result (as Go's maps would hold them) and nothing is ever written to a built-in prototype.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, jsonPatch, mergePatch, strategicMergePatch, type SchemaNode } from './index.js';
import { inheritedOnFreshObject, snapshotPrototypes } from '../testing/prototypes.js';

const R = (n: string): SchemaNode => ({ $ref: `#/components/schemas/${n}` });
const schemas: Record<string, SchemaNode> = {
  CM: { type: 'object', properties: { metadata: R('Meta'), data: { type: 'object', additionalProperties: { type: 'string' } } } },
  Meta: { type: 'object', properties: {
    name: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' },
  } },
};
const resolve = (ref: string) => schemas[ref.slice('#/components/schemas/'.length)];

const current = () => JSON.parse('{"metadata":{"name":"pp","labels":{"app":"web"},"finalizers":["a"]},"data":{"k":"v"}}') as Record<string, unknown>;

/** Runs fn, then checks that no built-in prototype changed and no fresh object inherits anything. */
function clean<T>(what: string, fn: () => T): T {
  const snap = snapshotPrototypes();
  let out: T;
  try {
    out = fn();
  } finally {
    assert.deepEqual(snap.changed(), [], `${what}: a built-in prototype changed`);
    assert.deepEqual(inheritedOnFreshObject(), [], `${what}: fresh objects inherit members`);
    assert.equal(({} as Record<string, unknown>).x, undefined, what);
    assert.equal(([] as unknown as Record<string, unknown>).x, undefined, what);
  }
  return out;
}

const own = (o: unknown, k: string) => Object.getOwnPropertyDescriptor(o as object, k)?.value;

const HOSTILE_BODIES = [
  '{"__proto__":{"x":"1"}}',
  '{"constructor":{"prototype":{"x":"1"}}}',
  '{"prototype":{"x":"1"}}',
  '{"data":{"__proto__":"v1","constructor":"v2","prototype":"v3","toString":"v4"}}',
  '{"metadata":{"labels":{"__proto__":"a","constructor":"b"},"annotations":{"__proto__":"c","prototype":"d"}}}',
  '{"metadata":{"__proto__":{"x":"1"},"labels":{"__proto__":{"x":"1"}}}}',
  '{"data":{"__proto__":{"x":"1"}},"__proto__":[1,2],"constructor":null}',
];

test('merge patch: hostile keys become members of the result and no prototype is touched', () => {
  for (const body of HOSTILE_BODIES) {
    const out = clean(`merge ${body}`, () => mergePatch(current(), JSON.parse(body))) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype, body);
  }
  const out = clean('merge', () => mergePatch(current(), JSON.parse(HOSTILE_BODIES[3] as string))) as { data: Record<string, string> };
  assert.deepEqual(Object.keys(out.data), ['k', '__proto__', 'constructor', 'prototype', 'toString']);
  assert.equal(own(out.data, '__proto__'), 'v1');
  assert.equal(JSON.stringify(out.data), '{"k":"v","__proto__":"v1","constructor":"v2","prototype":"v3","toString":"v4"}');
  const top = clean('merge', () => mergePatch(current(), JSON.parse('{"__proto__":{"x":"1"}}'))) as Record<string, unknown>;
  assert.deepEqual(own(top, '__proto__'), { x: '1' });
  // A second patch merges into the member, not into Object.prototype.
  const again = clean('merge twice', () => mergePatch(top, JSON.parse('{"__proto__":{"y":"2"},"constructor":{"z":"3"}}'))) as Record<string, unknown>;
  assert.deepEqual(own(again, '__proto__'), { x: '1', y: '2' });
  assert.deepEqual(own(again, 'constructor'), { z: '3' });
  // null deletes the member (and only the member).
  const gone = clean('merge delete', () => mergePatch(again, JSON.parse('{"__proto__":null}'))) as Record<string, unknown>;
  assert.equal(Object.hasOwn(gone, '__proto__'), false);
  assert.equal(Object.getPrototypeOf(gone), Object.prototype);
});

test('strategic merge patch: hostile keys, including inside directives, stay ordinary keys', () => {
  const bodies = [
    ...HOSTILE_BODIES,
    '{"metadata":{"$setElementOrder/__proto__":["a"],"__proto__":["a"]}}',
    '{"metadata":{"$deleteFromPrimitiveList/constructor":["a"]}}',
    '{"data":{"$retainKeys":["__proto__"],"__proto__":"x"}}',
    '{"data":{"__proto__":{"$patch":"delete"}}}',
    '{"metadata":{"finalizers":["__proto__","constructor"]}}',
  ];
  for (const body of bodies) {
    clean(`strategic ${body}`, () => {
      try {
        return strategicMergePatch(current(), JSON.parse(body), schemas.CM, resolve);
      } catch (e) {
        assert.ok(e instanceof PatchError, `${body}: ${String(e)}`);
        return undefined;
      }
    });
  }
  const out = clean('strategic', () => strategicMergePatch(current(), JSON.parse(HOSTILE_BODIES[4] as string), schemas.CM, resolve)) as { metadata: { labels: object; annotations: object } };
  assert.equal(own(out.metadata.labels, '__proto__'), 'a');
  assert.equal(own(out.metadata.labels, 'constructor'), 'b');
  assert.equal(own(out.metadata.annotations, '__proto__'), 'c');
  const top = clean('strategic top', () => strategicMergePatch(current(), JSON.parse('{"__proto__":{"x":"1"}}'), schemas.CM, resolve)) as Record<string, unknown>;
  assert.deepEqual(own(top, '__proto__'), { x: '1' });
  const merged = clean('strategic twice', () => strategicMergePatch(top, JSON.parse('{"__proto__":{"y":"2"}}'), schemas.CM, resolve)) as Record<string, unknown>;
  assert.deepEqual(own(merged, '__proto__'), { x: '1', y: '2' });
});

test('JSON patch: /__proto__/x and /constructor/prototype/x do not reach a prototype', () => {
  const refused = [
    [{ op: 'add', path: '/__proto__/x', value: '1' }],
    [{ op: 'add', path: '/constructor/prototype/x', value: '1' }],
    [{ op: 'replace', path: '/__proto__/x', value: '1' }],
    [{ op: 'add', path: '/data/constructor/prototype/x', value: '1' }],
    [{ op: 'copy', from: '/constructor', path: '/data/c' }],
    [{ op: 'move', from: '/__proto__', path: '/data/p' }],
    [{ op: 'remove', path: '/__proto__' }],
    [{ op: 'remove', path: '/toString' }],
    [{ op: 'test', path: '/constructor', value: {} }],
  ];
  for (const ops of refused) {
    clean(JSON.stringify(ops), () => assert.throws(() => jsonPatch(current(), JSON.parse(JSON.stringify(ops))),
      (e) => e instanceof PatchError && e.code === 422, JSON.stringify(ops)));
  }
  // As members they behave like any other key.
  const ops = JSON.parse(`[
    {"op":"add","path":"/__proto__","value":{"x":"1"}},
    {"op":"add","path":"/__proto__/y","value":"2"},
    {"op":"add","path":"/data/__proto__","value":"v"},
    {"op":"add","path":"/data/constructor","value":"c"},
    {"op":"copy","from":"/data/__proto__","path":"/data/prototype"},
    {"op":"add","path":"/metadata/labels/__proto__","value":"l"},
    {"op":"test","path":"/data/__proto__","value":"v"},
    {"op":"move","from":"/data/constructor","path":"/data/moved"}
  ]`);
  const out = clean('json members', () => jsonPatch(current(), ops)) as { data: object; metadata: { labels: object } };
  assert.deepEqual(own(out, '__proto__'), { x: '1', y: '2' });
  assert.equal(JSON.stringify(out.data), '{"k":"v","__proto__":"v","prototype":"v","moved":"c"}');
  assert.equal(own(out.metadata.labels, '__proto__'), 'l');
  const removed = clean('json remove member', () => jsonPatch(out, JSON.parse('[{"op":"remove","path":"/__proto__"},{"op":"replace","path":"/data/__proto__","value":"w"}]'))) as Record<string, unknown>;
  assert.equal(Object.hasOwn(removed, '__proto__'), false);
  assert.equal(own(removed.data, '__proto__'), 'w');
});
