// The node-local DNS server on loopback (no root needed): every record type over UDP and TCP, asked with dns-packet
// queries as dig would; names outside the zone go to a fake upstream the test runs, never a real server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as dnsPacket from 'dns-packet';
import { answerLines, dnsQuery, exchange, type DnsResponse } from '../testing/dns-client.js';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { endpoints, pod, service } from '../testing/fixtures.js';
import type { EndpointModel } from '../model.js';
import { DnsServer, type DnsModel } from './server.js';

const headlessEndpoints: EndpointModel[] = [
  ...endpoints('db', ['10.244.1.10'], { hostname: 'db-0', ports: [{ name: 'sql', protocol: 'TCP', port: 5432 }] }),
  ...endpoints('db', ['10.244.1.11'], { hostname: 'db-1', ports: [{ name: 'sql', protocol: 'TCP', port: 5432 }] }),
  ...endpoints('db', ['10.244.1.12'], { ports: [{ name: 'sql', protocol: 'TCP', port: 5432 }] }),
  ...endpoints('db', ['10.244.1.13'], { ready: false, hostname: 'db-3', ports: [{ name: 'sql', protocol: 'TCP', port: 5432 }] }),
];

const MODEL: DnsModel = {
  services: [
    service('web', '10.96.0.10', { ports: [{ name: 'http', protocol: 'TCP', port: 80 }, { name: 'dns', protocol: 'UDP', port: 53 }, { name: '', protocol: 'TCP', port: 81 }] }),
    service('dual', '10.96.0.11', { clusterIPs: ['10.96.0.11', 'fd00:96::11'] }),
    service('db', 'None', { ports: [{ name: 'sql', protocol: 'TCP', port: 5432 }] }),
    service('nothing-ready', 'None'),
    service('ext', '', { type: 'ExternalName', clusterIPs: [], externalName: 'www.example.com' }),
    service('alias', '', { type: 'ExternalName', clusterIPs: [], externalName: 'web.default.svc.cluster.local' }),
    service('big', 'None', { namespace: 'bulk' }),
  ],
  endpoints: [
    ...endpoints('web', ['10.244.0.2'], { ports: [{ name: 'http', protocol: 'TCP', port: 8080 }] }),
    ...headlessEndpoints,
    ...endpoints('nothing-ready', ['10.244.2.1'], { ready: false }),
    ...Array.from({ length: 20 }, (_, i) => endpoints('big', [`10.244.3.${i + 1}`], { namespace: 'bulk' })).flat(),
  ],
  pods: [pod('p', '10.244.0.7', { namespace: 'team' }), pod('q', 'fd00:244::7', { namespace: 'team' })],
};

const UPSTREAM = {
  'www.example.com A': ['192.0.2.53'],
  'example.org A': ['192.0.2.1'],
  'example.org AAAA': ['2001:db8::1'],
  '1.2.0.192.in-addr.arpa PTR': ['host.example.org'],
};

let upstream: FakeUpstream;
let server: DnsServer;
let port: number;
const TRANSPORTS = ['udp', 'tcp'] as const;

function ask(name: string, type: string, transport: 'udp' | 'tcp', ednsSize?: number): Promise<DnsResponse> {
  return dnsQuery({ host: '127.0.0.1', port, name, type, transport, ednsSize });
}

