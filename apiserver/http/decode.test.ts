// Request body decoding under hostile input: nesting is bounded (400 levels, see lib/api/depth.ts) before anything
// recursive runs, YAML that kept the parser busy for a minute or exhausted memory is refused at once, and
// repeated keys are found with their paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_NESTING_DEPTH, valueDepth } from '../../lib/api/depth.js';
import { ApiError } from '../errors.js';
import { protobufRoot } from '../protobuf/index.js';
import { renderPath, scanJson } from './json-scan.js';
import { decodeRequestBody } from './negotiate.js';
import { yamlDepthBound } from './yaml-decode.js';

const decode = (ct: string, text: string | Buffer, dup = false) => decodeRequestBody(ct, Buffer.isBuffer(text) ? text : Buffer.from(text), dup);
const refused = (ct: string, text: string | Buffer, re: RegExp) =>
  assert.throws(() => decode(ct, text), (e) => e instanceof ApiError && e.code === 400 && re.test(e.message), `${ct} ${String(text).slice(0, 40)}`);

const nested = (open: string, close: string, n: number) => open.repeat(n) + close.repeat(n);

test('JSON: 100,000 levels is a 400 naming the limit; exactly the limit decodes', () => {
  refused('application/json', nested('[', ']', 100_000), /json parse error: exceeded max depth of 400$/);
  refused('application/json', `{"a":${nested('{"b":', '}', 401).replace(/\{"b":\}/, '{"b":1}')}}`, /exceeded max depth/);
  const ok = decode('application/json', nested('[', ']', MAX_NESTING_DEPTH));
  assert.equal(valueDepth(ok.value), MAX_NESTING_DEPTH);
  refused('application/json', nested('[', ']', MAX_NESTING_DEPTH + 1), /exceeded max depth/);
  // every patch content type goes through the same decoder
  refused('application/merge-patch+json', nested('[', ']', 5000), /exceeded max depth/);
  refused('application/json-patch+json', `[{"op":"add","path":"/a","value":${nested('[', ']', 1000)}}]`, /exceeded max depth/);
});

test('YAML: deep or pathological documents are refused before the parser runs', () => {
  const cases = [
    '['.repeat(3 << 20), // kept the parser busy for 78 s
    'a: ' + '['.repeat(3 << 20), // ran the process out of memory
    '- '.repeat(1 << 20) + 'x',
    '? '.repeat(1 << 19) + 'x',
    Array.from({ length: 500 }, (_, i) => ' '.repeat(i) + 'k:').join('\n'),
    nested('{a: ', '}', 1000),
  ];
  for (const text of cases) {
    refused('application/yaml', text, /error converting YAML to JSON: yaml: exceeded max depth of 400/);
    assert.ok(yamlDepthBound(text, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH);
  }
  // brackets inside quoted scalars, comments and block scalars are no nesting
  const text = `a: "[[[[${'['.repeat(1000)}"\nb: '${'{'.repeat(1000)}'\n# ${'['.repeat(1000)}\nc: |\n  ${'['.repeat(1000)}\n`;
  assert.deepEqual(Object.keys(decode('application/yaml', text).value as object), ['a', 'b', 'c']);
  // an ordinary manifest is far below the bound
  assert.ok(yamlDepthBound('apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    ports: [{containerPort: 80}]\n', 400) < 20);
});

test('protobuf: JSON embedded in managedFields is held to the same depth', () => {
  const root = protobufRoot();
  const type = root.lookupType('k8s.io.api.core.v1.ConfigMap');
  const deep = nested('{"f:a":', '}', 1000).replace('{"f:a":}', '{}');
  const raw = type.encode(type.fromObject({ metadata: { name: 'cm', managedFields: [{ manager: 'm', fieldsType: 'FieldsV1', fieldsV1: { Raw: Buffer.from(deep) } }] } })).finish();
  const unknown = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown.encode(unknown.fromObject({ typeMeta: { apiVersion: 'v1', kind: 'ConfigMap' }, raw })).finish()]);
  refused('application/vnd.kubernetes.protobuf', body, /malformed protobuf body: exceeded max depth of 400/);
});

test('repeated keys: JSON paths in document order, YAML line messages in line order, none without asking', () => {
  const json = '{"metadata":{"name":"a","name":"b","labels":{"x":"1","x":"2"}},"spec":{"list":[{"k":1},{"k":2,"k":3}]},"metadata":{}}';
  const d = decode('application/json', json, true);
  assert.deepEqual(d.duplicates?.format === 'json' && d.duplicates.paths.map(renderPath), ['metadata.name', 'metadata.labels.x', 'spec.list[1].k', 'metadata']);
  assert.deepEqual(d.value, { metadata: {}, spec: { list: [{ k: 1 }, { k: 3 }] } }, 'the last value wins, as in Go');
  assert.equal(decode('application/json', json, false).duplicates, undefined, 'fieldValidation=Ignore does not look');
  const escaped = scanJson('{"a\\u0062":1,"ab":2,"q\\"":1,"q\\"":2}', 400, true);
  assert.deepEqual(escaped.duplicates.map(renderPath), ['ab', 'q"']);
  assert.deepEqual(scanJson('[{"op":"add","path":"/a","path":"/b"}]', 400, true).duplicates.map(renderPath), ['[0].path']);
  const y = decode('application/yaml', 'a: 1\nb:\n  c: 2\n  c: 3\na: 4\n', true);
  assert.deepEqual(y.duplicates?.format === 'yaml' && y.duplicates.messages, ['line 4: key "c" already set in map', 'line 5: key "a" already set in map']);
  assert.deepEqual(y.value, { a: 4, b: { c: 3 } });
});
