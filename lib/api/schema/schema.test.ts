import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KINDS } from '../kinds.js';
import { INT_OR_STRING, QUANTITY, REF_PREFIX, components, listSchemaNameFor, reachableSchemas, resolveRef, schemaNameFor, type Schema } from './index.js';

const all = components();

/** Follows `$ref`s from a kind's schema along property names (`[]` steps into list items). */
function at(root: string, ...path: string[]): Schema {
  let s: Schema | undefined = all[root];
  for (const step of path) {
    assert.ok(s, `no schema before ${step}`);
    if (s.$ref) s = resolveRef(s.$ref);
    s = step === '[]' ? s?.items : s?.properties?.[step];
    assert.ok(s, `no property ${step} under ${root}`);
  }
  return s as Schema;
}

test('schema names follow Kubernetes naming', () => {
  const deploy = KINDS.find((k) => k.kind === 'Deployment')!;
  const lease = KINDS.find((k) => k.kind === 'Lease')!;
  const pod = KINDS.find((k) => k.kind === 'Pod')!;
  assert.equal(schemaNameFor(deploy), 'io.k8s.api.apps.v1.Deployment');
  assert.equal(schemaNameFor(lease), 'io.k8s.api.coordination.v1.Lease');
  assert.equal(schemaNameFor(pod), 'io.k8s.api.core.v1.Pod');
  assert.equal(listSchemaNameFor(pod), 'io.k8s.api.core.v1.PodList');
  assert.ok(all['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  assert.ok(all['io.k8s.api.autoscaling.v1.Scale']);
  assert.ok(all['io.k8s.api.core.v1.Binding']);
});

test('every kind has a schema tagged with its group/version/kind, and a list schema', () => {
  for (const k of KINDS) {
    const s = all[schemaNameFor(k)];
    assert.ok(s, `missing schema for ${k.kind}`);
    assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group: k.group, kind: k.kind, version: k.version }]);
    assert.equal(s.properties?.metadata?.$ref, `${REF_PREFIX}io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`);
    // a kind that is only ever created (an access review) has no list
    if (k.createOnly) {
      assert.equal(all[listSchemaNameFor(k)], undefined);
      continue;
    }
    assert.deepEqual(all[listSchemaNameFor(k)]['x-kubernetes-group-version-kind'], [{ group: k.group, kind: `${k.kind}List`, version: k.version }]);
  }
});

test('every $ref resolves to a named schema', () => {
  const missing: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      for (const [k, v] of Object.entries(n)) {
        if (k === '$ref') {
          assert.ok(typeof v === 'string' && v.startsWith(REF_PREFIX), `bad ref ${String(v)}`);
          if (!resolveRef(v)) missing.push(v);
        } else walk(v);
      }
    }
  };
  walk(all);
  assert.deepEqual(missing, []);
});

