// flotctl image: reading sources (docker save archives, OCI layouts and archives), the names images are pushed
// under, finding the cluster's registry, and `ls` against a fake registry speaking the distribution HTTP API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { packPath } from '../tar.js';
import { CliError } from '../context.js';
import { readSource, SourceError, type Source } from './source.js';
import { pushOne, pushTargets, SKOPEO_MISSING, skopeoMessage } from './push.js';
import { findRegistry, nextLink, type Registry } from './registry.js';
import { imagesTable, listImages } from './ls.js';

const REG: Registry = { host: '127.0.0.1:5000', from: 'test' };

function tmp(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'flotctl-image-test-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A directory packed as a tar (what docker save and skopeo write), gzipped if asked. */
async function tarOf(dir: string, file: string, gzip = false): Promise<string> {
  const out = createWriteStream(file);
  if (gzip) await pipeline(packPath(dir, '.'), createGzip(), out);
  else await pipeline(packPath(dir, '.'), out);
  return file;
}

function layout(dir: string, manifests: Array<Record<string, string>>): string {
  mkdirSync(join(dir, 'blobs'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: manifests.map((annotations, i) => ({ digest: `sha256:${String(i).repeat(64)}`, annotations })) }));
  return dir;
}

const err = async (f: () => unknown): Promise<string> => {
  try {
    await f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

test('a docker save archive: its images and the names they were saved under, gzipped or not', async (t) => {
  const d = tmp(t);
  mkdirSync(join(d, 'one'));
  writeFileSync(join(d, 'one', 'manifest.json'), JSON.stringify([{ Config: 'c.json', RepoTags: ['docker.io/library/myapp:1.0', 'myapp:latest'], Layers: [] }]));
  for (const gz of [false, true]) {
    const file = await tarOf(join(d, 'one'), join(d, gz ? 'one.tar.gz' : 'one.tar'), gz);
    assert.deepEqual(await readSource(file), { kind: 'docker-archive', images: [{ transport: `docker-archive:${file}`, names: ['docker.io/library/myapp:1.0', 'myapp:latest'], label: 'docker.io/library/myapp:1.0' }] });
  }
  mkdirSync(join(d, 'two'));
  writeFileSync(join(d, 'two', 'manifest.json'), JSON.stringify([{ RepoTags: ['a:1'] }, { RepoTags: null }]));
  const two = await tarOf(join(d, 'two'), join(d, 'two.tar'));
  assert.deepEqual((await readSource(two)).images, [
    { transport: `docker-archive:${two}:@0`, names: ['a:1'], label: 'a:1' },
    { transport: `docker-archive:${two}:@1`, names: [], label: '#1' },
  ]);
});

test('an OCI layout directory (one image, several told apart by ref name, DIR:REF) and an OCI archive', async (t) => {
  const d = tmp(t);
  const one = layout(join(d, 'one'), [{ 'org.opencontainers.image.ref.name': 'v1' }]);
  assert.deepEqual(await readSource(one), { kind: 'oci', images: [{ transport: `oci:${one}`, names: [], label: 'v1' }] });
  const several = layout(join(d, 'several'), [{ 'org.opencontainers.image.ref.name': 'v1', 'io.containerd.image.name': 'docker.io/library/web:v1' }, {}]);
  assert.deepEqual((await readSource(several)).images, [
    { transport: `oci:${several}:v1`, names: ['docker.io/library/web:v1'], label: 'v1' },
    { transport: '', names: [], label: '#1' },
  ]);
  assert.equal(await err(async () => pushTargets(await readSource(several), undefined, REG, several)),
    `error: the image #1 in ${several} has no ref name, so it cannot be picked out of the 2 images the layout holds`);
  assert.deepEqual(await readSource(`${several}:v1`), { kind: 'oci', images: [{ transport: `oci:${several}:v1`, names: ['docker.io/library/web:v1'], label: 'v1' }] });
  assert.equal(await err(() => readSource(`${several}:v9`)), `${several} has no image named "v9" (it has v1, #1)`);
  const archive = await tarOf(one, join(d, 'oci.tar'));
  assert.deepEqual(await readSource(archive), { kind: 'oci-archive', images: [{ transport: `oci-archive:${archive}`, names: [], label: 'v1' }] });
});

test('what is not an image source gets a clear error', async (t) => {
  const d = tmp(t);
  assert.equal(await err(() => readSource(join(d, 'missing.tar'))), `${join(d, 'missing.tar')}: no such file or directory`);
  writeFileSync(join(d, 'junk.tar'), 'x'.repeat(2000));
  assert.equal(await err(() => readSource(join(d, 'junk.tar'))), `${join(d, 'junk.tar')} is not a docker save archive or an OCI layout: archive/tar: invalid tar header`);
  mkdirSync(join(d, 'plain'));
  writeFileSync(join(d, 'plain', 'hello.txt'), 'hi');
  const plain = await tarOf(join(d, 'plain'), join(d, 'plain.tar'));
  assert.match(await err(() => readSource(plain)), /is not a docker save archive or an OCI layout: it has no manifest\.json \(docker save\) and no oci-layout/);
  assert.match(await err(() => readSource(join(d, 'plain'))), /plain is not an OCI image layout: it has no oci-layout and index\.json/);
  mkdirSync(join(d, 'badjson'));
  writeFileSync(join(d, 'badjson', 'manifest.json'), '{nope');
  assert.match(await err(() => tarOf(join(d, 'badjson'), join(d, 'badjson.tar')).then(readSource)), /badjson\.tar: manifest\.json is not valid JSON/);
  const e = await readSource(join(d, 'nope')).catch((x: unknown) => x);
  assert.ok(e instanceof SourceError);
});

const archive = (images: Array<{ names: string[]; label?: string }>): Source => ({
  kind: 'docker-archive',
  images: images.map((i, n) => ({ transport: `docker-archive:f.tar${images.length > 1 ? `:@${n}` : ''}`, names: i.names, label: i.label ?? i.names[0] ?? `#${n}` })),
});

test('the names images are pushed under: NAME as given, else each name they carry, Docker Hub\'s library/ dropped', async () => {
  assert.deepEqual(pushTargets(archive([{ names: ['docker.io/library/myapp:1.0', 'myapp:latest'] }]), undefined, REG, 'f.tar'), [
    { source: 'docker-archive:f.tar', dest: 'myapp:1.0', label: 'docker.io/library/myapp:1.0' },
    { source: 'docker-archive:f.tar', dest: 'myapp:latest', label: 'docker.io/library/myapp:1.0' },
  ]);
  // another registry's name keeps its path; a name without a tag is latest; the same destination once
  assert.deepEqual(pushTargets(archive([{ names: ['ghcr.io/org/app:2', 'org/app'] }, { names: ['docker.io/org/app:2'] }]), undefined, REG, 'f.tar').map((x) => x.dest),
    ['org/app:2', 'org/app:latest']);
  assert.deepEqual(pushTargets(archive([{ names: ['x:1'] }]), 'web:v3', REG, 'f.tar'), [{ source: 'docker-archive:f.tar', dest: 'web:v3', label: 'x:1' }]);
  assert.equal(pushTargets(archive([{ names: [] }]), 'team/web', REG, 'f.tar')[0]?.dest, 'team/web:latest');
  assert.equal(pushTargets(archive([{ names: [] }]), '127.0.0.1:5000/team/web:1', REG, 'f.tar')[0]?.dest, 'team/web:1');
});

test('names that cannot be pushed get a clear error before anything is copied', async () => {
  const one = archive([{ names: ['x:1'] }]);
  assert.equal(await err(() => pushTargets(one, 'Web:1', REG, 'f.tar')),
    'error: NAME "Web:1" is not a valid image name: invalid reference format: repository name (library/Web) must be lowercase');
  assert.equal(await err(() => pushTargets(one, 'web:', REG, 'f.tar')), 'error: NAME "web:" is not a valid image name: invalid reference format');
  assert.equal(await err(() => pushTargets(one, `web@sha256:${'a'.repeat(64)}`, REG, 'f.tar')),
    `error: "web@sha256:${'a'.repeat(64)}" names a digest: push to a tag (NAME:TAG); the digest of what was pushed is printed`);
  assert.equal(await err(() => pushTargets(one, 'registry.example.com/web:1', REG, 'f.tar')),
    'error: "registry.example.com/web:1" names the registry registry.example.com, but the cluster\'s registry is 127.0.0.1:5000: give the name without a registry (or 127.0.0.1:5000/...)');
  assert.equal(await err(() => pushTargets(archive([{ names: ['a:1'] }, { names: ['b:2'] }]), 'web:1', REG, 'f.tar')),
    'error: f.tar holds 2 images (a:1, b:2): push without NAME to push each under its own name');
  assert.equal(await err(() => pushTargets(archive([{ names: [] }]), undefined, REG, 'f.tar')),
    'error: the image #0 in f.tar carries no name (docker save of an image ID): give NAME:TAG');
  assert.equal(await err(() => pushTargets(archive([{ names: ['Bad'] }]), undefined, REG, 'f.tar')),
    'error: the image name "Bad" is not a valid image name: invalid reference format: repository name (library/Bad) must be lowercase');
});

test('without skopeo, push says how to install it', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    const e = await pushOne({ source: 'docker-archive:f.tar', dest: 'web:1', label: 'f.tar' }, REG, false).catch((x: unknown) => x);
    assert.ok(e instanceof CliError);
    assert.equal((e as Error).message, SKOPEO_MISSING);
    assert.match(SKOPEO_MISSING, /apt-get install skopeo/);
  } finally {
    process.env.PATH = path;
  }
});

