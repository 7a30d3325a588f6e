// Acceptance (a second machine): `flotilla up --nodes 2` runs node 2 in a network namespace of its own, joined with
// `flotilla agent` and a bootstrap token from `flotilla token create` (its containerd, CNI bridge and node agent inside
// the namespace). Both nodes are Ready with different podCIDRs from node IPAM; node 2's serving certificate came
// through a kubelet-serving CSR (logs and exec on its pods work). A Deployment with podAntiAffinity puts one real pod
// on each node; each pod reaches the other by pod IP through host-gw routes, unmasqueraded (the other node sees the
// pod's own address), while what leaves the pod network is masqueraded; a Service's ClusterIP answers from both nodes
// with both endpoints, once each node's proxy table holds its rule. `flotilla down` leaves no namespace, veth, route or
// table. Every address connected to is a pod's, or this host's on the nodes' segment. Needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { podNetworkFor } from '../cli/commands/runtime.js';
import { localNodesPlan, type LocalNodesPlan } from '../cli/local-nodes/plan.js';
import { nodeNetworkName } from '../node-agent/network/pod-network.js';
import { cidrContains, parseCidr, type Cidr } from '../node-agent/network/ip.js';
import { condition, upCluster, type Json } from './up-cluster.js';
import { serviceTraffic } from './service-traffic.js';

const NODE = 'mn';
const started = Date.now();
let upSeconds = 0;
let downStarted = 0;
const c = upCluster({
  name: 'nodes', nodeName: NODE, upArgs: ['--nodes', '2'],
  logs: ['node-agent', 'controller-manager', 'mn-2', `../nodes/${NODE}-2/logs/node-agent`, `../nodes/${NODE}-2/logs/runtime`],
  afterUp: () => {
    upSeconds = (Date.now() - started) / 1000;
  },
  beforeDown: () => {
    downStarted = Date.now();
  },
  afterDown: () => {
    process.stdout.write(`# flotilla down took ${((Date.now() - downStarted) / 1000).toFixed(1)} s; the file ${((Date.now() - started) / 1000).toFixed(1)} s in all\n`);
    const p = plan();
    const h = p.bridge.slice('flnet'.length);
    assert.deepEqual(lines('ip', ['netns', 'list']).filter((l) => l.startsWith(p.netnsPrefix)), [], 'no network namespace of the cluster is left');
    assert.deepEqual(lines('ip', ['-o', 'link']).filter((l) => l.includes(h)), [], 'no veth or bridge of the cluster is left');
    const cluster = parseCidr(recorded().clusterCIDR as string) as Cidr;
    const segment = parseCidr(p.segment) as Cidr;
    const ours = (l: string) => {
      const dst = l.split(' ')[0] ?? '';
      const ip = dst.split('/')[0] ?? '';
      return /^\d+\.\d+\.\d+\.\d+/.test(ip) && (cidrContains(cluster, ip) || cidrContains(segment, ip) || l.includes(p.bridge));
    };
    assert.deepEqual(lines('ip', ['-4', 'route', 'show', 'table', 'all']).filter(ours), [], 'no route to the pods or the nodes\' segment is left');
    assert.deepEqual(lines('nft', ['list', 'tables']).filter((l) => l.includes(h)), [], 'no nftables table of the cluster is left');
  },
});
const { skip, dir } = c;
const ok = (args: string[], input?: string) => c.ok(args, input);
const until = <T>(what: string, fn: () => T | undefined | false, timeoutMs = 90_000): Promise<T> => c.until(what, fn, timeoutMs);