test('strategic merge metadata sits on the property schemas', () => {
  const pod = 'io.k8s.api.core.v1.PodSpec';
  const cases: Array<[Schema, string | undefined, string]> = [
    [at(pod, 'containers'), 'name', 'merge'],
    [at(pod, 'initContainers'), 'name', 'merge'],
    [at(pod, 'volumes'), 'name', 'merge,retainKeys'],
    [at(pod, 'imagePullSecrets'), 'name', 'merge'],
    [at(pod, 'containers', '[]', 'ports'), 'containerPort', 'merge'],
    [at(pod, 'containers', '[]', 'env'), 'name', 'merge'],
    [at(pod, 'containers', '[]', 'volumeMounts'), 'mountPath', 'merge'],
    [at('io.k8s.api.core.v1.PodStatus', 'conditions'), 'type', 'merge'],
    [at('io.k8s.api.apps.v1.DeploymentStatus', 'conditions'), 'type', 'merge'],
    [at('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'ownerReferences'), 'uid', 'merge'],
    [at('io.k8s.api.core.v1.ServiceSpec', 'ports'), 'port', 'merge'],
    [at('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers'), undefined, 'merge'],
    [at('io.k8s.api.apps.v1.DeploymentSpec', 'strategy'), undefined, 'retainKeys'],
  ];
  for (const [s, key, strategy] of cases) {
    assert.equal(s['x-kubernetes-patch-merge-key'], key);
    assert.equal(s['x-kubernetes-patch-strategy'], strategy);
  }
  assert.deepEqual(at(pod, 'containers', '[]', 'ports')['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.equal(at(pod, 'containers')['x-kubernetes-list-type'], 'map');
  assert.equal(at(pod, 'tolerations')['x-kubernetes-list-type'], 'atomic');
  assert.equal(at('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers')['x-kubernetes-list-type'], 'set');
  assert.equal(all['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']['x-kubernetes-map-type'], 'atomic');
});

test('int-or-string fields and quantities', () => {
  for (const s of [at('io.k8s.api.core.v1.ServicePort', 'targetPort'), at('io.k8s.api.apps.v1.RollingUpdateDeployment', 'maxSurge'), at('io.k8s.api.core.v1.HTTPGetAction', 'port')]) {
    assert.equal(s['x-kubernetes-int-or-string'], true);
    assert.equal(s.$ref, REF_PREFIX + INT_OR_STRING);
  }
  assert.deepEqual(all[INT_OR_STRING].oneOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.deepEqual(all[QUANTITY].oneOf, [{ type: 'string' }, { type: 'number' }]);
  assert.equal(at('io.k8s.api.core.v1.ResourceRequirements', 'limits').additionalProperties && (at('io.k8s.api.core.v1.ResourceRequirements', 'limits').additionalProperties as Schema).$ref, REF_PREFIX + QUANTITY);
});

test('the pod spec covers the common fields and volume sources', () => {
  const spec = all['io.k8s.api.core.v1.PodSpec'].properties ?? {};
  for (const f of ['containers', 'initContainers', 'volumes', 'affinity', 'tolerations', 'topologySpreadConstraints', 'securityContext', 'dnsConfig', 'restartPolicy']) assert.ok(spec[f], f);
  const volume = all['io.k8s.api.core.v1.Volume'].properties ?? {};
  for (const f of ['emptyDir', 'hostPath', 'configMap', 'secret', 'persistentVolumeClaim', 'projected', 'downwardAPI', 'csi', 'nfs']) assert.ok(volume[f], f);
  const container = all['io.k8s.api.core.v1.Container'];
  assert.deepEqual(container.required, ['name']);
  for (const f of ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resources', 'securityContext']) assert.ok(container.properties?.[f], f);
  assert.deepEqual(at('io.k8s.api.apps.v1.DeploymentStrategy', 'type').enum, ['Recreate', 'RollingUpdate']);
});

test('reachable schemas include everything a kind needs', () => {
  const names = reachableSchemas(['io.k8s.api.apps.v1.Deployment']);
  for (const n of ['io.k8s.api.core.v1.PodSpec', 'io.k8s.api.core.v1.Container', 'io.k8s.apimachinery.pkg.apis.meta.v1.Time', INT_OR_STRING, QUANTITY]) assert.ok(names.includes(n), n);
  assert.ok(!names.includes('io.k8s.api.core.v1.Service'));
});

test('the component set is frozen so callers cannot corrupt it', () => {
  assert.ok(Object.isFrozen(all));
  assert.ok(Object.isFrozen(all['io.k8s.api.core.v1.PodSpec'].properties));
});

test('every integer field carries its Go type as format (int32 or int64), and numbers are doubles', () => {
  const bad: string[] = [];
  const walk = (name: string, s: Schema, path: string): void => {
    if (s.type === 'integer' && s.format !== 'int32' && s.format !== 'int64') bad.push(`${name}${path}: ${s.format ?? 'no format'}`);
    if (s.type === 'number' && s.format !== 'double') bad.push(`${name}${path}: number ${s.format ?? 'no format'}`);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(name, v, `${path}.${k}`);
    if (s.items) walk(name, s.items, `${path}[]`);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(name, s.additionalProperties, `${path}{}`);
  };
  for (const [name, s] of Object.entries(all)) if (name !== INT_OR_STRING) walk(name, s, '');
  assert.deepEqual(bad, []);
});

test('integer formats are Kubernetes\' (the Go field types of k8s.io/api and apimachinery)', () => {
  // [schema, field, format]: the fields issue 19 names, and the int64s that are easy to get wrong
  const upstream: Array<[string, string, 'int32' | 'int64']> = [
    ['io.k8s.api.apps.v1.DeploymentSpec', 'replicas', 'int32'],
    ['io.k8s.api.apps.v1.DeploymentSpec', 'revisionHistoryLimit', 'int32'],
    ['io.k8s.api.apps.v1.DeploymentSpec', 'progressDeadlineSeconds', 'int32'],
    ['io.k8s.api.apps.v1.DeploymentSpec', 'minReadySeconds', 'int32'],
    ['io.k8s.api.apps.v1.DeploymentStatus', 'observedGeneration', 'int64'],
    ['io.k8s.api.apps.v1.DeploymentStatus', 'collisionCount', 'int32'],
    ['io.k8s.api.apps.v1.ReplicaSetSpec', 'replicas', 'int32'],
    ['io.k8s.api.autoscaling.v1.ScaleSpec', 'replicas', 'int32'],
    ['io.k8s.api.core.v1.ContainerPort', 'containerPort', 'int32'],
    ['io.k8s.api.core.v1.ContainerPort', 'hostPort', 'int32'],
    ['io.k8s.api.core.v1.ServicePort', 'port', 'int32'],
    ['io.k8s.api.core.v1.ServicePort', 'nodePort', 'int32'],
    ['io.k8s.api.core.v1.PodSpec', 'terminationGracePeriodSeconds', 'int64'],
    ['io.k8s.api.core.v1.PodSpec', 'activeDeadlineSeconds', 'int64'],
    ['io.k8s.api.core.v1.PodSpec', 'priority', 'int32'],
    ['io.k8s.api.core.v1.Probe', 'initialDelaySeconds', 'int32'],
    ['io.k8s.api.core.v1.Probe', 'periodSeconds', 'int32'],
    ['io.k8s.api.core.v1.Probe', 'timeoutSeconds', 'int32'],
    ['io.k8s.api.core.v1.Probe', 'successThreshold', 'int32'],
    ['io.k8s.api.core.v1.Probe', 'failureThreshold', 'int32'],
    ['io.k8s.api.core.v1.Probe', 'terminationGracePeriodSeconds', 'int64'],
    ['io.k8s.api.core.v1.GRPCAction', 'port', 'int32'],
    ['io.k8s.api.core.v1.SleepAction', 'seconds', 'int64'],
    ['io.k8s.api.core.v1.ConfigMapVolumeSource', 'defaultMode', 'int32'],
    ['io.k8s.api.core.v1.SecretVolumeSource', 'defaultMode', 'int32'],
    ['io.k8s.api.core.v1.KeyToPath', 'mode', 'int32'],
    ['io.k8s.api.core.v1.ServiceAccountTokenProjection', 'expirationSeconds', 'int64'],
    ['io.k8s.api.core.v1.Toleration', 'tolerationSeconds', 'int64'],
    ['io.k8s.api.core.v1.PreferredSchedulingTerm', 'weight', 'int32'],
    ['io.k8s.api.core.v1.WeightedPodAffinityTerm', 'weight', 'int32'],
    ['io.k8s.api.core.v1.TopologySpreadConstraint', 'maxSkew', 'int32'],
    ['io.k8s.api.core.v1.PodSecurityContext', 'runAsUser', 'int64'],
    ['io.k8s.api.core.v1.PodSecurityContext', 'fsGroup', 'int64'],
    ['io.k8s.api.core.v1.SecurityContext', 'runAsGroup', 'int64'],
    ['io.k8s.api.core.v1.ContainerStatus', 'restartCount', 'int32'],
    ['io.k8s.api.core.v1.ContainerStateTerminated', 'exitCode', 'int32'],
    ['io.k8s.api.core.v1.ContainerImage', 'sizeBytes', 'int64'],
    ['io.k8s.api.core.v1.ClientIPConfig', 'timeoutSeconds', 'int32'],
    ['io.k8s.api.core.v1.Event', 'count', 'int32'],
    ['io.k8s.api.coordination.v1.LeaseSpec', 'leaseDurationSeconds', 'int32'],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'generation', 'int64'],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'deletionGracePeriodSeconds', 'int64'],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', 'gracePeriodSeconds', 'int64'],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', 'remainingItemCount', 'int64'],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'code', 'int32'],
  ];
  for (const [schema, field, format] of upstream) {
    const s = at(schema, field);
    assert.deepEqual({ type: s.type, format: s.format }, { type: 'integer', format }, `${schema}.${field}`);
  }
  assert.deepEqual(at('io.k8s.api.core.v1.PodSecurityContext', 'supplementalGroups').items, { type: 'integer', format: 'int64' });
});