test('skopeo\'s fatal line becomes the message', () => {
  assert.equal(skopeoMessage('time="2024-01-01T00:00:00Z" level=fatal msg="initializing source docker-archive:x.tar: loading tar component \\"manifest.json\\": file does not exist"\n'),
    'initializing source docker-archive:x.tar: loading tar component "manifest.json": file does not exist');
  assert.equal(skopeoMessage('plain failure\n'), 'plain failure');
});

test('the registry: --registry, else the cluster.json beside the kubeconfig, else an error saying what to give', async (t) => {
  const d = tmp(t);
  assert.deepEqual(findRegistry('127.0.0.1:41000', () => { throw new Error('not read'); }), { host: '127.0.0.1:41000', from: '--registry' });
  assert.equal(await err(() => findRegistry('http://x', () => [])), 'error: --registry must be HOST:PORT (such as 127.0.0.1:5000), not "http://x"');
  writeFileSync(join(d, 'cluster.json'), JSON.stringify({ dataDir: d, registryPort: 41195 }));
  assert.deepEqual(findRegistry(undefined, () => [join(tmpdir(), 'elsewhere', 'config'), join(d, 'kubeconfig')]), { host: '127.0.0.1:41195', from: join(d, 'cluster.json') });
  assert.match(await err(() => findRegistry(undefined, () => ['/nonexistent/kubeconfig'])),
    /^error: cannot tell which registry the cluster pulls from: no cluster\.json of a `flotilla up` cluster beside the kubeconfig \(\/nonexistent\/kubeconfig\); give --registry HOST:PORT$/);
});

