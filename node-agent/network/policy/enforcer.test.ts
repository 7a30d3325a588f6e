// NetworkPolicy on the real kernel, in a node built of network namespaces (testing/lab.ts): connections that a
// policy blocks are dropped (the probe times out), the ones it allows are answered. Needs root; skipped otherwise.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, type LabPod } from '../testing/lab.js';
import { canRunKernelTests } from '../testing/netns.js';
import { endpoints, model, pod, service } from '../testing/fixtures.js';
import type { NetworkModel, NetworkPolicyModel, PodModel } from '../model.js';
import { Proxier } from '../proxy/proxier.js';
import { PolicyEnforcer } from './enforcer.js';

const can = canRunKernelTests();
const skip = can.ok ? false : can.reason;
let seq = 0;
const DNS_HELPER = new URL('../testing/dns-helper.js', import.meta.url);
/** How long a probe waits before calling a connection blocked (policy drops, so a block is a silence). */
const BLOCKED_AFTER_MS = 1500;

async function withNode(fn: (lab: Lab, enforcer: PolicyEnforcer, name: string) => Promise<void>): Promise<void> {
  const lab = await Lab.create();
  const name = `p${process.pid}-${++seq}`;
  try {
    await fn(lab, new PolicyEnforcer({ name, runner: lab.node.run }), name);
  } finally {
    await lab.destroy();
  }
}

async function reach(lab: Lab, from: LabPod, host: string, port: number): Promise<string> {
  const [r] = await lab.probe(from.ns, { mode: 'tcp', host, port, timeoutMs: BLOCKED_AFTER_MS });
  return r?.ok ? (r.body ?? '').split(' ')[0] as string : `!${r?.error}`;
}

function asPod(p: LabPod, labels: Record<string, string>, extra: Partial<PodModel> = {}): PodModel {
  return pod(p.name, p.ip, { labels, ...extra });
}

const policy = (name: string, spec: NetworkPolicyModel['spec'], namespace = 'default'): NetworkPolicyModel => ({ namespace, name, spec });

