// The served kinds can grow at run time (as a CustomResourceDefinition's generated kind will): discovery and the
// OpenAPI documents see a kind registered after they were first built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KindInfo } from '../../lib/api/kinds.js';
import { aggregatedDiscovery, apiGroupList, apiResourceList } from '../http/discovery.js';
import { openapiV3ForGroupVersion, openapiV3Root } from '../openapi/index.js';
import { defineKind } from './kind.js';
import { builtinKinds } from './kinds/index.js';
import { KindRegistry } from './registry.js';
import { scaleSubresource, statusSubresource } from './subresources.js';

const WIDGET: KindInfo = {
  group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', singular: 'widget', namespaced: true,
  shortNames: ['wd'], categories: ['all'], subresources: ['status', 'scale'],
};

test('a kind registered at run time is served by discovery and OpenAPI at once', async () => {
  const kinds = new KindRegistry(await builtinKinds());
  const seen: string[] = [];
  kinds.onRegister((d) => seen.push(d.info.resource));
  const before = openapiV3Root(kinds);
  assert.equal(before.paths['apis/example.com/v1'], undefined);
  assert.equal(apiResourceList(kinds, 'example.com', 'v1'), undefined);

  kinds.register(defineKind(WIDGET, {
    subresources: { status: statusSubresource(), scale: scaleSubresource({ specReplicasPath: '.spec.size', statusReplicasPath: '.status.size' }) },
  }));
  assert.deepEqual(seen, ['widgets'], 'whoever serves stores hears of it');
  const groups = (apiGroupList(kinds) as { groups: Array<{ name: string }> }).groups.map((g) => g.name);
  assert.ok(groups.includes('example.com'));
  const list = apiResourceList(kinds, 'example.com', 'v1') as { resources: Array<{ name: string; kind: string; verbs: string[] }> };
  assert.deepEqual(list.resources.map((r) => `${r.name} ${r.kind}`), ['widgets Widget', 'widgets/status Widget', 'widgets/scale Scale']);
  const agg = aggregatedDiscovery(kinds, false, 'v2') as { items: Array<{ metadata: { name?: string } }> };
  assert.ok(agg.items.some((i) => i.metadata.name === 'example.com'));
  const doc = openapiV3ForGroupVersion(kinds, 'apis/example.com/v1');
  assert.ok(doc?.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/scale']?.put, 'the OpenAPI documents were rebuilt');
  assert.ok(openapiV3Root(kinds).paths['apis/example.com/v1']);
  assert.throws(() => kinds.register(defineKind(WIDGET, { subresources: { status: statusSubresource(), scale: statusSubresource() } })), /registered already/);
});

test('a kind whose identity names a subresource its definition lacks is refused', () => {
  assert.throws(() => defineKind({ ...WIDGET, subresources: ['status', 'eviction'] }, { subresources: { status: statusSubresource() } }), /widgets\/eviction/);
});
