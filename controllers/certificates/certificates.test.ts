import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCA } from '../../apiserver/auth/pki.js';
import def, { conditionColumn } from '../../apiserver/registry/kinds/certificatesigningrequests.js';
import type { KubeObject } from '../../lib/api/types.js';
import { createCSR, parseCSR, signerMismatch } from '../../lib/certificates/csr.js';
import { approvalFor, type RequesterCheck } from './approver.js';
import { deleteAt, PENDING_EXPIRATION_MS } from './cleaner.js';
import { decide, durationFor } from './signer.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

interface CsrSpec {
  cn: string; orgs?: string[]; signer: string; usages: string[]; username?: string; dns?: string[]; conditions?: unknown[]; expirationSeconds?: number;
}

async function csrObject(o: CsrSpec): Promise<KubeObject> {
  const { csr } = await createCSR({ commonName: o.cn, organizations: o.orgs, dnsNames: o.dns });
  return {
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'r', creationTimestamp: '2026-12-01T00:00:00Z' },
    spec: { request: b64(csr), signerName: o.signer, usages: o.usages, username: o.username ?? 'someone', groups: ['system:authenticated'],
      ...(o.expirationSeconds ? { expirationSeconds: o.expirationSeconds } : {}) },
    status: o.conditions ? { conditions: o.conditions } : {},
  };
}

const KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';
const CLIENT = 'kubernetes.io/kube-apiserver-client';
const approved = [{ type: 'Approved', status: 'True', reason: 'R', lastUpdateTime: '2026-12-01T00:10:00Z' }];
const messages = (causes: { field?: string; message?: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);

test('validation: the request must be a PKCS#10 PEM, the signer qualified, usages known and given, expirationSeconds at least 600', async () => {
  const good = await csrObject({ cn: 'alice', signer: CLIENT, usages: ['client auth'] });
  assert.deepEqual(def.validate(good), []);
  const bad = structuredClone(good);
  bad.spec!.request = b64('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  bad.spec!.signerName = 'nodomain';
  bad.spec!.usages = ['client auth', 'client auth', 'flying'];
  bad.spec!.expirationSeconds = 599;
  const got = messages(def.validate(bad));
  assert.ok(got.some((m) => /^spec\.request: Invalid value: \[\]byte\{.*\}: PEM block type must be CERTIFICATE REQUEST$/.test(m)), got.join('\n'));
  assert.ok(got.includes('spec.signerName: Invalid value: "nodomain": must be a fully qualified domain and path of the form \'example.com/signer-name\''), got.join('\n'));
  assert.ok(got.includes('spec.usages[1]: Duplicate value: "client auth"'), got.join('\n'));
  assert.ok(got.some((m) => m.startsWith('spec.usages[2]: Unsupported value: "flying"')), got.join('\n'));
  assert.ok(got.includes('spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)'), got.join('\n'));
  const none = structuredClone(good);
  none.spec!.usages = [];
  assert.deepEqual(messages(def.validate(none)), ['spec.usages: Required value: usages must be provided']);
});

test('validation: Approved and Denied are exclusive, must be True, and no such condition nor an issued certificate can be taken back', async () => {
  const csr = await csrObject({ cn: 'alice', signer: CLIENT, usages: ['client auth'], conditions: [{ type: 'Approved', status: 'True' }, { type: 'Denied', status: 'True' }] });
  assert.deepEqual(messages(def.validate(csr)), ['status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive']);
  csr.status = { conditions: [{ type: 'Approved', status: 'False' }] };
  assert.deepEqual(messages(def.validate(csr)), ['status.conditions[0].status: Unsupported value: "False": supported values: "True"']);
  const old = structuredClone(csr);
  old.status = { conditions: [{ type: 'Approved', status: 'True' }], certificate: b64('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n') };
  csr.status = { conditions: [] };
  assert.deepEqual(messages(def.validateUpdate(csr, old)), ['status.conditions: Forbidden: updates may not remove a condition of type "Approved"',
    'status.certificate: Forbidden: updates may not modify existing certificate content']);
});

test('the requester is the server\'s to record, and the spec never changes after create', async () => {
  const csr = await csrObject({ cn: 'alice', signer: CLIENT, usages: ['client auth'], username: 'forged' });
  def.prepareForCreate(csr, { listCached: () => [] }, { dryRun: false, fieldValidation: 'Strict', warnings: [],
    access: { user: { username: 'bob', uid: 'u1', groups: ['g1'] } } as never });
  assert.deepEqual([csr.spec?.username, csr.spec?.uid, csr.spec?.groups], ['bob', 'u1', ['g1']]);
  const changed = structuredClone(csr);
  changed.spec!.username = 'mallory';
  def.prepareForUpdate(changed, csr);
  assert.equal(changed.spec?.username, 'bob');
});

test('the CONDITION column: Pending, Approved,Issued, Denied', async () => {
  const csr = await csrObject({ cn: 'alice', signer: CLIENT, usages: ['client auth'] });
  assert.equal(conditionColumn(csr), 'Pending');
  csr.status = { conditions: approved, certificate: 'eA==' };
  assert.equal(conditionColumn(csr), 'Approved,Issued');
  csr.status = { conditions: [{ type: 'Denied', status: 'True' }] };
  assert.equal(conditionColumn(csr), 'Denied');
});

test('signer rules: a node client certificate is O=system:nodes, CN=system:node:<name>, client usages; API clients client usages only', async () => {
  const node = parseCSR((await createCSR({ commonName: 'system:node:n1', organizations: ['system:nodes'] })).csr);
  assert.equal(signerMismatch(KUBELET, node, ['client auth', 'digital signature']), undefined);
  assert.equal(signerMismatch(KUBELET, node, ['server auth']), 'key usage does not match');
  const masters = parseCSR((await createCSR({ commonName: 'system:node:n1', organizations: ['system:masters'] })).csr);
  assert.equal(signerMismatch(KUBELET, masters, ['client auth']), 'subject organization is not system:nodes');
  const notNode = parseCSR((await createCSR({ commonName: 'admin', organizations: ['system:nodes'] })).csr);
  assert.match(signerMismatch(KUBELET, notNode, ['client auth']) ?? '', /common name does not begin with system:node:/);
  const withDns = parseCSR((await createCSR({ commonName: 'system:node:n1', organizations: ['system:nodes'], dnsNames: ['n1'] })).csr);
  assert.equal(signerMismatch(KUBELET, withDns, ['client auth']), 'DNS subjectAltNames are not allowed');
  assert.equal(signerMismatch('kubernetes.io/kubelet-serving', node, ['server auth']), 'DNS or IP subjectAltName is required');
  assert.equal(signerMismatch('kubernetes.io/kubelet-serving', withDns, ['server auth', 'digital signature']), undefined);
  assert.match(signerMismatch(CLIENT, node, ['server auth']) ?? '', /invalid usage for client certificate/);
});

test('the approver: a bootstrap token\'s node request under nodeclient, a node\'s own renewal under selfnodeclient, nothing else', async () => {
  const asked: string[] = [];
  const grants = (allowed: string[]): RequesterCheck => async (csr, sub) => {
    asked.push(`${csr.spec?.username}:${sub}`);
    return allowed.includes(sub);
  };
  const join = await csrObject({ cn: 'system:node:n1', orgs: ['system:nodes'], signer: KUBELET, usages: ['client auth'], username: 'system:bootstrap:abcdef' });
  assert.match((await approvalFor(join, grants(['nodeclient'])))?.message ?? '', /Auto approving kubelet client certificate/);
  assert.deepEqual(asked, ['system:bootstrap:abcdef:nodeclient']);
  assert.equal(await approvalFor(join, grants([])), undefined);
  const renew = await csrObject({ cn: 'system:node:n1', orgs: ['system:nodes'], signer: KUBELET, usages: ['client auth'], username: 'system:node:n1' });
  assert.match((await approvalFor(renew, grants(['selfnodeclient'])))?.message ?? '', /self kubelet client certificate/);
  // a node asking for another node's certificate is not its own renewal: selfnodeclient does not cover it
  const other = await csrObject({ cn: 'system:node:n2', orgs: ['system:nodes'], signer: KUBELET, usages: ['client auth'], username: 'system:node:n1' });
  assert.equal(await approvalFor(other, grants(['selfnodeclient'])), undefined);
  const forged = await csrObject({ cn: 'system:node:n1', orgs: ['system:masters'], signer: KUBELET, usages: ['client auth'], username: 'system:bootstrap:abcdef' });
  asked.length = 0;
  assert.equal(await approvalFor(forged, grants(['nodeclient', 'selfnodeclient'])), undefined);
  assert.deepEqual(asked, [], 'a request that does not fit the signer is not even asked about');
  const client = await csrObject({ cn: 'alice', signer: CLIENT, usages: ['client auth'] });
  assert.equal(await approvalFor(client, grants(['nodeclient', 'selfnodeclient'])), undefined);
  const done = await csrObject({ cn: 'system:node:n1', orgs: ['system:nodes'], signer: KUBELET, usages: ['client auth'], conditions: approved });
  assert.equal(await approvalFor(done, grants(['nodeclient'])), undefined);
});

test('the signer: issues approved requests from the CA for min(expirationSeconds, the cluster duration); fails misfits; leaves the rest', async () => {
  const ca = await createCA('test-ca');
  const now = Date.now();
  const csr = await csrObject({ cn: 'system:node:n1', orgs: ['system:nodes'], signer: KUBELET, usages: ['client auth', 'digital signature'], conditions: approved, expirationSeconds: 3600 });
  const d = await decide(csr, ca, 365 * 24 * 3600_000, now);
  assert.equal(d.action, 'issue');
  const cert = new X509Certificate((d as { certificate: string }).certificate);
  assert.ok(cert.checkIssued(new X509Certificate(ca.cert)) && cert.verify(new X509Certificate(ca.cert).publicKey));
  assert.match(cert.subject, /CN=system:node:n1/);
  assert.match(cert.subject, /O=system:nodes/);
  assert.equal(Date.parse(cert.validTo) - Math.floor(now / 1000) * 1000 <= 3600_000 + 1000, true);
  assert.ok(Date.parse(cert.validTo) > now + 3500_000);
  assert.equal(durationFor(csr, 1800_000), 1800_000, 'the cluster duration caps what is asked');
  assert.equal(durationFor({ ...csr, spec: { ...csr.spec, expirationSeconds: undefined } }, 1800_000), 1800_000);
  const pending = await csrObject({ cn: 'system:node:n1', orgs: ['system:nodes'], signer: KUBELET, usages: ['client auth'] });
  assert.deepEqual(await decide(pending, ca, 3600_000), { action: 'none' });
  const custom = await csrObject({ cn: 'x', signer: 'example.com/mine', usages: ['client auth'], conditions: approved });
  assert.deepEqual(await decide(custom, ca, 3600_000), { action: 'none' });
  const forged = await csrObject({ cn: 'system:node:n1', orgs: ['system:masters'], signer: KUBELET, usages: ['client auth'], conditions: approved });
  assert.deepEqual(await decide(forged, ca, 3600_000), { action: 'fail', message: 'subject organization is not system:nodes' });
});

test('the cleaner: approved or denied an hour after, pending a day after creation', async () => {
  const pending = await csrObject({ cn: 'a', signer: CLIENT, usages: ['client auth'] });
  assert.equal(deleteAt(pending), Date.parse('2026-12-01T00:00:00Z') + PENDING_EXPIRATION_MS);
  const done = await csrObject({ cn: 'a', signer: CLIENT, usages: ['client auth'], conditions: approved });
  assert.equal(deleteAt(done), Date.parse('2026-12-01T01:10:00Z'));
  const denied = await csrObject({ cn: 'a', signer: CLIENT, usages: ['client auth'], conditions: [{ type: 'Denied', status: 'True', lastUpdateTime: '2026-12-01T00:20:00Z' }] });
  assert.equal(deleteAt(denied), Date.parse('2026-12-01T01:20:00Z'));
});