describe('NetworkPolicy on nftables (real kernel, in network namespaces)', () => {
  test('default deny, then allow app=frontend on port 8080 only: through the pod IP and through a ClusterIP', { skip }, async () => {
    await withNode(async (lab, enforcer, name) => {
      const backend = await lab.addPod('backend', 2);
      const frontend = await lab.addPod('frontend', 3);
      const other = await lab.addPod('other', 4);
      await lab.echo(backend.ns, { name: 'backend', tcp: [8080, 9090] });
      const pods = [asPod(backend, { app: 'backend' }), asPod(frontend, { app: 'frontend' }), asPod(other, { app: 'other' })];
      const proxier = new Proxier({ name, runner: lab.node.run });
      const base = model({ pods, namespaces: [{ name: 'default', labels: {} }], services: [service('backend', '10.96.0.10')], endpoints: endpoints('backend', [backend.ip]) });
      const sync = async (m: NetworkModel) => {
        await proxier.sync(m);
        await enforcer.sync(m);
        const t = await lab.node.ok('nft', ['list', 'table', 'ip', proxier.table]);
        assert.ok(t.includes('10.96.0.10 . tcp . 80'), 'the ClusterIP is programmed before anything is sent to it');
      };

      await sync(base);
      assert.equal(await reach(lab, other, backend.ip, 8080), 'backend', 'no policy: open');

      const denyAll = policy('default-deny', { podSelector: {}, policyTypes: ['Ingress'] });
      await sync({ ...base, networkPolicies: [denyAll] });
      const table = await lab.node.ok('nft', ['list', 'table', 'ip', enforcer.table]);
      assert.match(table, /pod-ingress-\S+-default\/backend/);
      assert.equal(await reach(lab, frontend, backend.ip, 8080), '!ETIMEDOUT');
      assert.equal(await reach(lab, frontend, '10.96.0.10', 80), '!ETIMEDOUT', 'through the Service too: policy sees the pod address after DNAT');

      const allowFrontend = policy('allow-frontend', {
        podSelector: { matchLabels: { app: 'backend' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
      });
      await sync({ ...base, networkPolicies: [denyAll, allowFrontend] });
      assert.equal(await reach(lab, frontend, backend.ip, 8080), 'backend');
      assert.equal(await reach(lab, frontend, '10.96.0.10', 80), 'backend');
      assert.equal(await reach(lab, frontend, backend.ip, 9090), '!ETIMEDOUT', 'another port stays closed');
      assert.equal(await reach(lab, other, backend.ip, 8080), '!ETIMEDOUT', 'another pod stays out');
      assert.equal(await reach(lab, other, '10.96.0.10', 80), '!ETIMEDOUT');

      // The backend isolated for egress too: replies of allowed connections still flow (stateful).
      const backendNoEgress = policy('backend-no-egress', { podSelector: { matchLabels: { app: 'backend' } }, policyTypes: ['Egress'] });
      await sync({ ...base, networkPolicies: [denyAll, allowFrontend, backendNoEgress] });
      assert.equal(await reach(lab, frontend, backend.ip, 8080), 'backend');
      assert.equal(await reach(lab, backend, frontend.ip, 8080), '!ETIMEDOUT', 'but the backend cannot open connections');

      await enforcer.cleanup();
      await proxier.cleanup();
      assert.equal(await reach(lab, other, backend.ip, 9090), 'backend', 'cleanup lifts every policy');
    });
  });

  test('namespaceSelector with podSelector, ipBlock with except, named ports and endPort', { skip }, async () => {
    await withNode(async (lab, enforcer) => {
      const server = await lab.addPod('server', 2);
      const teamA = await lab.addPod('team-a', 3);
      const teamB = await lab.addPod('team-b', 4);
      const outsider = await lab.addPod('outsider', 5);
      await lab.echo(server.ns, { name: 'server', tcp: [8080, 9050, 9200, 7000] });
      const m = model({
        namespaces: [{ name: 'default', labels: {} }, { name: 'team', labels: { team: 'yes' } }, { name: 'other', labels: {} }],
        pods: [
          asPod(server, { app: 'server' }, { ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }),
          asPod(teamA, { role: 'client' }, { namespace: 'team' }),
          asPod(teamB, { role: 'admin' }, { namespace: 'team' }),
          asPod(outsider, { role: 'client' }, { namespace: 'other' }),
        ],
        networkPolicies: [policy('mixed', {
          podSelector: { matchLabels: { app: 'server' } },
          ingress: [
            // role=client pods of namespaces labelled team=yes, on the named port "http" (8080 on this pod)
            { from: [{ namespaceSelector: { matchLabels: { team: 'yes' } }, podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 'http' }] },
            // the pod network minus one address, on 9000-9100
            { from: [{ ipBlock: { cidr: '10.244.0.0/24', except: [`${outsider.ip}/32`] } }], ports: [{ protocol: 'TCP', port: 9000, endPort: 9100 }] },
          ],
        })],
      });
      await enforcer.sync(m);
      assert.equal(await reach(lab, teamA, server.ip, 8080), 'server', 'namespace and pod selector both match');
      assert.equal(await reach(lab, teamB, server.ip, 8080), '!ETIMEDOUT', 'the namespace matches, the pod does not');
      assert.equal(await reach(lab, outsider, server.ip, 8080), '!ETIMEDOUT', 'the pod matches, the namespace does not');
      assert.equal(await reach(lab, teamB, server.ip, 9050), 'server', 'ipBlock, inside the port range');
      assert.equal(await reach(lab, teamB, server.ip, 9200), '!ETIMEDOUT', 'outside the range');
      assert.equal(await reach(lab, outsider, server.ip, 9050), '!ETIMEDOUT', 'the except carve-out');
      assert.equal(await reach(lab, teamA, server.ip, 7000), '!ETIMEDOUT', 'no rule for this port');
    });
  });

  test('egress deny-all with a DNS exception still resolves names through the node-local DNS, but cannot connect out', { skip }, async () => {
    await withNode(async (lab, enforcer) => {
      const client = await lab.addPod('client', 3);
      const web = await lab.addPod('web', 2);
      await lab.echo(web.ns, { name: 'web', tcp: [8080] });
      const dnsModel = { services: [service('web', '10.96.0.10')], endpoints: endpoints('web', [web.ip]), pods: [] };
      // The node-local DNS listens on the node's bridge address, port 53, inside the node namespace.
      await lab.helper(lab.node, DNS_HELPER, { options: { listen: [{ address: lab.bridgeIP, port: 53 }], upstreams: [{ address: '127.0.0.1', port: 1 }], upstreamTimeoutMs: 200 }, model: dnsModel });
      const resolve = async (mode: 'dns-udp' | 'dns-tcp') => {
        const [r] = await lab.probe(client.ns, { mode, host: lab.bridgeIP, port: 53, name: 'web.default.svc.cluster.local', type: 'A', timeoutMs: BLOCKED_AFTER_MS });
        return r?.ok ? r.body : `!${r?.error}`;
      };
      const base = model({ namespaces: [{ name: 'default', labels: {} }], pods: [asPod(client, { app: 'client' }), asPod(web, { app: 'web' })] });
      await enforcer.sync(base);
      assert.equal(await resolve('dns-udp'), 'web.default.svc.cluster.local A 10.96.0.10');

      const denyEgress = policy('deny-egress', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'] });
      await enforcer.sync({ ...base, networkPolicies: [denyEgress] });
      assert.equal(await resolve('dns-udp'), '!ETIMEDOUT', 'deny-all blocks DNS too: nothing special-cases it');
      assert.equal(await reach(lab, client, web.ip, 8080), '!ETIMEDOUT');

      const allowDns = policy('allow-dns', {
        podSelector: { matchLabels: { app: 'client' } },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
      });
      await enforcer.sync({ ...base, networkPolicies: [denyEgress, allowDns] });
      assert.equal(await resolve('dns-udp'), 'web.default.svc.cluster.local A 10.96.0.10');
      assert.equal(await resolve('dns-tcp'), 'web.default.svc.cluster.local A 10.96.0.10');
      assert.equal(await reach(lab, client, web.ip, 8080), '!ETIMEDOUT', 'names resolve, connections do not');
    });
  });
});
