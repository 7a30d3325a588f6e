import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, type SchemaNode, strategicMergePatch } from './index.js';

// A Pod-ish fixture written with the conventions of lib/api/schema: extensions on the property, next to its $ref.
const R = (n: string): SchemaNode => ({ $ref: `#/components/schemas/${n}` });
const schemas: Record<string, SchemaNode> = {
  Pod: { type: 'object', properties: { metadata: R('Meta'), spec: { ...R('Spec'), description: 'spec' }, status: { allOf: [R('Status')] } } },
  Meta: { type: 'object', properties: {
    finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    ownerReferences: { type: 'array', items: R('OwnerRef'), 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'uid' },
  } },
  OwnerRef: { type: 'object', properties: { uid: { type: 'string' }, name: { type: 'string' } } },
  Spec: { type: 'object', properties: {
    containers: { type: 'array', items: R('Container'), 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
    tolerations: { type: 'array', items: { type: 'object' } },
    nodeSelector: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-patch-strategy': 'replace' },
    strategy: { ...R('Strategy'), 'x-kubernetes-patch-strategy': 'retainKeys' },
    volumes: { type: 'array', items: { type: 'object' }, 'x-kubernetes-patch-strategy': 'merge,retainKeys', 'x-kubernetes-patch-merge-key': 'name' },
    mixed: { type: 'array', items: { type: 'object' }, 'x-kubernetes-patch-strategy': 'merge' },
    weird: { type: 'array', 'x-kubernetes-patch-strategy': 'merge,replace' },
  } },
  Strategy: { type: 'object', properties: { type: { type: 'string' }, rollingUpdate: { type: 'object' } } },
  Container: { type: 'object', properties: {
    name: { type: 'string' },
    image: { type: 'string' },
    args: { type: 'array', items: { type: 'string' } },
    env: { type: 'array', items: R('Env'), 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
    ports: { allOf: [{ type: 'array', items: { type: 'object' }, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'containerPort' }] },
  } },
  Env: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' }, valueFrom: { type: 'object' } } },
  Status: { type: 'object', properties: { conditions: { type: 'array', items: { type: 'object' }, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'type' } } },
};
const resolve = (ref: string) => schemas[ref.replace('#/components/schemas/', '')];

interface Pod {
  metadata: { finalizers?: string[]; labels?: Record<string, string>; ownerReferences?: Array<{ uid: string; name?: string }> };
  spec: {
    containers: Array<{
      name: string; image?: string; args?: string[]; env?: Array<{ name: string; value?: string }>; ports?: Array<{ containerPort: number; protocol?: string }>;
    }>;
    tolerations?: unknown[];
    nodeSelector?: Record<string, string>;
    strategy?: Record<string, unknown>;
    volumes?: Array<Record<string, unknown>>;
  };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

const pod = (): Pod => ({
  metadata: { finalizers: ['a'], labels: { x: '1', y: '2' } },
  spec: {
    containers: [
      { name: 'web', image: 'web:1', args: ['--a'], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] },
      { name: 'side', image: 'side:1' },
    ],
    tolerations: [{ key: 'k' }],
    nodeSelector: { disk: 'ssd', zone: 'a' },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
  },
  status: { conditions: [{ type: 'Ready', status: 'False' }] },
});
const smp = (patch: unknown, original: unknown = pod()) => strategicMergePatch(original, patch, R('Pod'), resolve) as Pod;
const names = (p: Pod) => p.spec.containers.map((c) => c.name);

function fails(patch: unknown, code: number, message: RegExp, original: unknown = pod()): void {
  assert.throws(() => smp(patch, original), (e: unknown) => e instanceof PatchError && e.code === code && message.test(e.message), JSON.stringify(patch));
}

test('maps merge recursively, null deletes, unknown fields merge like a JSON merge patch', () => {
  const out = smp({ metadata: { labels: { x: null, z: '3' } }, spec: { extra: { a: 1, gone: null } }, newTop: [1, 2] });
  assert.deepEqual(out.metadata.labels, { y: '2', z: '3' });
  assert.deepEqual((out.spec as unknown as { extra: unknown }).extra, { a: 1 }, 'nulls in new values are dropped');
  assert.deepEqual((out as unknown as { newTop: unknown }).newTop, [1, 2]);
  assert.deepEqual(smp({ spec: { tolerations: null } }).spec.tolerations, undefined);
  assert.deepEqual(smp({ metadata: { labels: 'not-a-map' } }).metadata.labels, 'not-a-map' as never, 'a type change replaces');
  const input = pod();
  smp({ metadata: { labels: { x: null } }, spec: { containers: [{ name: 'web', image: 'web:9' }] } }, input);
  assert.deepEqual(input, pod(), 'the original is not modified');
});

test('merge lists merge by key; unmentioned fields and elements stay; nested merge lists use their own keys', () => {
  const out = smp({ spec: { containers: [{ name: 'web', image: 'web:2', env: [{ name: 'B', value: 'b' }, { name: 'C', value: '3' }], ports: [{ containerPort: 80, protocol: 'TCP' }] }] } });
  assert.deepEqual(names(out), ['web', 'side']);
  const web = out.spec.containers[0];
  assert.equal(web?.image, 'web:2');
  assert.deepEqual(web?.args, ['--a']);
  assert.deepEqual(web?.env, [{ name: 'A', value: '1' }, { name: 'B', value: 'b' }, { name: 'C', value: '3' }]);
  assert.deepEqual(web?.ports, [{ containerPort: 80, protocol: 'TCP' }], 'merge key through allOf');
  assert.deepEqual(smp({ spec: { containers: [{ name: 'web', args: ['--b'] }] } }).spec.containers[0]?.args, ['--b'], 'a list without strategy inside an element is replaced');
  assert.deepEqual(smp({ status: { conditions: [{ type: 'Ready', status: 'True' }] } }).status?.conditions, [{ type: 'Ready', status: 'True' }], 'schema through allOf');
});

test('new elements go first, as Kubernetes orders them without $setElementOrder', () => {
  assert.deepEqual(names(smp({ spec: { containers: [{ name: 'new', image: 'n:1' }] } })), ['new', 'web', 'side']);
  assert.deepEqual(names(smp({ spec: { containers: [{ name: 'side', image: 's:2' }, { name: 'new' }] } })), ['web', 'side', 'new']);
  assert.deepEqual(names(smp({ spec: { containers: [{ name: 'new' }, { name: 'web', image: 'w' }] } })), ['new', 'web', 'side']);
  assert.deepEqual(smp({ metadata: { finalizers: ['b'] } }).metadata.finalizers, ['b', 'a']);
  assert.deepEqual(smp({ metadata: { finalizers: ['a', 'b'] } }).metadata.finalizers, ['a', 'b']);
  assert.deepEqual(smp({ metadata: { finalizers: ['b', 'a'] } }).metadata.finalizers, ['b', 'a'], 'patch order wins for patch items');
  assert.deepEqual(smp({ metadata: { finalizers: [2, 3] } }, { metadata: { finalizers: [1, 2] } }).metadata.finalizers, [1, 2, 3]);
  assert.deepEqual(smp({ metadata: { finalizers: ['x', 'x', 'a'] } }, { metadata: { finalizers: ['a', 'a'] } }).metadata.finalizers, ['x', 'a'], 'merged as a set');
  assert.deepEqual(smp({ metadata: { finalizers: ['f'] } }, { metadata: {} }).metadata.finalizers, ['f']);
  assert.deepEqual(smp({ metadata: { finalizers: [] } }).metadata.finalizers, ['a'], 'an empty merge list changes nothing');
});

test('lists without a merge strategy, and maps with strategy replace, are replaced', () => {
  assert.deepEqual(smp({ spec: { tolerations: [{ key: 'other' }] } }).spec.tolerations, [{ key: 'other' }]);
  assert.deepEqual(smp({ spec: { tolerations: [] } }).spec.tolerations, []);
  assert.deepEqual(smp({ spec: { nodeSelector: { zone: 'b' } } }).spec.nodeSelector, { zone: 'b' });
  assert.deepEqual(smp({ spec: { strategy: { type: 'Recreate' } } }).spec.strategy, { type: 'Recreate', rollingUpdate: { maxSurge: 1 } }, 'retainKeys alone does not replace');
});

test('$patch directives in lists: delete by key, replace the whole list', () => {
  assert.deepEqual(names(smp({ spec: { containers: [{ name: 'side', $patch: 'delete' }] } })), ['web']);
  assert.deepEqual(names(smp({ spec: { containers: [{ name: 'absent', $patch: 'delete' }] } })), ['web', 'side']);
  assert.deepEqual(smp({ spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'o' }] } }).spec.containers, [{ name: 'only', image: 'o' }]);
  assert.deepEqual(smp({ spec: { containers: [{ name: 'z', image: 'z', $patch: 'replace' }, { name: 'y' }] } }).spec.containers, [{ name: 'y' }], 'the replace element itself is dropped');
  assert.deepEqual(smp({ spec: { containers: [{ $patch: 'replace' }] } }).spec.containers, []);
  const dup = { metadata: { ownerReferences: [{ uid: '1', name: 'a' }, { uid: '2' }, { uid: '1', name: 'b' }] } };
  assert.deepEqual(smp({ metadata: { ownerReferences: [{ uid: '1', $patch: 'delete' }] } }, dup).metadata.ownerReferences, [{ uid: '2' }], 'delete removes every match');
  assert.deepEqual(names(smp({ spec: { containers: [{ name: 'web', $patch: 'merge', image: 'm' }] } })), ['web', 'side']);
  fails({ spec: { containers: [{ $patch: 'delete' }] } }, 500, /^map: map\[\$patch:delete\] does not contain declared merge key: name$/);
  fails({ spec: { containers: [{ name: 'web', $patch: 'explode' }] } }, 500, /^unknown patch type: explode in map: map\[\$patch:explode name:web\]$/);
});

