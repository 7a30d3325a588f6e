// CertificateSigningRequests on the real stack (etcd, the API server, the controller-manager signing with the cluster
// CA, the real kubectl): a client certificate approved with `kubectl certificate approve` authenticates as who it
// names; a bootstrap token's node certificate is approved automatically and acts as the node; forged subjects, an
// approval without `approve` on the signer and Approved+Denied are refused; `flotilla token create` and
// `flotilla agent` join a node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCSR } from '../lib/certificates/csr.js';
import { bootstrapNodeCredentials } from '../node-agent/bootstrap.js';
import { ComponentProcess, KUBECTL, ROOT, TestCluster, request, waitFor } from './harness.js';

let c: TestCluster;
let work: string;

before(async () => {
  c = await TestCluster.start({ apiserverArgs: ['--enable-bootstrap-token-auth'] });
  work = mkdtempSync(join(tmpdir(), 'flotilla-csr-'));
  c.component('controller-manager', ['--leader-elect=false', '--cluster-signing-cert-file', join(c.dir, 'pki/ca.crt'), '--cluster-signing-key-file', join(c.dir, 'pki/ca.key')]);
});

after(async () => {
  await c?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const CSR_PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
const b64 = (s: string) => Buffer.from(s).toString('base64');

function csrManifest(name: string, csr: string, signerName: string, usages: string[], expirationSeconds?: number): string {
  return JSON.stringify({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
    spec: { request: b64(csr), signerName, usages, ...(expirationSeconds ? { expirationSeconds } : {}) } });
}

async function issued(name: string): Promise<string> {
  const cert = await waitFor(`${name} to be issued`, async () => (await c.request('GET', `${CSR_PATH}/${name}`)).body?.status?.certificate as string | undefined, 30_000);
  return Buffer.from(cert, 'base64').toString('utf8');
}

function kubectlWith(kubeconfig: string, args: string[]) {
  const r = spawnSync(KUBECTL, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: kubeconfig } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function bootstrapToken(id: string, secret: string): string {
  c.ok(['create', 'secret', 'generic', `bootstrap-token-${id}`, '-n', 'kube-system', '--type', 'bootstrap.kubernetes.io/token',
    `--from-literal=token-id=${id}`, `--from-literal=token-secret=${secret}`, '--from-literal=usage-bootstrap-authentication=true']);
  return `${id}.${secret}`;
}

test('kubectl certificate approve issues a kube-apiserver-client certificate that authenticates as its subject; kubectl get csr shows it', async () => {
  const { csr, key } = await createCSR({ commonName: 'jane', organizations: ['devs'] });
  c.ok(['create', '-f', '-'], { input: csrManifest('jane', csr, 'kubernetes.io/kube-apiserver-client', ['client auth'], 3600) });
  const pending = c.ok(['get', 'csr', 'jane']);
  assert.match(pending, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\n/);
  assert.match(pending, /\njane\s+\S+\s+kubernetes\.io\/kube-apiserver-client\s+kubernetes-admin\s+60m\s+Pending\n/);
  assert.match(c.ok(['certificate', 'approve', 'jane']), /certificatesigningrequest.certificates.k8s.io\/jane approved/);
  const cert = await issued('jane');
  assert.match(c.ok(['get', 'csr', 'jane']), /\njane\s+.*\s+Approved,Issued\n/);
  const described = c.ok(['describe', 'csr', 'jane']);
  for (const line of [/Requesting User:\s+kubernetes-admin/, /Signer:\s+kubernetes\.io\/kube-apiserver-client/, /Status:\s+Approved,Issued/, /Common Name:\s+jane/, /Organization:\s+devs/]) {
    assert.match(described, line);
  }
  const approvedBy = (await c.request('GET', `${CSR_PATH}/jane`)).body;
  assert.equal(approvedBy.spec.username, 'kubernetes-admin', 'the server recorded the requester');
  const who = await request(c.url, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, {},
    { ca: readFileSync(join(c.dir, 'pki/ca.crt')), cert: Buffer.from(cert), key: Buffer.from(key) });
  assert.equal(who.status, 201, who.text);
  assert.equal(who.body.status.userInfo.username, 'jane');
  assert.ok(who.body.status.userInfo.groups.includes('devs'), JSON.stringify(who.body.status.userInfo));

  // Approved and Denied together, or an approval taken back, are refused
  const both = structuredClone(approvedBy);
  both.status.conditions.push({ type: 'Denied', status: 'True', reason: 'Oops' });
  const r = await c.request('PUT', `${CSR_PATH}/jane/approval`, both);
  assert.equal(r.status, 422, r.text);
  assert.match(r.body.message, /Approved and Denied conditions are mutually exclusive/);
  const none = structuredClone(approvedBy);
  none.status.conditions = [];
  const removed = await c.request('PUT', `${CSR_PATH}/jane/approval`, none);
  assert.equal(removed.status, 422, removed.text);
  assert.match(removed.body.message, /updates may not remove a condition of type "Approved"/);
});

test('deny: the request is Denied and never issued; approving needs approve on the signer, not just update on /approval', async () => {
  const { csr } = await createCSR({ commonName: 'eve' });
  c.ok(['create', '-f', '-'], { input: csrManifest('eve', csr, 'kubernetes.io/kube-apiserver-client', ['client auth']) });
  // bob may write /approval but holds no `approve` on any signer
  c.ok(['create', 'clusterrole', 'csr-approval-writer', '--verb=get,list,update', '--resource=certificatesigningrequests,certificatesigningrequests/approval']);
  c.ok(['create', 'clusterrolebinding', 'bob-approval-writer', '--clusterrole=csr-approval-writer', '--user=bob']);
  const bob = await c.as('bob');
  const refused = bob.kubectl(['certificate', 'approve', 'eve']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /user not permitted to approve requests with signerName "kubernetes.io\/kube-apiserver-client"/);
  assert.match(c.ok(['certificate', 'deny', 'eve']), /certificatesigningrequest.certificates.k8s.io\/eve denied/);
  const got = (await c.request('GET', `${CSR_PATH}/eve`)).body;
  assert.deepEqual(got.status.conditions.map((x: { type: string }) => x.type), ['Denied']);
  assert.equal(got.status.certificate, undefined);
  assert.match(c.ok(['get', 'csr', 'eve']), /\neve\s+.*\s+Denied\n/);
});

test('forged subjects: system:masters through kube-apiserver-client is 403; a node certificate for another organization is never auto-approved, and fails once approved', async () => {
  const { csr: masters } = await createCSR({ commonName: 'mallory', organizations: ['system:masters'] });
  const r = c.kubectl(['create', '-f', '-'], { input: csrManifest('mallory', masters, 'kubernetes.io/kube-apiserver-client', ['client auth']) });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /use of kubernetes.io\/kube-apiserver-client signer with system:masters group is not allowed/);
  // a bootstrap token asking for a "node" certificate in system:masters
  const token = bootstrapToken('forged', '0123456789abcdef');
  const { csr } = await createCSR({ commonName: 'system:node:evil', organizations: ['system:masters'] });
  const made = await request(c.url, 'POST', CSR_PATH, JSON.parse(csrManifest('evil', csr, 'kubernetes.io/kube-apiserver-client-kubelet', ['client auth'])), {},
    { ca: readFileSync(join(c.dir, 'pki/ca.crt')), token });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.body.spec.username, 'system:bootstrap:forged');
  // a legitimate node request made after it is approved and issued: the approver has seen the forged one by then
  const good = await bootstrapNodeCredentials({ server: c.url, token, ca: readFileSync(join(c.dir, 'pki/ca.crt'), 'utf8'), nodeName: 'honest', dir: join(work, 'honest') });
  assert.equal(good.issued, true);
  const evil = (await c.request('GET', `${CSR_PATH}/evil`)).body;
  assert.equal(evil.status?.conditions, undefined, `the forged request was left alone: ${JSON.stringify(evil.status)}`);
  c.ok(['certificate', 'approve', 'evil']);
  const failed = await waitFor('the signer to fail the forged request', async () =>
    ((await c.request('GET', `${CSR_PATH}/evil`)).body?.status?.conditions as Array<{ type: string; message: string }> | undefined)?.find((x) => x.type === 'Failed'));
  assert.equal(failed.message, 'subject organization is not system:nodes');
  assert.equal((await c.request('GET', `${CSR_PATH}/evil`)).body.status.certificate, undefined);
});

test('a bootstrap token joins a node: its CSR is auto-approved and issued, and the credentials act as system:node:<name>', async () => {
  const token = bootstrapToken('joinme', 'abcdef0123456789');
  const creds = await bootstrapNodeCredentials({ server: c.url, token, ca: readFileSync(join(c.dir, 'pki/ca.crt'), 'utf8'), nodeName: 'joined-1', dir: join(work, 'joined-1') });
  assert.equal(creds.issued, true);
  const csr = (await c.request('GET', `${CSR_PATH}/${creds.csrName}`)).body;
  assert.equal(csr.spec.username, 'system:bootstrap:joinme');
  assert.deepEqual(csr.status.conditions.map((x: { type: string; reason: string }) => `${x.type}/${x.reason}`), ['Approved/AutoApproved']);
  const who = JSON.parse(kubectlWith(creds.kubeconfig, ['auth', 'whoami', '-o', 'json']).stdout);
  assert.equal(who.status.userInfo.username, 'system:node:joined-1');
  assert.ok(who.status.userInfo.groups.includes('system:nodes'));
  // it registers its Node, may not touch another's, and reads no Secrets
  const node = JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'joined-1' } });
  const reg = spawnSync(KUBECTL, ['create', '-f', '-'], { input: node, encoding: 'utf8', env: { ...process.env, KUBECONFIG: creds.kubeconfig } });
  assert.equal(reg.status, 0, reg.stderr);
  c.ok(['get', 'node', 'joined-1']);
  c.ok(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'someone-else' } }) });
  const other = kubectlWith(creds.kubeconfig, ['label', 'node', 'someone-else', 'x=y']);
  assert.notEqual(other.code, 0);
  assert.match(other.stderr, /forbidden/);
  assert.notEqual(kubectlWith(creds.kubeconfig, ['get', 'secrets', '-n', 'kube-system']).code, 0);
  // a second join with the same credentials on disk keeps them
  const again = await bootstrapNodeCredentials({ server: c.url, token, ca: readFileSync(join(c.dir, 'pki/ca.crt'), 'utf8'), nodeName: 'joined-1', dir: join(work, 'joined-1') });
  assert.equal(again.issued, false);
});

