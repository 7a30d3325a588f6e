// Acceptance (ServiceAccounts and their tokens on real containers): on a whole local cluster (`flotilla up`), a pod
// gets the kube-api-access-<5> volume, and the token mounted in it, with the mounted ca.crt, authenticates to the API
// server from inside the container (curl in the image; the pods here use the host's network, as the API server of
// `flotilla up` listens on 127.0.0.1); it is refused once the pod is deleted; a short-lived token is rotated by the
// node agent and the new one works; `kubectl create token` works and fails for a missing ServiceAccount; a new
// namespace gets its `default` ServiceAccount and kube-root-ca.crt. GET /api is open to any authenticated user and
// 401 otherwise, so these checks prove authentication whatever the authorizer then allows. A pod on the pod network
// reaches the API server as in-cluster clients do: $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, the `kubernetes`
// Service, whose endpoint is the node's address the API server listens on (flotilla up binds 0.0.0.0 and advertises
// the node's address). The cluster's service range is one of its own (claimServiceRange), so no other cluster's rules on
// this machine answer for its cluster IPs; nothing connects to one before its nftables rule is seen. Needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { podNetworkFor } from '../cli/commands/runtime.js';
import { nodeNetworkName } from '../node-agent/network/pod-network.js';
import { buildCurlImage } from './curl-image.js';
import { claimServiceRange } from './harness.js';
import { upCluster, type Json, type UpCluster } from './up-cluster.js';

// the node agent refreshes a token at 80% of its lifetime: 30 s tokens are rotated within the test's patience
// (test-only: the API server's --testing-min-token-expiration, through the supervisor's environment)
process.env.FLOTILLA_TESTING_MIN_TOKEN_EXPIRATION = '20';
const TOKEN_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
let curl = '';
const SERVICE_RANGE = claimServiceRange();
const c = upCluster({ name: 'sa', nodeName: 'sa-node', logs: ['node-agent', 'apiserver', 'controller-manager'], upArgs: ['--service-cluster-ip-range', SERVICE_RANGE],
  afterUp: (cl) => {
    curl = buildCurlImage(cl.registry, cl.tools, cl.dir);
  } });
const skip = c.skip;

/** A pod on the host's network running curl's image, that sleeps; its token volume as admission gives it unless `spec` says. */
function sleeper(name: string, spec: Json = {}): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { hostNetwork: true, terminationGracePeriodSeconds: 1,
    containers: [{ name: 'c', image: curl, command: ['/bin/busybox', 'sleep', '3600'] }], ...spec } });
}

async function running(cl: UpCluster, name: string): Promise<Json> {
  return cl.until(`pod ${name} to run`, async () => {
    const p = await cl.podNow(name);
    return p?.status?.phase === 'Running' ? p : undefined;
  }, 120_000);
}

/** The HTTP status of GET /api from inside the pod, with the token at tokenPath and the CA at caPath. */
function statusFromPod(cl: UpCluster, pod: string, tokenPath = `${TOKEN_DIR}/token`, caPath = `${TOKEN_DIR}/ca.crt`, tamper = ''): string {
  const script = `/usr/bin/curl -sS -o /dev/null -w '%{http_code}' --cacert ${caPath} -H "Authorization: Bearer $(/bin/busybox cat ${tokenPath})${tamper}" https://127.0.0.1:${cl.port}/api`;
  return cl.ok(['exec', pod, '--', '/bin/busybox', 'sh', '-c', script]).trim();
}

/** The HTTP status of GET /api from the host with this token, trusting the cluster CA. */
function statusFromHost(cl: UpCluster, token: string): string {
  const r = spawnSync('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', join(cl.dir, 'pki/ca.crt'), '-H', `Authorization: Bearer ${token}`, `${cl.url}/api`], { encoding: 'utf8', timeout: 30_000 });
  return r.stdout.trim();
}

const claims = (token: string): Json => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')) as Json;

test('a new namespace gets its default ServiceAccount and the kube-root-ca.crt ConfigMap with the cluster CA', { skip }, async () => {
  c.ok(['create', 'namespace', 'fresh']);
  await c.until('the default ServiceAccount in fresh', () => c.kubectl(['get', 'serviceaccount', 'default', '-n', 'fresh']).code === 0);
  const cm = await c.until('kube-root-ca.crt in fresh', () => {
    const r = c.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', 'fresh', '-o', 'json']);
    return r.code === 0 ? (JSON.parse(r.stdout) as Json) : undefined;
  });
  assert.equal(cm.data['ca.crt'], readFileSync(join(c.dir, 'pki/ca.crt'), 'utf8'));
  assert.match(c.ok(['get', 'sa', '-n', 'fresh']), /^NAME\s+SECRETS\s+AGE\ndefault\s+0\s+/);
  // deleted, it comes back
  const uid = c.json(['get', 'sa', 'default', '-n', 'fresh']).metadata.uid as string;
  c.ok(['delete', 'sa', 'default', '-n', 'fresh']);
  await c.until('the default ServiceAccount made again', () => {
    const r = c.kubectl(['get', 'sa', 'default', '-n', 'fresh', '-o', 'json']);
    return r.code === 0 && (JSON.parse(r.stdout) as Json).metadata.uid !== uid;
  });
});