test('$patch directives in maps: replace, delete, merge; unknown values are rejected', () => {
  assert.deepEqual(smp({ metadata: { labels: { $patch: 'replace', z: '3' } } }).metadata.labels, { z: '3' });
  assert.deepEqual(smp({ metadata: { labels: { $patch: 'delete' } } }).metadata.labels, {}, 'Kubernetes empties the map');
  assert.deepEqual(smp({ metadata: { labels: { $patch: 'merge', z: '3' } } }).metadata.labels, { x: '1', y: '2', z: '3' });
  assert.equal('labels' in smp({ metadata: { labels: { $patch: 'replace', z: '3' } } }, { metadata: {} }).metadata, false, 'a directive map for an absent field is dropped');
  assert.deepEqual(smp({ $patch: 'replace', metadata: { name: 'n' } }), { metadata: { name: 'n' } } as unknown as Pod);
  assert.deepEqual(smp({ $patch: 'delete' }), {} as Pod);
  fails({ metadata: { labels: { $patch: 'explode' } } }, 500, /^unknown patch type: explode in map: map\[\$patch:explode\]$/);
  fails({ $patch: 7 }, 500, /unknown patch type: 7/);
});

test('$retainKeys clears the other fields and requires every patched field to be listed', () => {
  assert.deepEqual(smp({ spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }).spec.strategy, { type: 'Recreate' });
  assert.deepEqual(smp({ spec: { strategy: { $retainKeys: ['type', 'rollingUpdate'], rollingUpdate: { maxSurge: 2 } } } }).spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2 } });
  assert.deepEqual(smp({ spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null } } }).spec.strategy, { type: 'RollingUpdate' }, 'null members need not be listed');
  assert.deepEqual(smp({ metadata: { labels: { $retainKeys: ['y'], y: '5' } } }).metadata.labels, { y: '5' });
  fails({ spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }, 400, /^invalid patch format of retainKeys$/);
  fails({ spec: { strategy: { $retainKeys: 'type' } } }, 400, /^invalid patch format of retainKeys$/);
});

