import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KINDS, type KindInfo } from '../../lib/api/kinds.js';
import { fitsInteger, integerDecodeError } from './decode.js';
import { decodeErrorMessage, scaleDecodeErrorMessage } from './index.js';

const kind = (k: string): KindInfo => KINDS.find((x) => x.kind === k) as KindInfo;
const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';
const POD = 'io.k8s.api.core.v1.Pod';

type O = Record<string, unknown>;

function deployment(spec: O = {}, metadata: O = { name: 'web' }): O {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } },
      ...spec,
    },
  };
}

const podSpec = (spec: O): O => deployment({ template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }], ...spec } } });

test('the ranges of Go int32 and int64', () => {
  assert.ok(fitsInteger(2147483647, 'int32'));
  assert.ok(fitsInteger(-2147483648, 'int32'));
  assert.ok(!fitsInteger(2147483648, 'int32'));
  assert.ok(!fitsInteger(-2147483649, 'int32'));
  assert.ok(!fitsInteger(1.5, 'int32'));
  assert.ok(fitsInteger(2147483648, 'int64'));
  assert.ok(fitsInteger(-(2 ** 63), 'int64'));
  assert.ok(fitsInteger(2 ** 63 - 1024, 'int64'), 'the largest double below 2^63');
  assert.ok(!fitsInteger(2 ** 63, 'int64'), '2^63 (also what 9223372036854775807 parses to) could not be read back by a Go client');
  assert.ok(!fitsInteger(0.5, 'int64'));
  assert.ok(!fitsInteger(Infinity, 'int64'));
});

test('replicas 99999999999 is the decode error kube-apiserver gives for the same body', () => {
  assert.equal(decodeErrorMessage(kind('Deployment'), deployment({ replicas: 99999999999 })),
    'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 99999999999 into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(integerDecodeError(DEPLOYMENT, deployment({ replicas: 1.5 })),
    'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(integerDecodeError(DEPLOYMENT, deployment({ replicas: -2147483649 })),
    'json: cannot unmarshal number -2147483649 into Go struct field DeploymentSpec.spec.replicas of type int32');
});

test('values at the limits of their type decode', () => {
  for (const replicas of [0, 1, -1, 2147483647, -2147483648]) assert.equal(integerDecodeError(DEPLOYMENT, deployment({ replicas })), undefined,
    String(replicas));
  assert.equal(integerDecodeError(DEPLOYMENT, podSpec({ terminationGracePeriodSeconds: 99999999999, activeDeadlineSeconds: 2 ** 53 })), undefined, 'int64 fields take more than int32');
  assert.equal(integerDecodeError(DEPLOYMENT, deployment({}, { name: 'web', generation: 2 ** 40 })), undefined);
  assert.equal(integerDecodeError(DEPLOYMENT, deployment()), undefined);
  assert.equal(integerDecodeError(DEPLOYMENT, { spec: { replicas: null } }), undefined, 'null is "unset" to the decoder');
});

test('the path names the Go struct holding the field and the JSON names from the root, without list indices', () => {
  const port = deployment({ template: { metadata: {}, spec: { containers: [{ name: 'a' }, { name: 'b', ports: [{ containerPort: 80 }, { containerPort: 1e12 }] }] } } });
  assert.equal(integerDecodeError(DEPLOYMENT, port), 'json: cannot unmarshal number 1000000000000 into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32');
  assert.equal(integerDecodeError(DEPLOYMENT, deployment({}, { name: 'web', generation: 0.5 })), 'json: cannot unmarshal number 0.5 into Go struct field ObjectMeta.metadata.generation of type int64');
  assert.equal(integerDecodeError(DEPLOYMENT, podSpec({ terminationGracePeriodSeconds: 2 ** 64 })),
    'json: cannot unmarshal number 18446744073709551616 into Go struct field PodSpec.spec.template.spec.terminationGracePeriodSeconds of type int64');
  assert.equal(integerDecodeError(DEPLOYMENT, podSpec({ securityContext: { supplementalGroups: [1, 2.5] } })),
    'json: cannot unmarshal number 2.5 into Go struct field PodSecurityContext.spec.template.spec.securityContext.supplementalGroups of type int64');
  const probe = { name: 'web', image: 'nginx', readinessProbe: { periodSeconds: 3e9, httpGet: { port: 8080 } } };
  assert.equal(integerDecodeError(POD, { spec: { containers: [probe] } }), 'json: cannot unmarshal number 3000000000 into Go struct field Probe.spec.containers.readinessProbe.periodSeconds of type int32');
  const tol = { spec: { containers: [], tolerations: [{ key: 'k', operator: 'Exists', tolerationSeconds: 1.25 }] } };
  assert.equal(integerDecodeError(POD, tol), 'json: cannot unmarshal number 1.25 into Go struct field Toleration.spec.tolerations.tolerationSeconds of type int64');
  const mode = { spec: { containers: [], volumes: [{ name: 'v', configMap: { name: 'c', defaultMode: 2 ** 31 } }] } };
  assert.equal(integerDecodeError(POD, mode), 'json: cannot unmarshal number 2147483648 into Go struct field ConfigMapVolumeSource.spec.volumes.configMap.defaultMode of type int32');
});