test('a node asks for its serving certificate (kubelet-serving) with its own credentials: nothing approves it until kubectl certificate approve; then it is issued for its name and address', async () => {
  const { Client, loadKubeConfig } = await import('../lib/client/index.js');
  const { ensureServingCertificate } = await import('../node-agent/server/serving-cert.js');
  const { X509Certificate } = await import('node:crypto');
  const client = new Client(loadKubeConfig({ kubeconfig: join(work, 'joined-1/node-agent.kubeconfig') }));
  const ca = readFileSync(join(c.dir, 'pki/ca.crt'), 'utf8');
  const files = { certFile: join(work, 'joined-1/serving.crt'), keyFile: join(work, 'joined-1/serving.key') };
  try {
    const asking = ensureServingCertificate({ client, nodeName: 'joined-1', ipAddresses: ['10.117.0.9'], ca, ...files });
    const pending = await waitFor('the serving CSR', async () => ((await c.request('GET', CSR_PATH)).body.items as Array<{ metadata: { name: string }; spec: { signerName: string; username: string }; status?: { conditions?: unknown[] } }>)
      .find((x) => x.spec.signerName === 'kubernetes.io/kubelet-serving' && x.spec.username === 'system:node:joined-1'));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await c.request('GET', `${CSR_PATH}/${pending.metadata.name}`)).body.status?.conditions, undefined, 'not approved by the controller-manager');
    c.ok(['certificate', 'approve', pending.metadata.name]);
    const got = await asking;
    assert.equal(got.csrName, pending.metadata.name);
    const cert = new X509Certificate(got.cert);
    assert.match(cert.subject, /CN=system:node:joined-1/);
    assert.equal(cert.subjectAltName, 'DNS:joined-1, IP Address:10.117.0.9');
    assert.ok(cert.checkIssued(new X509Certificate(ca)));
    // still good on disk: the next start asks for nothing
    const again = await ensureServingCertificate({ client, nodeName: 'joined-1', ipAddresses: ['10.117.0.9'], ca, ...files });
    assert.equal(again.csrName, undefined);
    assert.equal(again.cert, got.cert);
  } finally {
    client.close();
  }
});