test('a pod\'s mounted token authenticates it from inside the container, and is refused once the pod is deleted', { skip }, async () => {
  c.apply(sleeper('reader'));
  const pod = await running(c, 'reader');
  assert.equal(pod.spec.serviceAccountName, 'default');
  const vol = (pod.spec.volumes as Json[]).find((v) => String(v.name).startsWith('kube-api-access-')) as Json;
  assert.match(vol.name, /^kube-api-access-[a-z0-9]{5}$/);
  assert.deepEqual(pod.spec.containers[0].volumeMounts.find((m: Json) => m.mountPath === TOKEN_DIR), { name: vol.name, readOnly: true, mountPath: TOKEN_DIR });
  assert.equal(c.ok(['exec', 'reader', '--', '/bin/busybox', 'cat', `${TOKEN_DIR}/namespace`]), 'default');
  assert.equal(statusFromPod(c, 'reader'), '200', 'the mounted token and ca.crt reach the API server');
  assert.equal(statusFromPod(c, 'reader', undefined, undefined, 'x'), '401', 'a tampered token is refused');
  const token = c.ok(['exec', 'reader', '--', '/bin/busybox', 'cat', `${TOKEN_DIR}/token`]);
  const k = claims(token)['kubernetes.io'] as Json;
  assert.equal(k.pod.name, 'reader');
  assert.equal(k.pod.uid, pod.metadata.uid);
  assert.equal(k.node.name, 'sa-node');
  assert.equal(statusFromHost(c, token), '200');
  await c.deletePod('reader');
  assert.equal(statusFromHost(c, token), '401', 'the token of a deleted pod is refused');
});

test('a short-lived projected token is rotated by the node agent, and the new one works', { skip }, async () => {
  c.apply(sleeper('rotor', {
    automountServiceAccountToken: false,
    volumes: [{ name: 'short', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 30 } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] } }],
    containers: [{ name: 'c', image: curl, command: ['/bin/busybox', 'sleep', '3600'], volumeMounts: [{ name: 'short', mountPath: '/var/run/short' }] }],
  }));
  const pod = await running(c, 'rotor');
  assert.ok(!(pod.spec.volumes as Json[]).some((v) => String(v.name).startsWith('kube-api-access-')), 'automountServiceAccountToken: false mounts nothing');
  const read = () => c.ok(['exec', 'rotor', '--', '/bin/busybox', 'cat', '/var/run/short/token']);
  const first = read();
  const t1 = claims(first);
  assert.equal(t1.exp - t1.iat, 30);
  const second = await c.until('the token to be rotated', () => {
    const t = read();
    return t !== first ? t : undefined;
  }, 90_000);
  assert.ok(claims(second).iat > t1.iat);
  assert.equal(statusFromPod(c, 'rotor', '/var/run/short/token', '/var/run/short/ca.crt'), '200', 'the rotated token works');
  await c.deletePod('rotor');
});

test('kubectl create token: a token that works for an existing ServiceAccount, an error for a missing one; pods naming a missing one are refused', { skip }, () => {
  const token = c.ok(['create', 'token', 'default', '--duration=15m']).trim();
  const t = claims(token);
  assert.equal(t.sub, 'system:serviceaccount:default:default');
  assert.equal(t.exp - t.iat, 900);
  assert.equal(statusFromHost(c, token), '200');
  const missing = c.kubectl(['create', 'token', 'missing']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /serviceaccounts "missing" not found/);
  const short = c.kubectl(['create', 'token', 'default', '--duration=5s']);
  assert.notEqual(short.code, 0);
  assert.match(short.stderr, /spec\.expirationSeconds: Invalid value: 5: may not specify a duration less than 20 seconds/);
  const refused = c.kubectl(['apply', '-f', '-'], sleeper('orphan', { serviceAccountName: 'missing' }));
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /pods "orphan" is forbidden: error looking up service account default\/missing: serviceaccount "missing" not found/);
});

