// Acceptance (issue 10, first half) on the real stack: real etcd, the real API server process over HTTPS, the real
// kubectl. The written kubeconfig (CA + admin client certificate) just works; no credentials, a forged token, a
// certificate from another CA or an expired one get 401 and the health paths still answer; a user without rights
// gets Kubernetes' 403; kubectl --as; path tricks; TLS below 1.2 refused; Secrets are ciphertext in etcd
// (etcdctl get) and survive a key rotation; the audit log records who did what, Secrets at Metadata only. Bootstrap
// tokens authenticate while their Secret allows it, and the controller-manager's token cleaner deletes expired ones.
// Legacy ServiceAccount token Secrets get a token from the controller-manager, which stops working with the Secret.
// Watches end after --min-request-timeout (x1 to x2) and kubectl's informers watch again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { KUBECTL, TestCluster, request, userClient, waitFor } from './harness.js';

let c: TestCluster;
let encryptionConfig = '';
const key = () => randomBytes(32).toString('base64');
const OLD_KEY = key();
const NEW_KEY = key();
const encryption = (keys: Array<[string, string]>) => `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aesgcm:
          keys:
${keys.map(([n, s]) => `            - name: ${n}\n              secret: ${s}`).join('\n')}
      - identity: {}
`;

before(async () => {
  // the files the API server is started with live in a directory of their own, written before it starts
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  files = mkdtempSync(join(tmpdir(), 'flotilla-security-files-'));
  encryptionConfig = join(files, 'encryption.yaml');
  writeFileSync(encryptionConfig, encryption([['key1', OLD_KEY]]));
  const policy = join(files, 'audit-policy.yaml');
  writeFileSync(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: RequestResponse\n    resources: [{ group: "", resources: [secrets, configmaps] }]\n  - level: Metadata\n');
  c = await TestCluster.start({
    apiserverArgs: ['--enable-bootstrap-token-auth', '--service-account-max-token-expiration', '2h', '--min-request-timeout', '2', '--encryption-provider-config', encryptionConfig, '--audit-policy-file', policy, '--audit-log-path', join(files, 'audit.log')],
    tokens: [{ token: 'operator-token', user: 'operator', groups: ['system:masters'] }, { token: 'nobody-token', user: 'nobody' }],
  });
  auditLog = join(files, 'audit.log');
});

let auditLog = '';
/** The directory of those files (the encryption config, the audit policy and log): removed afterwards. */
let files = '';

after(async () => {
  await c?.stop();
  if (files && !process.env.FLOTILLA_KEEP_TEST_DIRS) rmSync(files, { recursive: true, force: true });
});

/** kubectl with a kubeconfig written here (its own CA data, user and server). */
function kubectlWith(kubeconfig: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(KUBECTL, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: kubeconfig } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A kubeconfig trusting the cluster CA with the user given (or none). */
function kubeconfigFor(name: string, user: Record<string, string>): string {
  const ca = readFileSync(join(c.dir, 'pki/ca.crt')).toString('base64');
  const path = join(c.dir, `${name}.kubeconfig`);
  writeFileSync(path, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'x',
    clusters: [{ name: 'x', cluster: { server: c.url, 'certificate-authority-data': ca } }],
    users: [{ name: 'u', user }], contexts: [{ name: 'x', context: { cluster: 'x', user: 'u' } }],
  }), { mode: 0o600 });
  return path;
}

test('the kubeconfig the API server wrote: https, the cluster CA, the admin client certificate; kubectl works with it', () => {
  const kc = readFileSync(c.apiserver.kubeconfig, 'utf8');
  assert.match(kc, /server: https:\/\/127\.0\.0\.1:\d+/);
  assert.match(kc, /certificate-authority-data: /);
  assert.match(kc, /client-certificate-data: /);
  assert.doesNotMatch(kc, /insecure-skip-tls-verify/);
  c.ok(['create', 'configmap', 'sec-cm', '--from-literal=a=b']);
  assert.match(c.ok(['get', 'configmap', 'sec-cm', '-o', 'jsonpath={.data.a}']), /^b$/);
  c.ok(['delete', 'configmap', 'sec-cm']);
  // a static token of a system:masters user works as well
  const token = kubectlWith(kubeconfigFor('operator', { token: 'operator-token' }), ['get', 'namespaces', '-o', 'name']);
  assert.equal(token.code, 0, token.stderr);
  assert.match(token.stdout, /namespace\/default/);
});