test('flotilla token create prints the join command; flotilla agent with it obtains the node\'s credentials, and with --hollow registers and runs the node', async () => {
  const made = spawnSync(process.execPath, [join(ROOT, 'bin/flotilla.js'), 'token', 'create', '--kubeconfig', c.apiserver.kubeconfig], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(made.status, 0, made.stderr);
  const line = made.stdout.trim();
  assert.match(line, /^flotilla agent --server https:\/\/127\.0\.0\.1:\d+ --token [a-z0-9]{6}\.[a-z0-9]{16} --ca-file \S+ --ca-cert-hash sha256:[0-9a-f]{64}$/);
  const args = line.split(' ').slice(1);
  const dataDir = join(work, 'agent-2');
  // --join-only: the credentials, then exit (without it the agent goes on to run the node: e2e/multi-node.test.ts)
  const run = spawnSync(process.execPath, [join(ROOT, 'bin/flotilla.js'), ...args, '--node-name', 'joined-2', '--data-dir', dataDir, '--join-only'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr + run.stdout);
  assert.match(run.stdout, /node joined-2: certificate issued \(node-csr-\w+\); kubeconfig /);
  const who = JSON.parse(kubectlWith(join(dataDir, 'pki/node-agent.kubeconfig'), ['auth', 'whoami', '-o', 'json']).stdout);
  assert.equal(who.status.userInfo.username, 'system:node:joined-2');
  const wrongHash = spawnSync(process.execPath, [join(ROOT, 'bin/flotilla.js'), ...args.map((a) => (a.startsWith('sha256:') ? `sha256:${'0'.repeat(64)}` : a)), '--node-name', 'joined-3',
    '--data-dir', join(work, 'agent-3')], { encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(wrongHash.status, 0);
  assert.match(wrongHash.stderr, /has hash sha256:[0-9a-f]{64}, not sha256:0{64}/);

  // --hollow: the joined node registers itself, turns Ready and runs a pod bound to it, all as system:node:joined-h
  const hollow = new ComponentProcess(c.dir, 'agent-hollow', [...args, '--node-name', 'joined-h', '--data-dir', join(work, 'agent-h'), '--hollow']);
  c.components.push(hollow);
  hollow.start();
  await waitFor('the joined node to be Ready', async () => {
    const n = (await c.request('GET', '/api/v1/nodes/joined-h')).body;
    return n?.status?.conditions?.some((x: { type: string; status: string }) => x.type === 'Ready' && x.status === 'True');
  }, 60_000);
  c.ok(['run', 'on-joined', '--image=busybox', '--restart=Never', '--overrides', JSON.stringify({ spec: { nodeName: 'joined-h' } })]);
  await waitFor('the pod to run on the joined node', async () => (await c.request('GET', '/api/v1/namespaces/default/pods/on-joined')).body?.status?.phase === 'Running', 60_000);
  const csrName = /node joined-h: certificate issued \((node-csr-\w+)\)/.exec(hollow.logText())?.[1];
  assert.ok(csrName, hollow.logText());
  const joined = (await c.request('GET', `${CSR_PATH}/${csrName}`)).body;
  assert.match(joined.spec.username, /^system:bootstrap:[a-z0-9]{6}$/);
  assert.deepEqual(joined.status.conditions.map((x: { reason: string }) => x.reason), ['AutoApproved']);
  assert.ok(hollow.running, hollow.logText());
});
