// Every kind a protobuf body may carry, with every field its schema has set, survives a trip through the message
// types generated from its schema and the field numbers: encoded as a Kubernetes client would, decoded back to the
// same JSON. A schema field the generated message lacked would not be encoded, and the comparison would fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type protobuf from 'protobufjs';
import { apiVersionOf } from '../../lib/api/kinds.js';
import { REF_PREFIX, components, type Schema } from '../../lib/api/schema/index.js';
import { GO_EMBEDDED, protoNameOf } from './generate.js';
import { decodeKubernetesProtobuf, protobufRoot, supportedKinds } from './index.js';
import { FIELDS_V1, INT_OR_STRING, MAGIC, MICRO_TIME, QUANTITY, RAW_EXTENSION, TIME, UNKNOWN } from './wellknown.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const SCHEMAS = components();

/** A JSON value for a schema with every field set to something other than Go's zero value. */
function sample(schema: Schema | undefined, path: string, depth = 0): Json {
  assert.ok(schema && depth < 40, `no schema (or too deep) at ${path}`);
  if (schema.$ref) {
    const name = schema.$ref.slice(REF_PREFIX.length);
    switch (protoNameOf(name)) {
      case TIME: return '2024-01-02T03:04:05Z';
      case MICRO_TIME: return '2024-01-02T03:04:05.123456Z';
      case QUANTITY: return '250m';
      case INT_OR_STRING: return path.length % 2 ? 8080 : 'http'; // both forms, spread around
      case FIELDS_V1: return { 'f:metadata': { 'f:labels': {} } };
      case RAW_EXTENSION: return { kind: 'Anything' };
      default: return sample(SCHEMAS[name], path, depth + 1);
    }
  }
  if (schema.type === 'array') return [sample(schema.items, `${path}[0]`, depth + 1)];
  if (schema.type === 'object' && typeof schema.additionalProperties === 'object') {
    return { key: sample(schema.additionalProperties, `${path}.key`, depth + 1) };
  }
  if (schema.properties) {
    const out: Record<string, Json> = {};
    for (const [name, prop] of Object.entries(schema.properties)) out[name] = sample(prop, `${path}.${name}`, depth + 1);
    // a kind nested in another (a StatefulSet's volumeClaimTemplates) has no TypeMeta in protobuf, as upstream
    if (depth > 0 && schema['x-kubernetes-group-version-kind']) {
      delete out.apiVersion;
      delete out.kind;
    }
    return out;
  }
  switch (schema.type) {
    case 'string': return schema.format === 'byte' ? Buffer.from([0, 255, 1]).toString('base64') : `${path.split('.').pop()}-value`;
    case 'boolean': return true;
    case 'integer': return schema.format === 'int64' ? 2 ** 40 : 7;
    case 'number': return 1.5;
    default: assert.fail(`no sample for the schema at ${path}`);
  }
}

/** The inverse of the decoder: a JSON object as the plain object protobufjs encodes for `type`. */
function toMessage(type: protobuf.Type, json: Record<string, Json>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    // a Go embedded struct takes its fields from the same JSON object
    if (field.options?.[GO_EMBEDDED]) out[field.name] = toMessage(field.resolvedType as protobuf.Type, json);
    else if (Object.hasOwn(json, field.name)) out[field.name] = toValue(field, json[field.name]);
  }
  return out;
}

function toValue(field: protobuf.Field, value: Json): unknown {
  if (field.map) return Object.fromEntries(Object.entries(value as Record<string, Json>).map(([k, v]) => [k, single(field, v)]));
  if (field.repeated) return (value as Json[]).map((v) => single(field, v));
  return single(field, value);
}

function single(field: protobuf.Field, value: Json): unknown {
  const type = field.resolvedType as protobuf.Type | null;
  if (!type) return field.type === 'bytes' ? Buffer.from(value as string, 'base64') : value;
  const time = (s: string) => ({ seconds: Math.floor(Date.parse(s) / 1000), nanos: Number((s.split('.')[1] ?? '0Z').slice(0, -1).padEnd(9, '0')) });
  switch (type.fullName.slice(1)) {
    case TIME:
    case MICRO_TIME: return time(value as string);
    case QUANTITY: return { string: value };
    case INT_OR_STRING: return typeof value === 'number' ? { type: 0, intVal: value } : { type: 1, strVal: value };
    case FIELDS_V1: return { Raw: Buffer.from(JSON.stringify(value)) };
    case RAW_EXTENSION: return { raw: Buffer.from(JSON.stringify(value)) };
    default: return toMessage(type, value as Record<string, Json>);
  }
}

function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const unknown = protobufRoot().lookupType(UNKNOWN);
  return Buffer.concat([MAGIC, unknown.encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw })).finish()]);
}

const kinds = Object.entries(SCHEMAS)
  .flatMap(([name, schema]) => (schema['x-kubernetes-group-version-kind'] ?? []).map((gvk) => ({ name, apiVersion: apiVersionOf(gvk), kind: gvk.kind })))
  .filter(({ apiVersion, kind }) => supportedKinds().includes(`${apiVersion} ${kind}`) || (kind === 'DeleteOptions' && apiVersion === 'v1'));

test('the round trip covers every kind Flotilla serves, and its subresource bodies', () => {
  const covered = new Set(kinds.map((k) => `${k.apiVersion} ${k.kind}`));
  for (const k of ['v1 Pod', 'v1 Node', 'apps/v1 Deployment', 'coordination.k8s.io/v1 Lease', 'autoscaling/v1 Scale', 'v1 Binding', 'v1 DeleteOptions']) {
    assert.ok(covered.has(k), `${k} is not a protobuf body kind`);
  }
  assert.equal(kinds.length, supportedKinds().length);
});

for (const { name, apiVersion, kind } of kinds) {
  test(`${apiVersion} ${kind}: every schema field survives encoding with the generated types and decoding`, () => {
    const object = sample(SCHEMAS[name], kind) as Record<string, Json>;
    object.apiVersion = apiVersion;
    object.kind = kind;
    const type = protobufRoot().lookupType(protoNameOf(name));
    const raw = type.encode(type.fromObject(toMessage(type, object))).finish();
    const decoded = decodeKubernetesProtobuf(envelope(apiVersion, kind, raw)).object;
    assert.deepEqual(decoded, object);
  });
}
