import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { SWAGGER_PROTO, SWAGGER_PROTO_ACCEPT, pickForm, serveOpenapiV2 } from './serve-v2.js';
import { servedSwagger, servedV3Documents } from './v2.js';
import { builtinKinds } from '../registry/kinds/index.js';
import { KindRegistry } from '../registry/registry.js';

const REGISTRY = new KindRegistry(await builtinKinds());

test('Accept picks the form as kube-openapi does: by q, the specific before wildcards, the first that fits', () => {
  assert.equal(pickForm(undefined), 'json');
  assert.equal(pickForm(''), 'json');
  assert.equal(pickForm('*/*'), 'json');
  assert.equal(pickForm('application/json'), 'json');
  assert.equal(pickForm(SWAGGER_PROTO_ACCEPT), 'proto');
  assert.equal(pickForm(SWAGGER_PROTO), 'proto');
  assert.equal(pickForm(`application/json;q=0.5, ${SWAGGER_PROTO_ACCEPT}`), 'proto');
  assert.equal(pickForm(`*/*, ${SWAGGER_PROTO_ACCEPT}`), 'proto', 'the specific type before the wildcard of the same q');
  assert.equal(pickForm('application/*'), 'json');
  assert.equal(pickForm(`${SWAGGER_PROTO_ACCEPT};q=0, application/json`), 'json');
  assert.equal(pickForm('application/yaml'), undefined);
  assert.equal(pickForm('text/html, application/vnd.kubernetes.protobuf'), undefined);
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

async function withServer(fn: (get: (headers: Record<string, string>, method?: string) => Promise<Answer>) => Promise<void>): Promise<void> {
  const server: Server = createServer((req, res) => serveOpenapiV2(req, res, servedSwagger(servedV3Documents(REGISTRY))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const get = (headers: Record<string, string>, method = 'GET'): Promise<Answer> => new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/openapi/v2', method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
  try {
    await fn(get);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

test('JSON and protobuf share one ETag, Last-Modified and Vary; If-None-Match and If-Modified-Since get a 304', async () => {
  const served = servedSwagger(servedV3Documents(REGISTRY));
  await withServer(async (get) => {
    const json = await get({ Accept: 'application/json' });
    assert.equal(json.status, 200);
    assert.equal(json.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(json.body.toString()), served.doc);
    assert.match(String(json.headers.etag), /^"[0-9A-F]{128}"$/);
    assert.equal(json.headers.vary, 'Accept-Encoding, Accept');

    const proto = await get({ Accept: SWAGGER_PROTO_ACCEPT });
    assert.equal(proto.status, 200);
    assert.equal(proto.headers['content-type'], SWAGGER_PROTO, 'answered with the dotted spelling, as kube-openapi does');
    assert.deepEqual(proto.body, served.proto());
    assert.equal(proto.headers.etag, json.headers.etag, 'the ETag is the JSON document\'s for both forms');
    assert.equal(proto.headers['last-modified'], json.headers['last-modified']);

    const etag = String(json.headers.etag);
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await get({ Accept: SWAGGER_PROTO_ACCEPT, 'If-None-Match': inm });
      assert.equal(again.status, 304, inm);
      assert.equal(again.body.length, 0);
      assert.equal(again.headers.etag, etag);
    }
    assert.equal((await get({ Accept: 'application/json', 'If-None-Match': '"stale"' })).status, 200);
    assert.equal((await get({ 'If-Modified-Since': String(json.headers['last-modified']) })).status, 304);
    assert.equal((await get({ 'If-Modified-Since': new Date(served.lastModified.getTime() - 1000).toUTCString() })).status, 200);
    assert.equal((await get({ 'If-None-Match': '"stale"', 'If-Modified-Since': String(json.headers['last-modified']) })).status, 200, 'If-None-Match wins over If-Modified-Since');
  });
});

test('gzip when the client takes it; HEAD has headers only; nothing acceptable is a bare 406', async () => {
  const served = servedSwagger(servedV3Documents(REGISTRY));
  await withServer(async (get) => {
    const gz = await get({ Accept: SWAGGER_PROTO_ACCEPT, 'Accept-Encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(gz.body.length < served.proto().length / 2);
    assert.deepEqual(gunzipSync(gz.body), served.proto());
    assert.equal((await get({ 'Accept-Encoding': 'gzip;q=0' })).headers['content-encoding'], undefined);
    const head = await get({ Accept: 'application/json' }, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.ok(head.headers.etag);
    const no = await get({ Accept: 'application/yaml' });
    assert.equal(no.status, 406);
    assert.equal(no.body.length, 0);
  });
});

test('the served forms are built once and kept while the documents are the same', () => {
  const a = servedSwagger(servedV3Documents(REGISTRY));
  const b = servedSwagger(servedV3Documents(REGISTRY));
  assert.equal(a, b);
  assert.equal(a.proto(), b.proto());
});
