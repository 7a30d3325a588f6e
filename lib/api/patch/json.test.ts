import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_JSON_PATCH_OPERATIONS, PatchError, jsonPatch } from './index.js';

const doc = () => ({ a: { 'b/c': 1, 'd~e': 2 }, l: [1, 2, 3], n: null as null, o: { x: { y: 1 } } });

function fails(ops: unknown, code: number, message?: RegExp, target: unknown = doc()): void {
  assert.throws(() => jsonPatch(target, ops), (e: unknown) => {
    assert.ok(e instanceof PatchError, String(e));
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('add: object members, array positions, "-" appends, pointer escapes', () => {
  assert.deepEqual(jsonPatch(doc(), [{ op: 'add', path: '/z', value: { k: [1] } }]), { ...doc(), z: { k: [1] } });
  assert.deepEqual((jsonPatch(doc(), [{ op: 'add', path: '/l/0', value: 0 }]) as { l: number[] }).l, [0, 1, 2, 3]);
  assert.deepEqual((jsonPatch(doc(), [{ op: 'add', path: '/l/3', value: 4 }]) as { l: number[] }).l, [1, 2, 3, 4], 'index == length appends');
  assert.deepEqual((jsonPatch(doc(), [{ op: 'add', path: '/l/-', value: 4 }]) as { l: number[] }).l, [1, 2, 3, 4]);
  assert.deepEqual((jsonPatch(doc(), [{ op: 'add', path: '/l/-1', value: 9 }]) as { l: number[] }).l, [1, 2, 3, 9], 'negative index counts from the end');
  assert.deepEqual((jsonPatch(doc(), [{ op: 'add', path: '/a/b~1c', value: 5 }]) as { a: object }).a, { 'b/c': 5, 'd~e': 2 });
  assert.deepEqual((jsonPatch(doc(), [{ op: 'add', path: '/a/d~0e', value: 6 }]) as { a: object }).a, { 'b/c': 1, 'd~e': 6 });
  assert.deepEqual((jsonPatch(doc(), [{ op: 'add', path: '/a/~01', value: 7 }]) as { a: Record<string, number> }).a['~1'], 7, '~01 decodes to ~1');
  assert.deepEqual((jsonPatch(doc(), [{ op: 'add', path: '/o/x/y', value: 2 }]) as { o: object }).o, { x: { y: 2 } }, 'add replaces an existing member');
  assert.deepEqual((jsonPatch(doc(), [{ op: 'add', path: '/o/x/z' }]) as { o: object }).o, { x: { y: 1, z: null } }, 'no value adds null');
});

test('add failures are 422 with the patch library wording', () => {
  fails([{ op: 'add', path: '/missing/x', value: 1 }], 422, /^add operation does not apply: doc is missing path: "\/missing\/x": missing value$/);
  fails([{ op: 'add', path: '/l/5', value: 1 }], 422, /^error in add for path: '\/l\/5': Unable to access invalid index: 5: invalid index referenced$/);
  fails([{ op: 'add', path: '/l/-5', value: 1 }], 422, /invalid index/);
  fails([{ op: 'add', path: '/l/x', value: 1 }], 422, /value was not a proper array index: 'x'/);
  fails([{ op: 'add', path: '', value: {} }], 422, /doc is missing path: ""/);
  fails([{ op: 'add', path: 'z', value: 1 }], 422, /doc is missing path/);
  fails([{ op: 'add', value: 1 }], 422, /^add operation failed to decode path: missing value$/);
  fails([{ op: 'add', path: '/a/b~1c/deeper', value: 1 }], 422, /missing path/, doc());
});

test('remove: members and elements; a missing member or index is 422', () => {
  assert.deepEqual(jsonPatch(doc(), [{ op: 'remove', path: '/a' }]), { l: [1, 2, 3], n: null, o: { x: { y: 1 } } });
  assert.deepEqual((jsonPatch(doc(), [{ op: 'remove', path: '/l/1' }]) as { l: number[] }).l, [1, 3]);
  assert.deepEqual((jsonPatch(doc(), [{ op: 'remove', path: '/l/-1' }]) as { l: number[] }).l, [1, 2]);
  assert.deepEqual((jsonPatch(doc(), [{ op: 'remove', path: '/n' }]) as object), { a: doc().a, l: [1, 2, 3], o: { x: { y: 1 } } }, 'a null member exists');
  fails([{ op: 'remove', path: '/zz' }], 422, /^error in remove for path: '\/zz': Unable to remove nonexistent key: zz: missing value$/);
  fails([{ op: 'remove', path: '/l/3' }], 422, /Unable to access invalid index: 3/);
  fails([{ op: 'remove', path: '/l/-' }], 422, /strconv.Atoi: parsing "-": invalid syntax/);
  fails([{ op: 'remove', path: '/q/r' }], 422, /^remove operation does not apply: doc is missing path: "\/q\/r": missing value$/);
});

test('replace: existing values, missing object members are added, missing indices fail', () => {
  assert.deepEqual((jsonPatch(doc(), [{ op: 'replace', path: '/l/0', value: 'x' }]) as { l: unknown[] }).l, ['x', 2, 3]);
  assert.deepEqual((jsonPatch(doc(), [{ op: 'replace', path: '/o/x', value: [1] }]) as { o: object }).o, { x: [1] });
  assert.deepEqual((jsonPatch(doc(), [{ op: 'replace', path: '/o/new', value: 1 }]) as { o: object }).o, { x: { y: 1 }, new: 1 });
  assert.deepEqual(jsonPatch(doc(), [{ op: 'replace', path: '', value: { whole: true } }]), { whole: true });
  assert.deepEqual(jsonPatch(doc(), [{ op: 'replace', path: '', value: 5 }]), doc(), 'a scalar whole-document replacement is ignored');
  fails([{ op: 'replace', path: '/l/3', value: 1 }], 422, /^replace operation does not apply: doc is missing key: \/l\/3: missing value$/);
  fails([{ op: 'replace', path: '/q/r', value: 1 }], 422, /^replace operation does not apply: doc is missing path: \/q\/r: missing value$/);
});

test('move and copy', () => {
  assert.deepEqual(jsonPatch(doc(), [{ op: 'move', from: '/o/x', path: '/moved' }]), { a: doc().a, l: [1, 2, 3], n: null, o: {}, moved: { y: 1 } });
  assert.deepEqual((jsonPatch(doc(), [{ op: 'move', from: '/l/0', path: '/l/-' }]) as { l: number[] }).l, [2, 3, 1]);
  const copied = jsonPatch(doc(), [{ op: 'copy', from: '/o', path: '/c' }, { op: 'add', path: '/c/x/y', value: 9 }]) as { o: { x: { y: number } }; c: { x: { y: number } } };
  assert.equal(copied.o.x.y, 1, 'copy is deep');
  assert.equal(copied.c.x.y, 9);
  assert.deepEqual((jsonPatch(doc(), [{ op: 'copy', from: '/l/2', path: '/l/0' }]) as { l: number[] }).l, [3, 1, 2, 3]);
  fails([{ op: 'move', from: '/zz', path: '/y' }], 422, /Unable to remove nonexistent key: zz/);
  fails([{ op: 'move', from: '/q/r', path: '/y' }], 422, /^move operation does not apply: doc is missing from path: \/q\/r: missing value$/);
  fails([{ op: 'move', from: '/a', path: '/q/r' }], 422, /doc is missing destination path: \/q\/r/);
  fails([{ op: 'copy', from: '/zz', path: '/y' }], 422, /copy operation does not apply: doc is missing from path: \/zz/);
  fails([{ op: 'copy', from: '/l/7', path: '/y' }], 422, /error in copy for from: '\/l\/7'/);
  fails([{ op: 'move', path: '/y' }], 422, /move operation failed to decode from/);
});

test('test: deep equality, null matches a missing member, failures are 422', () => {
  assert.deepEqual(jsonPatch(doc(), [{ op: 'test', path: '/o', value: { x: { y: 1 } } }]), doc());
  assert.deepEqual(jsonPatch(doc(), [{ op: 'test', path: '/l/1', value: 2 }]), doc());
  assert.deepEqual(jsonPatch(doc(), [{ op: 'test', path: '/n', value: null }]), doc());
  assert.deepEqual(jsonPatch(doc(), [{ op: 'test', path: '/absent', value: null }]), doc());
  assert.deepEqual(jsonPatch({ k: { b: 1, a: 2 } }, [{ op: 'test', path: '/k', value: { a: 2, b: 1 } }]), { k: { b: 1, a: 2 } }, 'member order is irrelevant');
  assert.deepEqual(jsonPatch(doc(), [{ op: 'test', path: '', value: doc() }]), doc());
  fails([{ op: 'test', path: '/l/0', value: 7 }], 422, /^testing value \/l\/0 failed: test failed$/);
  fails([{ op: 'test', path: '/l', value: [1, 2] }], 422, /test failed/);
  fails([{ op: 'test', path: '/absent', value: 1 }], 422, /test failed/);
  fails([{ op: 'test', path: '/o' }], 422, /test failed/);
  fails([{ op: 'test', path: '/q/r', value: 1 }], 422, /^test operation does not apply: is missing path: \/q\/r: missing value$/);
});

test('operations apply in order, stop at the first failure, and never touch the input', () => {
  const input = doc();
  const out = jsonPatch(input, [
    { op: 'add', path: '/l/-', value: 4 },
    { op: 'test', path: '/l/3', value: 4 },
    { op: 'remove', path: '/l/0' },
    { op: 'copy', from: '/a/d~0e', path: '/copied' },
    { op: 'move', from: '/copied', path: '/moved' },
    { op: 'replace', path: '/moved', value: 9 },
  ]) as { l: number[]; moved: number };
  assert.deepEqual(out.l, [2, 3, 4]);
  assert.equal(out.moved, 9);
  assert.deepEqual(input, doc());
  assert.throws(() => jsonPatch(input, [{ op: 'remove', path: '/a' }, { op: 'test', path: '/a', value: 1 }]), PatchError);
  assert.deepEqual(input, doc(), 'a failed patch leaves the input alone too');
});

test('malformed documents are 400, unknown operations 422, huge patches 413, null is a no-op', () => {
  fails({ op: 'add', path: '/a', value: 1 }, 400, /^json: cannot unmarshal object into Go value of type jsonpatch.Patch$/);
  fails('add', 400, /cannot unmarshal string/);
  fails([1], 400, /^json: cannot unmarshal number into Go value of type jsonpatch.Operation$/);
  fails([[]], 400, /cannot unmarshal array/);
  fails([{ op: 'jump', path: '/a' }], 422, /^Unexpected kind: jump$/);
  fails([{ path: '/a' }], 422, /^Unexpected kind: unknown$/);
  fails([null], 422, /Unexpected kind: unknown/);
  const many = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/l/0', value: 1 }));
  fails(many, 413, /The allowed maximum operations in a JSON patch is 10000, got 10001/);
  assert.doesNotThrow(() => jsonPatch(doc(), many.slice(1)));
  assert.deepEqual(jsonPatch(doc(), null), doc());
  assert.deepEqual(jsonPatch(doc(), []), doc());
});

test('PatchError reports the Status Kubernetes sends', () => {
  try {
    jsonPatch(doc(), [{ op: 'test', path: '/l/0', value: 7 }]);
    assert.fail('expected a failure');
  } catch (e) {
    assert.ok(e instanceof PatchError);
    assert.equal(e.reason, 'Invalid');
    assert.equal(e.statusMessage, 'the server rejected our request due to an error in our request');
  }
  const bad = new PatchError('x', 400);
  assert.equal(bad.reason, 'BadRequest');
  assert.equal(bad.statusMessage, 'x');
  assert.equal(new PatchError('y', 500).reason, '');
});
