import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUBNET_CLAIMS, pickFreeSubnet, previousSubnet, writeCniConfig } from './cni.js';

test('writing the network removes a conflist of another name (containerd loads only the first file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cni-'));
  try {
    writeFileSync(join(dir, '10-flotilla.conflist'), '{}');
    writeFileSync(join(dir, 'notes.txt'), 'kept');
    const net = await writeCniConfig({ confDir: dir, name: 'flotilla-abc123', bridge: 'flotillaabc123', subnet: '10.251.0.0/16' });
    assert.deepEqual(readdirSync(dir).sort(), ['10-flotilla-abc123.conflist', 'notes.txt']);
    assert.equal(net.subnet, '10.251.0.0/16');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the subnet an earlier start wrote is used again when no other device routes it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cni-'));
  try {
    assert.equal(await previousSubnet(dir, 'flotilla-x', 'flotillax'), undefined, 'nothing written yet');
    await writeCniConfig({ confDir: dir, name: 'flotilla-x', bridge: 'flotillax', subnet: '10.252.0.0/16' });
    assert.equal(await previousSubnet(dir, 'flotilla-x', 'flotillax'), '10.252.0.0/16');
    assert.equal(await previousSubnet(dir, 'flotilla-x', 'otherbridge'), undefined, 'written for another bridge');
    assert.equal(await previousSubnet(dir, 'flotilla-y', 'flotillax'), undefined, 'another network name');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('picks are claimed: two picks never get one subnet, and a dead process\'s claim is free again', async () => {
  const a = await pickFreeSubnet();
  const b = await pickFreeSubnet();
  assert.notEqual(a, b);
  // never inside the default service range 10.96.0.0/12 (10.96-10.111), whose unheld addresses the proxy drops
  for (const net of [a, b]) assert.ok(Number(net.split('.')[1]) >= 112, net);
  const claim = (net: string) => join(SUBNET_CLAIMS, net.replace('/16', ''));
  assert.equal(readFileSync(claim(a), 'utf8'), String(process.pid));
  // a claim held by no live process (pid 2^22 + 1 is above Linux's pid_max) does not stand in the way
  for (const net of [a, b]) rmSync(claim(net), { force: true });
  writeFileSync(claim(a), String(4194305));
  const c = await pickFreeSubnet();
  assert.equal(readFileSync(claim(c), 'utf8'), String(process.pid));
  rmSync(claim(c), { force: true });
  rmSync(claim(a), { force: true });
});

test('a node\'s podCIDR: its IPv4 entry is the pod subnet, rendered into the bridge conflist', async () => {
  const { nodePodSubnet, renderCniConfig } = await import('./cni.js');
  assert.equal(nodePodSubnet({ spec: { podCIDR: '10.244.3.0/24', podCIDRs: ['10.244.3.0/24'] } }), '10.244.3.0/24');
  assert.equal(nodePodSubnet({ spec: { podCIDR: 'fd00::/64', podCIDRs: ['fd00::/64', '10.244.5.0/24'] } }), '10.244.5.0/24', 'dual-stack, IPv6 first');
  assert.equal(nodePodSubnet({ spec: { podCIDR: '10.244.7.0/24' } }), '10.244.7.0/24', 'an older writer: podCIDR only');
  for (const spec of [{}, { podCIDR: '' }, { podCIDRs: ['junk'] }, { podCIDRs: ['10.0.0.0/31'] }]) assert.equal(nodePodSubnet({ spec }), undefined, JSON.stringify(spec));
  assert.equal(nodePodSubnet(undefined), undefined);
  const conf = renderCniConfig({ name: 'flotilla', bridge: 'flotilla0', subnet: '10.244.3.0/24', ipamDataDir: '/d/ipam' }) as { name: string; plugins: Array<Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(conf.name, 'flotilla');
  assert.deepEqual(conf.plugins.map((p) => p.type), ['bridge', 'portmap']);
  assert.equal(conf.plugins[0]?.bridge, 'flotilla0');
  assert.equal(conf.plugins[0]?.isGateway, true);
  assert.deepEqual(conf.plugins[0]?.ipam, { type: 'host-local', ranges: [[{ subnet: '10.244.3.0/24' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: '/d/ipam' });
});

test('a subnet from node IPAM: the bridge does not masquerade (host-gw masquerades only what leaves the pod network)', async () => {
  const { renderCniConfig } = await import('./cni.js');
  const bridgeOf = (ipMasq?: boolean) => (renderCniConfig({ name: 'n', bridge: 'b', subnet: '10.244.3.0/24', ipamDataDir: '/d', ipMasq }) as { plugins: Array<{ ipMasq?: boolean }> }).plugins[0];
  assert.equal(bridgeOf()?.ipMasq, true, 'the runtime\'s own subnet: as before');
  assert.equal(bridgeOf(false)?.ipMasq, false);
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cni-'));
  try {
    const net = await writeCniConfig({ confDir: dir, name: 'n', bridge: 'b', subnet: '10.244.3.0/24', ipMasq: false });
    assert.equal((JSON.parse(readFileSync(net.file, 'utf8')) as { plugins: Array<{ ipMasq?: boolean }> }).plugins[0]?.ipMasq, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