test('no credentials: 401 on every resource path (curl, plain requests); health and version still answer', async () => {
  // (kubectl with an empty user asks for a user name on stdin instead of sending the request: curl stands in)
  const curl = spawnSync('curl', ['-sS', '--cacert', join(c.dir, 'pki/ca.crt'), '-w', '\n%{http_code}', `${c.url}/api/v1/namespaces/default/pods`], { encoding: 'utf8', timeout: 20_000 });
  assert.match(curl.stdout, /"reason":"Unauthorized"[\s\S]*\n401$/);
  const ca = readFileSync(join(c.dir, 'pki/ca.crt'));
  for (const path of ['/api/v1/pods', '/api/v1/namespaces/default/secrets', '/apis/apps/v1/deployments', '/api', '/apis', '/openapi/v2', '/metrics', '/api/v1/namespaces/default/pods/x/exec']) {
    const r = await request(c.url, 'GET', path, undefined, {}, { ca });
    assert.equal(r.status, 401, path);
    assert.deepEqual(r.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }, path);
  }
  for (const path of ['/healthz', '/livez', '/readyz', '/version']) {
    const r = await request(c.url, 'GET', path, undefined, {}, { ca });
    assert.equal(r.status, 200, path);
  }
  // and nothing was created by any of it
  const write = await request(c.url, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'anon-write' } }, {}, { ca });
  assert.equal(write.status, 401);
  assert.equal((await c.request('GET', '/api/v1/namespaces/default/configmaps/anon-write')).status, 404);
});

