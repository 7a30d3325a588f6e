import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, jsonPatch, mergePatch, strategicMergePatch, type SchemaNode } from './index.js';

const schemas: Record<string, SchemaNode> = {
  Pod: { properties: { metadata: { $ref: '#/components/schemas/Meta' }, spec: { $ref: '#/components/schemas/Spec' } } },
  Meta: { properties: { finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' }, labels: { type: 'object', additionalProperties: { type: 'string' } } } },
  Spec: { properties: {
    containers: { type: 'array', items: { $ref: '#/components/schemas/Container' }, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
    tolerations: { type: 'array', items: { type: 'object' } },
  } },
  Container: { properties: {
    name: { type: 'string' },
    image: { type: 'string' },
    env: { type: 'array', items: { type: 'object' }, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
    ports: { type: 'array', items: { type: 'object' }, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'containerPort' },
  } },
};
const resolve = (ref: string) => schemas[ref.replace('#/components/schemas/', '')];
const pod = () => ({
  metadata: { finalizers: ['a'], labels: { x: '1', y: '2' } },
  spec: {
    containers: [
      { name: 'web', image: 'web:1', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
      { name: 'side', image: 'side:1' },
    ],
    tolerations: [{ key: 'k' }],
  },
});
const smp = (patch: object) => strategicMergePatch(pod(), patch, schemas.Pod, resolve) as ReturnType<typeof pod>;

test('merge patch: objects merge, null deletes, lists replace', () => {
  assert.deepEqual(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: null, d: 3 }, l: [3] }), { a: { b: 1, d: 3 }, l: [3] });
  assert.deepEqual(mergePatch({ a: 1 }, { a: { b: 2 } }), { a: { b: 2 } });
});

test('json patch: every operation, pointer escaping, and clear failures', () => {
  const doc = { a: { 'b/c': 1, 'd~e': 2 }, l: [1, 2, 3] };
  assert.deepEqual(jsonPatch(doc, [
    { op: 'add', path: '/l/-', value: 4 },
    { op: 'add', path: '/l/0', value: 0 },
    { op: 'remove', path: '/a/b~1c' },
    { op: 'replace', path: '/a/d~0e', value: 9 },
    { op: 'copy', from: '/a/d~0e', path: '/copied' },
    { op: 'move', from: '/copied', path: '/moved' },
    { op: 'test', path: '/moved', value: 9 },
  ]), { a: { 'd~e': 9 }, l: [0, 1, 2, 3, 4], moved: 9 });
  assert.deepEqual(doc.l, [1, 2, 3], 'the input is not modified');
  assert.throws(() => jsonPatch(doc, [{ op: 'test', path: '/l/0', value: 7 }]), (e: unknown) => e instanceof PatchError && e.code === 422 && /test failed/.test(e.message));
  assert.throws(() => jsonPatch(doc, [{ op: 'replace', path: '/missing', value: 1 }]), (e: unknown) => e instanceof PatchError && e.code === 422);
  assert.throws(() => jsonPatch(doc, [{ op: 'jump', path: '/a' }]), (e: unknown) => e instanceof PatchError && e.code === 400);
  assert.throws(() => jsonPatch(doc, { op: 'add' }), (e: unknown) => e instanceof PatchError && e.code === 400);
  assert.throws(() => jsonPatch(doc, [{ op: 'add', path: '/l/9', value: 1 }]), PatchError);
});

test('strategic merge: containers merge by name, nested lists by their keys, other lists replace', () => {
  const out = smp({ spec: { containers: [{ name: 'web', image: 'web:2', env: [{ name: 'B', value: '2' }] }, { name: 'new', image: 'n:1' }], tolerations: [{ key: 'other' }] } });
  assert.deepEqual(out.spec.containers.map((c) => [c.name, c.image]), [['web', 'web:2'], ['side', 'side:1'], ['new', 'n:1']]);
  assert.deepEqual(out.spec.containers[0]?.env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
  assert.deepEqual(out.spec.containers[0]?.ports, [{ containerPort: 80 }], 'fields the patch does not mention stay');
  assert.deepEqual(out.spec.tolerations, [{ key: 'other' }], 'a list without a merge strategy is replaced');
});

test('strategic merge: primitive lists merge as sets, and directives delete, replace, reorder and retain', () => {
  assert.deepEqual(smp({ metadata: { finalizers: ['b', 'a'] } }).metadata.finalizers, ['a', 'b']);
  assert.deepEqual(smp({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }).metadata.finalizers, []);
  assert.deepEqual(smp({ spec: { containers: [{ name: 'side', $patch: 'delete' }] } }).spec.containers.map((c) => c.name), ['web']);
  assert.deepEqual(smp({ spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'o' }] } }).spec.containers, [{ name: 'only', image: 'o' }]);
  assert.deepEqual(smp({ spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'web' }], containers: [{ name: 'web', image: 'web:3' }] } }).spec.containers.map((c) => c.name), ['side', 'web']);
  assert.deepEqual(smp({ metadata: { labels: { $patch: 'replace', z: '3' } } }).metadata.labels, { z: '3' });
  assert.deepEqual(smp({ metadata: { labels: { x: null } } }).metadata.labels, { y: '2' });
  assert.deepEqual(smp({ metadata: { labels: { $retainKeys: ['y'], y: '5' } } }).metadata.labels, { y: '5' });
  assert.throws(() => smp({ metadata: { labels: { $patch: 'explode' } } }), PatchError);
});
