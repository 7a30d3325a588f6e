import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { previousSubnet, writeCniConfig } from './cni.js';

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