test('a forged token, a certificate from another CA and an expired certificate: 401, for kubectl too', async () => {
  const forged = kubectlWith(kubeconfigFor('forged', { token: 'operator-token-forged' }), ['get', 'pods']);
  assert.match(forged.stderr, /\(Unauthorized\)/);
  const ca = readFileSync(join(c.dir, 'pki/ca.crt'));
  const r = await request(c.url, 'GET', '/healthz', undefined, { Authorization: 'Bearer forged' }, { ca });
  assert.equal(r.status, 401, 'invalid credentials are refused even where anonymous requests are let in');
  const { createCA, issue } = await import('../apiserver/auth/pki.js');
  const stranger = await createCA('evil-ca');
  const evil = await issue(stranger, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client' });
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const other = kubectlWith(kubeconfigFor('other-ca', { 'client-certificate-data': b64(evil.cert), 'client-key-data': b64(evil.key) }), ['get', 'pods']);
  assert.notEqual(other.code, 0);
  assert.match(other.stderr, /\(Unauthorized\)/);
  const expired = await userClient(c.dir, c.url, 'late', ['system:masters'], { notBefore: new Date(Date.now() - 3 * 86400_000), notAfter: new Date(Date.now() - 86400_000) });
  assert.equal((await expired.request('GET', '/api/v1/pods')).status, 401);
  assert.equal((await c.request('GET', '/readyz')).status, 200, 'the server keeps serving');
});

test('a user without rights gets 403 with Kubernetes\' message; the object is untouched', async () => {
  const dave = await c.as('dave', ['dev']);
  const list = dave.kubectl(['get', 'pods', '-n', 'default']);
  assert.notEqual(list.code, 0);
  assert.match(list.stderr, /Error from server \(Forbidden\): pods is forbidden: User "dave" cannot list resource "pods" in API group "" in the namespace "default"/);
  const secret = await dave.request('GET', '/api/v1/namespaces/default/secrets/x');
  assert.equal(secret.status, 403);
  assert.equal(secret.body.message, 'secrets "x" is forbidden: User "dave" cannot get resource "secrets" in API group "" in the namespace "default"');
  assert.deepEqual(secret.body.details, { name: 'x', kind: 'secrets' });
  const create = dave.kubectl(['create', 'deployment', 'web', '--image=busybox']);
  assert.match(create.stderr, /deployments\.apps is forbidden: User "dave" cannot create resource "deployments" in API group "apps" in the namespace "default"/);
  assert.equal((await c.request('GET', '/apis/apps/v1/namespaces/default/deployments/web')).status, 404);
  const nodes = await dave.request('GET', '/api/v1/nodes');
  assert.equal(nodes.body.message, 'nodes is forbidden: User "dave" cannot list resource "nodes" in API group "" at the cluster scope');
  // an authenticated user may read discovery, as system:discovery lets everyone
  assert.equal((await dave.request('GET', '/api')).status, 200);
  assert.equal((await dave.request('GET', '/metrics')).body.message, 'forbidden: User "dave" cannot get path "/metrics"');
  // the static token of a user without rights too
  const nobody = kubectlWith(kubeconfigFor('nobody', { token: 'nobody-token' }), ['get', 'secrets']);
  assert.match(nobody.stderr, /secrets is forbidden: User "nobody" cannot list resource "secrets"/);
});

test('kubectl --as: the admin acts as another user (and gets their answer), a user without the right cannot impersonate', async () => {
  const as = c.kubectl(['get', 'pods', '--as', 'erin']);
  assert.notEqual(as.code, 0);
  assert.match(as.stderr, /pods is forbidden: User "erin" cannot list resource "pods" in API group "" in the namespace "default"/);
  const asGroup = c.kubectl(['get', 'pods', '--as', 'erin', '--as-group', 'system:masters']);
  assert.equal(asGroup.code, 0, asGroup.stderr);
  const dave = await c.as('dave');
  const escalate = dave.kubectl(['get', 'pods', '--as', 'kubernetes-admin', '--as-group', 'system:masters']);
  assert.match(escalate.stderr, /users "kubernetes-admin" is forbidden: User "dave" cannot impersonate resource "users" in API group "" at the cluster scope/);
  const groupOnly = await c.request('GET', '/api/v1/pods', undefined, { 'Impersonate-Group': 'system:masters' });
  assert.equal(groupOnly.status, 400);
  assert.match(groupOnly.body.message, /without impersonating a user$/);
});

test('path tricks and encoded names reach nothing a user may not read', async () => {
  const dave = await c.as('dave');
  c.ok(['create', 'secret', 'generic', 'trick', '--from-literal=k=v']);
  for (const path of ['/api/v1/namespaces/default/pods/../secrets/trick', '/api/v1/namespaces/default/secrets/%2e%2e/trick', '/api/v1/namespaces/default/secrets/tr%69ck', '/healthz/../api/v1/namespaces/default/secrets/trick', '/version/..%2fapi/v1/namespaces/default/secrets']) {
    const r = await dave.request('GET', path);
    assert.ok(r.status === 401 || r.status === 403 || r.status === 400 || r.status === 404, `${path}: ${r.status}`);
    assert.ok(!r.text.includes('"k"'), `${path}: no secret data`);
  }
  c.ok(['delete', 'secret', 'trick']);
});

test('TLS 1.2 at least: a TLS 1.1 client is refused at the handshake, and the server keeps serving', async () => {
  const port = Number(new URL(c.url).port);
  const err = await new Promise<Error | undefined>((resolve) => {
    const s = connect({ host: '127.0.0.1', port, maxVersion: 'TLSv1.1', minVersion: 'TLSv1', rejectUnauthorized: false, ciphers: 'DEFAULT:@SECLEVEL=0' }, () => {
      s.destroy();
      resolve(undefined);
    });
    s.on('error', (e) => resolve(e));
  });
  assert.ok(err, 'the TLS 1.1 handshake failed');
  assert.equal((await c.request('GET', '/readyz')).status, 200);
});

/** The raw value etcd holds for a key, as etcdctl prints it. */
function etcdValue(key: string): Buffer {
  const r = spawnSync('etcdctl', ['--endpoints', c.etcd.endpoint, 'get', key, '--print-value-only'], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 10_000 });
  assert.equal(r.status, 0, r.stderr?.toString());
  return r.stdout;
}

