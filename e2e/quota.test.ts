// Acceptance (a namespace's budgets and pod priorities, on hollow nodes, the real kubectl): a ResourceQuota of 2 pods
// refuses the third with Kubernetes' message and gives the room back when a pod goes, concurrent creates never pass
// it together; a LimitRange default lands on a pod that sets no limits and its max refuses one that asks for more;
// a high-priority pod on a full cluster preempts a low-priority one and is bound. Admission webhooks (issue 14): a
// mutating webhook labels the pods of the namespaces it selects, a validating one (behind a Service) refuses images
// from outside the local registry; while they are down, failurePolicy Fail refuses the write and Ignore lets it in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebhookServer, type ReviewRequestBody } from '../apiserver/admission/webhook/test-server.js';
import { execFile } from 'node:child_process';
import { KUBECTL, TestCluster, freePort, waitFor } from './harness.js';

let c: TestCluster;
before(async () => {
  c = await TestCluster.start();
  c.component('controller-manager', ['--leader-elect=false']);
  c.component('scheduler', ['--leader-elect=false']);
  // one small node: 1 CPU, so two 500m pods fill it
  c.component('hollow-nodes', ['--count', '1', '--name-prefix', 'qt', '--cpu', '1', '--heartbeat-interval', '1']);
  await waitFor('qt-0', async () => (await c.request('GET', '/api/v1/nodes')).body.items?.length === 1, 60_000);
});
after(async () => {
  await c?.stop();
});

const json = (o: object): string => JSON.stringify(o);
const pod = (name: string, namespace: string, spec: Record<string, unknown> = {}, cpu?: string) => json({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace },
  spec: { containers: [{ name: 'c', image: 'registry.example/app:v1', ...(cpu ? { resources: { requests: { cpu } } } : {}) }], ...spec },
});
const get = (args: string[]) => JSON.parse(c.ok([...args, '-o', 'json']));

test('a ResourceQuota of 2 pods refuses the third with Kubernetes\' message, and frees the room when a pod goes', async () => {
  c.ok(['create', 'namespace', 'quota-a']);
  c.ok(['create', 'quota', 'q', '-n', 'quota-a', '--hard=pods=2,configmaps=5']);
  await waitFor('the quota controller to fill in the status', async () => get(['get', 'quota', 'q', '-n', 'quota-a']).status?.used?.pods === '0', 30_000);
  for (const n of ['p1', 'p2']) c.ok(['apply', '-f', '-'], { input: pod(n, 'quota-a') });
  const third = c.kubectl(['apply', '-f', '-'], { input: pod('p3', 'quota-a') });
  assert.notEqual(third.code, 0);
  assert.match(third.stderr, /Error from server \(Forbidden\).*pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2/);
  assert.equal(c.kubectl(['get', 'pod', 'p3', '-n', 'quota-a']).code, 1, 'nothing was created');
  // the quota is checked after the object's own checks: an invalid pod is refused as invalid, and charges nothing
  const bad = await c.request('POST', '/api/v1/namespaces/quota-a/pods', JSON.parse(pod('Bad_Name', 'quota-a')));
  assert.equal(bad.status, 422);
  const q = get(['get', 'quota', 'q', '-n', 'quota-a']);
  assert.deepEqual(q.status.hard, { configmaps: '5', pods: '2' });
  assert.equal(q.status.used.pods, '2');
  // configmaps: the namespace's kube-root-ca.crt
  assert.match(c.ok(['get', 'quota', 'q', '-n', 'quota-a']), /^NAME\s+AGE\s+REQUEST\s+LIMIT\nq\s+\S+\s+configmaps: 1\/5, pods: 2\/2\s*\n$/);
  // deleting a pod gives its unit back (the controller recounts), and the third goes in
  c.ok(['delete', 'pod', 'p1', '-n', 'quota-a', '--grace-period=0', '--force']);
  await waitFor('the quota to count 1 pod', async () => get(['get', 'quota', 'q', '-n', 'quota-a']).status.used.pods === '1', 30_000);
  c.ok(['apply', '-f', '-'], { input: pod('p3', 'quota-a') });
});

