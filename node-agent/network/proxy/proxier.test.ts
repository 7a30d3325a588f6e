// The service proxy on the real kernel: each test builds its own node (network namespaces, a bridge, veths; see
// testing/lab.ts), programs the proxy's tables inside that node's namespace only, checks the rules are there before
// any packet goes to a ClusterIP, and sends real TCP and UDP traffic. Needs root; skipped (not passed) otherwise.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab } from '../testing/lab.js';
import { canRunKernelTests } from '../testing/netns.js';
import { endpoints, model, service } from '../testing/fixtures.js';
import type { ProbeResult } from '../testing/probe.js';
import type { NetworkModel } from '../model.js';
import { Proxier } from './proxier.js';

const can = canRunKernelTests();
const skip = can.ok ? false : can.reason;
let seq = 0;

async function withNode(fn: (lab: Lab, proxier: Proxier) => Promise<void>): Promise<void> {
  const lab = await Lab.create();
  const proxier = new Proxier({ name: `t${process.pid}-${++seq}`, runner: lab.node.run });
  try {
    await fn(lab, proxier);
  } finally {
    await lab.destroy();
  }
}

/** Syncs, then confirms the destination is in the table before anything is sent to it. */
async function program(lab: Lab, proxier: Proxier, m: NetworkModel, mustContain: string[]): Promise<void> {
  await proxier.sync(m);
  const table = await lab.node.ok('nft', ['list', 'table', 'ip', proxier.table]);
  for (const s of mustContain) assert.ok(table.includes(s), `the table holds ${s}:\n${table}`);
}

const names = (rs: ProbeResult[]) => rs.map((r) => (r.ok ? (r.body ?? '').split(' ')[0] : `!${r.error}`));
const peers = (rs: ProbeResult[]) => new Set(rs.map((r) => (r.body ?? '').split(' ')[1]));

