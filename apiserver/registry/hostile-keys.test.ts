// The API server's write path (decode -> patch -> prune -> default -> validate) treats `__proto__`, `constructor`
// and `prototype` as ordinary keys: valid where Kubernetes allows the key (ConfigMap and Secret data), refused
// where Kubernetes refuses it (label keys), dropped as an unknown field at the top level, and never a way to write
// to a built-in prototype.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KINDS, type KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { buildFilter } from './list-options.js';
import { inheritedOnFreshObject, snapshotPrototypes } from '../../lib/api/testing/prototypes.js';
import { ApiError } from '../errors.js';
import { decodeBody } from '../http/negotiate.js';
import { applyPatch } from '../http/patch.js';
import { builtinKinds } from './kinds/index.js';
import { clone, deepEqual } from './meta.js';
import { checkObject } from './validate.js';
import type { FieldValidation, WriteContext } from './types.js';

const kindOf = (resource: string) => KINDS.find((k) => k.resource === resource) as KindInfo;
const DEFS = await builtinKinds();
const defOf = (resource: string) => DEFS.find((d) => d.info.resource === resource) as (typeof DEFS)[number];
const ctx = (fieldValidation: FieldValidation = 'Warn'): WriteContext => ({ namespace: 'default', dryRun: false, fieldValidation, warnings: [] });
const own = (o: unknown, k: string) => Object.getOwnPropertyDescriptor(o as object, k)?.value;

/** What the store does with a decoded body: copy it, then prune, default and validate it. */
function write(resource: string, body: unknown, c = ctx(), old?: KubeObject): KubeObject {
  const obj = clone(body) as KubeObject;
  checkObject(defOf(resource), obj, old, c);
  return obj;
}

function untouched(what: string, fn: () => void): void {
  const snap = snapshotPrototypes();
  try {
    fn();
  } finally {
    assert.deepEqual(snap.changed(), [], `${what}: a built-in prototype changed`);
    assert.deepEqual(inheritedOnFreshObject(), [], `${what}: fresh objects inherit members`);
  }
}

const cmJson = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"pp","namespace":"default"},"data":{"__proto__":"a","constructor":"b","prototype":"c"}}';

test('a ConfigMap data key __proto__ (valid in Kubernetes) round-trips through JSON, YAML and every patch type', () => {
  untouched('data keys', () => {
    const fromJson = write('configmaps', decodeBody('application/json', Buffer.from(cmJson)));
    assert.equal(JSON.stringify(fromJson.data), '{"__proto__":"a","constructor":"b","prototype":"c"}');
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: pp, namespace: default}\ndata:\n  __proto__: a\n  constructor: b\n';
    const fromYaml = write('configmaps', decodeBody('application/yaml', Buffer.from(yaml)));
    assert.equal(own(fromYaml.data, '__proto__'), 'a');
    const kind = kindOf('configmaps');
    const merged = applyPatch(kind, undefined, 'merge', fromJson, JSON.parse('{"data":{"__proto__":"m"}}'));
    assert.equal(own(write('configmaps', merged).data, '__proto__'), 'm');
    const smp = applyPatch(kind, undefined, 'strategic', fromJson, JSON.parse('{"data":{"__proto__":"s","constructor":null}}'));
    assert.equal(JSON.stringify(write('configmaps', smp).data), '{"__proto__":"s","prototype":"c"}');
    const jp = applyPatch(kind, undefined, 'json', fromJson, JSON.parse('[{"op":"replace","path":"/data/__proto__","value":"j"},{"op":"remove","path":"/data/prototype"}]'));
    assert.equal(JSON.stringify(write('configmaps', jp).data), '{"__proto__":"j","constructor":"b"}');
    // deepEqual (the store's "nothing changed" check) sees the member, not Object.prototype
    assert.equal(deepEqual(fromJson, jp), false);
    assert.equal(deepEqual(JSON.parse('{"constructor":{}}'), {}), false);
    assert.equal(deepEqual({}, JSON.parse('{"constructor":{}}')), false);
  });
});

test('a top-level __proto__ is an unknown field: a warning by default, 400 under Strict, and dropped', () => {
  untouched('top level', () => {
    const kind = kindOf('configmaps');
    const cur = write('configmaps', JSON.parse(cmJson));
    for (const type of ['merge', 'strategic'] as const) {
      const patched = applyPatch(kind, undefined, type, cur, JSON.parse('{"__proto__":{"x":"1"},"constructor":{"prototype":{"y":"2"}}}'));
      const c = ctx('Warn');
      const out = write('configmaps', patched, c);
      assert.equal(Object.hasOwn(out, '__proto__'), false, type);
      assert.equal(Object.hasOwn(out, 'constructor'), false, type);
      assert.deepEqual(c.warnings, ['unknown field "__proto__"', 'unknown field "constructor"'], type);
      assert.throws(() => write('configmaps', patched, ctx('Strict')), (e) => e instanceof ApiError && e.code === 400 && /unknown field "__proto__"/.test(e.message), type);
    }
    const jp = applyPatch(kind, undefined, 'json', cur, JSON.parse('[{"op":"add","path":"/__proto__","value":{"x":"1"}}]'));
    const c = ctx('Warn');
    assert.equal(Object.hasOwn(write('configmaps', jp, c), '__proto__'), false);
    assert.deepEqual(c.warnings, ['unknown field "__proto__"']);
    // Paths through a prototype lead nowhere: 422, as for any missing member.
    for (const path of ['/__proto__/x', '/constructor/prototype/x', '/metadata/__proto__/x', '/data/constructor/prototype/x']) {
      assert.throws(() => applyPatch(kind, undefined, 'json', cur, [{ op: 'add', path, value: '1' }]), (e) => e instanceof ApiError && e.code === 422, path);
    }
  });
});

test('label and annotation keys __proto__ and constructor are validated like any key, not skipped', () => {
  untouched('labels', () => {
    const body = JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"pp","namespace":"default","labels":{"__proto__":"x"}}}');
    assert.throws(() => write('configmaps', body), (e) => e instanceof ApiError && e.code === 422 && (e.details?.causes ?? []).some((c) => c.field === 'metadata.labels'), 'an invalid label key');
    const ok = write('configmaps', JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"pp","namespace":"default","labels":{"constructor":"x","prototype":"y"},"annotations":{"constructor":"z"}}}'));
    assert.equal(own(ok.metadata.labels, 'constructor'), 'x');
    assert.equal(own(ok.metadata.annotations, 'constructor'), 'z');
    // A selector on `constructor` sees the label, or its absence, never Object.
    const f = buildFilter(defOf('configmaps'), 'constructor');
    assert.equal(f.matches(ok), true);
    assert.equal(f.matches(write('configmaps', JSON.parse(cmJson))), false);
    assert.throws(() => buildFilter(defOf('configmaps'), undefined, 'constructor=x'), (e) => e instanceof ApiError && e.code === 400);
  });
});

test('Secret stringData with a __proto__ key is stored as data.__proto__', () => {
  untouched('secret', () => {
    const s = defOf('secrets');
    const obj = clone(JSON.parse('{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"default"},"stringData":{"__proto__":"hi"}}')) as KubeObject;
    s.prepareForCreate(obj, { listCached: () => [] });
    checkObject(s, obj, undefined, ctx());
    assert.equal(own(obj.data, '__proto__'), Buffer.from('hi').toString('base64'));
  });
});
