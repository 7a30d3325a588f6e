import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  arr, bool, bytes, components, coreRef, gvk, int32, intOrString, kindSchema, obj, quantity, ref, str, stringMap, timeRef,
  type Schema,
} from '../../lib/api/schema/index.js';
import { FieldNumberError } from './generate.js';
import { ProtobufDecodeError, decodeKubernetesProtobuf, wireTypes, type WireTypes } from './index.js';
import { FIELD_NUMBERS } from './numbers.js';
import { servedWireTypes } from './schema.js';
import { parseNumberTable } from './table.js';
import { MAGIC, UNKNOWN } from './wellknown.js';

// A kind Flotilla does not serve, described the way every kind is: a schema, and its Go types' field numbers.
const W = 'io.k8s.api.example.v1.';
const widgetSchemas = (extra: Record<string, Schema> = {}): Record<string, Schema> => ({
  ...components(),
  [`${W}Widget`]: kindSchema('A widget.', gvk('example.com', 'v1', 'Widget'), { spec: ref(`${W}WidgetSpec`) }),
  [`${W}WidgetSpec`]: obj('What the widget should be.', {
    size: int32(), paused: bool(), labels: stringMap(), ports: arr(ref(`${W}WidgetPort`)), target: intOrString(), memory: quantity(),
    template: coreRef('PodTemplateSpec'), since: timeRef(), blob: bytes(),
    // the fields of an embedded Go struct, WidgetSource, inline in the JSON form
    url: str(), branch: str(),
    ...extra,
  }),
  [`${W}WidgetPort`]: obj('A port.', { name: str(), port: int32() }),
});
const WIDGET_NUMBERS = `
  Widget: metadata=1 spec=2
  WidgetSpec: size=1* paused=2 labels=3 ports=4 target=5 memory=6 template=7 since=8 blob=9 ...source=10:WidgetSource
  WidgetSource: url=1 branch=2*
  WidgetPort: name=1 port=2
`;
const widgetNumbers = (text = WIDGET_NUMBERS) => ({ ...FIELD_NUMBERS, 'k8s.io.api.example.v1': text });

function envelope(types: WireTypes, apiVersion: string, kind: string, message: string, object: Record<string, unknown>): Buffer {
  const type = types.root.lookupType(message);
  const unknown = types.root.lookupType(UNKNOWN);
  const raw = type.encode(type.fromObject(object)).finish();
  return Buffer.concat([MAGIC, unknown.encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw })).finish()]);
}

test('the field-number table has exactly the fields the served kinds\' schemas have', () => {
  assert.deepEqual(servedWireTypes().unused, []);
});

test('a new kind decodes from its schema and its field numbers alone', () => {
  const types = wireTypes(widgetSchemas(), widgetNumbers());
  const body = envelope(types, 'example.com/v1', 'Widget', 'k8s.io.api.example.v1.Widget', {
    metadata: { name: 'w', namespace: '', labels: { app: 'w' } },
    spec: {
      size: 0, paused: false, labels: { tier: 'x' }, ports: [{ name: 'http', port: 80 }], target: { type: 1, strVal: 'http' },
      memory: { string: '1Gi' }, template: { spec: { containers: [{ name: 'c', image: 'i' }] } }, since: { seconds: 1704164645 },
      blob: Buffer.from('hi'), source: { url: 'https://example.com', branch: '' },
    },
  });
  assert.deepEqual(decodeKubernetesProtobuf(body, {}, types).object, {
    apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', labels: { app: 'w' } },
    spec: {
      size: 0, labels: { tier: 'x' }, ports: [{ name: 'http', port: 80 }], target: 'http', memory: '1Gi',
      template: { spec: { containers: [{ name: 'c', image: 'i' }] } }, since: '2024-01-02T03:04:05Z', blob: 'aGk=',
      url: 'https://example.com', branch: '',
    },
  });
  assert.ok(types.supportedKinds().includes('example.com/v1 Widget'));
  // the served types know nothing of it
  assert.throws(() => decodeKubernetesProtobuf(body), (e: unknown) => e instanceof ProtobufDecodeError && e.reason === 'unsupported');
});

