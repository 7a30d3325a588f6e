// Acceptance (more machines): `flotilla up --nodes 3` runs nodes 2 and 3 in network namespaces of their own, joined
// with `flotilla agent` and a bootstrap token from `flotilla token create` (each with its containerd, CNI bridge and
// node agent inside its namespace). The three nodes are Ready with different podCIDRs from node IPAM; the joined
// nodes' serving certificates came through kubelet-serving CSRs (logs and exec on their pods work). A 6-replica
// Deployment spreads 2/2/2 with real containers; pods reach each other across nodes by pod IP through host-gw routes,
// unmasqueraded (the other node sees the pod's own address), while what leaves the pod network is masqueraded; the
// Service answers by name from pods on every node with endpoints on every node, and its NodePort on every node's
// address, once each node's proxy table holds the rule.
// Then node 2 fails (its node agent SIGKILLed, its link cut): it turns Unknown, its pods are marked not ready and
// evicted after their (shortened) toleration, and run again on nodes 1 and 3, while the NodePort keeps answering
// except within the detection window, which is printed. Node 2 comes back: its old pods are finished and its
// containers removed, nothing runs twice. `flotilla down` leaves no namespace, veth, route or table. Every address
// connected to is a pod's, or a node's on the nodes' segment. Needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { podNetworkFor } from '../cli/commands/runtime.js';
import { localNodesPlan, type LocalNodesPlan } from '../cli/local-nodes/plan.js';
import { nodeNetworkName } from '../node-agent/network/pod-network.js';
import { cidrContains, parseCidr, type Cidr } from '../node-agent/network/ip.js';
import { condition, upCluster, type Json } from './up-cluster.js';
import { endpointsInTable, serviceTraffic } from './service-traffic.js';
import { ROOT } from './harness.js';
import { movingWebDeployment } from './node-loss.js';