test('Secrets are ciphertext in etcd (k8s:enc:aesgcm:v1:) and read back in clear; ConfigMaps are untouched', () => {
  c.ok(['create', 'secret', 'generic', 'db', '--from-literal=password=hunter2-plain']);
  const raw = etcdValue('/registry/core/secrets/default/db');
  assert.equal(raw.subarray(0, 'k8s:enc:aesgcm:v1:key1:'.length).toString('latin1'), 'k8s:enc:aesgcm:v1:key1:');
  assert.ok(!raw.includes(Buffer.from('hunter2-plain')) && !raw.includes(Buffer.from(Buffer.from('hunter2-plain').toString('base64'))), 'no plain text of the secret in etcd');
  assert.ok(!raw.includes(Buffer.from('"kind"')), 'not even the object\'s JSON shape');
  assert.equal(Buffer.from(c.ok(['get', 'secret', 'db', '-o', 'jsonpath={.data.password}']), 'base64').toString(), 'hunter2-plain');
  c.ok(['create', 'configmap', 'plain', '--from-literal=x=visible']);
  assert.match(etcdValue('/registry/core/configmaps/default/plain').toString(), /visible/);
});

test('key rotation: a new key first, restart, every Secret still reads; rewriting them moves each to the new key', async () => {
  c.ok(['create', 'secret', 'generic', 'rot-a', '--from-literal=v=a']);
  c.ok(['create', 'secret', 'generic', 'rot-b', '--from-literal=v=b']);
  writeFileSync(encryptionConfig, encryption([['key2', NEW_KEY], ['key1', OLD_KEY]]));
  await c.apiserver.stop();
  await c.apiserver.start();
  for (const n of ['db', 'rot-a', 'rot-b']) {
    assert.ok(etcdValue(`/registry/core/secrets/default/${n}`).toString('latin1').startsWith('k8s:enc:aesgcm:v1:key1:'), `${n} still under key1`);
    assert.match(c.ok(['get', 'secret', n, '-o', 'jsonpath={.data}']), /\S/);
  }
  // the documented rewrite: kubectl replace of every Secret, unchanged, is written again under the first key
  const all = c.ok(['get', 'secrets', '-o', 'json']);
  c.ok(['replace', '-f', '-'], { input: all });
  for (const n of ['db', 'rot-a', 'rot-b']) assert.ok(etcdValue(`/registry/core/secrets/default/${n}`).toString('latin1').startsWith('k8s:enc:aesgcm:v1:key2:'), `${n} now under key2`);
  assert.equal(Buffer.from(c.ok(['get', 'secret', 'rot-b', '-o', 'jsonpath={.data.v}']), 'base64').toString(), 'b');
});

test('the audit log: one line per request, who did what; Secrets at Metadata whatever the policy, ConfigMaps with their bodies', async () => {
  c.ok(['create', 'secret', 'generic', 'audited', '--from-literal=token=s3cr3t-value']);
  c.ok(['create', 'configmap', 'audited', '--from-literal=k=v']);
  const events = await waitFor('the audit lines', async () => {
    const lines = readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    const s = lines.find((e) => e.verb === 'create' && e.objectRef?.resource === 'secrets' && e.objectRef?.name === undefined && e.responseStatus?.code === 201 && JSON.stringify(e).includes('kubernetes-admin'));
    const m = lines.find((e) => e.verb === 'create' && e.objectRef?.resource === 'configmaps' && e.requestObject?.metadata?.name === 'audited');
    return s && m ? { s, m, lines } : undefined;
  });
  assert.ok(!readFileSync(auditLog, 'utf8').includes('s3cr3t') && !readFileSync(auditLog, 'utf8').includes(Buffer.from('s3cr3t-value').toString('base64')), 'no secret value anywhere in the log');
  assert.equal(events.s.level, 'Metadata');
  assert.equal(events.s.apiVersion, 'audit.k8s.io/v1');
  assert.equal(events.s.stage, 'ResponseComplete');
  assert.deepEqual(events.s.user.groups, ['system:masters', 'system:authenticated']);
  assert.equal(events.m.level, 'RequestResponse');
  assert.equal(events.m.responseObject?.metadata?.name, 'audited');
  // the refused requests of the earlier tests are there, without a user
  assert.ok(events.lines.some((e) => e.responseStatus?.code === 401 && JSON.stringify(e.user) === '{}'), 'a 401 is logged');
  assert.ok(events.lines.some((e) => e.responseStatus?.code === 403 && e.user?.username === 'dave'), 'a 403 is logged');
});