describe('cluster DNS server', () => {
  before(async () => {
    upstream = await FakeUpstream.start(UPSTREAM);
    server = await DnsServer.start({ listen: [{ address: '127.0.0.1', port: 0 }], upstreams: [{ address: upstream.address, port: upstream.port }], log: { debug() {}, info() {}, warn() {}, error() {} } }, MODEL);
    port = server.bound[0]?.port as number;
  });
  after(async () => {
    await server?.close();
    await upstream?.close();
  });

  for (const t of TRANSPORTS) {
    test(`[${t}] A and AAAA of a Service are its ClusterIPs, authoritative, names case-insensitive`, async () => {
      const a = await ask('web.default.svc.cluster.local', 'A', t);
      assert.equal(a.rcode, 'NOERROR');
      assert.equal(a.flag_aa, true);
      assert.deepEqual(answerLines(a), ['web.default.svc.cluster.local A 10.96.0.10']);
      assert.deepEqual(answerLines(await ask('DUAL.Default.SVC.cluster.local', 'AAAA', t)), ['DUAL.Default.SVC.cluster.local AAAA fd00:96::11']);
      const none = await ask('web.default.svc.cluster.local', 'AAAA', t);
      assert.equal(none.rcode, 'NOERROR', 'the name exists: NODATA, not NXDOMAIN');
      assert.deepEqual(answerLines(none), []);
      assert.deepEqual(answerLines(none, none.authorities), ['cluster.local SOA ns.dns.cluster.local hostmaster.cluster.local']);
    });

    test(`[${t}] a headless Service answers with its ready endpoints; with none ready it does not exist`, async () => {
      assert.deepEqual(answerLines(await ask('db.default.svc.cluster.local', 'A', t)), [
        'db.default.svc.cluster.local A 10.244.1.10', 'db.default.svc.cluster.local A 10.244.1.11', 'db.default.svc.cluster.local A 10.244.1.12',
      ]);
      assert.equal((await ask('nothing-ready.default.svc.cluster.local', 'A', t)).rcode, 'NXDOMAIN');
    });

    test(`[${t}] SRV for named ports: the Service name for a ClusterIP, each endpoint for a headless Service, addresses added`, async () => {
      const srv = await ask('_http._tcp.web.default.svc.cluster.local', 'SRV', t);
      assert.deepEqual(answerLines(srv), ['_http._tcp.web.default.svc.cluster.local SRV 0 100 80 web.default.svc.cluster.local']);
      assert.deepEqual(answerLines(srv, srv.additionals?.filter((a) => a.type !== 'OPT')), ['web.default.svc.cluster.local A 10.96.0.10']);
      assert.deepEqual(answerLines(await ask('_dns._udp.web.default.svc.cluster.local', 'SRV', t)), ['_dns._udp.web.default.svc.cluster.local SRV 0 100 53 web.default.svc.cluster.local']);
      assert.equal((await ask('_dns._tcp.web.default.svc.cluster.local', 'SRV', t)).rcode, 'NXDOMAIN', 'wrong protocol');
      const h = await ask('_sql._tcp.db.default.svc.cluster.local', 'SRV', t);
      assert.deepEqual(answerLines(h), [
        '_sql._tcp.db.default.svc.cluster.local SRV 0 33 5432 10-244-1-12.db.default.svc.cluster.local',
        '_sql._tcp.db.default.svc.cluster.local SRV 0 33 5432 db-0.db.default.svc.cluster.local',
        '_sql._tcp.db.default.svc.cluster.local SRV 0 33 5432 db-1.db.default.svc.cluster.local',
      ]);
      assert.equal(h.additionals?.filter((a) => a.type === 'A').length, 3);
    });

    test(`[${t}] hostname.subdomain of a pod behind a headless Service, and the dashed name of an endpoint without one`, async () => {
      assert.deepEqual(answerLines(await ask('db-1.db.default.svc.cluster.local', 'A', t)), ['db-1.db.default.svc.cluster.local A 10.244.1.11']);
      assert.deepEqual(answerLines(await ask('10-244-1-12.db.default.svc.cluster.local', 'A', t)), ['10-244-1-12.db.default.svc.cluster.local A 10.244.1.12']);
      assert.equal((await ask('db-3.db.default.svc.cluster.local', 'A', t)).rcode, 'NXDOMAIN', 'not ready: not published');
    });

    test(`[${t}] pod records for the addresses of pods in that namespace`, async () => {
      assert.deepEqual(answerLines(await ask('10-244-0-7.team.pod.cluster.local', 'A', t)), ['10-244-0-7.team.pod.cluster.local A 10.244.0.7']);
      assert.deepEqual(answerLines(await ask('fd00-244--7.team.pod.cluster.local', 'AAAA', t)), ['fd00-244--7.team.pod.cluster.local AAAA fd00:244::7']);
      assert.equal((await ask('10-244-0-7.default.pod.cluster.local', 'A', t)).rcode, 'NXDOMAIN', 'another namespace');
      assert.equal((await ask('10-244-0-99.team.pod.cluster.local', 'A', t)).rcode, 'NXDOMAIN', 'no such pod');
    });

    test(`[${t}] ExternalName: a CNAME, with its target resolved upstream; inside the zone, resolved here`, async () => {
      assert.deepEqual(answerLines(await ask('ext.default.svc.cluster.local', 'A', t)), ['ext.default.svc.cluster.local CNAME www.example.com', 'www.example.com A 192.0.2.53']);
      assert.deepEqual(answerLines(await ask('ext.default.svc.cluster.local', 'CNAME', t)), ['ext.default.svc.cluster.local CNAME www.example.com']);
      assert.deepEqual(answerLines(await ask('alias.default.svc.cluster.local', 'A', t)), ['alias.default.svc.cluster.local CNAME web.default.svc.cluster.local', 'web.default.svc.cluster.local A 10.96.0.10']);
    });

    test(`[${t}] PTR for ClusterIPs and endpoint addresses; other reverse names go upstream`, async () => {
      assert.deepEqual(answerLines(await ask('10.0.96.10.in-addr.arpa', 'PTR', t)), ['10.0.96.10.in-addr.arpa PTR web.default.svc.cluster.local']);
      assert.deepEqual(answerLines(await ask('11.1.244.10.in-addr.arpa', 'PTR', t)), ['11.1.244.10.in-addr.arpa PTR db-1.db.default.svc.cluster.local']);
      const v6 = '1.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.0.d.f.ip6.arpa';
      assert.deepEqual(answerLines(await ask(v6, 'PTR', t)), [`${v6} PTR dual.default.svc.cluster.local`]);
      assert.deepEqual(answerLines(await ask('1.2.0.192.in-addr.arpa', 'PTR', t)), ['1.2.0.192.in-addr.arpa PTR host.example.org']);
    });

    test(`[${t}] an unknown name in the zone is NXDOMAIN with the zone's SOA; interior names and the apex exist`, async () => {
      for (const name of ['nope.default.svc.cluster.local', 'web.other.svc.cluster.local', 'google.com.default.svc.cluster.local']) {
        const r = await ask(name, 'A', t);
        assert.equal(r.rcode, 'NXDOMAIN', name);
        assert.equal(r.flag_aa, true);
        assert.deepEqual(answerLines(r, r.authorities), ['cluster.local SOA ns.dns.cluster.local hostmaster.cluster.local']);
      }
      assert.equal((await ask('default.svc.cluster.local', 'A', t)).rcode, 'NOERROR');
      assert.deepEqual(answerLines(await ask('cluster.local', 'SOA', t)), ['cluster.local SOA ns.dns.cluster.local hostmaster.cluster.local']);
      assert.deepEqual(answerLines(await ask('dns-version.cluster.local', 'TXT', t)), ['dns-version.cluster.local TXT 1.1.0']);
    });

    test(`[${t}] everything else is forwarded to the upstream servers, over the client's transport`, async () => {
      const before = upstream.asked.length;
      const r = await ask('example.org', 'A', t);
      assert.deepEqual(answerLines(r), ['example.org A 192.0.2.1']);
      assert.equal(r.flag_aa, false, 'not our zone: not authoritative');
      assert.deepEqual(answerLines(await ask('example.org', 'AAAA', t)), ['example.org AAAA 2001:db8::1']);
      assert.equal((await ask('missing.example.org', 'A', t)).rcode, 'NXDOMAIN');
      assert.deepEqual(upstream.asked.slice(before).map((a) => a.transport), [t, t, t]);
    });
  }

  test('a big answer is truncated over UDP (TC), complete over TCP, and an EDNS client may take more over UDP', async () => {
    const name = 'big.bulk.svc.cluster.local';
    const udp = await ask(name, 'A', 'udp');
    assert.equal(udp.flag_tc, true);
    assert.deepEqual(udp.answers, []);
    const tcp = await ask(name, 'A', 'tcp');
    assert.equal(tcp.flag_tc, false);
    assert.equal(tcp.answers?.length, 20);
    // dns-packet does not compress names, so 20 A records take ~900 bytes: over 512, under our EDNS 1232.
    const edns = await ask(name, 'A', 'udp', 4096);
    assert.equal(edns.flag_tc, false);
    assert.equal(edns.answers?.length, 20);
  });

  test('a repeated question (answered from the encoded-answer cache) carries its own ID and case', async () => {
    for (const [id, name] of [[101, 'web.default.svc.cluster.local'], [202, 'web.default.svc.cluster.local'], [303, 'WEB.default.svc.cluster.local']] as const) {
      const q = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A' }] });
      const r = dnsPacket.decode(await exchange('127.0.0.1', port, q, 'udp')) as DnsResponse;
      assert.equal(r.id, id);
      assert.equal(r.questions?.[0]?.name, name);
      assert.deepEqual(answerLines(r), [`${name} A 10.96.0.10`]);
    }
  });

  test('update() changes the answers at once', async () => {
    server.update({ ...MODEL, services: [...MODEL.services, service('late', '10.96.0.99')] });
    assert.deepEqual(answerLines(await ask('late.default.svc.cluster.local', 'A', 'udp')), ['late.default.svc.cluster.local A 10.96.0.99']);
    server.update(MODEL);
    assert.equal((await ask('late.default.svc.cluster.local', 'A', 'udp')).rcode, 'NXDOMAIN');
  });

  test('bad input never crashes it: garbage is ignored or FORMERR, a response is ignored, two questions are FORMERR', async () => {
    const garbage = Buffer.from('this is not a dns message at all....');
    const formerr = dnsPacket.decode(await exchange('127.0.0.1', port, garbage, 'udp')) as DnsResponse;
    assert.equal(formerr.rcode, 'FORMERR');
    const two = dnsPacket.encode({ type: 'query', id: 7, questions: [{ name: 'a.cluster.local', type: 'A' }, { name: 'b.cluster.local', type: 'A' }] });
    assert.equal((dnsPacket.decode(await exchange('127.0.0.1', port, two, 'tcp')) as DnsResponse).rcode, 'FORMERR');
    const response = dnsPacket.encode({ type: 'response', id: 8, questions: [{ name: 'a.cluster.local', type: 'A' }] });
    await assert.rejects(exchange('127.0.0.1', port, response, 'udp', 300), /no DNS answer/);
    await assert.rejects(exchange('127.0.0.1', port, Buffer.from([1, 2, 3]), 'udp', 300), /no DNS answer/);
    assert.deepEqual(answerLines(await ask('web.default.svc.cluster.local', 'A', 'udp')), ['web.default.svc.cluster.local A 10.96.0.10'], 'still answering');
  });

  test('upstream servers that do not answer: SERVFAIL after trying each', async () => {
    const dead = await FakeUpstream.start({});
    const deadPort = dead.port;
    await dead.close();
    const s = await DnsServer.start({ listen: [{ address: '127.0.0.1', port: 0 }], upstreams: [{ address: '127.0.0.1', port: deadPort }], upstreamTimeoutMs: 300, log: { debug() {}, info() {}, warn() {}, error() {} } }, MODEL);
    try {
      const r = await dnsQuery({ host: '127.0.0.1', port: s.bound[0]?.port as number, name: 'example.org', type: 'A', transport: 'udp' });
      assert.equal(r.rcode, 'SERVFAIL');
      assert.deepEqual(answerLines(await dnsQuery({ host: '127.0.0.1', port: s.bound[0]?.port as number, name: 'web.default.svc.cluster.local', type: 'A', transport: 'tcp' })), ['web.default.svc.cluster.local A 10.96.0.10'], 'the zone needs no upstream');
    } finally {
      await s.close();
    }
  });
});