test('the first bad number in document order is the one reported, as Go keeps the first error', () => {
  const both = deployment({ replicas: 1e10, minReadySeconds: 1e10 }, { name: 'web', generation: 0.1 });
  assert.match(integerDecodeError(DEPLOYMENT, both) ?? '', /ObjectMeta\.metadata\.generation/);
  assert.match(integerDecodeError(DEPLOYMENT, { spec: { minReadySeconds: 1e10, replicas: 1e10 } }) ?? '', /spec\.minReadySeconds/);
});

test('int-or-string values are int32s read by IntOrString\'s own decoder', () => {
  const surge = deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3e10 } } });
  assert.equal(integerDecodeError(DEPLOYMENT, surge), 'json: cannot unmarshal number 30000000000 into Go value of type int32');
  assert.equal(integerDecodeError(DEPLOYMENT, deployment({ strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 2 } } })), undefined);
  const svc = { spec: { ports: [{ port: 80, targetPort: -3000000000 }] } };
  assert.equal(integerDecodeError('io.k8s.api.core.v1.Service', svc), 'json: cannot unmarshal number -3000000000 into Go value of type int32');
  const probe = { name: 'web', image: 'nginx', livenessProbe: { httpGet: { port: 8080.5 } } };
  assert.equal(integerDecodeError(POD, { spec: { containers: [probe] } }), 'json: cannot unmarshal number 8080.5 into Go value of type int32');
});

test('quantities, strings, maps and free-form fields are not integers', () => {
  const res = podSpec({ containers: [{ name: 'web', image: 'nginx', resources: { limits: { cpu: 1e30, memory: 0.5 } } }] });
  assert.equal(integerDecodeError(DEPLOYMENT, res), undefined);
  assert.equal(integerDecodeError('io.k8s.api.core.v1.ConfigMap', { metadata: { name: 'c', labels: { a: 'b' } }, data: { n: '99999999999' } }), undefined);
  assert.equal(integerDecodeError(DEPLOYMENT, deployment({ unknownField: 1.5 })), undefined, 'unknown fields are pruned, not decoded');
  assert.equal(integerDecodeError(DEPLOYMENT, { spec: { replicas: 'three' } }), undefined, 'a string is a type error, reported by validation');
  assert.equal(integerDecodeError(DEPLOYMENT, JSON.parse('{"__proto__":1.5,"constructor":1.5,"spec":{"constructor":1e99,"toString":0.5}}')), undefined, 'keys that name Object.prototype members');
});

test('status and the scale subresource carry int32s too', () => {
  assert.equal(decodeErrorMessage(kind('ReplicaSet'), { status: { replicas: 3, readyReplicas: 4294967296 } }),
    'ReplicaSet in version "v1" cannot be handled as a ReplicaSet: json: cannot unmarshal number 4294967296 into Go struct field ReplicaSetStatus.status.readyReplicas of type int32');
  assert.equal(scaleDecodeErrorMessage({ spec: { replicas: 99999999999 } }),
    'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal number 99999999999 into Go struct field ScaleSpec.spec.replicas of type int32');
  assert.equal(scaleDecodeErrorMessage({ spec: { replicas: 5 } }), undefined);
  assert.equal(decodeErrorMessage(kind('Service'), { spec: { ports: [{ port: 80, nodePort: 1e10 }] } }),
    'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal number 10000000000 into Go struct field ServicePort.spec.ports.nodePort of type int32');
});
