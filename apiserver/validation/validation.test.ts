import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatusCause } from '../../lib/api/types.js';
import { builtinKinds } from '../registry/kinds/index.js';
import { validateObject } from '../registry/validate.js';
import { formatInvalidMessage, splitUnknownFieldCauses, strictDecodingMessage, validateBinding, validateScale } from './index.js';

// each kind's checks are in its kind file (apiserver/registry/kinds/), run here as the store runs them
const DEFS = await builtinKinds();
const kind = (k: string) => DEFS.find((d) => d.info.kind === k) as (typeof DEFS)[number];

type O = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function deployment(spec: O = {}, metadata: O = { name: 'web', namespace: 'default' }): O {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
      ...spec,
    },
  };
}

/** Defaults then validates, as the API server does on a write. */
function check(k: string, obj: O, opts: { old?: O; strict?: boolean } = {}): StatusCause[] {
  kind(k).defaults(obj);
  if (opts.old) kind(k).defaults(opts.old);
  return validateObject(kind(k), obj, { old: opts.old, strict: opts.strict ?? false }).causes;
}

const fields = (causes: StatusCause[]): string[] => causes.map((c) => c.field ?? '');
const find = (causes: StatusCause[], field: string): StatusCause => {
  const c = causes.find((x) => x.field === field);
  assert.ok(c, `no cause for ${field} in ${JSON.stringify(causes)}`);
  return c;
};

test('a valid deployment has no causes', () => {
  assert.deepEqual(check('Deployment', deployment()), []);
});

test('missing name', () => {
  const causes = check('ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default' } });
  assert.deepEqual(causes, [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
});

