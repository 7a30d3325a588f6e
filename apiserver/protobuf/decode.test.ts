import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { ProtobufDecodeError, decodeKubernetesProtobuf, protobufRoot } from './index.js';

const CORE = 'k8s.io.api.core.v1';

/** Encodes a plain object as the named message and wraps it in the `k8s\0` + runtime.Unknown envelope. */
function envelope(apiVersion: string, kind: string, messageName: string, object: Record<string, unknown>): Buffer {
  const root = protobufRoot();
  const type = root.lookupType(messageName);
  const raw = type.encode(type.fromObject(object)).finish();
  const unknown = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const typeMeta = apiVersion || kind ? { typeMeta: { ...(apiVersion && { apiVersion }), ...(kind && { kind }) } } : {};
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown.encode(unknown.fromObject({ ...typeMeta, raw })).finish()]);
}

const decode = (body: Buffer) => decodeKubernetesProtobuf(body).object;

/** What Go's encoder writes for an ObjectMeta with only a name: every non-pointer field, at its zero value. */
const goMeta = (name: string, extra: Record<string, unknown> = {}) => ({
  name, generateName: '', namespace: '', selfLink: '', uid: '', resourceVersion: '', generation: 0, creationTimestamp: {}, ...extra,
});

test('a ConfigMap decodes to its JSON form; the zero values Go always writes are left out', () => {
  const body = envelope('v1', 'ConfigMap', `${CORE}.ConfigMap`, {
    metadata: goMeta('cm', { namespace: 'default', labels: { app: 'web' }, annotations: { note: 'x' } }),
    data: { k: 'v', empty: '' },
  });
  const result = decodeKubernetesProtobuf(body);
  assert.equal(result.apiVersion, 'v1');
  assert.equal(result.kind, 'ConfigMap');
  assert.deepEqual(result.object, {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'cm', namespace: 'default', labels: { app: 'web' }, annotations: { note: 'x' } },
    data: { k: 'v', empty: '' },
  });
});

test('bytes map values (Secret.data, ConfigMap.binaryData) become base64 strings', () => {
  const secret = envelope('v1', 'Secret', `${CORE}.Secret`, {
    metadata: goMeta('s'), type: 'Opaque', data: { p: Buffer.from([0, 255, 1]), empty: Buffer.alloc(0) }, stringData: { plain: 'text' }, immutable: false,
  });
  assert.deepEqual(decode(secret), {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { p: 'AP8B', empty: '' }, stringData: { plain: 'text' }, immutable: false,
  });
  const cm = envelope('v1', 'ConfigMap', `${CORE}.ConfigMap`, { metadata: goMeta('b'), binaryData: { blob: Buffer.from('hello') } });
  assert.deepEqual(decode(cm).binaryData, { blob: 'aGVsbG8=' });
});

test('a Namespace keeps its empty spec and status, as Go\'s JSON encoder does', () => {
  const body = envelope('v1', 'Namespace', `${CORE}.Namespace`, { metadata: goMeta('n', { finalizers: ['a/b'] }), spec: {}, status: { phase: '' } });
  assert.deepEqual(decode(body), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', finalizers: ['a/b'] }, spec: {}, status: {} });
});

test('int-or-string ports decode to numbers or strings; a zero non-pointer one is left out', () => {
  const body = envelope('v1', 'Service', `${CORE}.Service`, {
    metadata: goMeta('svc'),
    spec: {
      type: 'ClusterIP',
      selector: { app: 'web' },
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: { type: 0, intVal: 8080, strVal: '' }, nodePort: 0 },
        { name: 'named', protocol: 'TCP', port: 81, targetPort: { type: 1, intVal: 0, strVal: 'web' }, nodePort: 0 },
        { name: 'unset', protocol: 'TCP', port: 82, targetPort: { type: 0, intVal: 0, strVal: '' }, nodePort: 0 },
      ],
      ipFamilyPolicy: 'SingleStack',
      allocateLoadBalancerNodePorts: false,
    },
    status: { loadBalancer: {} },
  });
  assert.deepEqual(decode(body), {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' },
    spec: {
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
        { name: 'named', protocol: 'TCP', port: 81, targetPort: 'web' },
        { name: 'unset', protocol: 'TCP', port: 82 },
      ],
      selector: { app: 'web' }, type: 'ClusterIP', ipFamilyPolicy: 'SingleStack', allocateLoadBalancerNodePorts: false,
    },
    status: { loadBalancer: {} },
  });
});

