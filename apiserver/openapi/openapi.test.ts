import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { KINDS } from '../../lib/api/kinds.js';
import { builtinKinds } from '../registry/kinds/index.js';
import { KindRegistry } from '../registry/registry.js';
import { openapiV2 } from './v2.js';
import { openapiV3Document, openapiV3ForGroupVersion, openapiV3Paths, openapiV3Root, type OpenAPIV3Document } from './index.js';

const REGISTRY = new KindRegistry(await builtinKinds());

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const gvPath = (group: string, version: string): string => (group ? `apis/${group}/${version}` : `api/${version}`);

function doc(gv: string): OpenAPIV3Document {
  const d = openapiV3ForGroupVersion(REGISTRY, gv);
  assert.ok(d, `no document for ${gv}`);
  return d;
}

function resolve(d: Node, ref: string): Node | undefined {
  return ref.startsWith('#/components/schemas/') ? d.components.schemas[ref.slice('#/components/schemas/'.length)] : undefined;
}

test('the v3 root lists every group/version with a hashed URL', () => {
  const root = openapiV3Root(REGISTRY);
  for (const key of ['api', 'api/v1', 'apis', 'apis/apps', 'apis/apps/v1', 'apis/coordination.k8s.io', 'apis/coordination.k8s.io/v1']) {
    const entry = root.paths[key];
    assert.ok(entry, key);
    const m = /^\/openapi\/v3\/(.+)\?hash=([0-9A-F]{128})$/.exec(entry.serverRelativeURL);
    assert.ok(m, entry.serverRelativeURL);
    assert.equal(m[1], key);
    const served = openapiV3Document(REGISTRY, key);
    assert.ok(served);
    assert.equal(m[2], served.hash);
    assert.equal(served.hash, createHash('sha512').update(served.body).digest('hex').toUpperCase(), 'the hash is of the served bytes');
    assert.equal(served.etag, `"${served.hash}"`);
    assert.deepEqual(JSON.parse(served.body), openapiV3ForGroupVersion(REGISTRY, key));
  }
  assert.deepEqual(openapiV3Paths(REGISTRY).sort(), Object.keys(root.paths).sort());
  assert.equal(openapiV3ForGroupVersion(REGISTRY, 'apis/example.com/v1'), undefined);
  assert.deepEqual(openapiV3Root(REGISTRY), root, 'stable across calls');
});

test('every PATCH, PUT and POST operation lists fieldValidation, as kubectl checks before sending it', () => {
  for (const k of KINDS) {
    const d = doc(gvPath(k.group, k.version));
    let patches = 0;
    for (const item of Object.values(d.paths) as Node[]) {
      for (const m of ['patch', 'put', 'post']) {
        const op = item[m];
        if (!op) continue;
        assert.ok(op.parameters?.some((p: Node) => p.name === 'fieldValidation' && p.in === 'query'), `${op.operationId} lacks fieldValidation`);
        if (m === 'patch' && op['x-kubernetes-group-version-kind']?.kind === k.kind) {
          patches++;
          assert.ok(op.requestBody.content['application/strategic-merge-patch+json'], 'kubectl apply looks for the strategic merge patch type');
        }
      }
    }
    // a kind that is only ever created (an access review) has nothing to patch
    if (!k.createOnly) assert.ok(patches >= 1, `no PATCH operation for ${k.kind}`);
  }
});

