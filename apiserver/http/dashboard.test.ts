import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { toApiError } from '../errors.js';
import { CONTENT_SECURITY_POLICY, serveDashboard } from './dashboard.js';

const root = mkdtempSync(join(tmpdir(), 'flotilla-dashboard-'));
mkdirSync(join(root, 'assets'));
writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="/dashboard/assets/main-AAAA1111.js"></script>');
writeFileSync(join(root, 'assets/main-AAAA1111.js'), 'console.log("app");'.repeat(100));
writeFileSync(join(root, 'assets/main-AAAA1111.css'), 'body{}');
writeFileSync(join(root, 'assets/notes.bin'), 'not a type we serve');
writeFileSync(join(root, 'build.json'), '{"secret":"not served"}');

const server = createServer((req, res) => {
  try {
    serveDashboard(req, res, new URL(req.url ?? '/', 'http://x'), root);
  } catch (e) {
    const err = toApiError(e);
    res.statusCode = err.code;
    res.end(JSON.stringify(err.toStatus()));
  }
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as AddressInfo).port;
after(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

/** A raw request (no client-side path normalisation, unlike fetch). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('every answer carries the CSP and anti-framing headers; index.html answers every page path and is revalidated', async () => {
  for (const path of ['/dashboard/', '/dashboard/pods', '/dashboard/r/core/v1/pods/default/x?tab=logs']) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.match(String(r.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.match(r.body.toString(), /main-AAAA1111\.js/);
  }
  assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe|\*/);
  const redirect = await get('/dashboard?x=1');
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, '/dashboard/?x=1');
});

test('hashed assets are immutable, gzip when asked, 304 when unchanged; HEAD has no body', async () => {
  const plain = await get('/dashboard/assets/main-AAAA1111.js');
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(plain.headers['content-encoding'], undefined);
  const gz = await get('/dashboard/assets/main-AAAA1111.js', { 'Accept-Encoding': 'gzip, br' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gz.body).toString(), plain.body.toString());
  assert.ok(gz.body.length < plain.body.length);
  assert.equal(gz.headers.vary, 'Accept-Encoding');
  const again = await get('/dashboard/assets/main-AAAA1111.js', { 'If-None-Match': String(plain.headers.etag) });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  const head = await get('/dashboard/assets/main-AAAA1111.css', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '6');
  assert.equal(head.body.length, 0);
});

test('only the built assets can be reached: unknown names, other types and paths out of assets/ are 404', async () => {
  for (const path of ['/dashboard/assets/nope.js', '/dashboard/assets/notes.bin', '/dashboard/assets/..%2f..%2fpackage.json', '/dashboard/assets/', '/dashboard/assets/sub/main-AAAA1111.js']) {
    const r = await get(path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(r.body.toString(), /secret|not a type/, path);
  }
  // dot segments are resolved before routing: what is left is a page path, answered with index.html
  for (const path of ['/dashboard/assets/../build.json', '/dashboard/assets/%2e%2e/build.json', '/dashboard/../dashboard/build.json', '/dashboard/assets/../../../etc/passwd']) {
    const r = await get(path);
    assert.ok(r.status === 404 || r.body.toString().startsWith('<!doctype html>'), path);
    assert.doesNotMatch(r.body.toString(), /secret|root:/, path);
  }
});

test('a rebuild is picked up; an unbuilt dashboard says how to build it', async () => {
  writeFileSync(join(root, 'assets/main-BBBB2222.js'), 'console.log("v2")');
  writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="/dashboard/assets/main-BBBB2222.js"></script>');
  const later = new Date(Date.now() + 5000);
  utimesSync(join(root, 'index.html'), later, later);
  assert.match((await get('/dashboard/')).body.toString(), /BBBB2222/);
  assert.equal((await get('/dashboard/assets/main-BBBB2222.js')).status, 200);
  rmSync(join(root, 'index.html'));
  const r = await get('/dashboard/');
  assert.equal(r.status, 404);
  assert.match(JSON.parse(r.body.toString()).message, /the dashboard is not built: run `npm run build`/);
});