const lines = (cmd: string, args: string[]): string[] => spawnSync(cmd, args, { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
const recorded = (): Json => JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as Json;
const plan = (): LocalNodesPlan => {
  const r = recorded();
  return localNodesPlan({ dataDir: dir, nodeName: NODE, count: r.nodes, segment: r.nodeNetwork, cgroupRoot: r.cgroupRoot });
};

// node 1's data plane on this host, node 2's inside its namespace
const { ruleInstalled, askFromPod } = serviceTraffic(c, `flotilla-proxy-${nodeNetworkName(podNetworkFor(dir).bridge)}`);
const inNode2 = (cmd: string, args: string[]) => spawnSync('nsenter', [`--net=/run/netns/${plan().nodes[0]?.netns}`, '--', cmd, ...args], { encoding: 'utf8' });
async function node2RuleInstalled(ip: string, port: number): Promise<void> {
  const table = `flotilla-proxy-${nodeNetworkName(podNetworkFor(plan().nodes[0]?.dataDir as string).bridge)}`;
  await until(`the nftables rule for ${ip}:${port} in node 2's ${table}`, () => inNode2('nft', ['list', 'table', 'ip', table]).stdout.includes(`${ip} . tcp . ${port} : goto `));
}
/** node 2's conntrack entries for TCP to ip:port (`src=... dst=... ... src=... dst=...`). */
const node2Conntrack = (ip: string, port: number): string[] => inNode2('conntrack', ['-L', '-p', 'tcp', '-d', ip, '--dport', String(port)]).stdout.split('\n').filter(Boolean);
const get = (from: string, ip: string, port: number) => ok(['exec', from, '--', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${ip} ${port}`]);

test('two real nodes: Ready with their own podCIDRs, a pod on each reaching the other and a Service from both; down leaves nothing', { skip }, async () => {
  const p = plan();
  const node2 = p.nodes[0] as LocalNodesPlan['nodes'][number];
  const r = recorded();
  const clusterCIDR = parseCidr(r.clusterCIDR as string) as Cidr;

  // two Ready nodes on one segment, each with its own /24 of the cluster CIDR
  const nodes = (c.json(['get', 'nodes']).items as Json[]).sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
  assert.deepEqual(nodes.map((n) => n.metadata.name), [NODE, node2.name]);
  for (const n of nodes) assert.equal(condition(n, 'Ready')?.status, 'True', `${n.metadata.name} is Ready`);
  const podCIDRs = nodes.map((n) => n.spec.podCIDR as string);
  assert.notEqual(podCIDRs[0], podCIDRs[1], 'different podCIDRs');
  for (const cidr of podCIDRs) assert.ok(cidrContains(clusterCIDR, cidr.split('/')[0] as string), `${cidr} is inside ${r.clusterCIDR}`);
  const internalIP = (n: Json) => (n.status.addresses as Json[]).find((a) => a.type === 'InternalIP')?.address;
  assert.deepEqual(nodes.map(internalIP), [p.hostIP, node2.ip], 'both nodes on the segment');
  // node 2 joined with a bootstrap token and got its serving certificate through a kubelet-serving CSR
  const csrs = c.json(['get', 'csr']).items as Json[];
  const serving = csrs.find((x) => x.spec.signerName === 'kubernetes.io/kubelet-serving' && x.spec.username === `system:node:${node2.name}`);
  assert.ok(serving?.status?.certificate, 'node 2\'s serving certificate was issued');
  assert.ok(csrs.some((x) => x.spec.signerName === 'kubernetes.io/kube-apiserver-client-kubelet' && String(x.spec.username).startsWith('system:bootstrap:')),
    'node 2 joined with a bootstrap token');

  ok(['apply', '-f', '-'], `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}
      containers:
      - name: web
        image: ${c.registry}/flotilla/web:v1
        env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`);
  const pods = await until('one Running web pod on each node', () => {
    const items = (c.json(['get', 'pods', '-l', 'app=web']).items as Json[]).filter((x) => x.status.phase === 'Running' && x.status.podIP);
    const on = (node: string) => items.find((x) => x.spec.nodeName === node);
    const a = on(NODE);
    const b = on(node2.name);
    const brief = (x: Json) => ({ name: x.metadata.name as string, ip: x.status.podIP as string });
    return a && b ? { a: brief(a), b: brief(b) } : undefined;
  });
  assert.ok(cidrContains(parseCidr(podCIDRs[0] as string) as Cidr, pods.a.ip), `${pods.a.ip} is in node 1's ${podCIDRs[0]}`);
  assert.ok(cidrContains(parseCidr(podCIDRs[1] as string) as Cidr, pods.b.ip), `${pods.b.ip} is in node 2's ${podCIDRs[1]}`);
  // node 2's pods have logs and exec (its serving certificate)
  assert.match(ok(['logs', pods.b.name]), new RegExp(`serving pod ${pods.b.name}`));

  // pod to pod across the nodes, both ways, by pod IP (host-gw routes)
  assert.match(get(pods.a.name, pods.b.ip, 8080), new RegExp(`pod: ${pods.b.name}`));
  assert.match(get(pods.b.name, pods.a.ip, 8080), new RegExp(`pod: ${pods.a.name}`));
  // not masqueraded inside the pod network: node 2 saw pod 1's own address
  assert.ok(node2Conntrack(pods.b.ip, 8080).some((l) => l.includes(`src=${pods.a.ip} `)), `node 2 saw ${pods.a.ip}:\n${node2Conntrack(pods.b.ip, 8080).join('\n')}`);
  // what leaves the pod network is: pod 2 to this host's address on the segment (the API server's port) goes out as node 2
  ok(['exec', pods.b.name, '--', 'sh', '-c', `nc -w 3 ${p.hostIP} ${c.port} </dev/null; true`]);
  const leaving = node2Conntrack(p.hostIP, c.port).filter((l) => l.includes(`src=${pods.b.ip} `));
  assert.ok(leaving.length && leaving.every((l) => l.includes(`dst=${node2.ip} `)), `masqueraded behind ${node2.ip}:\n${leaving.join('\n')}`);

  // the Service from both nodes, once each node's proxy holds its rule: both endpoints answer from each side
  const clusterIP = c.json(['get', 'svc', 'web']).spec.clusterIP as string;
  await ruleInstalled(clusterIP, 80);
  await node2RuleInstalled(clusterIP, 80);
  for (const from of [pods.a.name, pods.b.name]) {
    const seen = new Set<string>();
    for (let round = 0; round < 5 && seen.size < 2; round++) for (const name of askFromPod(from, clusterIP, 80, 6)) seen.add(name);
    assert.deepEqual([...seen].sort(), [pods.a.name, pods.b.name].sort(), `the Service from ${from} reaches both pods`);
  }
  process.stdout.write(`# flotilla up --nodes 2 took ${upSeconds.toFixed(1)} s; the test ${((Date.now() - started) / 1000).toFixed(1)} s so far (before down)\n`);
});