const NODE = 'mn';
const started = Date.now();
let upSeconds = 0;
let downStarted = 0;
const c = upCluster({
  name: 'nodes', nodeName: NODE, upArgs: ['--nodes', '3', '--node-monitor-grace-period', '20'],
  logs: ['node-agent', 'controller-manager', 'mn-2', `../nodes/${NODE}-2/logs/node-agent`, `../nodes/${NODE}-2/logs/runtime`, `../nodes/${NODE}-3/logs/node-agent`],
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
const until = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> =>
  c.until(what, fn, timeoutMs);

const lines = (cmd: string, args: string[]): string[] => spawnSync(cmd, args, { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
const recorded = (): Json => JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as Json;
const plan = (): LocalNodesPlan => {
  const r = recorded();
  return localNodesPlan({ dataDir: dir, nodeName: NODE, count: r.nodes, segment: r.nodeNetwork, cgroupRoot: r.cgroupRoot });
};

// node 1's data plane on this host, the others' inside their namespaces
const proxyTable = `flotilla-proxy-${nodeNetworkName(podNetworkFor(dir).bridge)}`;
const { ruleInstalled, askFromPod } = serviceTraffic(c, proxyTable);
type LocalNode = LocalNodesPlan['nodes'][number];
const inNode = (n: LocalNode, cmd: string, args: string[]) => spawnSync('nsenter', [`--net=/run/netns/${n.netns}`, '--', cmd, ...args], { encoding: 'utf8' });
/** Waits until node n's proxy table (in its namespace) holds `needle` (as nft prints it). */
async function nodeRuleInstalled(n: LocalNode, needle: string, what: string): Promise<void> {
  const table = `flotilla-proxy-${nodeNetworkName(podNetworkFor(n.dataDir).bridge)}`;
  await until(`${what} in ${n.name}'s ${table}`, () => inNode(n, 'nft', ['list', 'table', 'ip', table]).stdout.includes(needle));
}
/** node n's conntrack entries for TCP to ip:port (`src=... dst=... ... src=... dst=...`). */
const conntrack = (n: LocalNode, ip: string, port: number): string[] => inNode(n, 'conntrack', ['-L', '-p', 'tcp', '-d', ip, '--dport', String(port)]).stdout.split('\n').filter(Boolean);
const get = (from: string, ip: string, port: number) => ok(['exec', from, '--', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${ip} ${port}`]);
/** The pod answering `GET /` at host:port from this machine, or undefined within timeoutMs. */
function answer(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(/pod: ([\w.-]+)/.exec(body)?.[1]));
    });
    req.on('timeout', () => req.destroy(new Error('timeout'))).on('error', () => resolve(undefined)).end();
  });
}
const internalIP = (n: Json) => (n.status.addresses as Json[]).find((a) => a.type === 'InternalIP')?.address;
/** The web pods, read in-process (polls run many times: no kubectl process each). */
const webPods = (): Promise<Json[]> => c.podsNow('app=web');
const nodeNow = (name: string): Promise<Json> => c.get(`/api/v1/nodes/${name}`);
const isReady = (x: Json) => (x.status?.conditions as Json[] | undefined)?.some((k) => k.type === 'Ready' && k.status === 'True') ?? false;
let nodePort = 0;

test('three real nodes: Ready with their own podCIDRs, 6 replicas 2/2/2, pods reaching each other and the Service by name from every node, the NodePort on every node', { skip }, async () => {
  const p = plan();
  const [node2, node3] = p.nodes as [LocalNode, LocalNode];
  const r = recorded();
  const clusterCIDR = parseCidr(r.clusterCIDR as string) as Cidr;

  // three Ready nodes on one segment, each with its own /24 of the cluster CIDR
  const nodes = (c.json(['get', 'nodes']).items as Json[]).sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
  assert.deepEqual(nodes.map((n) => n.metadata.name), [NODE, node2.name, node3.name]);
  for (const n of nodes) assert.equal(condition(n, 'Ready')?.status, 'True', `${n.metadata.name} is Ready`);
  const podCIDRs = nodes.map((n) => n.spec.podCIDR as string);
  assert.equal(new Set(podCIDRs).size, 3, `different podCIDRs: ${podCIDRs.join(' ')}`);
  for (const cidr of podCIDRs) assert.ok(cidrContains(clusterCIDR, cidr.split('/')[0] as string), `${cidr} is inside ${r.clusterCIDR}`);
  assert.deepEqual(nodes.map(internalIP), [p.hostIP, node2.ip, node3.ip], 'every node on the segment');
  // the joined nodes came with bootstrap tokens and got their serving certificates through kubelet-serving CSRs
  const csrs = c.json(['get', 'csr']).items as Json[];
  for (const n of [node2, node3]) {
    const serving = csrs.find((x) => x.spec.signerName === 'kubernetes.io/kubelet-serving' && x.spec.username === `system:node:${n.name}`);
    assert.ok(serving?.status?.certificate, `${n.name}'s serving certificate was issued`);
  }
  assert.equal(csrs.filter((x) => x.spec.signerName === 'kubernetes.io/kube-apiserver-client-kubelet' && String(x.spec.username).startsWith('system:bootstrap:')).length, 2,
    'both joined with a bootstrap token');

  ok(['apply', '-f', '-'], `${movingWebDeployment(c.registry, 6)}---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`);
  const running = await until('6 Running web pods', async () => {
    const items = (await webPods()).filter((x) => x.status.phase === 'Running' && x.status.podIP);
    return items.length === 6 ? items : undefined;
  });
  const on = (node: string) => running.filter((x) => x.spec.nodeName === node).map((x) => ({ name: x.metadata.name as string, ip: x.status.podIP as string }));
  const perNode = [NODE, node2.name, node3.name].map(on);
  assert.deepEqual(perNode.map((x) => x.length), [2, 2, 2], `spread 2/2/2: ${JSON.stringify(perNode)}`);
  const [a, b, d] = perNode.map((x) => x[0]) as [{ name: string; ip: string }, { name: string; ip: string }, { name: string; ip: string }];
  for (const [i, pods] of perNode.entries()) {
    for (const x of pods) assert.ok(cidrContains(parseCidr(podCIDRs[i] as string) as Cidr, x.ip), `${x.ip} is in ${nodes[i]?.metadata.name}'s ${podCIDRs[i]}`);
  }
  // the joined nodes' pods have logs (their serving certificates)
  assert.match(ok(['logs', b.name]), new RegExp(`serving pod ${b.name}`));
  assert.match(ok(['logs', d.name]), new RegExp(`serving pod ${d.name}`));

  // pod to pod across nodes by pod IP (host-gw routes): node 1 and node 2 both ways, node 1 to node 3
  assert.match(get(a.name, b.ip, 8080), new RegExp(`pod: ${b.name}`));
  assert.match(get(b.name, a.ip, 8080), new RegExp(`pod: ${a.name}`));
  assert.match(get(a.name, d.ip, 8080), new RegExp(`pod: ${d.name}`));
  // not masqueraded inside the pod network: node 2 saw pod 1's own address
  assert.ok(conntrack(node2, b.ip, 8080).some((l) => l.includes(`src=${a.ip} `)), `node 2 saw ${a.ip}:\n${conntrack(node2, b.ip, 8080).join('\n')}`);
  // what leaves the pod network is: pod 2 to this host's address on the segment (the API server's port) goes out as node 2
  ok(['exec', b.name, '--', 'sh', '-c', `nc -w 3 ${p.hostIP} ${c.port} </dev/null; true`]);
  const leaving = conntrack(node2, p.hostIP, c.port).filter((l) => l.includes(`src=${b.ip} `));
  assert.ok(leaving.length && leaving.every((l) => l.includes(`dst=${node2.ip} `)), `masqueraded behind ${node2.ip}:\n${leaving.join('\n')}`);

  // the Service by name from a pod on each node, once each node's proxy holds its rule: endpoints on every node answer
  const svc = c.json(['get', 'svc', 'web']);
  const clusterIP = svc.spec.clusterIP as string;
  nodePort = svc.spec.ports[0].nodePort as number;
  await ruleInstalled(clusterIP, 80);
  for (const n of [node2, node3]) await nodeRuleInstalled(n, `${clusterIP} . tcp . 80 : goto `, `the rule for ${clusterIP}:80`);
  const nodeOf = new Map(running.map((x) => [x.metadata.name as string, x.spec.nodeName as string]));
  for (const from of [a.name, b.name, d.name]) {
    const seen = new Set<string>();
    for (let round = 0; round < 5 && seen.size < 3; round++) for (const name of askFromPod(from, 'web', 80, 6)) seen.add(nodeOf.get(name) as string);
    assert.deepEqual([...seen].sort(), [NODE, node2.name, node3.name], `the Service by name from ${from} reaches pods on every node`);
  }
  // the NodePort on every node's address, from this host
  await until(`the node port rule for ${nodePort}`, () => spawnSync('nft', ['list', 'table', 'ip', proxyTable], { encoding: 'utf8' }).stdout.includes(`tcp . ${nodePort} : goto `));
  for (const n of [node2, node3]) await nodeRuleInstalled(n, `tcp . ${nodePort} : goto `, `the node port rule for ${nodePort}`);
  for (const ip of [p.hostIP, node2.ip, node3.ip]) {
    const who = await answer(ip, nodePort, 5000);
    assert.ok(who && nodeOf.has(who), `${ip}:${nodePort} answers with a web pod (${who})`);
  }
  process.stdout.write(`# flotilla up --nodes 3 took ${upSeconds.toFixed(1)} s; the test ${((Date.now() - started) / 1000).toFixed(1)} s so far\n`);
});

test("a node lost (its agent killed, its link cut): Unknown, its pods evicted and run on the others while the NodePort answers; back, nothing runs twice", { skip }, async () => {
  assert.ok(nodePort, 'the first test made the Service');
  const p = plan();
  const node2 = p.nodes[0] as LocalNode;
  const before = await webPods();
  const clusterIP = (await c.get('/api/v1/namespaces/default/services/web')).spec.clusterIP as string;
  const victims = before.filter((x) => x.spec.nodeName === node2.name).map((x) => x.metadata.name as string);
  assert.equal(victims.length, 2, 'two pods on node 2');
  // and a pod that tolerates the lost node for good: not evicted, only marked not ready, and ready again once it is back
  ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Pod
metadata: {name: stays}
spec:
  nodeName: ${node2.name}
  terminationGracePeriodSeconds: 1
  tolerations:
  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute}
  - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute}
  containers: [{name: web, image: '${c.registry}/flotilla/web:v1', ports: [{containerPort: 8080}]}]
`);
  const stays = await until('stays Running and ready on node 2', async () => {
    const x = await c.podNow('stays');
    return x?.status?.phase === 'Running' && isReady(x) ? x : undefined;
  });

  // a request every 100 ms to node 1's NodePort (any endpoint, node 2's included), each given 1 s
  const log: Array<{ at: number; ok: boolean }> = [];
  let loading = true;
  const load = (async () => {
    while (loading) {
      const at = Date.now();
      log.push({ at, ok: !!(await answer(p.hostIP, nodePort, 1000)) });
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - at))));
    }
  })();
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(log.length > 3 && log.every((x) => x.ok), 'every request answered before the failure');

  // node 2's node agent dies and its link goes down
  const agent = (JSON.parse(readFileSync(join(node2.dataDir, 'run/supervisor.json'), 'utf8')) as Json).components.find((x: Json) => x.name === 'node-agent');
  assert.ok(agent?.pid, "node 2's node agent runs");
  process.kill(agent.pid as number, 'SIGKILL');
  const cut = Date.now();
  assert.equal(spawnSync('ip', ['link', 'set', node2.veth, 'down']).status, 0, 'the link is cut');
  const since = () => ((Date.now() - cut) / 1000).toFixed(1);
  let back = false;
  try {
    const unknownAt = await until('node 2 Unknown and tainted unreachable', async () => {
      const n = await nodeNow(node2.name);
      return condition(n, 'Ready')?.status === 'Unknown' && (n.spec.taints as Json[] | undefined)?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') ? since() : undefined;
    });
    const replacedAt = await until('6 ready web pods on nodes 1 and 3', async () => {
      const live = (await webPods()).filter((x) => !x.metadata.deletionTimestamp && x.status.phase === 'Running' && isReady(x));
      return live.length === 6 && live.every((x) => x.spec.nodeName !== node2.name) ? since() : undefined;
    });
    const stayed = await until('stays marked not ready, not evicted', async () => {
      const x = await c.podNow('stays');
      return x && condition(x, 'Ready')?.status === 'False' ? x : undefined;
    });
    assert.equal(stayed.metadata.deletionTimestamp, undefined, 'a pod tolerating the taint for good is not evicted');
    const evicted = await webPods();
    for (const name of victims) {
      const v = evicted.find((x) => x.metadata.name === name);
      assert.ok(v?.metadata.deletionTimestamp, `${name} was evicted (terminating until its node confirms)`);
      assert.equal(condition(v, 'Ready')?.status, 'False', `${name} was marked not ready`);
    }
    // node 1's proxy sends the Service only to the replacements and the pods that stayed: from then on, a few seconds
    // more of requests, none of which may fail
    const victimIPs = before.filter((x) => victims.includes(x.metadata.name as string)).map((x) => `${x.status.podIP}:8080`);
    const proxiedAt = await until("node 1's proxy rules without node 2's pods", () => {
      const to = endpointsInTable(spawnSync('nft', ['list', 'table', 'ip', proxyTable], { encoding: 'utf8' }).stdout, clusterIP, 80);
      return to.length === 6 && !to.some((e) => victimIPs.includes(e)) ? since() : undefined;
    });
    const settled = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    loading = false;
    await load;
    const failed = log.filter((x) => !x.ok);
    const late = failed.filter((x) => x.at >= settled);
    const last = failed.length ? ((Math.max(...failed.map((x) => x.at)) - cut) / 1000).toFixed(1) : '0';
    process.stdout.write(`# node 2 lost: Unknown after ${unknownAt} s, replacements ready after ${replacedAt} s, node 1's proxy rules without node 2's pods ` +
      `after ${proxiedAt} s; ${failed.length} of ${log.length} requests failed, the last ${last} s after the cut\n`);
    assert.deepEqual(late.length, 0, `no request failed once the proxy sent only to the pods that run (${late.length})`);
    assert.ok(failed.every((x) => x.at >= cut), 'no request failed before the cut');

    // node 2 comes back: its old pods are finished there and gone from the API, its containers removed
    assert.equal(spawnSync('ip', ['link', 'set', node2.veth, 'up']).status, 0);
    back = true;
    await until('node 2 Ready again', async () => condition(await nodeNow(node2.name), 'Ready')?.status === 'True', 120_000);
    await until("node 2's old pods gone", async () => !(await webPods()).some((x) => victims.includes(x.metadata.name as string)), 120_000);
    const again = await until('stays ready again, set by node 2\'s agent', async () => {
      const x = await c.podNow('stays');
      return x && isReady(x) ? x : undefined;
    }, 120_000);
    assert.equal(again.metadata.uid, stays.metadata.uid, 'the same pod');
    assert.equal(again.status.containerStatuses[0].restartCount, 0, 'its container ran on through the partition');
    await c.deletePod('stays');
    const sock = join(node2.dataDir, 'containerd/containerd.sock');
    await until("no container left in node 2's containerd", () => {
      const r = spawnSync('ctr', ['--address', sock, '-n', 'k8s.io', 'containers', 'ls', '-q'], { encoding: 'utf8' });
      return r.status === 0 && r.stdout.trim() === '';
    }, 60_000);
    const after = await webPods();
    assert.equal(after.length, 6, `6 web pods, no more: ${after.map((x) => `${x.metadata.name}@${x.spec.nodeName}`).join(' ')}`);
    assert.ok(after.every((x) => x.status.phase === 'Running' && isReady(x) && !x.metadata.deletionTimestamp), 'all running and ready');
  } finally {
    loading = false;
    await load;
    if (!back) spawnSync('ip', ['link', 'set', node2.veth, 'up']);
  }
});