test('a bad name, as a DNS subdomain and (for services) a DNS-1035 label', () => {
  const cm = find(check('ConfigMap', { metadata: { name: 'Bad_Name', namespace: 'default' } }), 'metadata.name');
  assert.equal(cm.reason, 'FieldValueInvalid');
  assert.equal(cm.message, `Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
  const long = find(check('ConfigMap', { metadata: { name: 'a'.repeat(254), namespace: 'default' } }), 'metadata.name');
  assert.match(long.message ?? '', /must be no more than 253 characters/);
  const svc = find(check('Service', { metadata: { name: '1svc', namespace: 'default' }, spec: { ports: [{ port: 80 }] } }), 'metadata.name');
  assert.match(svc.message ?? '', /a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/);
  const ns = find(check('Namespace', { metadata: { name: 'a.b' } }), 'metadata.name');
  assert.equal(ns.message, 'Invalid value: "a.b": must not contain dots');
});

test('labels and annotations', () => {
  const causes = check('ConfigMap', { metadata: { name: 'x', namespace: 'default', labels: { app: 'not ok!' }, annotations: { big: 'x'.repeat(300 * 1024) } } });
  const label = find(causes, 'metadata.labels');
  assert.match(label.message ?? '', /^Invalid value: "not ok!": a valid label must be an empty string or consist of alphanumeric characters/);
  assert.deepEqual(find(causes, 'metadata.annotations'), { reason: 'FieldValueTooLong', field: 'metadata.annotations', message: 'Too long: may not be more than 262144 bytes' });
});

test('a value of the wrong type is reported as Kubernetes reports schema type errors', () => {
  const causes = check('Deployment', deployment({ replicas: 'three' }));
  assert.deepEqual(causes, [{ reason: 'FieldValueTypeInvalid', field: 'spec.replicas', message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"' }]);
  const cm = check('ConfigMap', { metadata: { name: 'x', namespace: 'default' }, data: { a: 1, b: [1] } });
  assert.deepEqual(fields(cm), ['data.a', 'data.b']);
  assert.equal(cm[1].message, 'Invalid value: "array": data.b in body must be of type string: "array"');
  const port = check('Service', { metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: 80, targetPort: true }] } });
  assert.equal(find(port, 'spec.ports[0].targetPort').message, 'Invalid value: "boolean": spec.ports[0].targetPort in body must be of type integer,string: "boolean"');
});

test('negative replicas', () => {
  assert.deepEqual(check('Deployment', deployment({ replicas: -1 })), [
    { reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' },
  ]);
});

test('a selector that does not match the template labels, or is missing', () => {
  const mismatch = check('Deployment', deployment({ selector: { matchLabels: { app: 'other' } } }));
  assert.deepEqual(mismatch, [{ reason: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: 'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`' }]);
  const missing = check('ReplicaSet', { metadata: { name: 'rs', namespace: 'default' }, spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
  assert.deepEqual(fields(missing), ['spec.selector', 'spec.template.metadata.labels']);
  assert.equal(missing[0].message, 'Required value');
  const empty = check('Deployment', deployment({ selector: {} }));
  assert.equal(find(empty, 'spec.selector').message, 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment');
  const sts = { ...deployment({ selector: {} }), apiVersion: 'apps/v1', kind: 'StatefulSet' };
  assert.match(find(check('StatefulSet', sts), 'spec.selector').message ?? '', /: empty selector is invalid for statefulset$/);
  const expr = check('Deployment', deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } }));
  assert.deepEqual(expr, []);
});

test('workload templates must always restart, and rolling updates need some room', () => {
  const causes = check('Deployment', deployment({
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
    template: { metadata: { labels: { app: 'web' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'web', image: 'nginx' }] } },
  }));
  assert.deepEqual(causes, [
    { reason: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy', message: 'Unsupported value: "Never": supported values: "Always"' },
    { reason: 'FieldValueInvalid', field: 'spec.strategy.rollingUpdate.maxUnavailable', message: 'Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0' },
  ]);
  const bad = find(check('Deployment', deployment({ strategy: { type: 'Sideways' } })), 'spec.strategy');
  assert.equal(bad.message, 'Unsupported value: apps.DeploymentStrategy{Type:"Sideways", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"');
  const pct = find(check('Deployment', deployment({ strategy: { rollingUpdate: { maxSurge: 'lots' } } })), 'spec.strategy.rollingUpdate.maxSurge');
  assert.match(pct.message ?? '', /^Invalid value: intstr.IntOrString\{Type:1, IntVal:0, StrVal:"lots"\}: a valid percent string must be a numeric string followed by an ending '%'/);
});

test('pod checks: containers, names, images, ports, enums, resources, volumes', () => {
  assert.deepEqual(fields(check('Pod', { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] } })), ['spec.containers']);
  const causes = check('Pod', {
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      restartPolicy: 'Sometimes',
      dnsPolicy: 'Maybe',
      containers: [
        { name: 'Web', image: 'nginx', imagePullPolicy: 'Sometimes', ports: [{ containerPort: 70000 }, { containerPort: 80, protocol: 'XTP' }], resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } },
        { name: 'side' },
        { name: 'side', image: 'x', volumeMounts: [{ name: 'nope', mountPath: '/x' }] },
      ],
    },
  });
  const byField = Object.fromEntries(causes.map((c) => [c.field, c.message]));
  assert.match(byField['spec.containers[0].name'], /^Invalid value: "Web": a lowercase RFC 1123 label must consist of/);
  assert.equal(byField['spec.containers[0].imagePullPolicy'], 'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"');
  assert.equal(byField['spec.containers[0].ports[0].containerPort'], 'Invalid value: 70000: must be between 1 and 65535, inclusive');
  assert.equal(byField['spec.containers[0].ports[1].protocol'], 'Unsupported value: "XTP": supported values: "SCTP", "TCP", "UDP"');
  assert.equal(byField['spec.containers[0].resources.requests'], 'Invalid value: "2": must be less than or equal to cpu limit of 1');
  assert.equal(byField['spec.containers[1].image'], 'Required value');
  assert.equal(byField['spec.containers[2].name'], 'Duplicate value: "side"');
  assert.equal(byField['spec.containers[2].volumeMounts[0].name'], 'Not found: "nope"');
  assert.equal(byField['spec.restartPolicy'], 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"');
  assert.equal(byField['spec.dnsPolicy'], 'Unsupported value: "Maybe": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"');
  const vols = check('Pod', { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }], volumes: [{ name: 'a', emptyDir: {}, hostPath: { path: '/x' } }, { name: 'b', secret: {} }, { name: 'a', configMap: { name: 'c' } }] } });
  assert.deepEqual(vols.map((c) => `${c.field}: ${c.message}`), [
    'spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type',
    'spec.volumes[1].secret.secretName: Required value',
  ]);
});

