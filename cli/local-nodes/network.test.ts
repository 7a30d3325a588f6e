// The "machines" of `flotilla up --nodes N` on the real kernel (root; skipped otherwise): the segment and namespaces
// are made, each node reaches this host and the others on it, the guard table is in place, and the clean-up that
// `down` and an `up` after a crash run removes every namespace, veth, the bridge and the table, ending what a killed
// run left running inside. Everything is named after a temp data dir, on a claimed segment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pickFreeSubnet, SUBNET_CLAIMS } from '../../node-agent/runtime/cni.js';
import { cleanUpLocalNodes } from './cleanup.js';
import { guardTableScript, setUpLocalNodes } from './network.js';
import { localNodesPlan } from './plan.js';

const skip = process.getuid?.() === 0 ? false : 'network namespaces, veths and nftables tables need root';
const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });

test('the guard table lets the segment reach itself and the pod bridge, nothing else', () => {
  const plan = localNodesPlan({ dataDir: '/d', nodeName: 'n', count: 2, segment: '10.117.0.0/24' });
  const script = guardTableScript(plan, 'flotillaabcdef');
  assert.match(script, new RegExp(`iifname "${plan.bridge}" oifname "${plan.bridge}" accept`));
  assert.match(script, new RegExp(`iifname "${plan.bridge}" oifname "flotillaabcdef" accept`));
  assert.match(script, new RegExp(`iifname "${plan.bridge}" drop\\n`));
});

test('made, reachable, then removed with what a killed run left inside', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-nodesnet-'));
  const segment = (await pickFreeSubnet()).replace(/\.0\.0\/16$/, '.0.0/24');
  const plan = localNodesPlan({ dataDir: dir, nodeName: 't', count: 3, segment });
  let leftover: ReturnType<typeof spawn> | undefined;
  try {
    await setUpLocalNodes(plan, 'flotillanone');
    const [a, b] = plan.nodes;
    assert.ok(a && b);
    const ping = (ns: string, ip: string) => sh('ip', ['netns', 'exec', ns, 'busybox', 'ping', '-c', '1', '-W', '2', ip]).status === 0;
    assert.ok(ping(a.netns, plan.hostIP), 'node 2 reaches this host on the segment');
    assert.ok(ping(a.netns, b.ip), 'node 2 reaches node 3');
    assert.equal(sh('ip', ['netns', 'exec', a.netns, 'sysctl', '-n', 'net.ipv4.ip_forward']).stdout.trim(), '1', 'a node forwards its pods\' traffic');
    assert.match(sh('ip', ['-n', a.netns, 'route', 'show', 'default']).stdout, new RegExp(`via ${plan.hostIP.replace(/\./g, '\\.')} `));
    assert.equal(sh('nft', ['list', 'table', 'ip', plan.guardTable]).status, 0);

    // a killed run's process, still inside node 3's namespace
    leftover = spawn('nsenter', [`--net=/run/netns/${b.netns}`, '--', 'sleep', '300'], { stdio: 'ignore' });
    const exited = new Promise((r) => leftover?.once('exit', r));
    await new Promise((r) => setTimeout(r, 200));
    const removed = await cleanUpLocalNodes(dir, { nodeName: 't' });
    await exited;
    assert.ok(removed.some((r) => r.startsWith(`network namespace ${b.netns} (and 1 processes`)), removed.join('\n'));
    assert.deepEqual(sh('ip', ['netns', 'list']).stdout.split('\n').filter((l) => l.startsWith(plan.netnsPrefix)), []);
    assert.notEqual(sh('ip', ['link', 'show', plan.bridge]).status, 0, 'no bridge');
    for (const n of plan.nodes) assert.notEqual(sh('ip', ['link', 'show', n.veth]).status, 0, `no ${n.veth}`);
    assert.notEqual(sh('nft', ['list', 'table', 'ip', plan.guardTable]).status, 0, 'no guard table');
    assert.equal(sh('ip', ['-4', 'route', 'show', segment]).stdout.trim(), '', 'no route to the segment');
  } finally {
    leftover?.kill('SIGKILL');
    await cleanUpLocalNodes(dir, { nodeName: 't' });
    rmSync(join(SUBNET_CLAIMS, segment.replace(/\/24$/, '')), { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