test('a Deployment: pointer zeros kept, quantities as strings, times as RFC 3339, inline structs merged', () => {
  const body = envelope('apps/v1', 'Deployment', 'k8s.io.api.apps.v1.Deployment', {
    metadata: goMeta('d', { creationTimestamp: { seconds: 1704164645, nanos: 123000000 }, generation: 3, labels: { app: 'd' } }),
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'd' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: { type: 0, intVal: 0 }, maxSurge: { type: 1, strVal: '25%' } } },
      minReadySeconds: 0,
      paused: false,
      template: {
        metadata: goMeta('', { labels: { app: 'd' } }),
        spec: {
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 30,
          containers: [{
            name: 'web', image: 'nginx', imagePullPolicy: '', stdin: false,
            ports: [{ name: '', hostPort: 0, containerPort: 80, protocol: 'TCP', hostIP: '' }],
            resources: { limits: { cpu: { string: '500m' }, memory: { string: '128Mi' } }, requests: { cpu: { string: '250m' } } },
            env: [{ name: 'A', value: '' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'S', valueFrom: { secretKeyRef: { localObjectReference: { name: 'sec' }, key: 'k', optional: true } } }],
            readinessProbe: { handler: { httpGet: { path: '/healthz', port: { type: 1, strVal: 'http' }, scheme: 'HTTP' } }, periodSeconds: 5 },
            volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg', readOnly: true }],
          }],
          volumes: [{ name: 'cfg', volumeSource: { configMap: { localObjectReference: { name: 'cm' }, defaultMode: 0o644 } } }],
        },
      },
    },
    status: { replicas: 0, observedGeneration: 0 },
  });
  assert.deepEqual(decode(body), {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'd', generation: 3, creationTimestamp: '2024-01-02T03:04:05Z', labels: { app: 'd' } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'd' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] },
      template: {
        metadata: { labels: { app: 'd' } },
        spec: {
          containers: [{
            name: 'web', image: 'nginx',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [{ name: 'A' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'S', valueFrom: { secretKeyRef: { name: 'sec', key: 'k', optional: true } } }],
            resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } },
            volumeMounts: [{ name: 'cfg', readOnly: true, mountPath: '/etc/cfg' }],
            readinessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, periodSeconds: 5 },
          }],
          volumes: [{ name: 'cfg', configMap: { name: 'cm', defaultMode: 0o644 } }],
          terminationGracePeriodSeconds: 30,
          automountServiceAccountToken: false,
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
    },
    status: {},
  });
});

test('MicroTime has six fractional digits; managedFields carry their FieldsV1 JSON', () => {
  const body = envelope('coordination.k8s.io/v1', 'Lease', 'k8s.io.api.coordination.v1.Lease', {
    metadata: goMeta('l', {
      namespace: 'kube-node-lease',
      managedFields: [{ manager: 'kubelet', operation: 'Update', apiVersion: 'coordination.k8s.io/v1', time: { seconds: 1704164645 },
        fieldsType: 'FieldsV1', fieldsV1: { Raw: Buffer.from('{"f:spec":{"f:holderIdentity":{}}}') } }],
    }),
    spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: { seconds: 1704164645, nanos: 7_654_321 }, leaseTransitions: 0 },
  });
  assert.deepEqual(decode(body), {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: {
      name: 'l', namespace: 'kube-node-lease',
      managedFields: [{ manager: 'kubelet', operation: 'Update', apiVersion: 'coordination.k8s.io/v1', time: '2024-01-02T03:04:05Z',
        fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:holderIdentity': {} } } }],
    },
    spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2024-01-02T03:04:05.007654Z', leaseTransitions: 0 },
  });
});

test('Go\'s zero time.Time (as Unix seconds) is an unset time', () => {
  const body = envelope('v1', 'ConfigMap', `${CORE}.ConfigMap`, { metadata: goMeta('z', { creationTimestamp: { seconds: -62135596800 } }) });
  assert.deepEqual(decode(body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'z' } });
});