test('probes and lifecycle handlers', () => {
  const causes = check('Pod', { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i', livenessProbe: { successThreshold: 2 }, readinessProbe: { httpGet: { port: 0 }, exec: { command: ['x'] } } }] } });
  assert.deepEqual(causes.map((c) => `${c.field}: ${c.message}`), [
    'spec.containers[0].livenessProbe: Required value: must specify a handler type',
    'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
    'spec.containers[0].readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type',
  ]);
});

test('services: ports, types and immutable cluster IPs', () => {
  const causes = check('Service', { metadata: { name: 's', namespace: 'default' }, spec: { type: 'Internal', ports: [{ port: 70000 }, { port: 80, name: 'http' }] } });
  assert.deepEqual(causes.map((c) => `${c.field}: ${c.message}`), [
    'spec.ports[0].name: Required value',
    'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
  const old = { metadata: { name: 's', namespace: 'default' }, spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80 }] } };
  const moved = check('Service', { metadata: { name: 's', namespace: 'default' }, spec: { clusterIP: '10.96.0.11', clusterIPs: ['10.96.0.11'], ports: [{ port: 80 }] } }, { old });
  assert.deepEqual(moved, [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: 'Invalid value: []string{"10.96.0.11"}: may not change once set' }]);
});

test('configmaps and secrets: keys, types and immutability', () => {
  const cm = check('ConfigMap', { metadata: { name: 'c', namespace: 'default' }, data: { 'bad key': 'x', ok: 'y' }, binaryData: { ok: 'eQ==' } });
  assert.deepEqual(fields(cm), ['data[bad key]', 'binaryData[ok]']);
  assert.equal(cm[1].message, 'Invalid value: "ok": duplicate of key present in data');
  const tls = check('Secret', { metadata: { name: 's', namespace: 'default' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } });
  assert.deepEqual(tls, [{ reason: 'FieldValueRequired', field: 'data[tls.key]', message: 'Required value' }]);
  const old = { metadata: { name: 'c', namespace: 'default' }, immutable: true, data: { a: '1' } };
  const changed = check('ConfigMap', { metadata: { name: 'c', namespace: 'default' }, immutable: true, data: { a: '2' } }, { old });
  assert.deepEqual(changed, [{ reason: 'FieldValueForbidden', field: 'data', message: 'Forbidden: field is immutable when `immutable` is set' }]);
  const retyped = check('Secret', { metadata: { name: 's', namespace: 'default' }, type: 'example.com/other' }, { old: { metadata: { name: 's', namespace: 'default' }, type: 'Opaque' } });
  assert.deepEqual(retyped, [{ reason: 'FieldValueInvalid', field: 'type', message: 'Invalid value: "example.com/other": field is immutable' }]);
});