test('ls: every repository and tag with its digest, through the paged catalog and tag lists', async (t) => {
  const repos: Record<string, string[]> = { 'flotilla/web': ['v2', 'v1'], app: ['1.0'], gone: [] };
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    seen.push(`${req.method} ${u.pathname}${u.search}`);
    if (u.pathname === '/v2/_catalog') {
      // two pages: the registry links the next one
      if (!u.searchParams.get('last')) {
        res.setHeader('Link', '</v2/_catalog?last=app&n=1000>; rel="next"');
        res.end(JSON.stringify({ repositories: ['app'] }));
      } else res.end(JSON.stringify({ repositories: ['flotilla/web', 'gone'] }));
      return;
    }
    const tags = /^\/v2\/(.+)\/tags\/list$/.exec(u.pathname);
    if (tags) {
      const list = repos[tags[1] as string];
      res.end(JSON.stringify({ name: tags[1], tags: list?.length ? list : null }));
      return;
    }
    const m = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(u.pathname);
    if (m && req.method === 'HEAD' && repos[m[1] as string]?.includes(m[2] as string)) {
      assert.match(req.headers.accept ?? '', /application\/vnd\.oci\.image\.manifest\.v1\+json/);
      res.setHeader('Docker-Content-Digest', `sha256:${(m[2] as string).replace(/\W/g, '').padEnd(64, '0')}`);
      res.end();
      return;
    }
    res.statusCode = 404;
    res.end('{"errors":[{"code":"NAME_UNKNOWN"}]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const reg = { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, from: 'test' };
  const rows = await listImages(reg);
  assert.deepEqual(rows.map((r) => `${r.repository} ${r.tag} ${r.digest.slice(0, 12)}`),
    [`${reg.host}/app 1.0 sha256:10000`, `${reg.host}/flotilla/web v1 sha256:v1000`, `${reg.host}/flotilla/web v2 sha256:v2000`]);
  assert.ok(seen.includes('GET /v2/_catalog?last=app&n=1000'), seen.join('\n'));
  assert.match(imagesTable(rows).split('\n')[0] as string, /^REPOSITORY\s+TAG\s+DIGEST$/);
  // a loopback port nothing listens on any more
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  assert.equal(await err(() => listImages({ host: `127.0.0.1:${port}`, from: '--registry' })),
    `error: the registry 127.0.0.1:${port} cannot be reached (ECONNREFUSED): is the cluster up? (registry from --registry)`);
});

test('Link headers give the next page\'s path', () => {
  assert.equal(nextLink('</v2/_catalog?last=b&n=2>; rel="next"'), '/v2/_catalog?last=b&n=2');
  assert.equal(nextLink('<http://reg:5000/v2/x/tags/list?last=v1&n=1>; rel=next'), '/v2/x/tags/list?last=v1&n=1');
  assert.equal(nextLink(null), undefined);
});