test('subresource and option bodies: Scale, Binding, DeleteOptions under any group version', () => {
  const scale = envelope('autoscaling/v1', 'Scale', 'k8s.io.api.autoscaling.v1.Scale', {
    metadata: goMeta('d'), spec: { replicas: 0 }, status: { replicas: 0, selector: '' },
  });
  assert.deepEqual(decode(scale), { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'd' }, spec: {}, status: {} });
  const binding = envelope('v1', 'Binding', `${CORE}.Binding`, { metadata: goMeta('p'), target: { kind: 'Node', name: 'n1', apiVersion: '' } });
  assert.deepEqual(decode(binding), { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } });
  for (const apiVersion of ['v1', 'apps/v1', 'meta.k8s.io/v1']) {
    const del = envelope(apiVersion, 'DeleteOptions', 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', {
      gracePeriodSeconds: 0, propagationPolicy: 'Foreground', preconditions: { uid: 'u1' }, dryRun: ['All'],
    });
    assert.deepEqual(decode(del), {
      apiVersion, kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: 'u1' }, propagationPolicy: 'Foreground', dryRun: ['All'],
    });
  }
});

test('an envelope without apiVersion/kind takes them from the defaults, as the request URL implies them', () => {
  const body = envelope('', '', `${CORE}.ConfigMap`, { metadata: goMeta('x') });
  assert.deepEqual(decodeKubernetesProtobuf(body, { apiVersion: 'v1', kind: 'ConfigMap' }).object, {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' },
  });
  assert.throws(() => decodeKubernetesProtobuf(body), (e: unknown) => e instanceof ProtobufDecodeError && e.reason === 'malformed' && /kind/.test(e.message));
});

test('an unknown kind is refused as unsupported, naming the kind', () => {
  const body = envelope('example.com/v1', 'Widget', `${CORE}.ConfigMap`, { metadata: goMeta('j') });
  assert.throws(() => decode(body), (e: unknown) => e instanceof ProtobufDecodeError && e.reason === 'unsupported' && /"Widget".*"example.com\/v1"/.test(e.message));
  const wrongGroup = envelope('v1', 'Deployment', `${CORE}.ConfigMap`, { metadata: goMeta('d') });
  assert.throws(() => decode(wrongGroup), (e: unknown) => e instanceof ProtobufDecodeError && e.reason === 'unsupported');
});

const isMalformed = (e: unknown) => e instanceof ProtobufDecodeError && e.reason === 'malformed';

test('garbage is a ProtobufDecodeError: no prefix, empty, truncated, bad lengths, bad embedded JSON', () => {
  assert.throws(() => decode(Buffer.alloc(0)), isMalformed);
  assert.throws(() => decode(Buffer.from('{"kind":"ConfigMap"}')), (e: unknown) => isMalformed(e) && /prefix/.test((e as Error).message));
  assert.throws(() => decode(Buffer.from('k8s')), isMalformed);
  const good = envelope('v1', 'ConfigMap', `${CORE}.ConfigMap`, { metadata: goMeta('x'), data: { a: 'b' } });
  const afterTypeMeta = 4 + 2 + (2 + 'v1'.length) + (2 + 'ConfigMap'.length); // a cut between the envelope's fields
  for (let n = 5; n < good.length; n++) {
    if (n === afterTypeMeta) assert.deepEqual(decode(good.subarray(0, n)), { apiVersion: 'v1', kind: 'ConfigMap' }, 'an envelope without raw');
    else assert.throws(() => decode(good.subarray(0, n)), isMalformed, `truncated to ${n} bytes`);
  }
  assert.throws(() => decode(Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f])])), isMalformed);
  assert.throws(() => decode(Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0f])])), isMalformed); // wire type 7
  const badFields = envelope('v1', 'ConfigMap', `${CORE}.ConfigMap`, {
    metadata: goMeta('x', { managedFields: [{ fieldsV1: { Raw: Buffer.from('{not json') } }] }),
  });
  assert.throws(() => decode(badFields), (e: unknown) => isMalformed(e) && /FieldsV1/.test((e as Error).message));
  const badTime = envelope('v1', 'ConfigMap', `${CORE}.ConfigMap`, { metadata: goMeta('x', { creationTimestamp: { seconds: 1, nanos: -5 } }) });
  assert.throws(() => decode(badTime), isMalformed);
  const badIntstr = envelope('v1', 'Service', `${CORE}.Service`, { spec: { ports: [{ targetPort: { type: 7 } }] } });
  assert.throws(() => decode(badIntstr), isMalformed);
  const deepGroups = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.alloc(200_000, 0x7b)]); // nested "start group" tags
  assert.throws(() => decode(deepGroups), isMalformed);
});