test('immutable deployment selector and pod spec', () => {
  const old = deployment();
  const moved = check('Deployment', deployment({ selector: { matchLabels: { app: 'web', v: '2' } }, template: { metadata: { labels: { app: 'web', v: '2' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } }), { old });
  assert.deepEqual(moved, [{ reason: 'FieldValueInvalid', field: 'spec.selector', message: 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable' }]);
  const pod = (image: string, extra: O = {}): O => ({ metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image, ...extra }] } });
  assert.deepEqual(check('Pod', pod('nginx:2'), { old: pod('nginx:1') }), [], 'the image may change');
  const changed = check('Pod', pod('nginx:1', { ports: [{ containerPort: 81 }] }), { old: pod('nginx:1') });
  assert.equal(changed.length, 1);
  assert.equal(changed[0].reason, 'FieldValueForbidden');
  assert.equal(changed[0].field, 'spec');
  assert.ok(changed[0].message?.startsWith('Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'));
  assert.match(changed[0].message ?? '', /spec\.containers\[0\]\.ports/);
  const added = check('Pod', { ...pod('nginx:1'), spec: { ...pod('nginx:1').spec, containers: [{ name: 'c', image: 'nginx:1' }, { name: 'd', image: 'x' }] } }, { old: pod('nginx:1') });
  assert.deepEqual(added, [{ reason: 'FieldValueForbidden', field: 'spec.containers', message: 'Forbidden: pod updates may not add or remove containers' }]);
});

test('unknown fields are reported only in strict mode, and split from the rest', () => {
  const obj = deployment({ replicas: -2, foo: 1, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', bogus: true }] } } });
  (obj as O).bar = 'x';
  assert.deepEqual(fields(check('Deployment', structuredClone(obj))), ['spec.replicas']);
  const causes = check('Deployment', obj, { strict: true });
  const { unknown, other } = splitUnknownFieldCauses(causes);
  assert.deepEqual(unknown, [
    { reason: 'FieldValueUnknown', field: 'spec.template.spec.containers[0].bogus', message: 'unknown field "spec.template.spec.containers[0].bogus"' },
    { reason: 'FieldValueUnknown', field: 'spec.foo', message: 'unknown field "spec.foo"' },
    { reason: 'FieldValueUnknown', field: 'bar', message: 'unknown field "bar"' },
  ], 'in document order');
  assert.deepEqual(fields(other), ['spec.replicas']);
  assert.equal(strictDecodingMessage(kind('Deployment').info, unknown), 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].bogus", unknown field "spec.foo", unknown field "bar"');
  // Map keys and free-form parts are not unknown fields.
  assert.deepEqual(check('ConfigMap', { metadata: { name: 'c', namespace: 'default', labels: { any: 'thing' } }, data: { whatever: 'x' } }, { strict: true }), []);
});

test('every bad field at once, with the Status message Kubernetes builds', () => {
  const obj = deployment({ replicas: -5, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } } }, { name: 'Bad', namespace: 'default' });
  const causes = check('Deployment', obj);
  assert.deepEqual(fields(causes), ['metadata.name', 'spec.replicas', 'spec.template.spec.containers[0].image']);
  const msg = formatInvalidMessage('Deployment.apps', 'Bad', causes);
  assert.ok(msg.startsWith('Deployment.apps "Bad" is invalid: [metadata.name: Invalid value: "Bad": a lowercase RFC 1123 subdomain'));
  assert.ok(msg.endsWith(', spec.replicas: Invalid value: -5: must be greater than or equal to 0, spec.template.spec.containers[0].image: Required value]'));
});

test('formatInvalidMessage with one, none and repeated causes', () => {
  const one = [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }];
  assert.equal(formatInvalidMessage('Deployment.apps', 'web', one), 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  assert.equal(formatInvalidMessage('ConfigMap', 'c', []), 'ConfigMap "c" is invalid');
  assert.equal(formatInvalidMessage('Pod', 'p', [...one, ...one]), 'Pod "p" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
});

test('other kinds: lease, event, node, namespace, endpoints', () => {
  assert.deepEqual(check('Lease', { metadata: { name: 'l', namespace: 'default' }, spec: { leaseDurationSeconds: 0 } }), [
    { reason: 'FieldValueInvalid', field: 'spec.leaseDurationSeconds', message: 'Invalid value: 0: must be greater than 0' },
  ]);
  assert.deepEqual(check('Event', { metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } }), [
    { reason: 'FieldValueInvalid', field: 'involvedObject.namespace', message: 'Invalid value: "other": does not match event.namespace' },
  ]);
  const node = check('Node', { metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }], podCIDRs: ['10.0.0.0/33'] } });
  assert.deepEqual(fields(node), ['spec.taints[0].effect', 'spec.podCIDRs[0]']);
  assert.deepEqual(check('Namespace', { metadata: { name: 'n', namespace: 'x' } }), [{ reason: 'FieldValueForbidden', field: 'metadata.namespace', message: 'Forbidden: not allowed on this type' }]);
  assert.deepEqual(fields(check('Endpoints', { metadata: { name: 'e', namespace: 'default' }, subsets: [{ addresses: [{ ip: 'not-an-ip' }] }] })), ['subsets[0].addresses[0].ip']);
  assert.deepEqual(fields(check('ConfigMap', { metadata: { name: 'c', namespace: 'default', finalizers: ['bogus'] } })), ['metadata.finalizers[0]']);
});

test('a mistyped field gets no further checks, nor do its parents', () => {
  const causes = check('Deployment', deployment({ selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: true } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: '80' }] }] } } }));
  assert.deepEqual(fields(causes), ['spec.template.metadata.labels.app', 'spec.template.spec.containers[0].ports[0].containerPort']);
  assert.ok(causes.every((c) => c.reason === 'FieldValueTypeInvalid'));
});

test('scale and binding subresource bodies', () => {
  assert.deepEqual(validateScale({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: -1 } }).causes, [
    { reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' },
  ]);
  assert.deepEqual(fields(validateScale({ spec: { replicas: 'x' }, extra: 1 }, { strict: true }).causes), ['extra', 'spec.replicas']);
  assert.deepEqual(validateBinding({ metadata: { name: 'p' }, target: { kind: 'Pod' } }).causes.map((c) => `${c.field}: ${c.message}`), [
    'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
    'target.name: Required value',
  ]);
  assert.deepEqual(validateBinding({ metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } }).causes, []);
});
