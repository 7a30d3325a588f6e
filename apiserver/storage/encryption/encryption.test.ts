// Encryption at rest: each provider's stored bytes (Kubernetes' prefixes), reading by prefix through the chain,
// key rotation (an old key still reads and marks the value stale), and the configuration file's errors.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { parse } from 'yaml';
import { defaultEncryptionConfig, parseEncryptionConfig } from './config.js';
import { configureEncryption, fromStorage, toStorage } from './index.js';
import { aescbc, aesgcm, identity, secretbox } from './providers.js';

const KEY = '/registry/core/secrets/default/s1';
const key32 = () => randomBytes(32);
const config = (providers: unknown[], resources = ['secrets']) => parseEncryptionConfig({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration', resources: [{ resources, providers }] });
const b64 = (b: Buffer) => b.toString('base64');

afterEach(() => configureEncryption(undefined));

test('each provider writes its Kubernetes prefix and reads its own values back; no plain text is left', () => {
  const plain = Buffer.from('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}');
  for (const [p, prefix] of [[aesgcm('k1', key32()), 'k8s:enc:aesgcm:v1:k1:'], [aescbc('k2', key32()), 'k8s:enc:aescbc:v1:k2:'], [secretbox('k3', key32()), 'k8s:enc:secretbox:v1:k3:']] as const) {
    const stored = p.toStorage(plain, KEY);
    assert.equal(stored.subarray(0, prefix.length).toString(), prefix);
    assert.ok(!stored.includes(Buffer.from('aHVudGVyMg')), `${p.name}: no plain text`);
    assert.notDeepEqual(p.toStorage(plain, KEY), stored, `${p.name}: a fresh nonce each time`);
    assert.deepEqual(p.fromStorage(stored.subarray(prefix.length), KEY), plain);
  }
  assert.deepEqual(identity.toStorage(plain, KEY), plain);
});

test('AES-GCM binds the value to its etcd key: a value copied under another key does not decrypt; a wrong key does not either', () => {
  const k = key32();
  const p = aesgcm('k1', k);
  const stored = p.toStorage(Buffer.from('secret'), KEY).subarray(p.prefix.length);
  assert.throws(() => p.fromStorage(stored, '/registry/core/secrets/default/other'));
  assert.throws(() => aesgcm('k1', key32()).fromStorage(stored, KEY));
  const box = secretbox('b', key32());
  const boxed = box.toStorage(Buffer.from('secret'), KEY).subarray(box.prefix.length);
  assert.throws(() => secretbox('b', key32()).fromStorage(boxed, KEY), /output array was not large enough/);
});

test('through the configuration: Secrets encrypted with the first provider, other resources as they are', () => {
  configureEncryption(config([{ aesgcm: { keys: [{ name: 'key1', secret: b64(key32()) }] } }, { identity: {} }]));
  const stored = toStorage(KEY, '{"a":1}');
  assert.ok(Buffer.isBuffer(stored) && stored.toString('latin1').startsWith('k8s:enc:aesgcm:v1:key1:'));
  assert.deepEqual(fromStorage(KEY, stored as Buffer), { data: Buffer.from('{"a":1}'), stale: false });
  assert.equal(toStorage('/registry/core/configmaps/default/c', '{"a":1}'), '{"a":1}');
  // a Secret written before encryption was on reads through identity, and is stale (to be rewritten)
  assert.deepEqual(fromStorage(KEY, Buffer.from('{"old":true}')), { data: Buffer.from('{"old":true}'), stale: true });
});

test('rotation: with a new key first and the old one second, old values read (stale) and new ones use the new key', () => {
  const old = b64(key32());
  configureEncryption(config([{ aesgcm: { keys: [{ name: 'old', secret: old }] } }]));
  const before = toStorage(KEY, 'v1') as Buffer;
  configureEncryption(config([{ aesgcm: { keys: [{ name: 'new', secret: b64(key32()) }, { name: 'old', secret: old }] } }]));
  assert.deepEqual(fromStorage(KEY, before), { data: Buffer.from('v1'), stale: true });
  const after = toStorage(KEY, 'v2') as Buffer;
  assert.ok(after.toString('latin1').startsWith('k8s:enc:aesgcm:v1:new:'));
  assert.deepEqual(fromStorage(KEY, after), { data: Buffer.from('v2'), stale: false });
  // the old key gone: the old value cannot be read, and identity will not hand it out as plain text
  configureEncryption(config([{ aesgcm: { keys: [{ name: 'new', secret: b64(key32()) }] } }, { identity: {} }]));
  assert.throws(() => fromStorage(KEY, before), /failed to decrypt the value of \/registry\/core\/secrets\/default\/s1: identity: identity transformer tried to read encrypted data/);
});

test('resource names: group-qualified, *.group and *.* match in that order', () => {
  configureEncryption(parseEncryptionConfig({
    apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration',
    resources: [
      { resources: ['deployments.apps'], providers: [{ secretbox: { keys: [{ name: 'd', secret: b64(key32()) }] } }] },
      { resources: ['*.apps'], providers: [{ aescbc: { keys: [{ name: 'a', secret: b64(key32()) }] } }] },
      { resources: ['*.*'], providers: [{ aesgcm: { keys: [{ name: 'all', secret: b64(key32()) }] } }] },
    ],
  }));
  const prefix = (k: string) => (toStorage(k, 'x') as Buffer).toString('latin1').split(':').slice(0, 4).join(':');
  assert.equal(prefix('/registry/apps/deployments/ns/d'), 'k8s:enc:secretbox:v1');
  assert.equal(prefix('/registry/apps/statefulsets/ns/s'), 'k8s:enc:aescbc:v1');
  assert.equal(prefix('/registry/core/configmaps/ns/c'), 'k8s:enc:aesgcm:v1');
});

test('configuration errors name the field, as kube-apiserver does', () => {
  const bad = (doc: unknown) => () => parseEncryptionConfig(doc, 'enc.yaml');
  const doc = (providers: unknown[], resources: unknown = ['secrets']) => ({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration', resources: [{ resources, providers }] });
  assert.throws(bad({ kind: 'Other' }), /kind must be "EncryptionConfiguration"/);
  assert.throws(bad(doc([])), /resources\[0\]\.providers: Required value/);
  assert.throws(bad(doc([{ aesgcm: { keys: [{ name: 'k', secret: b64(randomBytes(7)) }] } }])), /resources\[0\]\.providers\[0\]\.aesgcm\.keys\[0\]\.secret: Invalid value: aesgcm key "k": the secret must be 16, 24 or 32 bytes, not 7/);
  assert.throws(bad(doc([{ secretbox: { keys: [{ name: 'k', secret: b64(randomBytes(16)) }] } }])), /must be 32 bytes/);
  assert.throws(bad(doc([{ aesgcm: { keys: [{ name: 'k', secret: 'not base64!' }] } }])), /secrets must be base64 encoded/);
  assert.throws(bad(doc([{ aesgcm: { keys: [{ name: 'a:b', secret: b64(key32()) }] } }])), /key name must not contain ":"/);
  assert.throws(bad(doc([{ kms: {} }])), /Unsupported value: "kms"/);
  assert.throws(bad(doc([{ identity: {}, aesgcm: {} }])), /exactly one provider type/);
  assert.throws(bad(doc([{ identity: {} }], ['Secrets'])), /resource name must be lowercase/);
});

test('the default configuration flotilla up writes: a random 32-byte AES-GCM key for Secrets, identity to read old ones', () => {
  const text = defaultEncryptionConfig();
  const parsed = parseEncryptionConfig(parse(text));
  assert.deepEqual(parsed[0]?.resources, ['secrets']);
  assert.deepEqual(parsed[0]?.providers.map((p) => p.name), ['aesgcm:key1', 'identity']);
  assert.notEqual(defaultEncryptionConfig(), text, 'a new key each time');
});