test('concurrent creates against the last unit of a quota: exactly one is admitted', async () => {
  c.ok(['create', 'namespace', 'quota-b']);
  // 2: the namespace's kube-root-ca.crt takes one
  c.ok(['create', 'quota', 'one', '-n', 'quota-b', '--hard=configmaps=2']);
  await waitFor('the quota status', async () => get(['get', 'quota', 'one', '-n', 'quota-b']).status?.used?.configmaps === '1', 30_000);
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => c.request('POST', '/api/v1/namespaces/quota-b/configmaps',
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { i: String(i) } })));
  const codes = results.map((r) => r.status).sort();
  assert.deepEqual(codes, [201, 403, 403, 403, 403, 403, 403, 403], JSON.stringify(results.map((r) => r.body.message)));
  const refused = results.find((r) => r.status === 403);
  assert.match(refused?.body.message as string, /exceeded quota: one, requested: configmaps=1, used: configmaps=2, limited: configmaps=2/);
  assert.equal(get(['get', 'configmaps', '-n', 'quota-b']).items.filter((x: { metadata: { name: string } }) => x.metadata.name.startsWith('cm-')).length, 1);
});

test('a LimitRange default applies to a pod without limits; its max refuses a pod asking for more', async () => {
  c.ok(['create', 'namespace', 'limits-a']);
  c.ok(['apply', '-f', '-'], { input: json({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'limits-a' },
    spec: { limits: [{ type: 'Container', default: { cpu: '300m', memory: '128Mi' }, defaultRequest: { cpu: '100m', memory: '64Mi' }, max: { cpu: '1' } }] } }) });
  assert.match(c.ok(['get', 'limits', '-n', 'limits-a']), /^NAME\s+CREATED AT\nlr\s+\d{4}-\d\d-\d\dT/);
  await waitFor('the LimitRange in the API server\'s cache', async () => {
    const r = c.kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], { input: pod('probe', 'limits-a') });
    return r.code === 0 && JSON.parse(r.stdout).spec.containers[0].resources?.limits?.cpu === '300m';
  }, 20_000);
  c.ok(['apply', '-f', '-'], { input: pod('plain', 'limits-a') });
  const p = get(['get', 'pod', 'plain', '-n', 'limits-a']);
  assert.deepEqual(p.spec.containers[0].resources, { limits: { cpu: '300m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
  assert.equal(p.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c');
  const big = c.kubectl(['apply', '-f', '-'], { input: json({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big', namespace: 'limits-a' },
    spec: { containers: [{ name: 'c', image: 'registry.example/app:v1', resources: { limits: { cpu: '2' } } }] } }) });
  assert.notEqual(big.code, 0);
  assert.match(big.stderr, /pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2/);
});

test('PriorityClasses: the built-in ones exist; a high-priority pod on a full node preempts a low-priority one and is bound', async () => {
  assert.match(c.ok(['get', 'pc']), /system-cluster-critical\s+2000000000\s+false/);
  assert.match(c.ok(['get', 'pc']), /system-node-critical\s+2000001000\s+false/);
  c.ok(['create', 'namespace', 'prio']);
  c.ok(['apply', '-f', '-'], { input: json({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'low' }, value: 10 }) });
  c.ok(['apply', '-f', '-'], { input: json({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 }) });
  const missing = c.kubectl(['apply', '-f', '-'], { input: pod('nope', 'prio', { priorityClassName: 'nope' }) });
  assert.match(missing.stderr, /pods "nope" is forbidden: no PriorityClass with name nope was found/);
  // fill the 1-CPU node (other tests' pods request nothing) with two low-priority pods
  for (const n of ['low-1', 'low-2']) c.ok(['apply', '-f', '-'], { input: pod(n, 'prio', { priorityClassName: 'low' }, '500m') });
  await waitFor('both low pods bound', async () => ['low-1', 'low-2'].every((n) => get(['get', 'pod', n, '-n', 'prio']).spec.nodeName === 'qt-0'), 30_000);
  assert.equal(get(['get', 'pod', 'low-1', '-n', 'prio']).spec.priority, 10);
  c.ok(['apply', '-f', '-'], { input: pod('vip', 'prio', { priorityClassName: 'high' }, '500m') });
  const vip = await waitFor('the high-priority pod bound', async () => {
    const v = get(['get', 'pod', 'vip', '-n', 'prio']);
    return v.spec.nodeName === 'qt-0' ? v : undefined;
  }, 45_000);
  assert.equal(vip.spec.priority, 1000);
  assert.equal(vip.spec.preemptionPolicy, 'PreemptLowerPriority');
  assert.equal(vip.status.nominatedNodeName, 'qt-0');
  const left = get(['get', 'pods', '-n', 'prio']).items.map((x: { metadata: { name: string } }) => x.metadata.name).sort();
  assert.equal(left.length, 2, `one low-priority pod was preempted: ${left.join(', ')}`);
  assert.ok(left.includes('vip'));
  const events = get(['get', 'events', '-n', 'prio', '--field-selector', 'reason=Preempted']).items as Array<{ message: string; involvedObject: { name: string } }>;
  assert.equal(events.length, 1);
  assert.equal(events[0]?.message, `Preempted by pod ${vip.metadata.uid as string} on node qt-0`);
});

// ---- admission webhooks -------------------------------------------------------------------------------------------

const LOCAL_REGISTRY = '127.0.0.1:5000/';

/** kubectl without blocking this process: the webhooks it triggers are served from here. */
function kubectlAsync(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    child.stdin?.end(input ?? '');
  });
}
const imagesOf = (r: ReviewRequestBody) => ((r.object?.spec?.containers ?? []) as Array<{ image?: string }>).map((x) => String(x.image ?? ''));

