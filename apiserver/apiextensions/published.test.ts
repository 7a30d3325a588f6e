// A CRD's kinds as clients discover them: registered in a KindRegistry they are in the discovery documents (short
// names, categories, subresources, versions in priority order), in the OpenAPI v3 document of their group/version
// (their schema with ObjectMeta and their GVK, what kubectl explain reads) and in Swagger 2.0 (nullable left untyped);
// unregistered, they are gone from all of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiGroup, apiResourceList, aggregatedDiscovery } from '../http/discovery.js';
import { openapiV3ForGroupVersion } from '../openapi/index.js';
import { openapiV2 } from '../openapi/v2.js';
import { builtinKinds } from '../registry/kinds/index.js';
import { KindRegistry } from '../registry/registry.js';
import { definitionsFor, readCrd } from './custom-kind.js';
import { byVersionPriority } from './version-priority.js';

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const crd = readCrd({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'websites.example.com' },
  spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'websites', kind: 'Website', shortNames: ['ws'], categories: ['all'] },
    versions: ['v1beta1', 'v1'].map((name) => ({ name, served: true, storage: name === 'v1', subresources: { status: {} },
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: {
        domain: { type: 'string', description: 'The domain.' }, contact: { type: 'string', nullable: true } } } } } } })) },
});

test('registered, a CRD\'s kinds are in discovery and OpenAPI v3/v2; unregistered, they are not', async () => {
  const kinds = new KindRegistry(await builtinKinds());
  const defs = definitionsFor(crd).sort((a, b) => byVersionPriority(a.info.version, b.info.version));
  for (const d of defs) kinds.register(d);

  assert.deepEqual((apiGroup(kinds, 'example.com') as Node).preferredVersion, { groupVersion: 'example.com/v1', version: 'v1' });
  const list = apiResourceList(kinds, 'example.com', 'v1') as Node;
  assert.deepEqual(list.resources.map((r: Node) => [r.name, r.kind, r.namespaced, r.shortNames, r.categories]),
    [['websites', 'Website', true, ['ws'], ['all']], ['websites/status', 'Website', true, undefined, undefined]]);
  const agg = aggregatedDiscovery(kinds, false, 'v2') as Node;
  assert.ok(agg.items.some((g: Node) => g.metadata.name === 'example.com' && g.versions[0].version === 'v1'));

  const v3 = openapiV3ForGroupVersion(kinds, 'apis/example.com/v1') as unknown as Node;
  const schema = v3.components.schemas['com.example.v1.Website'];
  assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: 'example.com', version: 'v1', kind: 'Website' }]);
  assert.equal(schema.properties.spec.properties.domain.description, 'The domain.');
  assert.ok(v3.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'], 'what it refers to comes along');
  assert.ok(v3.paths['/apis/example.com/v1/namespaces/{namespace}/websites/{name}/status']);
  const v2 = openapiV2(kinds) as Node;
  assert.deepEqual(v2.definitions['com.example.v1.Website'].properties.spec.properties.contact, {});

  for (const d of defs) kinds.unregister(d);
  assert.equal(apiGroup(kinds, 'example.com'), undefined);
  assert.equal(openapiV3ForGroupVersion(kinds, 'apis/example.com/v1'), undefined);
});
