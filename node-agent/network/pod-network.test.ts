// The node's pod bridge as the agent sets it up, on a real kernel inside a network namespace of the test's own
// (needs root; skipped, not passed, otherwise).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureBridgeGateway } from './pod-network.js';
import { canRunKernelTests, Netns } from './testing/netns.js';

const can = canRunKernelTests();
const skip = can.ok ? false : can.reason;

test('the bridge keeps its MAC address while pods come and go (pods cache it as their gateway\'s)', { skip }, async () => {
  const ns = await Netns.create('bridge-mac');
  try {
    await ensureBridgeGateway({ bridge: 'podbr0', subnet: '10.77.0.0/24', gateway: '10.77.0.1', prefixLength: 24 }, ns.run);
    // (/sys shows the test's own namespace under nsenter: ask ip)
    const mac = async (dev: string) => /link\/ether ([0-9a-f:]+)/.exec(await ns.ok('ip', ['-o', 'link', 'show', 'dev', dev]))?.[1];
    const before = await mac('podbr0');
    assert.match(await ns.ok('ip', ['-4', '-o', 'addr', 'show', 'dev', 'podbr0']), /inet 10\.77\.0\.1\/24/);
    // Ports with addresses below the bridge's: an unpinned bridge would take the lowest, then the next when it goes.
    for (const [i, addr] of ['02:00:00:00:00:01', '02:00:00:00:00:02'].entries()) {
      await ns.ok('ip', ['link', 'add', `vp${i}`, 'address', addr, 'type', 'veth', 'peer', 'name', `vq${i}`]);
      await ns.ok('ip', ['link', 'set', `vp${i}`, 'master', 'podbr0', 'up']);
      assert.equal(await mac('podbr0'), before, `after port ${addr} joined`);
    }
    await ns.ok('ip', ['link', 'delete', 'vp0']);
    assert.equal(await mac('podbr0'), before, 'after the lowest port left');
    // A second start of the agent finds the bridge and changes nothing.
    await ensureBridgeGateway({ bridge: 'podbr0', subnet: '10.77.0.0/24', gateway: '10.77.0.1', prefixLength: 24 }, ns.run);
    assert.equal(await mac('podbr0'), before, 'after the agent started again');
  } finally {
    await ns.destroy();
  }
});
