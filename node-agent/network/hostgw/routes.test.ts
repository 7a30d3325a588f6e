// host-gw on the real kernel, in a node made of network namespaces (testing/lab.ts): a pod reaches a pod CIDR of
// another node only through the route host-gw installs, keeping its own address, while what it sends outside the pod
// network is masqueraded; a node that leaves takes its route with it; a route that is not ours is never touched; a
// restarted agent (or `flotilla down`) finds the routes of an earlier run in the state file. Needs root.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findByKind } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { eventually, FakeApiServer } from '../../../lib/client/fake.js';
import { Lab } from '../testing/lab.js';
import { canRunKernelTests } from '../testing/netns.js';
import { NftApplier } from '../nft/apply.js';
import { hostGatewayRoutes, parseAddresses, renderMasquerade } from './plan.js';
import { HostRoutes, ROUTE_PROTO, readRecordedRoutes, removeRecordedRoutes } from './routes.js';
import { HostGateway } from './controller.js';

const NODE = findByKind('v1', 'Node')!;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const can = canRunKernelTests();
const skip = can.ok ? false : can.reason;

const node = (name: string, podCIDR: string, ip: string): KubeObject => ({
  metadata: { name }, spec: { podCIDR, podCIDRs: [podCIDR] }, status: { addresses: [{ type: 'InternalIP', address: ip }] },
});

