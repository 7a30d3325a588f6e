// The pod network from the Node (node IPAM): the agent waits until its Node has a pod CIDR, then writes the runtime's
// bridge conflist with it (no masquerading by the bridge) and reads it back as its pod network; the same subnet is not
// rewritten, a new one is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findByKind } from '../../lib/api/kinds.js';
import { FakeApiServer } from '../../lib/client/fake.js';
import { waitForPodCIDR, writePodNetwork } from './pod-cidr.js';

const NODE = findByKind('v1', 'Node')!;

test('waits for the Node\'s podCIDR (node IPAM), then gives its IPv4 pod CIDRs', async () => {
  const api = new FakeApiServer();
  const client = api.client();
  try {
    api.seed(NODE, { metadata: { name: 'n1' }, spec: {} });
    let done = false;
    const waiting = waitForPodCIDR(client, 'n1', undefined, 20).then((c) => {
      done = true;
      return c;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(done, false, 'no pod CIDR yet: still waiting');
    await client.patch(NODE, 'n1', { spec: { podCIDR: '10.244.3.0/24', podCIDRs: ['10.244.3.0/24', 'fd00:3::/64'] } }, 'merge');
    assert.deepEqual(await waiting, ['10.244.3.0/24']);
    const stop = new AbortController();
    const never = waitForPodCIDR(client, 'missing', stop.signal, 20);
    stop.abort();
    await assert.rejects(never, /stopped while waiting/);
  } finally {
    client.close();
  }
});

test('the conflist is written with the subnet and no ipMasq, read back as the pod network, and not rewritten for the same subnet', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-podcidr-'));
  try {
    const o = { confDir: join(dir, 'net.d'), ipamDataDir: join(dir, 'ipam'), name: 'flotilla-abc', bridge: 'flotillaabc', routesStateFile: join(dir, 'r.json') };
    const first = await writePodNetwork(o, '10.244.3.0/24');
    assert.deepEqual(first.network, { bridge: 'flotillaabc', subnet: '10.244.3.0/24', gateway: '10.244.3.1', prefixLength: 24 });
    const file = join(o.confDir, '10-flotilla-abc.conflist');
    const conf = JSON.parse(readFileSync(file, 'utf8')) as { plugins: Array<{ type: string; ipMasq?: boolean }> };
    assert.equal(conf.plugins.find((p) => p.type === 'bridge')?.ipMasq, false);
    const written = statSync(file).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await writePodNetwork(o, '10.244.3.0/24')).written, undefined, 'the same subnet: left as it is');
    assert.equal(statSync(file).mtimeMs, written);
    assert.equal((await writePodNetwork(o, '10.244.9.0/24')).network.subnet, '10.244.9.0/24', 'a new one (the node was deleted and joined again)');
    assert.deepEqual(readdirSync(o.confDir), ['10-flotilla-abc.conflist']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