function webhookConfigs(o: { mutateURL: string; caBundle: string; failurePolicy: string; service?: { port: number } }): string {
  const common = { sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: o.failurePolicy, timeoutSeconds: 2,
    namespaceSelector: { matchLabels: { webhooks: 'on' } } };
  const pods = (operations: string[]) => [{ operations, apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }];
  const validateClient = o.service
    ? { service: { namespace: 'wh-system', name: 'images', path: '/validate', port: 443 }, caBundle: o.caBundle }
    : { url: o.mutateURL.replace('/mutate', '/validate'), caBundle: o.caBundle };
  return [
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'pod-labels' },
      webhooks: [{ name: 'labels.flotilla.test', clientConfig: { url: o.mutateURL, caBundle: o.caBundle }, rules: pods(['CREATE']), ...common }] },
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'local-images' },
      webhooks: [{ name: 'images.flotilla.test', clientConfig: validateClient, ...common,
        rules: [...pods(['CREATE', 'UPDATE']), { operations: ['CONNECT'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/exec'] }] }] },
  ].map((x) => json(x)).join('\n');
}

test('admission webhooks: a mutating one labels the pods of selected namespaces, a validating one refuses images from elsewhere', async () => {
  const srv = await startWebhookServer({
    '/mutate': (r) => ({ allowed: true, warnings: [`labelled pod ${r.name ?? ''}`],
      patch: r.object?.metadata?.labels ? [{ op: 'add', path: '/metadata/labels/webhook.flotilla.test~1seen', value: 'yes' }]
        : [{ op: 'add', path: '/metadata/labels', value: { 'webhook.flotilla.test/seen': 'yes' } }] }),
    '/validate': (r) => {
      if (r.operation === 'CONNECT') return { allowed: false, status: { code: 403, reason: 'Forbidden', message: `no ${String((r.object as { kind?: string } | null)?.kind)} into ${r.name ?? ''}` } };
      const bad = imagesOf(r).find((i) => !i.startsWith(LOCAL_REGISTRY));
      return bad ? { allowed: false, status: { code: 403, reason: 'Forbidden', message: `image ${JSON.stringify(bad)} is not from the local registry ${LOCAL_REGISTRY}` } } : { allowed: true };
    },
  }, { dnsNames: ['images.wh-system.svc'] });
  try {
    c.ok(['create', 'namespace', 'wh-on']);
    c.ok(['label', 'namespace', 'wh-on', 'webhooks=on']);
    c.ok(['create', 'namespace', 'wh-off']);
    c.ok(['create', 'namespace', 'wh-system']);
    // the validating webhook is reached through a Service without a selector and its EndpointSlice
    c.ok(['apply', '-f', '-'], { input: [
      json({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'images', namespace: 'wh-system' }, spec: { ports: [{ name: 'https', port: 443, targetPort: srv.port }] } }),
      json({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'images-1', namespace: 'wh-system', labels: { 'kubernetes.io/service-name': 'images' } },
        addressType: 'IPv4', ports: [{ name: 'https', port: srv.port, protocol: 'TCP' }], endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }] }),
    ].join('\n') });
    c.ok(['apply', '-f', '-'], { input: webhookConfigs({ mutateURL: `https://127.0.0.1:${srv.port}/mutate`, caBundle: srv.caBundle, failurePolicy: 'Fail', service: { port: srv.port } }) });
    assert.match(c.ok(['get', 'mutatingwebhookconfigurations']), /^NAME\s+WEBHOOKS\s+AGE\npod-labels\s+1\s+\S+\n$/);
    assert.match(c.ok(['get', 'validatingwebhookconfigurations']), /^NAME\s+WEBHOOKS\s+AGE\nlocal-images\s+1\s+\S+\n$/);
    const stored = get(['get', 'mutatingwebhookconfiguration', 'pod-labels']).webhooks[0];
    assert.equal(stored.matchPolicy, 'Equivalent');
    assert.equal(stored.reinvocationPolicy, 'Never');
    assert.deepEqual(stored.objectSelector, {});

    // a selected namespace: the pod is labelled (kubectl prints the webhook's warning); a foreign image is refused
    const ok = await kubectlAsync(['apply', '-f', '-'], pod('web', 'wh-on', { containers: [{ name: 'c', image: `${LOCAL_REGISTRY}flotilla/web:v1` }] }));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /^Warning: labelled pod web$/m);
    assert.equal(get(['get', 'pod', 'web', '-n', 'wh-on']).metadata.labels['webhook.flotilla.test/seen'], 'yes');
    const foreign = await kubectlAsync(['apply', '-f', '-'], pod('evil', 'wh-on', { containers: [{ name: 'c', image: 'docker.io/library/nginx:1' }] }));
    assert.notEqual(foreign.code, 0);
    assert.match(foreign.stderr, /Error from server \(Forbidden\): error when creating "STDIN": admission webhook "images.flotilla.test" denied the request: image "docker.io\/library\/nginx:1" is not from the local registry 127\.0\.0\.1:5000\//);
    assert.equal(c.kubectl(['get', 'pod', 'evil', '-n', 'wh-on']).code, 1, 'nothing was created');
    // an update to a foreign image is refused too
    const swap = await kubectlAsync(['set', 'image', 'pod/web', 'c=docker.io/library/nginx:1', '-n', 'wh-on']);
    assert.notEqual(swap.code, 0);
    assert.match(swap.stderr, /admission webhook "images.flotilla.test" denied the request/);
    // a CONNECT (kubectl exec) goes to the webhook with its PodExecOptions, before anything reaches the node
    const exec = await kubectlAsync(['exec', 'web', '-n', 'wh-on', '--', 'true']);
    assert.notEqual(exec.code, 0);
    assert.match(exec.stderr, /admission webhook "images.flotilla.test" denied the request: no PodExecOptions into web/);
    // the reviews carried what Kubernetes sends
    const review = srv.received.find((x) => x.path === '/mutate')?.request as ReviewRequestBody;
    assert.equal(review.operation, 'CREATE');
    assert.equal(review.namespace, 'wh-on');
    assert.deepEqual(review.kind, { group: '', version: 'v1', kind: 'Pod' });
    assert.deepEqual(review.resource, { group: '', version: 'v1', resource: 'pods' });
    assert.equal(review.userInfo?.username, 'kubernetes-admin');

    // a namespace the selectors leave out: neither webhook is called
    const before = srv.received.length;
    c.ok(['apply', '-f', '-'], { input: pod('free', 'wh-off', { containers: [{ name: 'c', image: 'docker.io/library/nginx:1' }] }) });
    assert.equal(get(['get', 'pod', 'free', '-n', 'wh-off']).metadata.labels?.['webhook.flotilla.test/seen'], undefined);
    assert.equal(srv.received.length, before);

    // a configuration Kubernetes refuses, refused with every bad field named
    const bad = c.kubectl(['apply', '-f', '-'], { input: json({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'bad' },
      webhooks: [{ name: 'bad', clientConfig: { url: 'http://example.com/x?y=1' }, admissionReviewVersions: ['v2'], timeoutSeconds: 31 }] }) });
    assert.notEqual(bad.code, 0);
    for (const m of ['webhooks[0].name: Invalid value: "bad": should be a domain with at least three segments separated by dots',
      'webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun',
      'webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds',
      `webhooks[0].clientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme; desired format: https://host[/path]`,
      'webhooks[0].clientConfig.url: Invalid value: "y=1": query parameters are not permitted in the URL',
      'webhooks[0].admissionReviewVersions: Invalid value: []string{"v2"}: must include at least one of v1, v1beta1']) assert.ok(bad.stderr.includes(m), `${m}\nin: ${bad.stderr}`);
  } finally {
    await srv.stop();
  }
});

