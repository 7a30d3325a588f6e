import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { GNOSTIC_MESSAGES, buildGnosticRoot, gnosticDocumentType, parseMessage } from './gnostic.js';
import { SwaggerShapeError, encodeSwaggerProto, gnosticDocument } from './v2-proto.js';
import { openapiV2, servedSwagger, servedV3Documents } from './v2.js';
import { builtinKinds } from '../registry/kinds/index.js';
import { KindRegistry } from '../registry/registry.js';

const REGISTRY = new KindRegistry(await builtinKinds());

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function decoded(): Node {
  const type = gnosticDocumentType();
  return type.toObject(type.decode(encodeSwaggerProto(openapiV2(REGISTRY))), { defaults: false }) as Node;
}

const named = (list: Array<{ name: string; value: unknown }> | undefined): Map<string, any> => new Map((list ?? []).map((e) => [e.name, e.value])); // eslint-disable-line @typescript-eslint/no-explicit-any
const extensionsOf = (m: Node): Record<string, unknown> => Object.fromEntries((m.vendor_extension ?? []).map((e: Node) => [e.name, parse(e.value.yaml, { version: '1.1' })]));

/** A decoded gnostic Schema back in Swagger JSON form (the keys our documents use). */
function schemaFromGnostic(m: Node): Node {
  const out: Node = {};
  if (m._ref) out.$ref = m._ref;
  if (m.description) out.description = m.description;
  if (m.format) out.format = m.format;
  if (m.type) out.type = m.type.value.length === 1 ? m.type.value[0] : m.type.value;
  if (m.required?.length) out.required = m.required;
  if (m.enum?.length) out.enum = m.enum.map((a: Node) => parse(a.yaml, { version: '1.1' }));
  if (m.default) out.default = parse(m.default.yaml, { version: '1.1' });
  if (m.items) out.items = schemaFromGnostic(m.items.schema[0]);
  if (m.additional_properties) out.additionalProperties = m.additional_properties.schema ? schemaFromGnostic(m.additional_properties.schema)
    : m.additional_properties.boolean;
  if (m.properties) out.properties = Object.fromEntries([...named(m.properties.additional_properties)].map(([k, v]) => [k, schemaFromGnostic(v)]));
  Object.assign(out, extensionsOf(m));
  return out;
}

test('the gnostic message table reads, and every field type it names exists', () => {
  const root = buildGnosticRoot();
  for (const name of Object.keys(GNOSTIC_MESSAGES)) {
    const full = name.includes('.') ? name : `openapi.v2.${name}`;
    const type = root.lookupType(full);
    assert.equal(type.fieldsArray.length, parseMessage(name, GNOSTIC_MESSAGES[name]).length, name);
  }
  assert.equal(root.lookupType('openapi.v2.Schema').fields.vendor_extension.repeated, true);
  assert.deepEqual(root.lookupType('openapi.v2.Parameter').oneofs.oneof.oneof, ['body_parameter', 'non_body_parameter']);
  assert.throws(() => parseMessage('X', 'a=1 b=1'), /repeats a name or number/);
  assert.throws(() => parseMessage('X', 'a=one'), /cannot read "a=one"/);
  assert.throws(() => buildGnosticRoot({ X: 'a=1:Nowhere' }), /Nowhere/);
});

