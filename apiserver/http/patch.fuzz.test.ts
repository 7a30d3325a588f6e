// Fuzz: the write path of a PATCH (decode -> patch -> name check -> prune, default, validate) for the three patch
// types against real kinds and their real schemas, and the create path for random bodies. Whatever the patch,
// the outcome is a written object or the API's own 4xx; the stored object is never modified in place; no
// built-in prototype changes; what would be stored can be serialized and nests no deeper than the limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KINDS, type KindInfo } from '../../lib/api/kinds.js';
import { MAX_NESTING_DEPTH, valueDepth } from '../../lib/api/depth.js';
import type { KubeObject } from '../../lib/api/types.js';
import { TEMPLATES, check, jsonBodyTextArb, jsonPatchTextArb, mapPatchTextArb, resourceArb } from '../../lib/api/testing/arbitraries.js';
import { inheritedOnFreshObject, snapshotPrototypes } from '../../lib/api/testing/prototypes.js';
import { ApiError } from '../errors.js';
import { builtinKinds } from '../registry/kinds/index.js';
import { clone } from '../registry/meta.js';
import type { WriteContext } from '../registry/types.js';
import { checkObject, guardedHook } from '../registry/validate.js';
import { decodeRequestBody } from './negotiate.js';
import { applyPatch, checkName } from './patch.js';

const kindOf = (resource: string) => KINDS.find((k) => k.resource === resource) as KindInfo;
const DEFS = await builtinKinds();
const defOf = (kind: KindInfo) => DEFS.find((d) => d.info === kind) as (typeof DEFS)[number];
const ctx = (): WriteContext => ({ namespace: 'default', dryRun: false, fieldValidation: 'Warn', warnings: [] });

/** The object as the store holds it: the template, pruned, defaulted and validated. */
const stored = new Map<string, KubeObject>();
for (const [resource, t] of Object.entries(TEMPLATES)) {
  const kind = kindOf(resource);
  const obj = clone(t) as KubeObject;
  defOf(kind).prepareForCreate(obj, { listCached: () => [] });
  checkObject(defOf(kind), obj, undefined, ctx());
  stored.set(resource, obj);
}

/** Runs one write; a failure must be an ApiError below 500. */
function outcome(fn: () => KubeObject): void {
  const snap = snapshotPrototypes();
  try {
    const out = fn();
    assert.doesNotThrow(() => JSON.stringify(out));
    assert.ok(valueDepth(out) <= MAX_NESTING_DEPTH);
  } catch (e) {
    assert.ok(e instanceof ApiError, String((e as Error)?.stack ?? e));
    assert.ok(e.code < 500, `${e.code} ${e.message}`);
  } finally {
    const changed = snap.changed();
    snap.restore();
    assert.deepEqual(changed, [], 'a built-in prototype changed');
    assert.deepEqual(inheritedOnFreshObject(), []);
  }
}

function patchOnce(resource: string, type: 'json' | 'merge' | 'strategic', text: string): void {
  const kind = kindOf(resource);
  const cur = stored.get(resource) as KubeObject;
  const before = JSON.stringify(cur);
  outcome(() => {
    const c = ctx();
    const ct = { json: 'application/json-patch+json', merge: 'application/merge-patch+json', strategic: 'application/strategic-merge-patch+json' }[type];
    const { value } = decodeRequestBody(ct, Buffer.from(text), true);
    // the store hands the patch a copy of what it holds, and copies the result (store.update)
    const out = clone(applyPatch(kind, undefined, type, clone(cur), value));
    checkName(out, cur.metadata.name as string);
    guardedHook(defOf(kind), out, cur, c, () => defOf(kind).prepareForUpdate(out, cur));
    checkObject(defOf(kind), out, cur, c);
    return out;
  });
  assert.equal(JSON.stringify(cur), before, 'the stored object is never changed in place');
}

test('fuzz: JSON patches on real kinds', () => {
  check('json patch', fc.tuple(resourceArb, jsonPatchTextArb), ([resource, text]) => patchOnce(resource, 'json', text), 250);
});

test('fuzz: merge patches on real kinds', () => {
  check('merge patch', fc.tuple(resourceArb, mapPatchTextArb), ([resource, text]) => patchOnce(resource, 'merge', text), 250);
});

test('fuzz: strategic merge patches on real kinds, directives included', () => {
  check('strategic merge patch', fc.tuple(resourceArb, mapPatchTextArb), ([resource, text]) => patchOnce(resource, 'strategic', text), 250);
});

test('fuzz: random bodies on the create path (prune, default, validate)', () => {
  check('create', fc.tuple(resourceArb, jsonBodyTextArb), ([resource, text]) => {
    const kind = kindOf(resource);
    outcome(() => {
      const { value } = decodeRequestBody('application/json', Buffer.from(text), true);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError(400, 'BadRequest', 'not an object');
      const obj = clone(value) as KubeObject;
      if (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata)) obj.metadata = {};
      obj.metadata.namespace = 'default';
      const c = { ...ctx(), fieldValidation: 'Strict' as const };
      guardedHook(defOf(kind), obj, undefined, c, () => defOf(kind).prepareForCreate(obj, { listCached: () => [] }));
      checkObject(defOf(kind), obj, undefined, c);
      return obj;
    });
  }, 200);
});
