import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinKinds } from '../registry/kinds/index.js';
import { imageTag } from './index.js';

// each kind's defaults are in its kind file (apiserver/registry/kinds/)
const DEFS = await builtinKinds();
const kind = (k: string) => DEFS.find((d) => d.info.kind === k) as (typeof DEFS)[number];
type O = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function defaulted(k: string, obj: O): O {
  kind(k).defaults(obj);
  return obj;
}

const pod = (containers: O[], extra: O = {}): O => ({ metadata: { name: 'p', namespace: 'default' }, spec: { containers, ...extra } });

test('image pull policy follows the image tag', () => {
  const cases: Array<[string, string]> = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['registry.example.com:5000/team/app', 'Always'],
    ['registry.example.com:5000/team/app:v2', 'IfNotPresent'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
    ['nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'Always'],
    ['', 'IfNotPresent'],
  ];
  for (const [image, policy] of cases) {
    const p = defaulted('Pod', pod([{ name: 'c', image }]));
    assert.equal(p.spec.containers[0].imagePullPolicy, policy, image);
  }
  assert.equal(imageTag('localhost:5000/app'), 'latest');
  assert.equal(imageTag('Upper/Case:1'), '');
});

test('pod defaults, including the ones only pods get', () => {
  const p = defaulted('Pod', pod(
    [{ name: 'c', image: 'nginx:1', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1' } }, livenessProbe: { httpGet: { port: 80 } } }],
    { initContainers: [{ name: 'i', image: 'busybox' }], volumes: [{ name: 'a' }, { name: 'b', configMap: { name: 'c' } }, { name: 'h', hostPath: { path: '/x' } }] },
  ));
  assert.deepEqual(p.spec.containers[0], {
    name: 'c',
    image: 'nginx:1',
    ports: [{ containerPort: 80, protocol: 'TCP' }],
    resources: { limits: { cpu: '1' }, requests: { cpu: '1' } },
    livenessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
    imagePullPolicy: 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  });
  assert.equal(p.spec.initContainers[0].imagePullPolicy, 'Always');
  assert.deepEqual(p.spec.initContainers[0].resources, {});
  assert.equal(p.spec.restartPolicy, 'Always');
  assert.equal(p.spec.dnsPolicy, 'ClusterFirst');
  assert.equal(p.spec.terminationGracePeriodSeconds, 30);
  assert.equal(p.spec.schedulerName, 'default-scheduler');
  assert.deepEqual(p.spec.securityContext, {});
  assert.equal(p.spec.enableServiceLinks, true);
  assert.deepEqual(p.spec.volumes, [{ name: 'a', emptyDir: {} }, { name: 'b', configMap: { name: 'c', defaultMode: 420 } }, { name: 'h', hostPath: { path: '/x', type: '' } }]);
});

test('defaults never overwrite what the user set', () => {
  const p = defaulted('Pod', pod(
    [{ name: 'c', image: 'nginx', imagePullPolicy: 'Never', terminationMessagePolicy: 'FallbackToLogsOnError', ports: [{ containerPort: 53, protocol: 'UDP' }], resources: { limits: { cpu: '1' }, requests: { cpu: '500m' } }, readinessProbe: { exec: { command: ['x'] }, periodSeconds: 3 } }],
    { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, enableServiceLinks: false, securityContext: { runAsUser: 1 }, volumes: [{ name: 's', secret: { secretName: 's', defaultMode: 256 } }] },
  ));
  const c = p.spec.containers[0];
  assert.equal(c.imagePullPolicy, 'Never');
  assert.equal(c.terminationMessagePolicy, 'FallbackToLogsOnError');
  assert.equal(c.ports[0].protocol, 'UDP');
  assert.deepEqual(c.resources.requests, { cpu: '500m' });
  assert.equal(c.readinessProbe.periodSeconds, 3);
  assert.equal(p.spec.restartPolicy, 'Never');
  assert.equal(p.spec.terminationGracePeriodSeconds, 0);
  assert.equal(p.spec.enableServiceLinks, false);
  assert.deepEqual(p.spec.securityContext, { runAsUser: 1 });
  assert.equal(p.spec.volumes[0].secret.defaultMode, 256);
});

test('deployment defaults: replicas, rolling update, history and progress deadline; pod-only defaults stay out of templates', () => {
  const d = defaulted('Deployment', { metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx:1', resources: { limits: { cpu: '1' } } }] } } } });
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  const tpl = d.spec.template.spec;
  assert.equal(tpl.restartPolicy, 'Always');
  assert.equal(tpl.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(tpl.enableServiceLinks, undefined);
  assert.equal(tpl.containers[0].resources.requests, undefined);
  const recreate = defaulted('Deployment', { spec: { replicas: 0, strategy: { type: 'Recreate' }, revisionHistoryLimit: 0 } });
  assert.deepEqual(recreate.spec.strategy, { type: 'Recreate' });
  assert.equal(recreate.spec.replicas, 0);
  assert.equal(recreate.spec.revisionHistoryLimit, 0);
  const partial = defaulted('Deployment', { spec: { strategy: { rollingUpdate: { maxSurge: 1 } } } });
  assert.deepEqual(partial.spec.strategy, { rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' }, type: 'RollingUpdate' });
  assert.equal(defaulted('ReplicaSet', { spec: {} }).spec.replicas, 1);
});

test('service defaults', () => {
  const s = defaulted('Service', { metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }] } });
  assert.deepEqual(s.spec, {
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }],
    sessionAffinity: 'None',
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
  });
  const lb = defaulted('Service', { spec: { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 443 }] } });
  assert.equal(lb.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(lb.spec.allocateLoadBalancerNodePorts, true);
  assert.deepEqual(lb.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  const ext = defaulted('Service', { spec: { type: 'ExternalName', externalName: 'example.com' } });
  assert.equal(ext.spec.ipFamilyPolicy, undefined);
  assert.equal(ext.spec.internalTrafficPolicy, undefined);
});

test('secret, namespace and node defaults', () => {
  assert.equal(defaulted('Secret', { metadata: { name: 's' } }).type, 'Opaque');
  assert.equal(defaulted('Secret', { type: 'kubernetes.io/tls' }).type, 'kubernetes.io/tls');
  const ns = defaulted('Namespace', { metadata: { name: 'team' } });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
  assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], 'team');
  assert.deepEqual(defaulted('Namespace', { metadata: { name: 'x' }, spec: { finalizers: [] } }).spec.finalizers, []);
  const node = defaulted('Node', { metadata: { name: 'n' }, status: { capacity: { cpu: '4' } } });
  assert.deepEqual(node.status.allocatable, { cpu: '4' });
  assert.deepEqual(defaulted('Event', { metadata: { name: 'e' } }), { metadata: { name: 'e' } });
});