describe('service proxy on nftables (real kernel, in network namespaces)', () => {
  test('ClusterIP: both endpoints answer from the host and from a pod, and the pod client keeps its address', { skip }, async () => {
    await withNode(async (lab, proxier) => {
      const a = await lab.addPod('a', 2);
      const b = await lab.addPod('b', 3);
      const c = await lab.addPod('c', 4);
      await lab.echo(a.ns, { name: 'a', tcp: [8080] });
      await lab.echo(b.ns, { name: 'b', tcp: [8080] });
      await program(lab, proxier, model({ services: [service('web', '10.96.0.10')], endpoints: endpoints('web', [a.ip, b.ip]) }), ['10.96.0.10 . tcp . 80 : goto svc-']);

      const fromHost = await lab.probe(lab.node, { mode: 'tcp', host: '10.96.0.10', port: 80, count: 30 });
      assert.deepEqual(new Set(names(fromHost)), new Set(['a', 'b']), `from the host: ${names(fromHost)}`);
      const fromPod = await lab.probe(c.ns, { mode: 'tcp', host: '10.96.0.10', port: 80, count: 30 });
      assert.deepEqual(new Set(names(fromPod)), new Set(['a', 'b']), `from a pod: ${names(fromPod)}`);
      assert.deepEqual(peers(fromPod), new Set([c.ip]), 'pod-to-Service traffic is not masqueraded');
    });
  });

  test('hairpin: a pod reaching its own Service is answered, masqueraded to the node', { skip }, async () => {
    await withNode(async (lab, proxier) => {
      const a = await lab.addPod('a', 2);
      await lab.echo(a.ns, { name: 'a', tcp: [8080] });
      await program(lab, proxier, model({ services: [service('self', '10.96.0.20')], endpoints: endpoints('self', [a.ip]) }), ['10.96.0.20 . tcp . 80']);
      const rs = await lab.probe(a.ns, { mode: 'tcp', host: '10.96.0.20', port: 80, count: 5 });
      assert.deepEqual(names(rs), ['a', 'a', 'a', 'a', 'a']);
      assert.deepEqual(peers(rs), new Set([lab.bridgeIP]), 'the pod sees the node as the client, so its reply comes back through the DNAT');
    });
  });

  test('NodePort and LoadBalancer IP from an external host: Cluster policy masquerades; Local keeps the client address and uses only this node', { skip }, async () => {
    await withNode(async (lab, proxier) => {
      const a = await lab.addPod('a', 2);
      const b = await lab.addPod('b', 3);
      const ext = await lab.addExternal('client', 1);
      await lab.echo(a.ns, { name: 'a', tcp: [8080] });
      await lab.echo(b.ns, { name: 'b', tcp: [8080] });
      const lb = '10.250.0.10';
      const m = model({
        nodeIPs: [ext.nodeIP],
        services: [
          service('np', '10.96.0.30', { type: 'NodePort', ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 30080 }] }),
          service('lb', '10.96.0.31', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancerIngressIPs: [lb], ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 30081 }] }),
        ],
        // b counts as on another node: Local traffic may not use it.
        endpoints: [...endpoints('np', [a.ip, b.ip]), ...endpoints('lb', [a.ip]), ...endpoints('lb', [b.ip], { nodeName: 'node-2' })],
      });
      await program(lab, proxier, m, ['tcp . 30080 : goto ext-', 'tcp . 30081 : goto ext-', `${lb} . tcp . 80 : goto ext-`, ext.nodeIP]);

      const np = await lab.probe(ext.ns, { mode: 'tcp', host: ext.nodeIP, port: 30080, count: 30 });
      assert.deepEqual(new Set(names(np)), new Set(['a', 'b']), `NodePort: ${names(np)}`);
      assert.deepEqual(peers(np), new Set([lab.bridgeIP]), 'Cluster policy: the endpoint sees the node');

      for (const [host, port] of [[ext.nodeIP, 30081], [lb, 80]] as const) {
        const local = await lab.probe(ext.ns, { mode: 'tcp', host, port, count: 15 });
        assert.deepEqual(new Set(names(local)), new Set(['a']), `Local policy via ${host}:${port} uses only this node's endpoint: ${names(local)}`);
        assert.deepEqual(peers(local), new Set([ext.ip]), 'Local policy keeps the client address');
      }
      // A pod using the Local Service's ClusterIP is internal traffic: every endpoint.
      const internal = await lab.probe(lab.node, { mode: 'tcp', host: '10.96.0.31', port: 80, count: 30 });
      assert.deepEqual(new Set(names(internal)), new Set(['a', 'b']));
    });
  });

  test('a Service without endpoints refuses at once (not a hang), from the host, a pod and a node port; so does a port a ClusterIP does not serve', { skip }, async () => {
    await withNode(async (lab, proxier) => {
      const c = await lab.addPod('c', 4);
      const ext = await lab.addExternal('client', 1);
      const m = model({
        nodeIPs: [ext.nodeIP],
        services: [
          service('empty', '10.96.0.40', { type: 'NodePort', ports: [{ name: 'http', protocol: 'TCP', port: 80, nodePort: 30090 }, { name: 'dns', protocol: 'UDP', port: 53, nodePort: 30091 }] }),
        ],
      });
      await program(lab, proxier, m, ['10.96.0.40 . tcp . 80 : goto reject-chain', 'tcp . 30090 : goto reject-chain']);
      // A hang would show as ETIMEDOUT after 5 s; a refusal comes back as ECONNREFUSED.
      const timeoutMs = 5000;
      assert.deepEqual(names(await lab.probe(lab.node, { mode: 'tcp', host: '10.96.0.40', port: 80, timeoutMs })), ['!ECONNREFUSED']);
      assert.deepEqual(names(await lab.probe(c.ns, { mode: 'tcp', host: '10.96.0.40', port: 80, timeoutMs })), ['!ECONNREFUSED']);
      assert.deepEqual(names(await lab.probe(c.ns, { mode: 'udp', host: '10.96.0.40', port: 53, timeoutMs })), ['!ECONNREFUSED']);
      assert.deepEqual(names(await lab.probe(ext.ns, { mode: 'tcp', host: ext.nodeIP, port: 30090, timeoutMs })), ['!ECONNREFUSED']);
      assert.deepEqual(names(await lab.probe(c.ns, { mode: 'tcp', host: '10.96.0.40', port: 8443, timeoutMs })), ['!ECONNREFUSED'], 'an unserved port of a ClusterIP');
    });
  });

  test('terminating endpoints serve only while no endpoint is ready', { skip }, async () => {
    await withNode(async (lab, proxier) => {
      const a = await lab.addPod('a', 2);
      const b = await lab.addPod('b', 3);
      const c = await lab.addPod('c', 4);
      for (const p of [a, b, c]) await lab.echo(p.ns, { name: p.name, tcp: [8080] });
      const terminating = [
        ...endpoints('web', [a.ip], { ready: false, serving: true, terminating: true }),
        // no longer serving: never used
        ...endpoints('web', [b.ip], { ready: false, serving: false, terminating: true }),
      ];
      await program(lab, proxier, model({ services: [service('web', '10.96.0.50')], endpoints: terminating }), ['10.96.0.50 . tcp . 80 : goto svc-']);
      assert.deepEqual(new Set(names(await lab.probe(lab.node, { mode: 'tcp', host: '10.96.0.50', port: 80, count: 10 }))), new Set(['a']));

      await program(lab, proxier, model({ services: [service('web', '10.96.0.50')], endpoints: [...terminating, ...endpoints('web', [c.ip])] }), [`dnat to ${c.ip}:8080`]);
      assert.deepEqual(new Set(names(await lab.probe(lab.node, { mode: 'tcp', host: '10.96.0.50', port: 80, count: 10 }))), new Set(['c']));
    });
  });

  test('session affinity ClientIP: a client sticks to one endpoint, remembered in a set with the timeout', { skip }, async () => {
    await withNode(async (lab, proxier) => {
      const a = await lab.addPod('a', 2);
      const b = await lab.addPod('b', 3);
      const c = await lab.addPod('c', 4);
      const d = await lab.addPod('d', 5);
      await lab.echo(a.ns, { name: 'a', tcp: [8080] });
      await lab.echo(b.ns, { name: 'b', tcp: [8080] });
      const svc = service('sticky', '10.96.0.60', { sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 600 });
      await program(lab, proxier, model({ services: [svc], endpoints: endpoints('sticky', [a.ip, b.ip]) }), ['10.96.0.60 . tcp . 80', 'timeout 10m']);
      const fromC = names(await lab.probe(c.ns, { mode: 'tcp', host: '10.96.0.60', port: 80, count: 20 }));
      assert.equal(new Set(fromC).size, 1, `one client, one endpoint: ${fromC}`);
      const fromD = names(await lab.probe(d.ns, { mode: 'tcp', host: '10.96.0.60', port: 80, count: 20 }));
      assert.equal(new Set(fromD).size, 1, `another client sticks too: ${fromD}`);
      const table = await lab.node.ok('nft', ['list', 'table', 'ip', proxier.table]);
      assert.match(table, new RegExp(`elements = \\{ ${c.ip.replace(/\./g, '\\.')} (timeout 10m )?expires`), 'the client is remembered with an expiry');

      // A later sync (an unrelated Service added) leaves the remembered clients alone.
      await program(lab, proxier, model({ services: [svc, service('other', '10.96.0.61')], endpoints: endpoints('sticky', [a.ip, b.ip]) }), ['10.96.0.61 . tcp . 80']);
      const again = names(await lab.probe(c.ns, { mode: 'tcp', host: '10.96.0.60', port: 80, count: 10 }));
      assert.deepEqual(new Set(again), new Set(fromC), 'still the same endpoint after another sync');
    });
  });

  test('an endpoint removed: traffic moves to the others, through a transaction of a few lines', { skip }, async () => {
    await withNode(async (lab, proxier) => {
      const a = await lab.addPod('a', 2);
      const b = await lab.addPod('b', 3);
      await lab.echo(a.ns, { name: 'a', tcp: [8080] });
      await lab.echo(b.ns, { name: 'b', tcp: [8080] });
      await program(lab, proxier, model({ services: [service('web', '10.96.0.70')], endpoints: endpoints('web', [a.ip, b.ip]) }), ['10.96.0.70 . tcp . 80']);
      assert.deepEqual(new Set(names(await lab.probe(lab.node, { mode: 'tcp', host: '10.96.0.70', port: 80, count: 30 }))), new Set(['a', 'b']));
      const r = await proxier.sync(model({ services: [service('web', '10.96.0.70')], endpoints: endpoints('web', [b.ip]) }));
      assert.deepEqual(r.fullTables, [], 'patched, not replaced');
      assert.ok(r.nftLines > 0 && r.nftLines < 10, `a small transaction (${r.nftLines} lines)`);
      const table = await lab.node.ok('nft', ['list', 'table', 'ip', proxier.table]);
      assert.ok(!table.includes(`dnat to ${a.ip}:8080`), 'the removed endpoint has no chain left');
      assert.deepEqual(new Set(names(await lab.probe(lab.node, { mode: 'tcp', host: '10.96.0.70', port: 80, count: 20 }))), new Set(['b']));
    });
  });

  test('UDP: a flow pinned to an endpoint moves when that endpoint is removed (its conntrack entry is deleted)', { skip }, async () => {
    await withNode(async (lab, proxier) => {
      const a = await lab.addPod('a', 2);
      const b = await lab.addPod('b', 3);
      const c = await lab.addPod('c', 4);
      await lab.echo(a.ns, { name: 'a', udp: [5353] });
      await lab.echo(b.ns, { name: 'b', udp: [5353] });
      const svc = service('dns', '10.96.0.80', { ports: [{ name: 'dns', protocol: 'UDP', port: 53 }] });
      const eps = (ips: string[]) => endpoints('dns', ips, { ports: [{ name: 'dns', protocol: 'UDP', port: 5353 }] });
      await program(lab, proxier, model({ services: [svc], endpoints: eps([a.ip, b.ip]) }), ['10.96.0.80 . udp . 53']);
      // One source port: one conntrack flow, so every datagram goes to the same endpoint.
      const first = names(await lab.probe(c.ns, { mode: 'udp', host: '10.96.0.80', port: 53, count: 5, sourcePort: 40000 }));
      assert.equal(new Set(first).size, 1, `one flow, one endpoint: ${first}`);
      const pinned = first[0] as string;
      const other = pinned === 'a' ? b : a;
      const flows = await lab.node.ok('conntrack', ['-L', '-p', 'udp', '--orig-dst', '10.96.0.80']);
      assert.match(flows, /dport=53/, 'the flow is in conntrack');

      // The pinned endpoint leaves the Service (its server keeps running: without the deletion the flow would keep
      // reaching it).
      const r = await proxier.sync(model({ services: [svc], endpoints: eps([other.ip]) }));
      assert.ok(r.conntrackDeleted >= 1, `conntrack entries deleted: ${r.conntrackDeleted}`);
      const after = names(await lab.probe(c.ns, { mode: 'udp', host: '10.96.0.80', port: 53, count: 5, sourcePort: 40000 }));
      assert.deepEqual(new Set(after), new Set([other.name]), `the same flow now reaches ${other.name}: ${after}`);
    });
  });

  test('IPv6: a dual-stack Service answers on its IPv6 ClusterIP from the host and from a pod, through the ip6 table', { skip }, async () => {
    await withNode(async (lab, proxier) => {
      const a = await lab.addPod('a', 2);
      const b = await lab.addPod('b', 3);
      const c = await lab.addPod('c', 4);
      await lab.echo(a.ns, { name: 'a', address: '::', tcp: [8080] });
      await lab.echo(b.ns, { name: 'b', address: '::', tcp: [8080] });
      const m = model({
        clusterCIDRs: ['10.244.0.0/16', 'fd00:244::/64'],
        serviceCIDRs: ['10.96.0.0/12', 'fd00:96::/112'],
        services: [service('dual', '10.96.0.95', { clusterIPs: ['10.96.0.95', 'fd00:96::95'] })],
        endpoints: endpoints('dual', [a.ip6 as string, b.ip6 as string]),
      });
      await proxier.sync(m);
      const table = await lab.node.ok('nft', ['list', 'table', 'ip6', proxier.table]);
      assert.ok(table.includes('fd00:96::95 . tcp . 80 : goto svc-'), table);
      const ip4 = await lab.node.ok('nft', ['list', 'map', 'ip', proxier.table, 'no-endpoint-services']);
      assert.ok(ip4.includes('10.96.0.95 . tcp . 80 : goto reject-chain'), 'no IPv4 endpoints: the IPv4 ClusterIP refuses');
      assert.deepEqual(new Set(names(await lab.probe(lab.node, { mode: 'tcp', host: 'fd00:96::95', port: 80, count: 30 }))), new Set(['a', 'b']));
      const fromPod = await lab.probe(c.ns, { mode: 'tcp', host: 'fd00:96::95', port: 80, count: 30 });
      assert.deepEqual(new Set(names(fromPod)), new Set(['a', 'b']));
      assert.deepEqual(peers(fromPod), new Set([c.ip6]));
      assert.deepEqual(names(await lab.probe(c.ns, { mode: 'tcp', host: '10.96.0.95', port: 80, timeoutMs: 5000 })), ['!ECONNREFUSED']);
    });
  });

  test('only our own tables: another table survives; two instances coexist; cleanup removes both families of ours', { skip }, async () => {
    await withNode(async (lab, proxier) => {
      await lab.node.ok('nft', ['-f', '-'], 'table ip someone-else { chain c { type filter hook forward priority 0; policy accept; }; }\n');
      const second = new Proxier({ name: `${proxier.table.replace('flotilla-proxy-', '')}-b`, runner: lab.node.run });
      await proxier.sync(model({ services: [service('a', '10.96.0.90')] }));
      await second.sync(model({ services: [service('b', '10.96.0.91')] }));
      const tables = await lab.node.ok('nft', ['list', 'tables']);
      for (const t of [`ip ${proxier.table}`, `ip6 ${proxier.table}`, `ip ${second.table}`, 'ip someone-else']) assert.ok(tables.includes(`table ${t}\n`), `${t} in\n${tables}`);
      await proxier.cleanup();
      const left = await lab.node.ok('nft', ['list', 'tables']);
      assert.ok(!left.includes(`${proxier.table}\n`), `ours are gone:\n${left}`);
      assert.ok(left.includes(`table ip ${second.table}\n`) && left.includes('table ip someone-else\n'), `the others stay:\n${left}`);
      await second.cleanup();
      assert.equal(await lab.node.ok('nft', ['list', 'tables']), 'table ip someone-else\n');
      await proxier.cleanup(); // idempotent
    });
  });
});