const fieldNumberError = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof FieldNumberError, `expected a FieldNumberError, got ${String(e)}`);
  assert.match(e.message, pattern);
  return true;
};

test('a schema field without a field number stops generation, naming the field and where its number goes', () => {
  assert.throws(() => wireTypes(widgetSchemas({ color: str() }), widgetNumbers()),
    fieldNumberError(new RegExp(String.raw`io\.k8s\.api\.example\.v1\.WidgetSpec\.color: no protobuf field number; add "color=N" .* `
      + String.raw`to WidgetSpec .*in FIELD_NUMBERS\['k8s\.io\.api\.example\.v1'\] in apiserver/protobuf/numbers\.ts \(or beside the schema in lib/api/schema\)`)));
  const apps = FIELD_NUMBERS['k8s.io.api.apps.v1'];
  assert.match(apps, /\spaused=7\s/);
  assert.throws(() => wireTypes(components(), { ...FIELD_NUMBERS, 'k8s.io.api.apps.v1': apps.replace(/\spaused=7\s/, ' ') }),
    fieldNumberError(/io\.k8s\.api\.apps\.v1\.DeploymentSpec\.paused: no protobuf field number/));
});

test('a type without field numbers, and every gap at once, are reported', () => {
  const text = WIDGET_NUMBERS.replace(/\n\s*WidgetPort:.*\n/, '\n').replace(' blob=9', '');
  assert.throws(() => wireTypes(widgetSchemas(), widgetNumbers(text)), (e: unknown) => {
    assert.ok(e instanceof FieldNumberError);
    assert.deepEqual(e.problems.map((p) => p.split(':')[0]).sort(), ['io.k8s.api.example.v1.WidgetPort', 'io.k8s.api.example.v1.WidgetSpec.blob']);
    assert.match(e.message, /no field numbers for the Go type WidgetPort; add a "WidgetPort:" entry/);
    return true;
  });
});

test('an embedded struct\'s fields need numbers too', () => {
  assert.throws(() => wireTypes(widgetSchemas(), widgetNumbers(WIDGET_NUMBERS.replace(' branch=2*', ''))),
    fieldNumberError(/WidgetSpec\.branch: no protobuf field number; add "branch=N" .* to WidgetSpec \(or the struct it embeds that has it: WidgetSource\)/));
});

test('a number no schema field uses is reported as unused', () => {
  const types = wireTypes(widgetSchemas(), widgetNumbers(`${WIDGET_NUMBERS} Gadget: a=1\n`.replace('port=2', 'port=2 legacy=3')));
  assert.deepEqual(types.unused.sort(), ['k8s.io.api.example.v1.Gadget', 'k8s.io.api.example.v1.WidgetPort.legacy']);
});

test('a malformed table is refused with the offending entry', () => {
  const parse = (text: string) => () => parseNumberTable({ 'k8s.io.api.example.v1': text });
  assert.throws(parse('Widget: a=1 b=1'), /Widget: "b=1" clashes with a=1/);
  assert.throws(parse('Widget: a=1 a=2'), /clashes/);
  assert.throws(parse('Widget: a=1 Widget: b=2'), /listed twice/);
  assert.throws(parse('Widget: a=x'), /cannot read "a=x"/);
  assert.throws(parse('Widget: ...a=1'), /cannot read/); // embedded without its type
  assert.throws(parse('a=1'), /before any "TypeName:"/);
  assert.throws(parse('Widget: a=0'), /out of range/);
  assert.deepEqual(parseNumberTable({ p: 'T: a=1 b=2* ...c=3:U\n  d=4' }).get('p.T'), [
    { name: 'a', id: 1, pointer: false }, { name: 'b', id: 2, pointer: true }, { name: 'c', id: 3, pointer: false, embedded: 'U' },
    { name: 'd', id: 4, pointer: false },
  ]);
});