test('operations carry x-kubernetes-action and the group/version/kind kubectl explain looks up', () => {
  const d = doc('apis/apps/v1');
  const list = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments'] as Node;
  assert.equal(list.get['x-kubernetes-action'], 'list');
  assert.deepEqual(list.get['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
  assert.equal(list.post['x-kubernetes-action'], 'post');
  assert.equal(list.delete['x-kubernetes-action'], 'deletecollection');
  const item = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'] as Node;
  assert.deepEqual(METHODS.filter((m) => item[m]).map((m) => item[m]['x-kubernetes-action']), ['get', 'put', 'delete', 'patch']);
  assert.equal(item.patch.operationId, 'patchAppsV1NamespacedDeployment');
  const scale = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'] as Node;
  assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  const core = doc('api/v1');
  assert.deepEqual((core.paths['/api/v1/nodes/{name}'] as Node).get['x-kubernetes-group-version-kind'], { group: '', kind: 'Node', version: 'v1' });
  assert.ok(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/binding']);
  assert.ok(core.paths['/api/v1/namespaces/{name}/finalize']);
  for (const item2 of Object.values(core.paths) as Node[]) {
    for (const m of METHODS) if (item2[m]) assert.ok(item2[m]['x-kubernetes-action'], item2[m].operationId);
  }
});

test('every $ref in a document resolves within it', () => {
  for (const gv of openapiV3Paths(REGISTRY)) {
    const d = doc(gv) as Node;
    const missing: string[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object') {
        for (const [k, v] of Object.entries(n)) {
          if (k === '$ref') {
            if (!resolve(d, v as string)) missing.push(v as string);
          } else walk(v);
        }
      }
    };
    walk(d);
    assert.deepEqual(missing, [], gv);
    assert.equal(d.openapi, '3.0.0');
  }
});

test('kubectl explain deployment.spec.strategy finds the kind, the field, its description and its fields', () => {
  const d = doc('apis/apps/v1') as Node;
  const gvk = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments'].get['x-kubernetes-group-version-kind'];
  const matches = (Object.values(d.components.schemas) as Node[]).filter((s) => (s['x-kubernetes-group-version-kind'] ?? []).some((g: Node) => JSON.stringify(g) === JSON.stringify(gvk)));
  assert.equal(matches.length, 1, 'exactly one schema carries the Deployment GVK');
  const deref = (s: Node): Node => (s.$ref ? resolve(d, s.$ref) as Node : s.allOf?.length === 1 ? deref(s.allOf[0]) : s);
  const spec = deref(matches[0] as Node).properties.spec;
  const strategy = deref(spec).properties.strategy;
  assert.deepEqual(strategy.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }], 'a described ref is wrapped in allOf');
  assert.equal(strategy['x-kubernetes-patch-strategy'], 'retainKeys');
  assert.ok(strategy.description);
  const resolved = deref(strategy);
  assert.ok(resolved.description);
  assert.equal(resolved.properties.type.type, 'string');
  assert.deepEqual(resolved.properties.type.enum, ['Recreate', 'RollingUpdate']);
  assert.ok(resolved.properties.rollingUpdate);
  assert.equal(resolve(d, '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString')?.type, undefined, 'no type, so explain names it IntOrString');
});

test('documents only carry the schemas their group/version needs', () => {
  const apps = doc('apis/apps/v1');
  assert.ok(apps.components.schemas['io.k8s.api.core.v1.PodSpec']);
  assert.ok(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  assert.equal(apps.components.schemas['io.k8s.api.core.v1.Service'], undefined);
  const lease = doc('apis/coordination.k8s.io/v1');
  assert.equal(lease.components.schemas['io.k8s.api.core.v1.PodSpec'], undefined);
});

test('the Swagger 2.0 document uses definitions and keeps the extensions', () => {
  const v2 = openapiV2(REGISTRY) as Node;
  assert.equal(v2.swagger, '2.0');
  const text = JSON.stringify(v2);
  assert.ok(!text.includes('#/components/'), 'no v3 references');
  for (const ref of text.match(/"#\/definitions\/[^"]+"/g) ?? []) assert.ok(v2.definitions[ref.slice(15, -1)], ref);
  assert.equal(v2.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.deepEqual(v2.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].type, 'string');
  const patch = v2.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.ok(patch.parameters.some((p: Node) => p.name === 'fieldValidation'));
  assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
});

test('integer fields are published with their format, in v3 and v2, as Kubernetes publishes them', () => {
  const apps = doc('apis/apps/v1') as Node;
  const s = apps.components.schemas;
  assert.deepEqual(s['io.k8s.api.apps.v1.DeploymentSpec'].properties.replicas, { description: s['io.k8s.api.apps.v1.DeploymentSpec'].properties.replicas.description, type: 'integer', format: 'int32' });
  assert.equal(s['io.k8s.api.core.v1.PodSpec'].properties.terminationGracePeriodSeconds.format, 'int64');
  assert.equal(s['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.generation.format, 'int64');
  assert.equal(s['io.k8s.api.core.v1.ContainerPort'].properties.containerPort.format, 'int32');
  assert.equal(s['io.k8s.api.autoscaling.v1.ScaleSpec'].properties.replicas.format, 'int32');
  const v2 = openapiV2(REGISTRY) as Node;
  assert.equal(v2.definitions['io.k8s.api.apps.v1.DeploymentSpec'].properties.replicas.format, 'int32');
  assert.equal(v2.definitions['io.k8s.api.core.v1.Toleration'].properties.tolerationSeconds.format, 'int64');
  // every integer in every v3 document has one
  for (const gv of ['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1']) {
    const text = JSON.stringify(doc(gv).components.schemas);
    const ints = text.match(/"type":"integer"(,"format":"[^"]*")?/g) ?? [];
    assert.ok(ints.length > 0, gv);
    // IntOrString's oneOf member is the one integer without a format
    assert.deepEqual(ints.filter((m) => !/int32|int64/.test(m)).length, gv === 'apis/coordination.k8s.io/v1' ? 0 : 1, gv);
  }
});
