// The cluster CA and the certificates it issues: what they say (CN, O, SANs, usages) as OpenSSL reads them, when a
// certificate on disk is kept or issued again, and which CA files are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureApiServerPki, ensureCert } from './cluster-pki.js';
import { createCA, issue, loadCA, stillGood, summarize } from './pki.js';

test('a CA issues certificates that chain to it and say who they are for', async () => {
  const ca = await createCA('test-ca');
  const caCert = new X509Certificate(ca.cert);
  assert.equal(caCert.ca, true);
  assert.ok(caCert.checkIssued(caCert), 'self-signed');
  const leaf = await issue(ca, { commonName: 'alice', organizations: ['dev', 'system:masters'], usage: 'client' });
  const c = new X509Certificate(leaf.cert);
  assert.ok(c.checkIssued(caCert) && c.verify(caCert.publicKey), 'signed by the CA');
  assert.equal(c.ca, false);
  assert.ok(c.checkPrivateKey(await import('node:crypto').then((m) => m.createPrivateKey(leaf.key))), 'the key belongs to the certificate');
  const s = summarize(leaf.cert);
  assert.equal(s.commonName, 'alice');
  assert.deepEqual(s.organizations.sort(), ['dev', 'system:masters']);
  assert.deepEqual(c.keyUsage, ['1.3.6.1.5.5.7.3.2'], 'clientAuth only');
  const server = await issue(ca, { commonName: 'kube-apiserver', usage: 'server', dnsNames: ['localhost', 'kubernetes.default.svc'], ipAddresses: ['127.0.0.1', '::1'] });
  const ss = summarize(server.cert);
  assert.deepEqual(ss.dnsNames, ['localhost', 'kubernetes.default.svc']);
  assert.deepEqual(ss.ipAddresses, ['127.0.0.1', '::1']);
  assert.deepEqual(new X509Certificate(server.cert).keyUsage, ['1.3.6.1.5.5.7.3.1'], 'serverAuth only');
  assert.equal(new X509Certificate(server.cert).checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(new X509Certificate(server.cert).checkHost('kubernetes.default.svc'), 'kubernetes.default.svc');
});

test('stillGood keeps a certificate only when it is from this CA, for this subject, with every SAN, and not near expiry', async () => {
  const ca = await createCA('ca-1');
  const other = await createCA('ca-2');
  const want = { commonName: 'kube-apiserver', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
  const good = await issue(ca, { ...want, usage: 'server' });
  assert.equal(stillGood(good.cert, ca.cert, want), true);
  assert.equal(stillGood(good.cert, other.cert, want), false, 'another CA');
  assert.equal(stillGood(good.cert, ca.cert, { ...want, commonName: 'someone-else' }), false, 'another subject');
  assert.equal(stillGood(good.cert, ca.cert, { ...want, organizations: ['system:masters'] }), false, 'other groups');
  assert.equal(stillGood(good.cert, ca.cert, { ...want, ipAddresses: ['127.0.0.1', '10.0.0.7'] }), false, 'a new node IP');
  const soon = await issue(ca, { ...want, usage: 'server', validityDays: 30 });
  assert.equal(stillGood(soon.cert, ca.cert, want), false, 'within 90 days of expiry');
  assert.equal(stillGood('not a certificate', ca.cert, want), false);
});

test('loadCA takes ECDSA P-256 and RSA CAs, and refuses a key of another certificate or a non-CA', async () => {
  const ca = await createCA('ca');
  const loaded = await loadCA(ca.cert, ca.key);
  const issued = await issue(loaded, { commonName: 'x', usage: 'client' });
  assert.ok(new X509Certificate(issued.cert).checkIssued(new X509Certificate(ca.cert)));
  const other = await createCA('other');
  await assert.rejects(loadCA(ca.cert, other.key), /does not belong to the CA certificate/);
  const leaf = await issue(ca, { commonName: 'leaf', usage: 'client' });
  await assert.rejects(loadCA(leaf.cert, leaf.key), /is not a CA/);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  await assert.rejects(loadCA(ca.cert, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), /unsupported CA key type ec \(secp384r1\)/);
});

test('the data dir PKI is made once, with private keys 0600, and kept across starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-pki-'));
  try {
    const first = await ensureApiServerPki(dir);
    assert.equal(statSync(join(dir, 'pki/ca.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'pki/apiserver.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'pki/ca.crt')).mode & 0o777, 0o644);
    const admin = summarize(first.admin.cert);
    assert.equal(admin.commonName, 'kubernetes-admin');
    assert.deepEqual(admin.organizations, ['system:masters']);
    const serving = summarize(first.serving.cert);
    for (const n of ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']) assert.ok(serving.dnsNames.includes(n), n);
    for (const ip of ['127.0.0.1', '10.96.0.1']) assert.ok(serving.ipAddresses.includes(ip), ip);
    const second = await ensureApiServerPki(dir);
    assert.equal(second.ca.cert, first.ca.cert);
    assert.equal(second.serving.cert, first.serving.cert, 'a good serving certificate is kept');
    assert.equal(second.admin.key, first.admin.key);
    // a new address for the server: a new serving certificate naming it, from the same CA
    const third = await ensureApiServerPki(dir, ['10.1.2.3']);
    assert.notEqual(third.serving.cert, first.serving.cert);
    assert.ok(summarize(third.serving.cert).ipAddresses.includes('10.1.2.3'));
    assert.equal(readFileSync(join(dir, 'pki/apiserver.crt'), 'utf8'), third.serving.cert);
    // a component certificate asked for another subject is issued again
    const sched = await ensureCert(dir, 'sched', third.ca, { commonName: 'system:kube-scheduler', usage: 'client' });
    const again = await ensureCert(dir, 'sched', third.ca, { commonName: 'system:kube-scheduler', usage: 'client' });
    assert.equal(again.cert, sched.cert);
    const renamed = await ensureCert(dir, 'sched', third.ca, { commonName: 'system:other', usage: 'client' });
    assert.equal(summarize(renamed.cert).commonName, 'system:other');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
