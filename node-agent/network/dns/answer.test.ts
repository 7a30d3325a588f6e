import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpoints, pod, service } from '../testing/fixtures.js';
import { resolveQuestion, type AnswerOptions } from './answer.js';
import { buildZone } from './records.js';

const zone = buildZone({
  services: [service('web', '10.96.0.10'), service('ext', '', { type: 'ExternalName', clusterIPs: [], externalName: 'Example.ORG.' })],
  endpoints: endpoints('web', ['10.244.0.2']),
  pods: [pod('p', '10.244.0.7', { namespace: 'team' }), pod('h', '192.168.1.5', { namespace: 'team', hostNetwork: true })],
}, 'Cluster.Local.');
const opts = (podRecords: AnswerOptions['podRecords']): AnswerOptions => ({ ttl: 5, podRecords });
const ask = (name: string, type: 'A' | 'ANY' | 'PTR' | 'MX', o = opts('verified')) => resolveQuestion(zone, { name, type }, o);

test('the zone is normalised (case, dots); names outside it are forwarded', () => {
  assert.equal(zone.zone, 'cluster.local');
  assert.equal(ask('web.default.svc.cluster.local.', 'A').kind, 'zone');
  assert.equal(ask('example.org', 'A').kind, 'forward');
  assert.equal(ask('cluster.local.example.org', 'A').kind, 'forward');
});

test('pod records: verified answers only pods\' addresses (not host-network ones), insecure any address, disabled none', () => {
  const rcode = (r: ReturnType<typeof ask>) => (r.kind === 'zone' ? r.answer.rcode : 'forward');
  assert.equal(rcode(ask('10-244-0-7.team.pod.cluster.local', 'A')), 'NOERROR');
  assert.equal(rcode(ask('192-168-1-5.team.pod.cluster.local', 'A')), 'NXDOMAIN');
  assert.equal(rcode(ask('1-2-3-4.team.pod.cluster.local', 'A', opts('insecure'))), 'NOERROR');
  assert.equal(rcode(ask('10-244-0-7.team.pod.cluster.local', 'A', opts('disabled'))), 'NXDOMAIN');
  assert.equal(rcode(ask('team.pod.cluster.local', 'A')), 'NOERROR', 'the namespace\'s pod domain exists (NODATA)');
});

test('ExternalName targets are lower-cased without the root dot and chased upstream; ANY gathers every type; MX is NODATA', () => {
  const r = ask('ext.default.svc.cluster.local', 'A');
  assert.ok(r.kind === 'zone');
  assert.deepEqual(r.answer.chase, { name: 'example.org', type: 'A' });
  const any = ask('web.default.svc.cluster.local', 'ANY');
  assert.ok(any.kind === 'zone');
  assert.deepEqual(any.answer.answers.map((a) => a.type), ['A', 'SRV']);
  const mx = ask('web.default.svc.cluster.local', 'MX');
  assert.ok(mx.kind === 'zone' && mx.answer.rcode === 'NOERROR' && mx.answer.answers.length === 0 && mx.answer.authorities[0]?.type === 'SOA');
});

test('reverse names of unknown addresses are forwarded; ours are answered', () => {
  assert.equal(ask('2.0.244.10.in-addr.arpa', 'PTR').kind, 'zone');
  assert.equal(ask('9.9.244.10.in-addr.arpa', 'PTR').kind, 'forward');
  assert.equal(ask('244.10.in-addr.arpa', 'PTR').kind, 'forward');
});
