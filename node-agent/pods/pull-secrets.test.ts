// Registry credentials from pull secrets: both Secret types, keys with scheme and path, docker.io's names, a
// wildcard, most specific first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { credentialsFor, imageLocation, parseKey } from './pull-secrets.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const jsonSecret = (auths: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) } });
const cfgSecret = (auths: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64(JSON.stringify(auths)) } });

test('where an image lives: registry host (docker.io by default) and repository path', () => {
  assert.deepEqual(imageLocation('127.0.0.1:5000/team/app:v1'), { host: '127.0.0.1:5000', path: 'team/app' });
  assert.deepEqual(imageLocation('busybox'), { host: 'docker.io', path: 'library/busybox' });
  assert.deepEqual(imageLocation('org/app@sha256:abc'), { host: 'docker.io', path: 'org/app' });
  assert.deepEqual(imageLocation('localhost/app'), { host: 'localhost', path: 'app' });
  assert.deepEqual(parseKey('https://index.docker.io/v1/'), { host: 'index.docker.io', path: '' });
  assert.deepEqual(parseKey('http://127.0.0.1:5000/team'), { host: '127.0.0.1:5000', path: 'team' });
});

test('dockerconfigjson and dockercfg entries match by host and port, with or without a scheme; auth or username/password', () => {
  const s1 = jsonSecret({ 'http://127.0.0.1:5000': { auth: b64('alice:pw1') }, '127.0.0.1:6000': { username: 'bob', password: 'pw2' } });
  const s2 = cfgSecret({ '127.0.0.1:5000': { username: 'carol', password: 'pw3' } });
  assert.deepEqual(credentialsFor('127.0.0.1:5000/app:v1', [s1, s2]).map((a) => [a.username, a.password]), [['alice', 'pw1'], ['carol', 'pw3']]);
  assert.deepEqual(credentialsFor('127.0.0.1:6000/app', [s1]).map((a) => a.username), ['bob']);
  assert.deepEqual(credentialsFor('127.0.0.1:7000/app', [s1, s2]), [], 'another port is another registry');
  // containerd reads a serverAddress as a URL: a bare host:port there made it drop the credentials
  assert.equal(credentialsFor('127.0.0.1:5000/app:v1', [s1])[0]?.serverAddress, undefined);
});

test('docker.io names are one registry; a wildcard label matches one label; a longer key (with a path) comes first', () => {
  const s = jsonSecret({
    'https://index.docker.io/v1/': { auth: b64('hub:1') },
    '*.example.com': { auth: b64('wild:2') },
    'registry.example.com/team': { auth: b64('team:3') },
  });
  assert.deepEqual(credentialsFor('nginx:1.25', [s]).map((a) => a.username), ['hub']);
  assert.deepEqual(credentialsFor('registry.example.com/team/app', [s]).map((a) => a.username), ['team', 'wild']);
  assert.deepEqual(credentialsFor('registry.example.com/other/app', [s]).map((a) => a.username), ['wild']);
  assert.deepEqual(credentialsFor('a.b.example.com/app', [s]), []);
});

test('a secret of another type, or one that does not parse, gives nothing', () => {
  const opaque: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'o' }, type: 'Opaque', data: { '.dockerconfigjson': b64('{"auths":{"x":{}}}') } };
  const broken: KubeObject = { ...jsonSecret({}), data: { '.dockerconfigjson': b64('{not json') } };
  assert.deepEqual(credentialsFor('x/app', [opaque, broken]), []);
});