/** The node agent's proxy table as nft prints it ('' when there is none). */
function proxyTable(): string {
  const r = spawnSync('nft', ['list', 'table', 'ip', `flotilla-proxy-${nodeNetworkName(podNetworkFor(c.dir).bridge)}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
}

test('from a pod on the pod network, the mounted token reaches the API server through the kubernetes Service: its namespace\'s allowed data, 403 for the rest', { skip }, async () => {
  const svc = c.json(['get', 'service', 'kubernetes', '-n', 'default']);
  const ip = svc.spec.clusterIP as string;
  assert.equal(ip, SERVICE_RANGE.replace('0/24', '1'), 'the first address of the service range');
  const nodeIP = (c.json(['get', 'node', 'sa-node']).status.addresses as Json[]).find((a) => a.type === 'InternalIP')?.address as string;
  const slice = c.json(['get', 'endpointslice', 'kubernetes', '-n', 'default']);
  assert.deepEqual(slice.endpoints[0].addresses, [nodeIP], "the API server advertises the node's address");
  assert.equal(slice.ports[0].port, c.port);
  // the pod's ServiceAccount may view its namespace (the view ClusterRole), nothing more
  c.ok(['create', 'namespace', 'incluster']);
  c.ok(['create', 'rolebinding', 'sa-view', '--clusterrole=view', '--serviceaccount=incluster:default', '-n', 'incluster']);
  await c.until('the default ServiceAccount in incluster', () => c.kubectl(['get', 'serviceaccount', 'default', '-n', 'incluster']).code === 0);
  c.ok(['apply', '-n', 'incluster', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client' }, spec: { terminationGracePeriodSeconds: 1,
    containers: [{ name: 'c', image: curl, command: ['/bin/busybox', 'sleep', '3600'] }] } }));
  await c.until('pod client to run', async () => (await c.podNow('client', 'incluster'))?.status?.phase === 'Running', 120_000);
  const inPod = (script: string) => c.ok(['exec', '-n', 'incluster', 'client', '--', '/bin/busybox', 'sh', '-c', script]);
  // the kubelet's Service variables
  const env = Object.fromEntries(inPod('/bin/busybox env').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  assert.equal(env.KUBERNETES_SERVICE_HOST, ip);
  assert.equal(env.KUBERNETES_SERVICE_PORT, '443');
  assert.equal(env.KUBERNETES_SERVICE_PORT_HTTPS, '443');
  assert.equal(env.KUBERNETES_PORT, `tcp://${ip}:443`);
  assert.equal(env.KUBERNETES_PORT_443_TCP_ADDR, ip);
  // never a packet to a cluster IP without our rule for it (it would leave by the default route)
  await c.until(`the nftables rule for ${ip}:443`, () => proxyTable().includes(`${ip} . tcp . 443 : goto `));
  const call = (path: string, url = 'https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT', extra = '') => {
    const out = inPod(`/usr/bin/curl -sS --max-time 20 ${extra} -w '\\n%{http_code}' --cacert ${TOKEN_DIR}/ca.crt -H "Authorization: Bearer $(/bin/busybox cat ${TOKEN_DIR}/token)" ${url}${path}`);
    const nl = out.lastIndexOf('\n');
    return { code: out.slice(nl + 1).trim(), body: JSON.parse(out.slice(0, nl)) as Json };
  };
  const pods = call('/api/v1/namespaces/$(/bin/busybox cat ' + TOKEN_DIR + '/namespace)/pods');
  assert.equal(pods.code, '200', JSON.stringify(pods.body));
  assert.deepEqual((pods.body.items as Json[]).map((p) => p.metadata.name), ['client']);
  // by the Service's DNS name too (the serving certificate names it), resolved to the Service's address by curl
  const byName = call('/api/v1/namespaces/incluster/configmaps', 'https://kubernetes.default.svc', `--resolve kubernetes.default.svc:443:${ip}`);
  assert.equal(byName.code, '200', JSON.stringify(byName.body));
  assert.ok((byName.body.items as Json[]).some((m) => m.metadata.name === 'kube-root-ca.crt'));
  const secrets = call('/api/v1/namespaces/incluster/secrets');
  assert.equal(secrets.code, '403');
  assert.equal(secrets.body.message, 'secrets is forbidden: User "system:serviceaccount:incluster:default" cannot list resource "secrets" in API group "" in the namespace "incluster"');
  const other = call('/api/v1/namespaces/default/pods');
  assert.equal(other.code, '403');
  assert.equal(other.body.message, 'pods is forbidden: User "system:serviceaccount:incluster:default" cannot list resource "pods" in API group "" in the namespace "default"');
  await c.until('pod client to be gone', () => {
    c.kubectl(['delete', 'pod', 'client', '-n', 'incluster', '--wait=false']);
    return c.kubectl(['get', 'pod', 'client', '-n', 'incluster']).code !== 0;
  }, 90_000);
});
