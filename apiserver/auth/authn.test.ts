// Authentication on a real TLS server built as the API server builds its own (setUpSecurity): who a client
// certificate, a static token or the WebSocket bearer subprotocol makes a request, and what is refused (another CA,
// an expired certificate, an unknown token) with 401, never anonymous; anonymous only on the health paths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toApiError } from '../errors.js';
import { requestInfo, requestPath, requestTarget } from '../http/request-info.js';
import { sendError, sendJson } from '../http/respond.js';
import { BEARER_PROTOCOL_PREFIX, CachedTokenAuthenticator, bearerToken } from './bearer.js';
import { createCA, issue, type CertAuthority } from './pki.js';
import { setUpSecurity, type Security } from './setup.js';
import { TokenFileAuthenticator, parseCsv } from './token-file.js';

let dir: string;
let security: Security;
let server: Server;
let base: string;
let ca: CertAuthority;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-authn-'));
  writeFileSync(join(dir, 'tokens.csv'), 'admin-token,token-admin,uid-1,"system:masters,ops"\nplain-token,token-user,uid-2\n');
  security = await setUpSecurity({ dataDir: dir, tokenAuthFile: join(dir, 'tokens.csv') });
  const { loadCA } = await import('./pki.js');
  const { readFileSync } = await import('node:fs');
  ca = await loadCA(readFileSync(join(dir, 'pki/ca.crt'), 'utf8'), readFileSync(join(dir, 'pki/ca.key'), 'utf8'));
  server = createServer(security.tls ?? {}, (req, res) => {
    const url = requestTarget(req.url) as URL;
    const info = requestInfo(req.method ?? 'GET', requestPath(req.url, url), url.searchParams);
    security.gate.admit(req, res, info, url.searchParams).then(
      (a) => sendJson(res, 200, { user: a.user, protocol: req.headers['sec-websocket-protocol'] ?? null, authorization: req.headers.authorization ?? null }),
      (e) => sendError(res, toApiError(e)),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((r) => server.close(r));
  await security.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: {
    user?: { username: string; groups: string[] }; message?: string; reason?: string; code?: number; kind?: string;
    protocol?: string | null; authorization?: string | null;
  };
}

function call(path: string, o: { cert?: string; key?: string; headers?: Record<string, string>; method?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // the path as written (a URL string would have its dot segments resolved before sending)
    const u = new URL(base);
    const req = request({ host: u.hostname, port: u.port, path, method: o.method ?? 'GET', ca: ca.cert, cert: o.cert, key: o.key, headers: o.headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a client certificate from the cluster CA: CN is the user, each O a group, plus system:authenticated', async () => {
  const alice = await issue(ca, { commonName: 'alice', organizations: ['dev', 'qa'], usage: 'client' });
  const r = await call('/api/v1/namespaces/default/pods', alice);
  // the interim authorizer lets no ordinary user list pods; 403 says who the server took the caller for
  assert.equal(r.status, 403);
  assert.equal(r.body.message, 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
  const admin = await issue(ca, { commonName: 'root', organizations: ['system:masters'], usage: 'client' });
  const ok = await call('/api/v1/namespaces/default/pods', admin);
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body.user, { username: 'root', groups: ['system:masters', 'system:authenticated'] });
});

test('a certificate from another CA, or an expired one, is 401 (not anonymous), even on the health paths', async () => {
  const stranger = await createCA('not-the-cluster-ca');
  const forged = await issue(stranger, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client' });
  const expired = await issue(ca, { commonName: 'old', organizations: ['system:masters'], usage: 'client', notBefore: new Date(Date.now() - 10 * 86400_000), notAfter: new Date(Date.now() - 86400_000) });
  for (const cred of [forged, expired]) {
    for (const path of ['/api/v1/pods', '/healthz']) {
      const r = await call(path, cred);
      assert.equal(r.status, 401, path);
      assert.deepEqual({ kind: r.body.kind, reason: r.body.reason, message: r.body.message, code: r.body.code }, { kind: 'Status', reason: 'Unauthorized', message: 'Unauthorized', code: 401 });
    }
  }
});

test('no credentials: 401 on every resource path, anonymous (system:anonymous, system:unauthenticated) on health and version only', async () => {
  for (const path of ['/api/v1/pods', '/api/v1/namespaces/default/secrets/x', '/apis/apps/v1/deployments', '/api', '/openapi/v2', '/metrics']) {
    const r = await call(path);
    assert.equal(r.status, 401, path);
    assert.equal(r.body.reason, 'Unauthorized');
  }
  for (const path of ['/healthz', '/livez', '/readyz', '/version']) {
    const r = await call(path);
    assert.equal(r.status, 200, path);
    assert.deepEqual(r.body.user, { username: 'system:anonymous', groups: ['system:unauthenticated'] });
  }
  // anonymous gets past authentication on a single check's path, but system:public-info-viewer grants the health
  // paths themselves only, as in Kubernetes (system:monitoring has the rest)
  const one = await call('/readyz/etcd');
  assert.equal(one.status, 403);
  assert.equal(one.body.message, 'forbidden: User "system:anonymous" cannot get path "/readyz/etcd"');
  // path tricks do not reach the anonymous paths
  for (const path of ['/healthzx', '/api/../healthz/../api/v1/pods', '/version/../api/v1/secrets', '/healthz/%2e%2e/api/v1/secrets', '/livez/./..', '/readyz/..']) {
    const r = await call(path);
    assert.equal(r.status, 401, path);
  }
});

test('static tokens: Bearer in Authorization (removed before the handler), the user and groups of the file; an unknown token is 401', async () => {
  const r = await call('/api/v1/pods', { headers: { Authorization: 'Bearer admin-token' } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.user, { username: 'token-admin', uid: 'uid-1', groups: ['system:masters', 'ops', 'system:authenticated'] });
  assert.equal(r.body.authorization, null, 'the token is not passed on');
  const plain = await call('/api/v1/pods', { headers: { Authorization: 'Bearer plain-token' } });
  assert.equal(plain.status, 403);
  assert.match(plain.body.message ?? '', /User "token-user" cannot list/);
  for (const h of ['Bearer forged-token', 'Bearer admin-token2', 'Bearer ADMIN-TOKEN', 'bearer  admin-token']) {
    const bad = await call('/api/v1/pods', { headers: { Authorization: h } });
    assert.equal(bad.status, 401, h);
  }
  // a forged token on a health path is refused too: invalid credentials never fall back to anonymous
  assert.equal((await call('/healthz', { headers: { Authorization: 'Bearer forged-token' } })).status, 401);
  // a valid certificate with an unknown token: the certificate vouches for the request (the first authenticator that does)
  const admin = await issue(ca, { commonName: 'root', organizations: ['system:masters'], usage: 'client' });
  assert.equal((await call('/api/v1/pods', { ...admin, headers: { Authorization: 'Bearer forged-token' } })).status, 200);
});

test('the WebSocket bearer subprotocol authenticates an upgrade and is taken out of the protocols passed on', async () => {
  const ws = (token: string) => `${BEARER_PROTOCOL_PREFIX}${Buffer.from(token).toString('base64url')}`;
  const upgrade = { Connection: 'Upgrade', Upgrade: 'websocket' };
  const r = await call('/api/v1/pods', { headers: { ...upgrade, 'Sec-WebSocket-Protocol': `v4.channel.k8s.io, ${ws('admin-token')}` } });
  assert.equal(r.status, 200);
  assert.equal(r.body.user?.username, 'token-admin');
  assert.equal(r.body.protocol, 'v4.channel.k8s.io');
  const unknown = await call('/api/v1/pods', { headers: { ...upgrade, 'Sec-WebSocket-Protocol': `v4.channel.k8s.io, ${ws('forged')}` } });
  assert.equal(unknown.status, 401);
  // the token alone (no protocol to answer with), two tokens, or bad base64url: 401
  for (const p of [ws('admin-token'), `v4.channel.k8s.io, ${ws('admin-token')}, ${ws('plain-token')}`, `v4.channel.k8s.io, ${BEARER_PROTOCOL_PREFIX}a+b/`]) {
    assert.equal((await call('/api/v1/pods', { headers: { ...upgrade, 'Sec-WebSocket-Protocol': p } })).status, 401, p);
  }
});

test('bearerToken splits the header as Kubernetes does', () => {
  assert.equal(bearerToken('Bearer abc'), 'abc');
  assert.equal(bearerToken('bearer abc'), 'abc');
  assert.equal(bearerToken('Basic abc'), undefined);
  assert.equal(bearerToken('Bearer'), undefined);
  assert.equal(bearerToken(undefined), undefined);
});

test('the token file: CSV as Go reads it, at least three columns, groups in one quoted field', () => {
  assert.deepEqual(parseCsv('a,b,c\r\n\n"x,y",z,"q""uote"\n'), [['a', 'b', 'c'], ['x,y', 'z', 'q"uote']]);
  assert.throws(() => parseCsv('"open'), /extraneous or missing " in quoted-field/);
  assert.throws(() => TokenFileAuthenticator.parse('tok,user\n', 'f.csv'), /token file 'f.csv' must have at least 3 columns/);
  const f = TokenFileAuthenticator.parse('\uFEFFt1,u1,1,"g1,g2"\n,skipped,2\nt3,u3,3\n');
  assert.equal(f.size, 2);
});

test('the token cache remembers successes for their TTL, by hash, and forgets unknown tokens', async () => {
  let calls = 0;
  let now = 1000;
  const inner = { authenticateToken: async (t: string) => (calls++, t === 'good' ? { user: { username: 'u', groups: [] } } : undefined) };
  const cached = new CachedTokenAuthenticator(inner, { successTtlMs: 100, failureTtlMs: 0, now: () => now });
  assert.equal((await cached.authenticateToken('good'))?.user.username, 'u');
  await cached.authenticateToken('good');
  assert.equal(calls, 1);
  now += 101;
  await cached.authenticateToken('good');
  assert.equal(calls, 2, 'asked again once expired');
  assert.equal(await cached.authenticateToken('bad'), undefined);
  assert.equal(await cached.authenticateToken('bad'), undefined);
  assert.equal(calls, 4, 'unknown tokens are not remembered');
});