test('admission webhooks that are down: failurePolicy Fail refuses the write with Kubernetes\' message, Ignore lets it through', async () => {
  const closed = await freePort();
  const ca = (get(['get', 'mutatingwebhookconfiguration', 'pod-labels']).webhooks[0].clientConfig.caBundle) as string;
  try {
    c.ok(['apply', '-f', '-'], { input: webhookConfigs({ mutateURL: `https://127.0.0.1:${closed}/mutate`, caBundle: ca, failurePolicy: 'Fail' }) });
    const refused = c.kubectl(['apply', '-f', '-'], { input: pod('while-down', 'wh-on', { containers: [{ name: 'c', image: `${LOCAL_REGISTRY}flotilla/web:v1` }] }) });
    assert.notEqual(refused.code, 0);
    assert.ok(refused.stderr.includes(`Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "labels.flotilla.test": failed to call webhook: Post "https://127.0.0.1:${closed}/mutate?timeout=2s": dial tcp 127.0.0.1:${closed}: connect: connection refused`), refused.stderr);
    assert.equal(c.kubectl(['get', 'pod', 'while-down', '-n', 'wh-on']).code, 1);
    // the webhook configurations themselves never go to webhooks: they can always be fixed
    c.ok(['apply', '-f', '-'], { input: webhookConfigs({ mutateURL: `https://127.0.0.1:${closed}/mutate`, caBundle: ca, failurePolicy: 'Ignore' }) });
    c.ok(['apply', '-f', '-'], { input: pod('while-down', 'wh-on', { containers: [{ name: 'c', image: 'docker.io/library/nginx:1' }] }) });
    assert.equal(get(['get', 'pod', 'while-down', '-n', 'wh-on']).metadata.labels?.['webhook.flotilla.test/seen'], undefined);
  } finally {
    c.kubectl(['delete', 'mutatingwebhookconfiguration', 'pod-labels']);
    c.kubectl(['delete', 'validatingwebhookconfiguration', 'local-images']);
  }
});