describe('host-gw routes and masquerading (real kernel, in network namespaces)', () => {
  test('a pod reaches another node\'s pods through the route, unmasqueraded; leaving the pod network, masqueraded', { skip }, async () => {
    const lab = await Lab.create();
    const dir = mkdtempSync(join(tmpdir(), 'flotilla-hostgw-'));
    const stateFile = join(dir, 'routes.json');
    try {
      const pod = await lab.addPod('a', 2);
      // "node 2": on the node's link 172.31.1.0/24, holding an address of its pod CIDR 10.244.1.0/24
      const other = await lab.addExternal('node-2', 1);
      await other.ns.ok('ip', ['addr', 'add', '10.244.1.5/32', 'dev', 'lo']);
      await lab.echo(other.ns, { name: 'node-2', tcp: [8080] });
      const links = async () => parseAddresses(await lab.node.ok('ip', ['-4', '-o', 'addr', 'show'])).filter((a) => a.device !== 'lo' && a.device !== 'br0');
      const ask = async (host: string) => {
        const [r] = await lab.probe(pod.ns, { mode: 'tcp', host, port: 8080, timeoutMs: 1500 });
        return r?.ok ? r.body : `!${r?.error}`;
      };

      // no route yet: the packet takes the node's default route, a dead end inside the node namespace (lost, or the
      // node gives up resolving the dead end's neighbour)
      const lost = /^!(ETIMEDOUT|EHOSTUNREACH)$/;
      assert.match(await ask('10.244.1.5') ?? '', lost);
      const routes = new HostRoutes({ stateFile, runner: lab.node.run });
      const nodes = [node('node-1', '10.244.0.0/24', other.nodeIP), node('node-2', '10.244.1.0/24', other.ip), node('far', '10.244.2.0/24', '192.168.99.9')];
      const want = hostGatewayRoutes('node-1', nodes, await links(), ['10.244.0.0/24']);
      assert.deepEqual(want.map((r) => `${r.dst} via ${r.via}`), [`10.244.1.0/24 via ${other.ip}`], 'only the node on a link of ours');
      assert.deepEqual((await routes.sync(want)).added, [`10.244.1.0/24 via ${other.ip}`]);
      assert.match(await lab.node.ok('ip', ['-4', 'route', 'show', '10.244.1.0/24']), new RegExp(`via ${other.ip.replace(/\./g, '\\.')} dev vx1 proto ${ROUTE_PROTO}`));
      await new NftApplier(lab.node.run).apply([renderMasquerade(`hgw${process.pid}`, ['10.244.0.0/24'], ['10.244.0.0/24', '10.244.1.0/24'])]);

      assert.equal(await ask('10.244.1.5'), `node-2 ${pod.ip}`, 'to another node\'s pod: routed, with the pod\'s own address');
      assert.equal(await ask(other.ip), `node-2 ${other.nodeIP}`, 'outside the pod network: masqueraded behind the node');
      assert.deepEqual((await routes.sync(want)).added, [], 'a second sync changes nothing');
      assert.deepEqual(readRecordedRoutes(stateFile), [{ dst: '10.244.1.0/24', via: other.ip }]);

      // node 2 leaves: its route goes
      assert.deepEqual((await routes.sync([])).removed, [`10.244.1.0/24 via ${other.ip}`]);
      assert.equal((await lab.node.ok('ip', ['-4', 'route', 'show', '10.244.1.0/24'])).trim(), '');
      assert.match(await ask('10.244.1.5') ?? '', lost);
    } finally {
      await lab.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a route that is not ours is left alone; an earlier run\'s routes are found in the state file and removed', { skip }, async () => {
    const lab = await Lab.create();
    const dir = mkdtempSync(join(tmpdir(), 'flotilla-hostgw-'));
    const stateFile = join(dir, 'routes.json');
    try {
      const other = await lab.addExternal('node-2', 1);
      // someone else's route to what a node claims as its pod CIDR
      await lab.node.ok('ip', ['route', 'add', '10.244.9.0/24', 'via', other.ip]);
      const first = new HostRoutes({ stateFile, runner: lab.node.run });
      const r = await first.sync([{ dst: '10.244.9.0/24', via: other.ip, node: 'x' }, { dst: '10.244.1.0/24', via: other.ip, node: 'node-2' }]);
      assert.deepEqual(r.skipped, ['10.244.9.0/24']);
      assert.deepEqual(r.added, [`10.244.1.0/24 via ${other.ip}`]);
      assert.doesNotMatch(await lab.node.ok('ip', ['-4', 'route', 'show', '10.244.9.0/24']), new RegExp(`proto ${ROUTE_PROTO}`), 'not replaced');

      // the agent is killed; a new one with node 2 gone removes its route at its first sync
      const second = new HostRoutes({ stateFile, runner: lab.node.run });
      assert.deepEqual((await second.sync([])).removed, [`10.244.1.0/24 via ${other.ip}`]);
      // and `flotilla down` after a killed agent removes what the file names, and the file
      await second.sync([{ dst: '10.244.1.0/24', via: other.ip, node: 'node-2' }]);
      assert.deepEqual(await removeRecordedRoutes(stateFile, lab.node.run), [`10.244.1.0/24 via ${other.ip}`]);
      assert.equal(existsSync(stateFile), false);
      const left = await lab.node.ok('ip', ['-4', 'route', 'show']);
      assert.doesNotMatch(left, /10\.244\.1\.0/);
      assert.match(left, /10\.244\.9\.0\/24/, 'the other route is still there');
    } finally {
      await lab.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the controller follows the Nodes: a node joining gets its route, one leaving takes it along; a route deleted by hand comes back', { skip }, async () => {
    const lab = await Lab.create();
    const dir = mkdtempSync(join(tmpdir(), 'flotilla-hostgw-'));
    const api = new FakeApiServer();
    const client = api.client();
    const instance = `hgc${process.pid}`;
    const cidrs: string[][] = [];
    const gw = new HostGateway({ client, nodeName: 'node-1', instance, podCIDRs: ['10.244.0.0/24'], bridge: 'br0', stateFile: join(dir, 'routes.json'),
      runner: lab.node.run, log: quiet, resyncMs: 200, onClusterCIDRs: (c) => cidrs.push(c) });
    try {
      const other = await lab.addExternal('node-2', 1);
      api.seed(NODE, node('node-1', '10.244.0.0/24', other.nodeIP));
      await gw.start();
      const route = async () => (await lab.node.ok('ip', ['-4', 'route', 'show', '10.244.1.0/24'])).trim();
      assert.equal(await route(), '', 'no other node yet');
      assert.match(await lab.node.ok('nft', ['list', 'table', 'ip', `flotilla-hostgw-${instance}`]), /masquerade/);

      await client.create(NODE, node('node-2', '10.244.1.0/24', other.ip));
      await eventually('the route to node 2', async () => (await route()).includes(`via ${other.ip}`));
      assert.deepEqual(cidrs.at(-1), ['10.244.0.0/24', '10.244.1.0/24'], 'the cluster\'s pod CIDRs follow the nodes');
      await lab.node.ok('ip', ['route', 'del', '10.244.1.0/24']);
      await eventually('the periodic sync to put it back', async () => (await route()).includes(`via ${other.ip}`));

      await client.delete(NODE, 'node-2');
      await eventually('the route to go with the node', async () => (await route()) === '');
      assert.deepEqual(cidrs.at(-1), ['10.244.0.0/24']);

      await client.create(NODE, node('node-2', '10.244.1.0/24', other.ip));
      await eventually('the route back', async () => (await route()).includes(`via ${other.ip}`));
      await gw.cleanup();
      assert.equal(await route(), '', 'cleanup removes the routes');
      assert.equal((await lab.node.run('nft', ['list', 'table', 'ip', `flotilla-hostgw-${instance}`])).code === 0, false, 'and the table');
    } finally {
      await gw.stop();
      client.close();
      await lab.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