test('bootstrap tokens: <id>.<secret> is system:bootstrap:<id> in system:bootstrappers; a wrong secret, an expired token or usage off is 401; the token cleaner deletes expired ones', async () => {
  const iso = (ms: number) => new Date(Date.now() + ms).toISOString().replace(/\.\d+Z$/, 'Z');
  const bootstrapSecret = (id: string, secret: string, more: string[]) => c.ok(['create', 'secret', 'generic', `bootstrap-token-${id}`, '-n', 'kube-system',
    '--type', 'bootstrap.kubernetes.io/token', `--from-literal=token-id=${id}`, `--from-literal=token-secret=${secret}`, ...more.map((m) => `--from-literal=${m}`)]);
  bootstrapSecret('abcdef', '0123456789abcdef', ['usage-bootstrap-authentication=true', 'auth-extra-groups=system:bootstrappers:worker', `expiration=${iso(3600_000)}`]);
  bootstrapSecret('nouse1', '0123456789abcdef', ['usage-bootstrap-authentication=false']);
  bootstrapSecret('old000', '0123456789abcdef', ['usage-bootstrap-authentication=true', `expiration=${iso(-60_000)}`]);
  const who = kubectlWith(kubeconfigFor('bootstrap', { token: 'abcdef.0123456789abcdef' }), ['auth', 'whoami', '-o', 'json']);
  assert.equal(who.code, 0, who.stderr);
  assert.deepEqual(JSON.parse(who.stdout).status.userInfo, { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:worker', 'system:authenticated'] });
  // what the token may do is what RBAC gives its groups: nothing here beyond discovery
  const denied = kubectlWith(kubeconfigFor('bootstrap', { token: 'abcdef.0123456789abcdef' }), ['get', 'secrets', '-n', 'kube-system']);
  assert.match(denied.stderr, /secrets is forbidden: User "system:bootstrap:abcdef" cannot list resource "secrets" in API group "" in the namespace "kube-system"/);
  const ca = readFileSync(join(c.dir, 'pki/ca.crt'));
  for (const token of ['abcdef.0123456789abcdee', 'abcdef.0123456789abcde', 'nouse1.0123456789abcdef', 'old000.0123456789abcdef', 'zzzzzz.0123456789abcdef']) {
    const r = await request(c.url, 'GET', '/api/v1/namespaces/default/configmaps', undefined, { Authorization: `Bearer ${token}` }, { ca });
    assert.equal(r.status, 401, token);
    assert.equal(r.body.message, 'Unauthorized', token);
  }
  const cm = c.component('controller-manager', ['--leader-elect=false']);
  try {
    await waitFor('the token cleaner to delete the expired token', async () => c.kubectl(['get', 'secret', 'bootstrap-token-old000', '-n', 'kube-system']).code !== 0, 60_000);
    for (const id of ['abcdef', 'nouse1']) assert.equal(c.kubectl(['get', 'secret', `bootstrap-token-${id}`, '-n', 'kube-system']).code, 0, `${id} is kept`);
  } finally {
    await cm.stop();
  }
});

test('--service-account-max-token-expiration: kubectl create token --duration longer than the cap gets the cap, with Kubernetes\' warning', () => {
  c.ok(['create', 'serviceaccount', 'capped']);
  const r = c.kubectl(['create', 'token', 'capped', '--duration=10h']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Warning: requested expiration of 36000 seconds shortened to 7200 seconds/);
  const claims = JSON.parse(Buffer.from(r.stdout.trim().split('.')[1] as string, 'base64url').toString('utf8')) as { exp: number; iat: number };
  assert.equal(claims.exp - claims.iat, 7200);
  const short = c.ok(['create', 'token', 'capped', '--duration=30m']).trim();
  const s = JSON.parse(Buffer.from(short.split('.')[1] as string, 'base64url').toString('utf8')) as { exp: number; iat: number };
  assert.equal(s.exp - s.iat, 1800);
});

test('legacy ServiceAccount token Secrets: the controller-manager fills in token, ca.crt and namespace; the token works until the Secret is deleted', async () => {
  c.ok(['create', 'serviceaccount', 'legacy']);
  c.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'legacy-token', annotations: { 'kubernetes.io/service-account.name': 'legacy' } },
    type: 'kubernetes.io/service-account-token' }) });
  const cm = c.component('controller-manager', ['--leader-elect=false', '--service-account-private-key-file', join(c.dir, 'pki/sa.key')], 'controller-manager-legacy');
  let secret: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    secret = await waitFor('the token in the Secret', async () => {
      const s = JSON.parse(c.ok(['get', 'secret', 'legacy-token', '-o', 'json'])) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      return s.data?.token && s.data?.['ca.crt'] ? s : undefined;
    }, 60_000);
  } finally {
    await cm.stop();
  }
  const sa = JSON.parse(c.ok(['get', 'serviceaccount', 'legacy', '-o', 'json'])) as { metadata: { uid: string } };
  assert.equal(secret.metadata.annotations['kubernetes.io/service-account.uid'], sa.metadata.uid);
  assert.equal(Buffer.from(secret.data.namespace, 'base64').toString(), 'default');
  assert.equal(Buffer.from(secret.data['ca.crt'], 'base64').toString(), readFileSync(join(c.dir, 'pki/ca.crt'), 'utf8'));
  const token = Buffer.from(secret.data.token, 'base64').toString();
  const who = kubectlWith(kubeconfigFor('legacy', { token }), ['auth', 'whoami', '-o', 'json']);
  assert.equal(who.code, 0, who.stderr);
  assert.deepEqual(JSON.parse(who.stdout).status.userInfo.username, 'system:serviceaccount:default:legacy');
  c.ok(['delete', 'secret', 'legacy-token']);
  const ca = readFileSync(join(c.dir, 'pki/ca.crt'));
  const after = await request(c.url, 'GET', '/api', undefined, { Authorization: `Bearer ${token}` }, { ca });
  assert.equal(after.status, 401, 'the token went with its Secret');
});

