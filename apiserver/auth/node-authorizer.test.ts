import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { ResourceCache } from '../storage/cache.js';
import { objectKey, resourcePrefix } from '../storage/keys.js';
import { requestInfo } from '../http/request-info.js';
import { attributesOf } from './authorizer.js';
import { NodeAuthorizer, NodeGraph } from './node-authorizer.js';
import type { UserInfo } from './index.js';

const PODS = { group: '', resource: 'pods', namespaced: true };

function pod(name: string, node: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid: `uid-${name}` }, spec: { nodeName: node, containers: [{ name: 'c', image: 'i' }], ...spec } };
}

const node = (name: string): UserInfo => ({ username: `system:node:${name}`, groups: ['system:nodes', 'system:authenticated'] });

function setUp(pods: KubeObject[]): { cache: ResourceCache; z: NodeAuthorizer; ask: (u: UserInfo, method: string, path: string) => Promise<string> } {
  const cache = new ResourceCache(resourcePrefix(PODS));
  cache.reset(pods.map((p) => ({ key: objectKey(PODS, 'ns', p.metadata.name as string), obj: p })), 1);
  const z = new NodeAuthorizer(new NodeGraph(cache));
  const ask = async (u: UserInfo, method: string, path: string) => {
    const url = new URL(path, 'https://x');
    return (await z.authorize(attributesOf(u, requestInfo(method, url.pathname, url.searchParams)))).decision;
  };
  return { cache, z, ask };
}

const withSecret = (secret: string) => ({ volumes: [{ name: 'v', secret: { secretName: secret } }] });

test('a node reads the Secrets, ConfigMaps and claims its own pods use, and no other', async () => {
  const { ask } = setUp([
    pod('a', 'n1', { ...withSecret('s1'), containers: [{ name: 'c', image: 'i', envFrom: [{ configMapRef: { name: 'cm1' } }] }],
      imagePullSecrets: [{ name: 'pull' }] }),
    pod('b', 'n2', withSecret('s2')),
    pod('c', 'n1', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] }),
  ]);
  assert.equal(await ask(node('n1'), 'GET', '/api/v1/namespaces/ns/secrets/s1'), 'allow');
  assert.equal(await ask(node('n1'), 'GET', '/api/v1/namespaces/ns/secrets/pull'), 'allow');
  assert.equal(await ask(node('n1'), 'GET', '/api/v1/namespaces/ns/configmaps/cm1'), 'allow');
  assert.equal(await ask(node('n1'), 'GET', '/api/v1/namespaces/ns/persistentvolumeclaims/data'), 'allow');
  // a single-object watch is a read of that object; a list of them all is not
  assert.equal(await ask(node('n1'), 'GET', '/api/v1/namespaces/ns/secrets?watch=true&fieldSelector=metadata.name%3Ds1'), 'allow');
  assert.equal(await ask(node('n1'), 'GET', '/api/v1/namespaces/ns/secrets'), 'noOpinion');
  assert.equal(await ask(node('n1'), 'GET', '/api/v1/secrets'), 'noOpinion');
  // another node's pod's Secret, or the same name in another namespace
  assert.equal(await ask(node('n1'), 'GET', '/api/v1/namespaces/ns/secrets/s2'), 'noOpinion');
  assert.equal(await ask(node('n1'), 'GET', '/api/v1/namespaces/other/secrets/s1'), 'noOpinion');
  assert.equal(await ask(node('n2'), 'GET', '/api/v1/namespaces/ns/secrets/s1'), 'noOpinion');
  // never a write
  assert.equal(await ask(node('n1'), 'PUT', '/api/v1/namespaces/ns/secrets/s1'), 'noOpinion');
  // a token for the ServiceAccount of one of its pods (default when unset), and no other
  assert.equal(await ask(node('n1'), 'POST', '/api/v1/namespaces/ns/serviceaccounts/default/token'), 'allow');
  assert.equal(await ask(node('n1'), 'POST', '/api/v1/namespaces/ns/serviceaccounts/builder/token'), 'noOpinion');
});

test('the graph follows pods being bound, changed and deleted', async () => {
  const { cache, ask } = setUp([]);
  const key = objectKey(PODS, 'ns', 'p');
  const unbound = pod('p', '', withSecret('s'));
  cache.apply({ type: 'put', key, rev: 2, obj: unbound });
  assert.equal(await ask(node('n1'), 'GET', '/api/v1/namespaces/ns/secrets/s'), 'noOpinion');
  cache.apply({ type: 'put', key, rev: 3, obj: pod('p', 'n1', withSecret('s')) });
  assert.equal(await ask(node('n1'), 'GET', '/api/v1/namespaces/ns/secrets/s'), 'allow');
  cache.apply({ type: 'delete', key, rev: 4 });
  assert.equal(await ask(node('n1'), 'GET', '/api/v1/namespaces/ns/secrets/s'), 'noOpinion');
});

test('NodeRestriction by path: a node writes its own Node, Lease and pods only', async () => {
  const { ask } = setUp([pod('mine', 'n1'), pod('theirs', 'n2')]);
  assert.equal(await ask(node('n1'), 'PATCH', '/api/v1/nodes/n1/status'), 'allow');
  assert.equal(await ask(node('n1'), 'PATCH', '/api/v1/nodes/n2/status'), 'deny');
  assert.equal(await ask(node('n1'), 'PUT', '/api/v1/nodes/n2'), 'deny');
  assert.equal(await ask(node('n1'), 'DELETE', '/api/v1/nodes/n2'), 'deny');
  assert.equal(await ask(node('n1'), 'DELETE', '/api/v1/namespaces/ns/pods/mine'), 'allow');
  assert.equal(await ask(node('n1'), 'DELETE', '/api/v1/namespaces/ns/pods/theirs'), 'deny');
  assert.equal(await ask(node('n1'), 'DELETE', '/api/v1/namespaces/ns/pods'), 'noOpinion', 'deletecollection is no node rule');
  assert.equal(await ask(node('n1'), 'PATCH', '/api/v1/namespaces/ns/pods/mine/status'), 'allow');
  assert.equal(await ask(node('n1'), 'PUT', '/api/v1/namespaces/ns/pods/theirs/status'), 'deny');
  assert.equal(await ask(node('n1'), 'PUT', '/api/v1/namespaces/ns/pods/mine'), 'noOpinion');
  assert.equal(await ask(node('n1'), 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1'), 'allow');
  assert.equal(await ask(node('n1'), 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n2'), 'deny');
  assert.equal(await ask(node('n1'), 'PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler'), 'deny');
  // reads a node agent needs, whoever's
  assert.equal(await ask(node('n1'), 'GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1'), 'allow');
  assert.equal(await ask(node('n1'), 'GET', '/apis/discovery.k8s.io/v1/endpointslices?watch=1'), 'allow');
});

test('who is a node: the name and the group together; everyone else gets no opinion', async () => {
  const { ask } = setUp([pod('a', 'n1', withSecret('s1'))]);
  assert.equal(await ask({ username: 'system:node:n1', groups: ['system:authenticated'] }, 'GET', '/api/v1/namespaces/ns/secrets/s1'), 'noOpinion');
  assert.equal(await ask({ username: 'n1', groups: ['system:nodes'] }, 'DELETE', '/api/v1/nodes/n2'), 'noOpinion');
  assert.equal(await ask({ username: 'alice', groups: ['system:masters'] }, 'DELETE', '/api/v1/nodes/n2'), 'noOpinion');
  assert.equal(await ask({ username: 'system:node:', groups: ['system:nodes'] }, 'GET', '/api/v1/namespaces/ns/secrets/s1'), 'noOpinion');
});