test('flotilla node add joins one more namespace as node 4, which runs pods reached across nodes; node remove drains it and leaves nothing of it', { skip }, async () => {
  const added = c.flotilla(['node', 'add', '--data-dir', dir]);
  const node4 = plan().nodes.at(-1) as LocalNode;
  assert.equal(node4.name, `${NODE}-4`);
  assert.match(added, new RegExp(`node/${node4.name} added \\(${node4.ip.replace(/\./g, '\\.')}, network namespace ${node4.netns}\\), Ready`));
  assert.equal(recorded().nodes, 4, 'recorded');
  const n = c.json(['get', 'node', node4.name]);
  assert.equal(internalIP(n), node4.ip);
  assert.ok(n.spec.podCIDR, 'a podCIDR of its own');
  ok(['run', 'on4', `--image=${c.registry}/flotilla/web:v1`, '--env=POD_NAME=on4', '--port=8080', `--overrides={"spec":{"nodeName":"${node4.name}"}}`]);
  const ip = await until('on4 Running', async () => {
    const x = await c.podNow('on4');
    return x?.status?.phase === 'Running' && (x.status.podIP as string);
  });
  const from = (await webPods()).find((x) => x.spec.nodeName === NODE && !x.metadata.deletionTimestamp)?.metadata.name as string;
  assert.match(get(from, ip, 8080), /pod: on4/, 'reached from a pod on node 1 by pod IP');

  // only the last node can go: another is refused, changing nothing
  const wrong = spawnSync(process.execPath, [join(ROOT, 'bin/flotilla.js'), 'node', 'remove', `${NODE}-2`, '--data-dir', dir], { encoding: 'utf8' });
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, new RegExp(`only the last local node \\(${node4.name}\\) can be removed`));
  assert.equal(recorded().nodes, 4);

  // drained (the bare pod needs --force, which node remove gives), stopped, its namespace and Node gone
  const removed = c.flotilla(['node', 'remove', '--data-dir', dir]);
  assert.match(removed, new RegExp(`node/${node4.name} removed`));
  assert.match(removed, new RegExp(`node/${node4.name} drained`));
  assert.equal(recorded().nodes, 3);
  assert.equal(c.kubectl(['get', 'node', node4.name]).code, 1, 'the Node is deleted');
  assert.equal(c.kubectl(['get', 'pod', 'on4']).code, 1, 'its pod was evicted');
  assert.ok(!lines('ip', ['netns', 'list']).some((l) => l.startsWith(node4.netns)), 'its namespace is gone');
  assert.ok(!lines('ip', ['-o', 'link']).some((l) => l.includes(node4.veth)), 'its veth is gone');
  assert.ok(!existsSync(node4.dataDir), 'its data dir is gone');
  const state = JSON.parse(readFileSync(join(dir, 'run/supervisor.json'), 'utf8')) as Json;
  assert.deepEqual((state.components as Json[]).map((x) => x.name).filter((x: string) => x.startsWith(`${NODE}-`)), [`${NODE}-2`, `${NODE}-3`]);
  assert.equal(condition(c.json(['get', 'node', `${NODE}-3`]), 'Ready')?.status, 'True', 'the other nodes run on');
});
