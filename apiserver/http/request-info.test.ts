import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestInfo, requestPath, requestTarget } from './request-info.js';
import { negotiate, wantsAggregatedDiscovery } from './negotiate.js';

const q = (s = '') => new URLSearchParams(s);

test('request paths resolve to group, version, namespace, resource, name, subresource and verb', () => {
  assert.deepEqual(
    pick(requestInfo('GET', '/apis/apps/v1/namespaces/shop/deployments/web/scale', q())),
    { group: 'apps', version: 'v1', namespace: 'shop', resource: 'deployments', name: 'web', subresource: 'scale', verb: 'get' },
  );
  assert.equal(requestInfo('GET', '/api/v1/namespaces/default/pods', q()).verb, 'list');
  assert.equal(requestInfo('GET', '/api/v1/namespaces/default/pods', q('watch=true')).verb, 'watch');
  assert.equal(requestInfo('GET', '/api/v1/watch/namespaces/default/pods', q()).verb, 'watch');
  assert.equal(requestInfo('DELETE', '/api/v1/namespaces/default/pods', q()).verb, 'deletecollection');
  assert.equal(requestInfo('DELETE', '/api/v1/namespaces/default/pods/p', q()).verb, 'delete');
  // The namespace object itself, and its subresources.
  assert.deepEqual(pick(requestInfo('GET', '/api/v1/namespaces/shop', q())), { group: '', version: 'v1', namespace: undefined, resource: 'namespaces', name: 'shop', subresource: undefined, verb: 'get' });
  assert.deepEqual(pick(requestInfo('PUT', '/api/v1/namespaces/shop/finalize', q())), { group: '', version: 'v1', namespace: undefined, resource: 'namespaces', name: 'shop', subresource: 'finalize', verb: 'update' });
  assert.equal(requestInfo('GET', '/api/v1/pods', q()).verb, 'list');
  assert.equal(requestInfo('GET', '/api/v1', q()).isResourceRequest, false);
  assert.equal(requestInfo('GET', '/apis/apps/v1', q()).isResourceRequest, false);
  assert.equal(requestInfo('GET', '/healthz', q()).isResourceRequest, false);
});

test('a path that does not percent-decode is no resource request and carries Go\'s url error; other escapes decode', () => {
  const bad = requestInfo('GET', '/api/v1/namespaces/%ZZ/pods', q());
  assert.equal(bad.isResourceRequest, false);
  assert.equal(bad.invalidPath, 'invalid URL escape "%ZZ"');
  assert.equal(requestInfo('PUT', '/api/v1/namespaces/default/pods/a%4', q()).invalidPath, 'invalid URL escape "%4"');
  assert.equal(requestInfo('GET', '/api/v1/namespaces/d%C3%A9f/pods', q()).namespace, 'déf');
  assert.equal(requestInfo('GET', '/api/v1/namespaces/x/pods/%FF', q()).name, '\uFFFD', 'not UTF-8: a strange name, not an error');
  // verbs as RequestInfo names them, whatever the URL; the router refuses the ones that do not fit (405)
  assert.equal(requestInfo('POST', '/api/v1/namespaces/default/pods/p', q()).verb, 'create');
  assert.equal(requestInfo('PUT', '/api/v1/namespaces/default/pods', q()).verb, 'update');
  assert.equal(requestInfo('PROPFIND', '/api/v1/pods', q()).verb, 'propfind');
});

test('request targets the URL parser refuses come back undefined, never as a throw', () => {
  for (const t of ['//[', 'http://[', 'http://a:b:c', 'http://%zz']) assert.equal(requestTarget(t), undefined, t);
  assert.equal(requestTarget('/api/v1/pods?watch=1')?.pathname, '/api/v1/pods');
  assert.equal(requestTarget(undefined)?.pathname, '/');
});

test('Accept negotiation picks the Table kubectl asks for, JSON otherwise, and refuses protobuf-only clients', () => {
  assert.deepEqual(negotiate('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'), { format: 'json', table: true, tableVersion: 'v1' });
  assert.deepEqual(negotiate('application/json'), { format: 'json', table: false });
  assert.deepEqual(negotiate(undefined), { format: 'json', table: false });
  assert.deepEqual(negotiate('application/yaml'), { format: 'yaml', table: false });
  assert.deepEqual(negotiate('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json'), { format: 'json', table: false });
  assert.throws(() => negotiate('application/vnd.kubernetes.protobuf'), /only the following media types/);
  assert.equal(wantsAggregatedDiscovery('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2');
  assert.equal(wantsAggregatedDiscovery('application/json, */*'), undefined);
});

function pick(i: ReturnType<typeof requestInfo>) {
  return { group: i.group, version: i.version, namespace: i.namespace, resource: i.resource, name: i.name, subresource: i.subresource, verb: i.verb };
}

test('watch=... is read as Kubernetes reads booleans: the Python client\'s True, curl\'s bare ?watch; only 0 and false are not', () => {
  for (const s of ['watch=True', 'watch=TRUE', 'watch=1', 'watch', 'watch=yes']) assert.equal(requestInfo('GET', '/api/v1/namespaces/default/pods', q(s)).verb, 'watch', s);
  for (const s of ['watch=False', 'watch=false', 'watch=0', '']) assert.equal(requestInfo('GET', '/api/v1/namespaces/default/pods', q(s)).verb, 'list', s);
  assert.equal(requestInfo('GET', '/api/v1/namespaces/default/pods/p', q('watch=True')).verb, 'watch');
});

test('dot segments stay in the path as sent (the URL parser would resolve them): `..` is a name, as in Kubernetes', () => {
  const path = (t: string) => requestPath(t, requestTarget(t) as URL);
  assert.equal(path('/api/v1/namespaces/x/secrets/../pods'), '/api/v1/namespaces/x/secrets/../pods');
  assert.equal(path('/api/v1/namespaces/x/secrets/%2e%2E/pods?watch=1'), '/api/v1/namespaces/x/secrets/%2e%2E/pods');
  assert.equal(path('/healthz/./../api'), '/healthz/./../api');
  assert.equal(path('http://example/api/v1/namespaces/x/pods/../secrets/s'), '/api/v1/namespaces/x/pods/../secrets/s');
  assert.equal(path('/api/v1/namespaces/x/pods?fieldSelector=a/../b'), '/api/v1/namespaces/x/pods', 'the query is no part of it');
  assert.equal(path('/api/v1/namespaces/x/pods/a..b'), '/api/v1/namespaces/x/pods/a..b');
  const info = requestInfo('GET', path('/api/v1/namespaces/x/secrets/%2e%2e/pods'), q());
  assert.deepEqual([info.resource, info.name, info.subresource, info.verb], ['secrets', '..', 'pods', 'get']);
});