test('every definition survives the protobuf form: properties, types, refs, required, enums and extensions', () => {
  const json = openapiV2(REGISTRY) as Node;
  const doc = decoded();
  assert.equal(doc.swagger, '2.0');
  assert.deepEqual(doc.info, { title: 'Kubernetes', version: 'unversioned' });
  const defs = named(doc.definitions.additional_properties);
  assert.deepEqual([...defs.keys()], Object.keys(json.definitions), 'the same definitions, in the same order');
  for (const [name, m] of defs) assert.deepEqual(schemaFromGnostic(m), json.definitions[name], name);
  // what kubectl reads: the kind's group/version/kind as a YAML list, merge keys and list types on fields
  const deployment = defs.get('io.k8s.api.apps.v1.Deployment');
  assert.deepEqual(extensionsOf(deployment)['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  const containers = named(defs.get('io.k8s.api.core.v1.PodSpec').properties.additional_properties).get('containers');
  assert.deepEqual(extensionsOf(containers), { 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
});

test('paths keep their operations, parameters, responses and kubectl\'s extensions', () => {
  const json = openapiV2(REGISTRY) as Node;
  const doc = decoded();
  const paths = named(doc.paths.path);
  assert.deepEqual([...paths.keys()], Object.keys(json.paths));
  const item = paths.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
  const patch = item.patch;
  assert.equal(patch.operation_id, 'patchAppsV1NamespacedDeployment');
  assert.deepEqual(extensionsOf(patch), { 'x-kubernetes-action': 'patch', 'x-kubernetes-group-version-kind': { group: 'apps', kind: 'Deployment', version: 'v1' } });
  // kubectl decides to send fieldValidation=Strict from this query parameter of the PATCH operation
  const query = patch.parameters.map((p: Node) => p.parameter?.non_body_parameter?.query_parameter_sub_schema?.name).filter(Boolean);
  assert.deepEqual(query, ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
  assert.deepEqual(patch.parameters[0].parameter.body_parameter, { name: 'body', in: 'body', required: true, schema: { _ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } });
  assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
  const ok = named(patch.responses.response_code).get('200');
  assert.equal(ok.response.schema.schema._ref, '#/definitions/io.k8s.api.apps.v1.Deployment');
  assert.deepEqual(item.parameters.map((p: Node) => p.parameter.non_body_parameter.path_parameter_sub_schema?.name ?? p.parameter.non_body_parameter.query_parameter_sub_schema.name), ['name', 'namespace', 'pretty']);
  assert.deepEqual(doc.security_definitions.additional_properties[0].value.api_key_security, { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' });
  assert.deepEqual(doc.security[0].additional_properties[0], { name: 'BearerToken', value: {} });
});

test('free-form values are kept as YAML a YAML 1.1 reader gives back unchanged', () => {
  const m = gnosticDocument({ swagger: '2.0', definitions: { X: { type: 'string', enum: ['yes', 'on', 'No', '', '0'], default: 'off', 'x-a': { group: '' } } } }) as Node;
  const x = m.definitions.additional_properties[0].value;
  assert.deepEqual(x.enum.map((a: Node) => parse(a.yaml, { version: '1.1' })), ['yes', 'on', 'No', '', '0']);
  assert.equal(parse(x.default.yaml, { version: '1.1' }), 'off');
  assert.deepEqual(parse(x.vendor_extension[0].value.yaml, { version: '1.1' }), { group: '' });
});

test('a key Swagger 2.0 does not have is refused, naming where it is', () => {
  assert.throws(() => gnosticDocument({ swagger: '2.0', definitions: { X: { type: 'object', nullable: true } } }), (e: Error) => e instanceof SwaggerShapeError && /definitions\.X: "nullable"/.test(e.message));
  assert.throws(() => gnosticDocument({ swagger: '2.0', paths: { '/a': { get: { parameters: [{ in: 'cookie', name: 'c' }] } } } }), /parameter "in" "cookie"/);
  assert.throws(() => gnosticDocument({ openapi: '3.0.0' }), /"openapi" is not a Swagger 2.0 field/);
});

test('the Swagger document follows the served v3 documents: their paths and schemas only, rebuilt when they change', () => {
  const all = servedV3Documents(REGISTRY);
  const apps = all.filter((d) => Object.keys(d.paths).some((p) => p.startsWith('/apis/apps/v1/')));
  assert.equal(apps.length, 1);
  const a = servedSwagger(apps);
  assert.equal(servedSwagger(apps), a, 'the same documents: the same build');
  assert.ok(Object.keys(a.doc.paths as object).every((p) => p.startsWith('/apis/apps/v1/')));
  const defs = a.doc.definitions as Record<string, unknown>;
  assert.ok(defs['io.k8s.api.apps.v1.Deployment'] && defs['io.k8s.api.core.v1.PodSpec']);
  assert.equal(defs['io.k8s.api.core.v1.Service'], undefined);
  const list = (a.doc.paths as Node)['/apis/apps/v1/namespaces/{namespace}/deployments'].get;
  assert.deepEqual(list.produces, ['application/json', 'application/json;stream=watch', 'application/yaml'], 'what the v3 operation answers with');
  const b = servedSwagger(all);
  assert.notEqual(b.etag, a.etag, 'more kinds: another document, another ETag');
  assert.ok(b.lastModified >= a.lastModified);
  assert.equal(servedSwagger(apps).etag, a.etag, 'built again from the same documents: the same bytes');
});