test('random bytes and random mutations never throw anything but ProtobufDecodeError', () => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const good = envelope('apps/v1', 'Deployment', 'k8s.io.api.apps.v1.Deployment', {
    metadata: goMeta('d', { creationTimestamp: { seconds: 1704164645 } }),
    spec: { replicas: 2, template: { spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: { string: '1' } } } }] } } },
  });
  for (let i = 0; i < 3000; i++) {
    const body = Buffer.from(good);
    for (let j = rand(4); j >= 0; j--) body[4 + rand(body.length - 4)] = rand(256);
    const input = i % 3 === 0 ? Buffer.concat([body.subarray(0, 4), Buffer.from(Array.from({ length: rand(64) }, () => rand(256)))]) : body;
    try {
      decode(input);
    } catch (e) {
      assert.ok(e instanceof ProtobufDecodeError, `mutation ${i} threw ${(e as Error).stack}`);
    }
  }
});

// ---- int32 fields carrying out-of-range varints (built by hand: a Go client can't write them, a hostile one can)

/** A message of hand-written fields: [field number, varint (as int64)] or [field number, embedded message]. */
function message(fields: Array<[number, number | Uint8Array]>): Uint8Array {
  const w = protobuf.Writer.create();
  for (const [n, v] of fields) {
    if (typeof v === 'number') w.uint32((n << 3) | 0).int64(v);
    else w.uint32((n << 3) | 2).bytes(v);
  }
  return w.finish();
}

function wrapRaw(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const unknown = protobufRoot().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown.encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw })).finish()]);
}

const deploymentWithReplicas = (replicas: number) => wrapRaw('apps/v1', 'Deployment', message([[2, message([[1, replicas]])]]));

test('an int32 field holding a varint beyond int32 is refused, not wrapped to a small number', () => {
  assert.throws(() => decode(deploymentWithReplicas(99999999999)), (e: unknown) => e instanceof ProtobufDecodeError && e.reason === 'malformed' && /DeploymentSpec\.replicas: 99999999999 does not fit in an int32/.test(e.message));
  // 2^32 + 3 keeps 3 in its low 32 bits: a decoder that wraps would have read replicas: 3
  assert.throws(() => decode(deploymentWithReplicas(2 ** 32 + 3)), /does not fit in an int32/);
  assert.throws(() => decode(deploymentWithReplicas(-(2 ** 31) - 1)), /-2147483649 does not fit in an int32/);
  const scale = wrapRaw('autoscaling/v1', 'Scale', message([[2, message([[1, 2 ** 33]])]]));
  assert.throws(() => decode(scale), /ScaleSpec\.replicas: 8589934592 does not fit in an int32/);
  const targetPort = message([[1, 0], [2, 2 ** 40]]);
  const service = wrapRaw('v1', 'Service', message([[2, message([[1, message([[3, 80], [4, targetPort]])]])]]));
  assert.throws(() => decode(service), /IntOrString\.intVal: 1099511627776 does not fit in an int32/);
});

test('int32 values at the ends of the range, negative ones included (sign-extended varints), decode unchanged', () => {
  assert.equal((decode(deploymentWithReplicas(2147483647)).spec as { replicas: number }).replicas, 2147483647);
  assert.equal((decode(deploymentWithReplicas(-2147483648)).spec as { replicas: number }).replicas, -2147483648);
  assert.equal((decode(deploymentWithReplicas(-1)).spec as { replicas: number }).replicas, -1);
  const ok = envelope('apps/v1', 'Deployment', 'k8s.io.api.apps.v1.Deployment', { spec: { replicas: 7, minReadySeconds: 5 } });
  assert.deepEqual(decode(ok).spec, { replicas: 7, minReadySeconds: 5 });
});
