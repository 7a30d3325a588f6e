import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPullPolicy, familiarPath, parseImageReference, repositoryOf, tryParseImageReference } from './image-reference.js';

const D = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

test('references parse into domain, path, tag and digest, Docker Hub names normalised', () => {
  assert.deepEqual(parseImageReference('nginx'), { domain: 'docker.io', path: 'library/nginx', explicitDomain: false });
  assert.deepEqual(parseImageReference('nginx:1.27'), { domain: 'docker.io', path: 'library/nginx', tag: '1.27', explicitDomain: false });
  assert.deepEqual(parseImageReference('org/app:v1'), { domain: 'docker.io', path: 'org/app', tag: 'v1', explicitDomain: false });
  assert.deepEqual(parseImageReference('index.docker.io/library/nginx'), { domain: 'docker.io', path: 'library/nginx', explicitDomain: true });
  assert.deepEqual(parseImageReference('127.0.0.1:5000/flotilla/web:v1'), { domain: '127.0.0.1:5000', path: 'flotilla/web', tag: 'v1', explicitDomain: true });
  assert.deepEqual(parseImageReference(`127.0.0.1:5000/flotilla/web@${D}`), { domain: '127.0.0.1:5000', path: 'flotilla/web', digest: D, explicitDomain: true });
  assert.deepEqual(parseImageReference(`localhost/web:v2@${D}`), { domain: 'localhost', path: 'web', tag: 'v2', digest: D, explicitDomain: true });
  assert.deepEqual(parseImageReference('registry.example.com/a/b/c_d__e-f--g.h'), { domain: 'registry.example.com', path: 'a/b/c_d__e-f--g.h', explicitDomain: true });
  // a port without a path: the part after the colon is a tag, as docker reads it
  assert.deepEqual(parseImageReference('localhost:5000'), { domain: 'docker.io', path: 'library/localhost', tag: '5000', explicitDomain: false });
  assert.deepEqual(parseImageReference('[::1]:5000/web'), { domain: '[::1]:5000', path: 'web', explicitDomain: true });
});

test('what is not a reference gets docker\'s error', () => {
  const err = (s: string) => {
    try {
      parseImageReference(s);
    } catch (e) {
      return (e as Error).message;
    }
    return 'parsed';
  };
  assert.equal(err(''), 'invalid reference format');
  assert.equal(err('Web:v1'), 'invalid reference format: repository name (library/Web) must be lowercase');
  // an upper-case first component is a registry host, as docker reads it
  assert.equal(err('E2E/App'), 'invalid reference format: repository name (App) must be lowercase');
  assert.equal(err('127.0.0.1:5000/My/app'), 'invalid reference format: repository name (My/app) must be lowercase');
  assert.equal(err('web:'), 'invalid reference format');
  assert.equal(err('web:-x'), 'invalid reference format');
  assert.equal(err(`web:${'t'.repeat(129)}`), 'invalid reference format');
  assert.equal(err('web@sha256:abc'), 'invalid reference format');
  assert.equal(err(`web@sha256:${'A'.repeat(64)}`), 'invalid checksum digest length');
  assert.equal(err('a//b'), 'invalid reference format');
  assert.equal(err('-web'), 'invalid reference format');
  assert.equal(err('web_'), 'invalid reference format');
  assert.equal(err('my app'), 'invalid reference format');
  assert.equal(err('bad_host:5000/web'), 'invalid reference format');
  assert.equal(err('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'),
    'invalid repository name (0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef), cannot specify 64-byte hexadecimal strings');
  assert.equal(err(`${'a'.repeat(250)}/bcdef`), 'repository name must not be more than 255 characters');
  assert.equal(tryParseImageReference('UPPER'), undefined);
});

test('repositoryOf compares fully qualified names; familiarPath is what a user types', () => {
  assert.equal(repositoryOf(parseImageReference('nginx:1')), repositoryOf(parseImageReference(`docker.io/library/nginx@${D}`)));
  assert.notEqual(repositoryOf(parseImageReference('127.0.0.1:5000/web')), repositoryOf(parseImageReference('127.0.0.1:5001/web')));
  assert.equal(familiarPath(parseImageReference('docker.io/library/nginx:1')), 'nginx');
  assert.equal(familiarPath(parseImageReference('org/app')), 'org/app');
  assert.equal(familiarPath(parseImageReference('127.0.0.1:5000/library/app')), 'library/app');
});

test('the pull policy a container defaults to, as Kubernetes defaults it', () => {
  const cases: [string, string][] = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['127.0.0.1:5000/flotilla/tools', 'Always'],
    ['127.0.0.1:5000/flotilla/tools:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['127.0.0.1:5000/flotilla/web:v1', 'IfNotPresent'],
    [`127.0.0.1:5000/flotilla/web@${D}`, 'IfNotPresent'],
    [`127.0.0.1:5000/flotilla/web:v1@${D}`, 'IfNotPresent'],
    // the tag decides, even beside a digest
    [`nginx:latest@${D}`, 'Always'],
    // a reference that does not parse fails its pull whatever the policy
    ['Not A Reference', 'IfNotPresent'],
  ];
  for (const [image, policy] of cases) assert.equal(defaultPullPolicy(image), policy, image);
});
