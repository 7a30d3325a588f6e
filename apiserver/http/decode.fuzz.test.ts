// Fuzz: every request body decoder (JSON, YAML, Kubernetes protobuf) under random and adversarial input. Whatever
// arrives, decoding returns a value or throws the API's own 400/415 (never anything a client would see as a 500),
// no built-in prototype changes, and what JSON.parse accepts decodes to the same value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { MAX_NESTING_DEPTH, valueDepth } from '../../lib/api/depth.js';
import { check, jsonBodyTextArb, keyArb, toJsonText, genArb, yamlTextArb } from '../../lib/api/testing/arbitraries.js';
import { inheritedOnFreshObject, snapshotPrototypes } from '../../lib/api/testing/prototypes.js';
import { ApiError } from '../errors.js';
import { protobufRoot } from '../protobuf/index.js';
import { decodeRequestBody } from './negotiate.js';

/** Decodes; returns the value, or undefined after checking the failure is the API's own 400 or 415. */
function decodeChecked(contentType: string, body: Buffer): unknown {
  const snap = snapshotPrototypes();
  try {
    const out = decodeRequestBody(contentType, body, true);
    assert.ok(valueDepth(out.value) <= MAX_NESTING_DEPTH, 'nothing deeper than the limit gets through');
    return out.value;
  } catch (e) {
    assert.ok(e instanceof ApiError, `${contentType}: ${String(e)}`);
    assert.ok(e.code === 400 || e.code === 415, `${contentType}: ${e.code} ${e.message}`);
    return undefined;
  } finally {
    const changed = snap.changed();
    snap.restore();
    assert.deepEqual(changed, []);
    assert.deepEqual(inheritedOnFreshObject(), []);
  }
}

test('fuzz: JSON bodies (and every patch content type) decode or fail with 400', () => {
  const types = ['application/json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', undefined];
  check('json', fc.tuple(jsonBodyTextArb, fc.constantFrom(...types)), ([text, ct]) => {
    const value = decodeChecked(ct ?? 'application/json', Buffer.from(text));
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      assert.equal(value, undefined, 'what JSON.parse refuses is refused');
      return;
    }
    if (value !== undefined) assert.deepEqual(value, parsed);
  }, 300);
});

test('fuzz: YAML bodies decode or fail with 400, quickly even when deep', () => {
  check('yaml', yamlTextArb(toYaml), (text) => {
    decodeChecked('application/yaml', Buffer.from(text));
  }, 300);
});

test('fuzz: protobuf bodies (random bytes, damaged envelopes, odd kinds) decode or fail with 400/415', () => {
  const root = protobufRoot();
  const unknown = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const cm = root.lookupType('k8s.io.api.core.v1.ConfigMap');
  const envelope = (apiVersion: string, kind: string, raw: Uint8Array) => Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown.encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw })).finish()]);
  const validCm = (data: Record<string, string>) => envelope('v1', 'ConfigMap', cm.encode(cm.fromObject({ metadata: { name: 'x', labels: data }, data })).finish());
  const dataArb = fc.array(fc.tuple(keyArb, fc.string({ maxLength: 5 })), { maxLength: 4 })
    .map((e) => JSON.parse(toJsonText({ entries: e })) as Record<string, string>);
  const bodyArb = fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.concat([Buffer.from('k8s\0', 'latin1'), b])),
    fc.tuple(dataArb, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([d, at, byte]) => {
      const b = Buffer.from(validCm(d));
      b[at % b.length] = byte; // one damaged byte
      return b;
    }),
    fc.tuple(dataArb, fc.nat()).map(([d, cut]) => {
      const b = validCm(d);
      return b.subarray(0, cut % (b.length + 1)); // truncated
    }),
    fc.tuple(fc.oneof(keyArb, fc.constantFrom('v1', 'apps/v1', '')), fc.oneof(keyArb, fc.constantFrom('ConfigMap', 'Pod', 'DeleteOptions', 'Scale', ''))).map(([v, k]) => envelope(v, k, new Uint8Array([10, 2, 10, 0]))),
    fc.tuple(genArb, fc.constantFrom(5, 500)).map(([g, depth]) => envelope('v1', 'ConfigMap', cm.encode(cm.fromObject({ metadata: { name: 'x', managedFields: [{ fieldsType: 'FieldsV1', fieldsV1: { Raw: Buffer.from('['.repeat(depth) + toJsonText(g) + ']'.repeat(depth)) } }] } })).finish())),
  );
  check('protobuf', bodyArb, (body) => {
    decodeChecked('application/vnd.kubernetes.protobuf', body);
  }, 300);
  // hostile map keys survive as keys
  const out = decodeChecked('application/vnd.kubernetes.protobuf', validCm(JSON.parse('{"__proto__":"p","constructor":"c"}') as Record<string, string>)) as { data: object };
  assert.deepEqual(Object.keys(out.data), ['__proto__', 'constructor']);
});
