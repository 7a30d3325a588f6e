// The cluster's settings reach its components: --cgroup-root goes to the node agent (its pods' cgroups) and to the
// runtime (which removes <root>/kubepods when it stops), and is recorded for the next `up`; a bad one is refused
// before anything starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, componentSpecs, superviseArgs, type ClusterConfig } from './cluster.js';

const base: ClusterConfig = { dataDir: '/var/lib/f', apiserverPort: 6443, registryPort: 5000, nodeAgentPort: 10250, nodeName: 'n1', hollowNodes: 0 };
const command = (c: ClusterConfig, name: string) => componentSpecs(c).find((s) => s.name === name)?.command ?? [];
const flag = (args: string[], name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

test('--cgroup-root reaches the node agent and the runtime, and the supervisor\'s flags', () => {
  const c = { ...base, cgroupRoot: '/flotilla-a' };
  assert.equal(flag(command(c, 'node-agent'), '--cgroup-root'), '/flotilla-a');
  assert.equal(flag(command(c, 'runtime'), '--cgroup-root'), '/flotilla-a');
  assert.equal(flag(superviseArgs(c), '--cgroup-root'), '/flotilla-a');
  // unset: the components' default (/), nothing passed
  assert.equal(flag(command(base, 'node-agent'), '--cgroup-root'), undefined);
  assert.equal(flag(superviseArgs(base), '--cgroup-root'), undefined);
});

test('flotilla up and node-agent refuse a relative --cgroup-root before starting anything', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cgroot-'));
  try {
    const up = spawnSync(process.execPath, [BIN, 'up', '--data-dir', join(dir, 'd'), '--cgroup-root', 'kubepods'], { encoding: 'utf8' });
    assert.notEqual(up.status, 0);
    assert.match(up.stderr, /--cgroup-root must be an absolute cgroup path/);
    assert.equal(existsSync(join(dir, 'd')), false, 'nothing was made');
    const agent = spawnSync(process.execPath, [BIN, 'node-agent', '--data-dir', dir, '--cgroup-root', '/a/../b'], { encoding: 'utf8' });
    assert.notEqual(agent.status, 0);
    assert.match(agent.stderr, /--cgroup-root must not contain \. or \.\. segments/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--cluster-cidr turns on node IPAM in the controller-manager, is recorded for the supervisor, and a bad one stops up before anything starts', () => {
  const c = { ...base, clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 25 };
  const cm = command(c, 'controller-manager');
  assert.ok(cm.includes('--allocate-node-cidrs=true'), cm.join(' '));
  assert.equal(flag(cm, '--cluster-cidr'), '10.244.0.0/16');
  assert.equal(flag(cm, '--node-cidr-mask-size'), '25');
  assert.equal(flag(superviseArgs(c), '--cluster-cidr'), '10.244.0.0/16');
  assert.equal(flag(superviseArgs(c), '--node-cidr-mask-size'), '25');
  assert.ok(!command(base, 'controller-manager').some((a) => a.startsWith('--allocate-node-cidrs')), 'off without a cluster CIDR');
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cidr-'));
  try {
    const up = spawnSync(process.execPath, [BIN, 'up', '--data-dir', join(dir, 'd'), '--cluster-cidr', '10.244.0.0/16', '--node-cidr-mask-size', '8'], { encoding: 'utf8' });
    assert.notEqual(up.status, 0);
    assert.match(up.stderr, /node CIDR mask size 8 must be between/);
    assert.equal(existsSync(join(dir, 'd')), false, 'nothing was made');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--etcd-snapshot-schedule-cron and --etcd-snapshot-retention reach the supervisor; a bad schedule stops up before anything starts', () => {
  const c = { ...base, etcdSnapshotScheduleCron: '0 */12 * * *', etcdSnapshotRetention: 3 };
  assert.equal(flag(superviseArgs(c), '--etcd-snapshot-schedule-cron'), '0 */12 * * *');
  assert.equal(flag(superviseArgs(c), '--etcd-snapshot-retention'), '3');
  assert.equal(flag(superviseArgs(base), '--etcd-snapshot-schedule-cron'), undefined);
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cron-'));
  try {
    const up = spawnSync(process.execPath, [BIN, 'up', '--data-dir', join(dir, 'd'), '--etcd-snapshot-schedule-cron', '0 */12 * *'], { encoding: 'utf8' });
    assert.notEqual(up.status, 0);
    assert.match(up.stderr, /expected exactly 5 fields, found 4/);
    assert.equal(existsSync(join(dir, 'd')), false, 'nothing was made');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('node IPAM and --nodes reach the components: pod CIDRs from the Node, node 1 on the segment, node 2 as `flotilla agent` in its namespace', async () => {
  const ipam = { ...base, clusterCIDR: '10.143.0.0/16' };
  assert.ok(command(ipam, 'runtime').includes('--pod-cidr-from-node'), 'the runtime leaves the conflist to the node agent');
  assert.ok(command(ipam, 'node-agent').includes('--pod-cidr-from-node'));
  assert.ok(!command(base, 'node-agent').includes('--pod-cidr-from-node'), 'no node IPAM: the runtime\'s own subnet, as before');
  const c = { ...ipam, nodes: 2, nodeNetwork: '10.117.0.0/24' };
  assert.equal(flag(command(c, 'node-agent'), '--node-ip'), '10.117.0.1');
  const specs = componentSpecs(c, { caCertHash: 'sha256:ab' });
  const n2 = specs.find((s) => s.name === 'n1-2');
  assert.ok(n2?.prepare, 'a join token is made before each start');
  assert.deepEqual(n2?.after, ['apiserver']);
  const argv = n2?.command ?? [];
  // only the network namespace is the node's (`ip netns exec` would remount /sys, hiding the cgroups)
  assert.equal(argv[0], 'nsenter');
  assert.match(argv[1] ?? '', /^--net=\/run\/netns\/flotilla-[0-9a-f]{6}-2$/);
  assert.equal(argv[2], '--');
  assert.equal(argv[argv.indexOf('agent') - 1], BIN);
  assert.equal(flag(argv, '--server'), 'https://10.117.0.1:6443');
  assert.equal(flag(argv, '--node-ip'), '10.117.0.2');
  assert.equal(flag(argv, '--ca-cert-hash'), 'sha256:ab');
  assert.equal(flag(argv, '--data-dir'), '/var/lib/f/nodes/n1-2');
  assert.equal(flag(argv, '--registry-port'), '5000');
  assert.ok(!argv.includes('--token'), 'the token is read from a file, not the process list');
  assert.equal(flag(superviseArgs(c), '--nodes'), '2');
  assert.equal(flag(superviseArgs(c), '--node-network'), '10.117.0.0/24');
  // node 2 stops with the API's clients, before the runtime and the API server
  const { stopOrderOf } = await import('./cluster.js');
  assert.ok(stopOrderOf(c)[0]?.includes('n1-2'));
});
