// Acceptance: bad bodies and requests get the documented code and a clear Status, change nothing, and the server
// keeps serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestCluster, credentialsFor } from './harness.js';

let c: TestCluster;
before(async () => {
  c = await TestCluster.start();
});
after(async () => {
  await c?.stop();
});

const CM = '/api/v1/namespaces/default/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';

const deployment = (over: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd1' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'd' } },
    template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    ...spec,
  },
  ...over,
});

interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  code: number;
  reason?: string;
  message?: RegExp;
  causes?: string[];
}

const token = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

const yamlBomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
for (let i = 0; i < 12; i++) yamlBomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`);

const cases: Case[] = [
  { name: 'truncated JSON', method: 'POST', path: CM, body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":', code: 400, reason: 'BadRequest' },
  { name: 'not JSON at all', method: 'POST', path: CM, body: 'hello there', code: 400, reason: 'BadRequest' },
  { name: 'a JSON array body', method: 'POST', path: CM, body: '[1,2,3]', code: 400, reason: 'BadRequest' },
  { name: 'a JSON string body', method: 'POST', path: CM, body: '"configmap"', code: 400, reason: 'BadRequest' },
  { name: 'malformed YAML', method: 'POST', path: CM, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n', headers: { 'Content-Type': 'application/yaml' }, code: 400, reason: 'BadRequest' },
  { name: 'a YAML alias bomb', method: 'POST', path: CM, body: yamlBomb.join('\n') + '\nkind: ConfigMap\n', headers: { 'Content-Type': 'application/yaml' }, code: 400, reason: 'BadRequest' },
  { name: 'a body over 3 MiB', method: 'POST', path: CM, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'huge' }, data: { big: 'x'.repeat(3 * 1024 * 1024 + 10) } }), code: 413, reason: 'RequestEntityTooLarge' },
  { name: 'an unsupported content type', method: 'POST', path: CM, body: 'x', headers: { 'Content-Type': 'application/cbor' }, code: 415, reason: 'UnsupportedMediaType' },
  { name: 'a garbage protobuf body', method: 'POST', path: CM, body: 'not protobuf', headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' }, code: 400, reason: 'BadRequest', message: /prefix/ },
  { name: 'missing name', method: 'POST', path: CM, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }, code: 422, reason: 'Invalid', causes: ['metadata.name'], message: /name or generateName is required/ },
  { name: 'an upper-case name', method: 'POST', path: CM, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }, code: 422, reason: 'Invalid', causes: ['metadata.name'], message: /RFC 1123/ },
  { name: 'a name too long', method: 'POST', path: CM, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a'.repeat(300) } }, code: 422, reason: 'Invalid', causes: ['metadata.name'] },
  { name: 'a bad label value', method: 'POST', path: CM, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { app: 'not ok!' } } }, code: 422, reason: 'Invalid', causes: ['metadata.labels'] },
  { name: 'data of the wrong type', method: 'POST', path: CM, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 1 } }, code: 422, reason: 'Invalid', causes: ['data.a'] },
  { name: 'replicas as a string', method: 'POST', path: DEPLOY, body: deployment({}, { replicas: 'three' }), code: 422, reason: 'Invalid', causes: ['spec.replicas'], message: /must be of type integer/ },
  { name: 'negative replicas', method: 'POST', path: DEPLOY, body: deployment({}, { replicas: -1 }), code: 422, reason: 'Invalid', causes: ['spec.replicas'], message: /greater than or equal to 0/ },
  { name: 'a selector that does not match the template', method: 'POST', path: DEPLOY, body: deployment({}, { selector: { matchLabels: { app: 'other' } } }), code: 422, reason: 'Invalid', causes: ['spec.template.metadata.labels'] },
  { name: 'no containers', method: 'POST', path: DEPLOY, body: deployment({}, { template: { metadata: { labels: { app: 'd' } }, spec: { containers: [] } } }), code: 422, reason: 'Invalid', causes: ['spec.template.spec.containers'] },
  { name: 'a container without an image', method: 'POST', path: DEPLOY, body: deployment({}, { template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c' }] } } }), code: 422, reason: 'Invalid', causes: ['spec.template.spec.containers[0].image'] },
  { name: 'several bad fields at once', method: 'POST', path: DEPLOY, body: deployment({ metadata: { name: 'Bad' } }, { replicas: -5, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c' }] } } }), code: 422, reason: 'Invalid', causes: ['metadata.name', 'spec.replicas', 'spec.template.spec.containers[0].image'] },
  { name: 'an unknown field with fieldValidation=Strict', method: 'POST', path: `${CM}?fieldValidation=Strict`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, bogus: 1 }, code: 400, reason: 'BadRequest', message: /unknown field "bogus"/ },
  { name: 'a bad restartPolicy', method: 'POST', path: '/api/v1/namespaces/default/pods', body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { restartPolicy: 'Sometimes', containers: [{ name: 'c', image: 'busybox' }] } }, code: 422, reason: 'Invalid', causes: ['spec.restartPolicy'], message: /Unsupported value: "Sometimes"/ },
  { name: 'a port out of range', method: 'POST', path: '/api/v1/namespaces/default/services', body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 70000 }] } }, code: 422, reason: 'Invalid', causes: ['spec.ports[0].port'] },
  { name: 'a kind that does not match the URL', method: 'POST', path: CM, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }, code: 400, reason: 'BadRequest' },
  { name: 'an apiVersion that does not match the URL', method: 'POST', path: CM, body: { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } }, code: 400, reason: 'BadRequest' },
  { name: 'a namespace that differs from the URL', method: 'POST', path: CM, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system' } }, code: 400, reason: 'BadRequest' },
  { name: 'a missing namespace', method: 'POST', path: '/api/v1/namespaces/nope/configmaps', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, code: 404, reason: 'NotFound', message: /namespaces "nope" not found/ },
  { name: 'an unknown resource', method: 'GET', path: '/api/v1/namespaces/default/widgets', code: 404, reason: 'NotFound' },
  { name: 'an unknown group', method: 'GET', path: '/apis/widgets.example.com/v1/things', code: 404, reason: 'NotFound' },
  { name: 'a missing object', method: 'GET', path: `${CM}/nope`, code: 404, reason: 'NotFound', message: /configmaps "nope" not found/ },
  { name: 'a wrong verb on discovery', method: 'POST', path: '/api/v1', body: {}, code: 405, reason: 'MethodNotAllowed' },
  { name: 'a bad label selector', method: 'GET', path: `${CM}?labelSelector=${encodeURIComponent('app in (a')}`, code: 400, reason: 'BadRequest' },
  { name: 'an unsupported field selector', method: 'GET', path: `${CM}?fieldSelector=${encodeURIComponent('spec.color=red')}`, code: 400, reason: 'BadRequest', message: /"spec.color" is not a known field selector/ },
  { name: 'a garbage continue token', method: 'GET', path: `${CM}?limit=1&continue=garbage`, code: 400, reason: 'BadRequest' },
  { name: 'a continue token with a future revision', method: 'GET', path: `${CM}?limit=1&continue=${token({ v: 'meta.k8s.io/v1', rv: 999_999_999, start: 'a\u0000' })}`, code: 400, reason: 'BadRequest', message: /^invalid continue token: continue key is not valid: its resourceVersion 999999999 is newer than the cluster's$/ },
  { name: 'a continue token that is not base64url', method: 'GET', path: `${CM}?limit=1&continue=${encodeURIComponent('e30=')}`, code: 400, reason: 'BadRequest', message: /illegal base64 data/ },
  { name: 'a continue token climbing to another prefix', method: 'GET', path: `${CM}?limit=1&continue=${token({ v: 'meta.k8s.io/v1', rv: 1, start: '../../secrets/default/s' })}`, code: 400, reason: 'BadRequest', message: /^invalid continue token: continue key is not valid: "..\/..\/secrets/ },
  { name: 'a continue token naming another resource', method: 'GET', path: `${CM}?limit=1&continue=${token({ v: 'meta.k8s.io/v1', rv: 1, start: '/registry/secrets/default/s' })}`, code: 400, reason: 'BadRequest' },
  { name: 'an exact list at a future revision', method: 'GET', path: `${CM}?resourceVersion=999999999&resourceVersionMatch=Exact`, code: 504, reason: 'Timeout', message: /Too large resource version/ },
  { name: 'a non-numeric resourceVersion on update', method: 'PUT', path: `${CM}/kept`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', resourceVersion: 'abc' }, data: { k: 'changed' } }, code: 400, reason: 'BadRequest', causes: ['metadata.resourceVersion'], message: /^metadata.resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax$/ },
  { name: 'a resourceVersion beyond uint64 in a patch', method: 'PATCH', path: `${CM}/kept`, body: '{"metadata":{"resourceVersion":"99999999999999999999"},"data":{"k":"changed"}}', headers: { 'Content-Type': 'application/merge-patch+json' }, code: 400, reason: 'BadRequest', message: /value out of range/ },
  { name: 'a negative limit', method: 'GET', path: `${CM}?limit=-3`, code: 400, reason: 'BadRequest' },
  { name: 'a non-numeric resourceVersion', method: 'GET', path: `${CM}?resourceVersion=abc`, code: 400, reason: 'BadRequest' },
  { name: 'an unsupported patch type', method: 'PATCH', path: `${CM}/kept`, body: '{}', headers: { 'Content-Type': 'text/plain' }, code: 415, reason: 'UnsupportedMediaType' },
  { name: 'a JSON patch that is not a list', method: 'PATCH', path: `${CM}/kept`, body: '{"op":"add"}', headers: { 'Content-Type': 'application/json-patch+json' }, code: 400, reason: 'BadRequest' },
  { name: 'a merge patch making data invalid', method: 'PATCH', path: `${CM}/kept`, body: '{"data":{"k":[1]}}', headers: { 'Content-Type': 'application/merge-patch+json' }, code: 422, reason: 'Invalid' },
  { name: 'an update with a stale resourceVersion', method: 'PUT', path: `${CM}/kept`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', resourceVersion: '1' }, data: { k: 'changed' } }, code: 409, reason: 'Conflict' },
  { name: 'an update renaming the object', method: 'PUT', path: `${CM}/kept`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' }, data: {} }, code: 400, reason: 'BadRequest' },
  { name: 'creating an existing name', method: 'POST', path: CM, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept' } }, code: 409, reason: 'AlreadyExists', message: /configmaps "kept" already exists/ },
  { name: 'an invalid propagationPolicy', method: 'DELETE', path: `${CM}/kept`, body: { propagationPolicy: 'Sideways' }, code: 422, reason: 'Invalid' },
  { name: 'a malformed escape in the path', method: 'GET', path: '/api/v1/namespaces/%ZZ/configmaps', code: 400, reason: 'BadRequest', message: /invalid URL escape "%ZZ"/ },
  { name: 'a malformed escape in an object name', method: 'PUT', path: `${CM}/kept%G1`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept' } }, code: 400, reason: 'BadRequest' },
  { name: '100,000 levels of nesting', method: 'POST', path: CM, body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, code: 400, reason: 'BadRequest', message: /json parse error: exceeded max depth of 400/ },
  { name: '100,000 levels of nesting in a merge patch', method: 'PATCH', path: `${CM}/kept`, body: `{"data":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`, headers: { 'Content-Type': 'application/merge-patch+json' }, code: 400, reason: 'BadRequest', message: /exceeded max depth/ },
  { name: '3 MiB of YAML flow brackets', method: 'POST', path: CM, body: 'a: ' + '['.repeat(3 * 1024 * 1024 - 100), headers: { 'Content-Type': 'application/yaml' }, code: 400, reason: 'BadRequest', message: /yaml: exceeded max depth of 400/ },
  { name: 'a repeated key under fieldValidation=Strict', method: 'POST', path: `${CM}?fieldValidation=Strict`, body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","name":"y"},"data":{"k":"1","k":"2"}}', code: 400, reason: 'BadRequest', message: /^ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.name", duplicate field "data.k"$/ },
  { name: 'a repeated key in a merge patch under Strict', method: 'PATCH', path: `${CM}/kept?fieldValidation=Strict`, body: '{"data":{"k":"1","k":"2"}}', headers: { 'Content-Type': 'application/merge-patch+json' }, code: 400, reason: 'BadRequest', message: /strict decoding error: duplicate field "data.k"$/ },
  { name: 'a repeated YAML key under Strict', method: 'POST', path: `${CM}?fieldValidation=Strict`, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n', headers: { 'Content-Type': 'application/yaml' }, code: 400, reason: 'BadRequest', message: /yaml: unmarshal errors:\n  line 5: key "name" already set in map$/ },
  { name: 'an invalid dryRun', method: 'POST', path: `${CM}?dryRun=Some`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, code: 400, reason: 'BadRequest' },
];

test('every bad request gets its documented code and a Status, and changes nothing', async () => {
  const created = await c.request('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept' }, data: { k: 'v' } });
  assert.equal(created.status, 201);
  assert.ok(cases.length >= 30);
  for (const k of cases) {
    const r = await c.request(k.method, k.path, k.body, k.headers);
    const where = `${k.name}: got ${r.status} ${r.text.slice(0, 300)}`;
    assert.equal(r.status, k.code, where);
    assert.equal(r.body?.kind, 'Status', where);
    assert.equal(r.body?.status, 'Failure', where);
    assert.equal(r.body?.code, k.code, where);
    if (k.reason) assert.equal(r.body?.reason, k.reason, where);
    assert.ok(typeof r.body?.message === 'string' && r.body.message.length > 0, where);
    if (k.message) assert.match(r.body.message, k.message, where);
    if (k.causes) {
      const fields = (r.body?.details?.causes ?? []).map((x: { field?: string }) => x.field);
      for (const f of k.causes) assert.ok(fields.some((x: string | undefined) => x === f || x?.startsWith(f + '[') || x?.startsWith(f + '.')), `${where}: expected a cause for ${f}, got ${JSON.stringify(fields)}`);
    }
  }
  for (const k of cases) {
    if (k.code === 400 && /continue/.test(k.name)) {
      const r = await c.request(k.method, k.path);
      assert.doesNotMatch(r.text, /etcd|mvcc|rpc error|grpc/i, `${k.name}: no storage internals`);
    }
  }
  // Nothing changed: the object we tried to corrupt is intact, and no stray object exists.
  const kept = await c.request('GET', `${CM}/kept`);
  assert.equal(kept.status, 200);
  assert.deepEqual(kept.body.data, { k: 'v' });
  assert.equal(kept.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
  const list = await c.request('GET', CM);
  assert.deepEqual(list.body.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['kept']);
  const deploys = await c.request('GET', DEPLOY);
  assert.equal(deploys.body.items.length, 0);
  // And the server still serves.
  assert.equal((await c.request('GET', '/readyz')).status, 200);
});

test('a client that drops mid-body or sends garbage bytes does not take the server down', async () => {
  const net = await import('node:net');
  const url = new URL(c.url);
  await new Promise<void>((resolve) => {
    const s = net.connect(Number(url.port), url.hostname, () => {
      s.write('POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":');
      s.destroy();
      resolve();
    });
  });
  await new Promise<void>((resolve) => {
    const s = net.connect(Number(url.port), url.hostname, () => {
      s.write(Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
      setTimeout(() => s.destroy(), 500);
    });
  });
  assert.equal((await c.request('GET', '/readyz')).status, 200);
});

test('__proto__, constructor and prototype are ordinary keys: no patch reaches Object.prototype, the server keeps serving', async () => {
  const PP = `${CM}/pp`;
  const merge = { 'Content-Type': 'application/merge-patch+json' };
  const smp = { 'Content-Type': 'application/strategic-merge-patch+json' };
  const jsonPatch = { 'Content-Type': 'application/json-patch+json' };
  const created = await c.request('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pp' }, data: { k: 'v' } });
  assert.equal(created.status, 201, created.text);
  // The reproduction from issue 19: this merge patch used to write to Object.prototype, and the next request's
  // metrics code threw and the process exited. A top-level `__proto__` is an unknown field, as in Kubernetes.
  const r1 = await c.request('PATCH', PP, '{"__proto__":{"x":"1"}}', merge);
  assert.equal(r1.status, 200, r1.text);
  assert.match(r1.headers.get('warning') ?? '', /unknown field \\"__proto__\\"/);
  assert.equal(r1.body.metadata.resourceVersion, created.body.metadata.resourceVersion, 'nothing to store');
  assert.equal((await c.request('GET', '/metrics')).status, 200);
  const r2 = await c.request('PATCH', PP, '{"constructor":{"prototype":{"x":"1"}},"metadata":{"__proto__":{"y":"2"}}}', smp);
  assert.equal(r2.status, 200, r2.text);
  for (const path of ['/__proto__/x', '/constructor/prototype/x']) {
    const r = await c.request('PATCH', PP, JSON.stringify([{ op: 'add', path, value: '1' }]), jsonPatch);
    assert.equal(r.status, 422, `${path}: ${r.text}`);
    assert.equal(r.body.kind, 'Status');
  }
  // Under Strict the unknown top-level key is refused, and nothing changes.
  const strict = await c.request('PATCH', `${PP}?fieldValidation=Strict`, '{"__proto__":{"x":"1"},"data":{"k":"changed"}}', merge);
  assert.equal(strict.status, 400, strict.text);
  // Where Kubernetes allows the key (ConfigMap data), it is stored and served back as a key.
  const data = await c.request('PATCH', PP, '{"data":{"__proto__":"p","constructor":"c"}}', merge);
  assert.equal(data.status, 200, data.text);
  const got = await c.request('GET', PP);
  assert.equal(got.text.includes('"__proto__":"p"'), true, got.text);
  assert.deepEqual(Object.entries(got.body.data), [['k', 'v'], ['__proto__', 'p'], ['constructor', 'c']]);
  const jp = await c.request('PATCH', PP, JSON.stringify([{ op: 'replace', path: '/data/__proto__', value: 'q' }, { op: 'remove', path: '/data/constructor' }]), jsonPatch);
  assert.equal(jp.status, 200, jp.text);
  assert.deepEqual(Object.entries(jp.body.data), [['k', 'v'], ['__proto__', 'q']]);
  // Where Kubernetes refuses the key (a label key must start with an alphanumeric), it is refused, not skipped.
  const label = await c.request('PATCH', PP, '{"metadata":{"labels":{"__proto__":"x"}}}', merge);
  assert.equal(label.status, 422, label.text);
  // The server kept serving through all of it: metrics, lists, reads.
  const metrics = await c.request('GET', '/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.text, /apiserver_request_total/);
  for (let i = 0; i < 5; i++) assert.equal((await c.request('GET', `${CM}?limit=1`)).status, 200);
  assert.equal(c.apiserver.proc?.exitCode, null, 'the API server process is still running');
  assert.equal((await c.request('DELETE', PP)).status, 200);
});

test('a verb on the wrong URL is 405 and writes nothing; a top-level $patch directive is 400 and changes nothing', async () => {
  const mk = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
  const before: Record<string, { resourceVersion: string; data: unknown }> = {};
  for (const name of ['undefined', 'target']) {
    const r = await c.request('POST', CM, mk(name, { k: name }));
    assert.equal(r.status, 201, r.text);
    before[name] = { resourceVersion: r.body.metadata.resourceVersion, data: r.body.data };
  }
  const wrong: Array<[string, string, unknown, Record<string, string>?]> = [
    ['PUT', CM, mk('undefined', { k: 'overwritten' })],
    ['PATCH', CM, '{"data":{"k":"patched"}}', { 'Content-Type': 'application/merge-patch+json' }],
    ['PATCH', CM, '{"data":{"k":"patched"}}', { 'Content-Type': 'application/strategic-merge-patch+json' }],
    ['POST', `${CM}/target`, mk('target', { k: 'posted' })],
    ['POST', `${CM}/anything`, mk('created-by-post', { k: 'x' })],
    ['DELETE', '/api/v1/namespaces', undefined],
    ['OPTIONS', `${CM}/target`, undefined],
  ];
  for (const [method, path, body, headers] of wrong) {
    const r = await c.request(method, path, body, headers);
    const where = `${method} ${path}: ${r.status} ${r.text}`;
    assert.equal(r.status, 405, where);
    assert.deepEqual({ kind: r.body?.kind, reason: r.body?.reason, code: r.body?.code }, { kind: 'Status', reason: 'MethodNotAllowed', code: 405 }, where);
    assert.equal(r.body.message, 'the server does not allow this method on the requested resource', where);
  }
  const smp = { 'Content-Type': 'application/strategic-merge-patch+json' };
  for (const directive of ['delete', 'replace', 'merge', 'retainKeys']) {
    const r = await c.request('PATCH', `${CM}/target`, JSON.stringify({ $patch: directive, metadata: { name: 'target' }, data: { other: 'x' } }), smp);
    assert.equal(r.status, 400, `$patch: ${directive}: ${r.text}`);
    assert.match(r.body.message, new RegExp(`"\\$patch: ${directive}" is not allowed at the top level`));
  }
  // A patch that drops or changes the name is refused with Kubernetes' checkName wording (also a PUT without one).
  const noName = await c.request('PATCH', `${CM}/target`, '{"metadata":null}', { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(noName.status, 400, noName.text);
  assert.equal(noName.body.message, 'the name of the object (target based on URL) was undeterminable: name must be provided');
  const nested = await c.request('PATCH', `${CM}/target`, '{"metadata":{"$patch":"delete"}}', smp);
  assert.equal(nested.status, 400, nested.text);
  const putNoName = await c.request('PUT', `${CM}/target`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { k: 'put' } });
  assert.equal(putNoName.status, 400, putNoName.text);
  assert.match(putNoName.body.message, /was undeterminable: name must be provided/);
  // Every object is as it was, and nothing was created.
  for (const name of ['undefined', 'target']) {
    const r = await c.request('GET', `${CM}/${name}`);
    assert.deepEqual({ resourceVersion: r.body.metadata.resourceVersion, data: r.body.data }, before[name], name);
  }
  assert.equal((await c.request('GET', `${CM}/created-by-post`)).status, 404);
  assert.equal((await c.request('GET', `${CM}/anything`)).status, 404);
  assert.equal((await c.request('GET', '/api/v1/namespaces/default')).status, 200);
  for (const name of ['undefined', 'target']) assert.equal((await c.request('DELETE', `${CM}/${name}`)).status, 200);
});

test('repeated keys are a Warning by default, as Kubernetes words them, and the last value wins', async () => {
  const r = await c.request('POST', CM, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","name":"dup"},"data":{"k":"first","k":"last"}}');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('warning'), '299 - "duplicate field \\"metadata.name\\"", 299 - "duplicate field \\"data.k\\""');
  assert.deepEqual(r.body.data, { k: 'last' });
  const p = await c.request('PATCH', `${CM}/dup`, '[{"op":"replace","path":"/data/k","path":"/data/k","value":"v","extra":1}]', { 'Content-Type': 'application/json-patch+json' });
  assert.equal(p.status, 200, p.text);
  assert.match(p.headers.get('warning') ?? '', /json patch unknown field \\"\[0\]\.extra\\".*json patch duplicate field \\"\[0\]\.path\\"/);
  const ignored = await c.request('PATCH', `${CM}/dup?fieldValidation=Ignore`, '{"data":{"k":"1","k":"2"}}', { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(ignored.status, 200, ignored.text);
  assert.equal(ignored.headers.get('warning'), null);
  assert.equal((await c.request('DELETE', `${CM}/dup`)).status, 200);
});

test('resourceVersion "0" or "" on update means no precondition, as in Kubernetes; a stale one is still 409', async () => {
  const r = await c.request('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rv0' }, data: { k: 'a' } });
  assert.equal(r.status, 201, r.text);
  for (const resourceVersion of ['0', '']) {
    const u = await c.request('PUT', `${CM}/rv0`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rv0', resourceVersion }, data: { k: `v${resourceVersion}` } });
    assert.equal(u.status, 200, u.text);
  }
  const cur = (await c.request('GET', `${CM}/rv0`)).body.metadata.resourceVersion as string;
  const padded = await c.request('PUT', `${CM}/rv0`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rv0', resourceVersion: `00${cur}` }, data: { k: 'padded' } });
  assert.equal(padded.status, 200, `the same revision, written with leading zeros: ${padded.text}`);
  const stale = await c.request('PUT', `${CM}/rv0`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rv0', resourceVersion: cur }, data: { k: 'stale' } });
  assert.equal(stale.status, 409, stale.text);
  assert.equal((await c.request('DELETE', `${CM}/rv0`)).status, 200);
});

/** Sends raw bytes and reads the raw answer until the server closes the connection. */
async function rawExchange(text: string | Buffer): Promise<{ statusLine: string; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const tls = await import('node:tls');
  const url = new URL(c.url);
  const { ca, cert, key } = credentialsFor(c.url);
  const raw = await new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    // raw bytes inside TLS, as the admin: what the HTTP parser sees is the same as over plain TCP
    const s = tls.connect({ port: Number(url.port), host: url.hostname, ca, cert, key }, () => s.write(text));
    s.on('data', (d: Buffer) => chunks.push(d));
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    s.on('close', done);
    s.on('error', done);
    s.setTimeout(15_000, () => s.destroy());
  });
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  return { statusLine: head.split('\r\n')[0] ?? '', body: parsed };
}

test('what the HTTP parser refuses gets a Status, not a reset connection: a 100 KB URL or header, an unknown method', async () => {
  const cases: Array<[string, string, number, string | undefined]> = [
    ['a 100 KB URL', `GET ${CM}?labelSelector=${'a'.repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414, undefined],
    ['a 100 KB header', `GET ${CM} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`, 431, undefined],
    ['an unknown method', 'FOO /api/v1/pods HTTP/1.1\r\nHost: x\r\n\r\n', 405, 'MethodNotAllowed'],
    ['CONNECT', 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n', 405, 'MethodNotAllowed'],
    ['a malformed request line', 'GET /api/v1/pods HTTP/9.9 garbage\r\n\r\n', 400, 'BadRequest'],
    ['a request target the URL parser refuses', 'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400, 'BadRequest'],
    ['a header without a colon', `GET ${CM} HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n`, 400, 'BadRequest'],
  ];
  for (const [what, text, code, reason] of cases) {
    const r = await rawExchange(text);
    assert.match(r.statusLine, new RegExp(`^HTTP/1.1 ${code} `), `${what}: ${r.statusLine}`);
    assert.equal(r.body?.kind, 'Status', what);
    assert.equal(r.body?.code, code, what);
    assert.equal(r.body?.reason, reason, what);
    assert.ok(r.body?.message, what);
  }
  assert.equal((await c.request('GET', '/readyz')).status, 200);
  assert.equal(c.apiserver.proc?.exitCode, null, 'the API server process is still running');
});