test('--min-request-timeout: a watch without timeoutSeconds ends cleanly within 1x-2x of it; kubectl wait watches again and sees a later change', async () => {
  const ca = readFileSync(join(c.dir, 'pki/ca.crt'));
  const { credentialsOf, apiFetch } = await import('./harness.js');
  const admin = await credentialsOf(c.apiserver.kubeconfig);
  c.ok(['create', 'configmap', 'watched', '--from-literal=k=before']);
  // the raw watch: it ends by itself (2 s x 1..2 here), with a complete chunked body, no error event
  const res = await apiFetch(`${c.url}/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dwatched`, { signal: AbortSignal.timeout(30_000) }, { ...admin, ca });
  assert.equal(res.status, 200);
  const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  assert.deepEqual(lines.map((l) => l.type), ['ADDED'], 'the initial event, then a clean end');
  // kubectl wait's informer outlives several server-side ends of its watch and still sees the change
  const { spawn } = await import('node:child_process');
  const wait = spawn(KUBECTL, ['wait', '--for=jsonpath={.data.k}=after', 'configmap/watched', '--timeout=60s'], { env: { ...process.env, KUBECONFIG: c.apiserver.kubeconfig } });
  let out = '';
  wait.stdout.on('data', (d: Buffer) => (out += d.toString()));
  wait.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => wait.on('exit', (code) => r(code)));
  await new Promise((r) => setTimeout(r, 9000)); // more than 2x the timeout: kubectl's first watch has ended by now
  c.ok(['patch', 'configmap', 'watched', '-p', '{"data":{"k":"after"}}']);
  assert.equal(await exited, 0, out);
  assert.match(out, /configmap\/watched condition met/);
});