test('$deleteFromPrimitiveList removes values from scalar lists', () => {
  const o = { metadata: { finalizers: ['a', 'b', 'c', 'b'] } };
  assert.deepEqual(smp({ metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'zz'] } }, o).metadata.finalizers, ['a', 'c']);
  assert.deepEqual(smp({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a'], finalizers: ['d'] } }, o).metadata.finalizers, ['d', 'b', 'c']);
  assert.deepEqual(smp({ spec: { containers: [{ name: 'web', '$deleteFromPrimitiveList/args': ['--a'] }] } }).spec.containers[0]?.args, [], 'works on lists without merge strategy');
  assert.equal('finalizers' in smp({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, { metadata: {} }).metadata, false, 'never creates the list');
  fails({ metadata: { $deleteFromPrimitiveList: ['a'] } }, 400, /^invalid patch format of primitive list$/);
  fails({ metadata: { '$deleteFromPrimitiveListX/finalizers': ['a'] } }, 400, /primitive list/);
});

test('$setElementOrder orders merged lists, server-only items keep their place', () => {
  const order = (list: string[]) => list.map((name) => ({ name }));
  assert.deepEqual(names(smp({ spec: { '$setElementOrder/containers': order(['side', 'web']) } })), ['side', 'web']);
  assert.deepEqual(names(smp({ spec: { '$setElementOrder/containers': order(['side', 'web']), containers: [{ name: 'web', image: 'web:3' }] } })), ['side', 'web']);
  const three = smp({ spec: { '$setElementOrder/containers': order(['web', 'mid', 'side']), containers: [{ name: 'mid' }] } });
  assert.deepEqual(names(three), ['web', 'mid', 'side']);
  assert.equal(three.spec.containers[0]?.image, 'web:1');
  // Kubernetes' own cases: server-only items stay where they were relative to the ordered ones.
  const ints = (l: number[]) => ({ metadata: { finalizers: l } });
  assert.deepEqual(smp({ metadata: { '$setElementOrder/finalizers': [1, 2, 3], finalizers: [3] } }, ints([1, 2, 4])).metadata.finalizers, [1, 2, 3, 4]);
  assert.deepEqual(smp({ metadata: { '$setElementOrder/finalizers': [3, 1, 2], finalizers: [3] } }, ints([1, 4, 2])).metadata.finalizers, [3, 1, 4, 2]);
  assert.deepEqual(smp({ metadata: { '$setElementOrder/finalizers': [4, 2, 3, 1] } }, ints([1, 3, 4, 2, 9])).metadata.finalizers, [4, 2, 3, 1, 9]);
  assert.deepEqual(smp({ metadata: { '$setElementOrder/finalizers': [2, 1, 4, 3] } }, ints([1, 2, 7, 9, 8, 3, 4])).metadata.finalizers, [2, 1, 7, 9, 8, 4, 3]);
  const dups = { metadata: { ownerReferences: [{ uid: '1' }, { uid: '2', name: 'd1' }, { uid: '3' }, { uid: '2', name: 'd2' }, { uid: '4' }] } };
  const uids = (l: string[]) => l.map((uid) => ({ uid }));
  assert.deepEqual(smp({ metadata: { '$setElementOrder/ownerReferences': uids(['2', '1', '4', '3', '2']) } }, dups).metadata.ownerReferences,
    [{ uid: '2', name: 'd1' }, { uid: '2', name: 'd2' }, { uid: '1' }, { uid: '4' }, { uid: '3' }]);
  assert.deepEqual(names(smp({ spec: { '$setElementOrder/containers': order(['n']), containers: [{ name: 'n' }] } }, { spec: {} })), ['n']);
  fails({ spec: { '$setElementOrder/containers': order(['web', 'side']), containers: [{ name: 'side' }, { name: 'web' }] } }, 500, /doesn't match \$setElementOrder list/);
  fails({ spec: { '$setElementOrder/containers': order(['web']), containers: [{ name: 'other' }] } }, 500, /doesn't match/);
  fails({ spec: { $setElementOrder: [] } }, 400, /^invalid patch format of setElementOrder list$/);
  fails({ spec: { '$setElementOrder/containers': 'web' } }, 500, /expected a \[\]interface \{\}, but received a string/);
});

test('malformed lists and patches', () => {
  fails({ spec: { containers: [{ image: 'no-name' }] } }, 500, /^map: map\[image:no-name\] does not contain declared merge key: name$/);
  fails({ spec: { containers: ['web'] } }, 500, /list element types are not identical/);
  fails({ metadata: { finalizers: [['a']] } }, 422, /^lists of lists are not supported$/, { metadata: { finalizers: [] } });
  fails({ spec: { mixed: [{ a: 1 }] } }, 500, /^cannot merge lists without merge key for object$/, { spec: { mixed: [{ a: 2 }] } });
  fails({ spec: { weird: [1] } }, 500, /^unexpected patch strategy: \[merge replace\]$/, { spec: { weird: [2] } });
  fails([{ op: 'add' }], 400, /^json: cannot unmarshal array into Go value of type map\[string\]interface \{\}$/);
  fails('x', 400, /cannot unmarshal string/);
  assert.deepEqual(smp(null), pod(), 'a null patch changes nothing');
  assert.deepEqual(smp({}), pod());
});

test('retainKeys strategy combined with merge on a list merges by key', () => {
  const o = { spec: { volumes: [{ name: 'a', emptyDir: {} }, { name: 'b', secret: { secretName: 's' } }] } };
  assert.deepEqual(smp({ spec: { volumes: [{ name: 'b', $retainKeys: ['name', 'configMap'], configMap: { name: 'c' } }] } }, o).spec.volumes,
    [{ name: 'a', emptyDir: {} }, { name: 'b', configMap: { name: 'c' } }]);
});

test('without a schema every list is replaced and maps still merge', () => {
  const out = strategicMergePatch({ a: { b: 1, c: [1, 2] }, l: [{ name: 'x' }] }, { a: { c: [3] }, l: [{ name: 'y' }] }, undefined, () => undefined);
  assert.deepEqual(out, { a: { b: 1, c: [3] }, l: [{ name: 'y' }] });
  assert.deepEqual(strategicMergePatch(undefined, { a: 1 }, undefined, () => undefined), { a: 1 });
  assert.deepEqual(strategicMergePatch({ l: [1] }, { l: [{ $patch: 'delete', x: 1 }, 2] }, undefined, () => undefined), { l: [{ x: 1 }, 2] }, 'directive keys never reach the stored object');
});
