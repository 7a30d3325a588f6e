import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from './hash.js';
import { template } from './fixtures.js';

test('FNV-32a matches the reference vectors', () => {
  assert.equal(fnv32a(new Uint8Array()), 0x811c9dc5);
  assert.equal(fnv32a(new TextEncoder().encode('a')), 0xe40c292c);
  assert.equal(fnv32a(new TextEncoder().encode('foobar')), 0xbf9cf968);
});

test('hashes are spelled in the vowel-free alphabet, digit by digit, as Kubernetes does', () => {
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  const h = computeHash(template());
  assert.match(h, /^[456789bcdf]{1,10}$/);
});

test('the same template always gives the same hash, whatever the key order', () => {
  const a = template();
  const b = { spec: { restartPolicy: 'Always', containers: [{ imagePullPolicy: 'IfNotPresent', image: 'nginx:1.25', name: 'web' }] }, metadata: { labels: { app: 'web' } } };
  assert.equal(computeHash(a), computeHash(b));
  assert.equal(computeHash(a), computeHash(structuredClone(a)));
});

test('a changed image gives another hash (another ReplicaSet name)', () => {
  assert.notEqual(computeHash(template('nginx:1.25')), computeHash(template('nginx:1.26')));
});

test('bumping collisionCount gives a new hash for the same template, so a collision can be escaped', () => {
  const t = template();
  const seen = new Set([computeHash(t), computeHash(t, 0), computeHash(t, 1), computeHash(t, 2)]);
  assert.equal(seen.size, 4);
  assert.equal(computeHash(t, 1), computeHash(t, 1));
});

test('templates compare equal ignoring the pod-template-hash label and empty fields', () => {
  const withHash = { ...template(), metadata: { labels: { app: 'web', 'pod-template-hash': '5d4f9b7c8' } } };
  assert.ok(equalIgnoreHash(withHash, template()));
  const withEmpty = { ...template(), metadata: { labels: { app: 'web' }, annotations: {} }, spec: { ...template().spec, volumes: [] } };
  assert.ok(equalIgnoreHash(withEmpty, template()));
  assert.ok(!equalIgnoreHash(template('nginx:1.26'), template()));
  assert.ok(!equalIgnoreHash(template('nginx:1.25', { app: 'web', tier: 'front' }), template()));
});
