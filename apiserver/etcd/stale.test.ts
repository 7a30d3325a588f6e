import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, findEtcds, isEtcdOf, stopStaleEtcds } from './stale.js';

test('an etcd command line is recognised by its binary and its exact data dir', () => {
  assert.equal(isEtcdOf(['etcd', '--name', 'flotilla', '--data-dir', '/d/etcd'], '/d/etcd'), true);
  assert.equal(isEtcdOf(['/usr/bin/etcd', '--data-dir=/d/etcd'], '/d/etcd'), true);
  assert.equal(isEtcdOf(['etcd', '--data-dir', '/d/etcd2'], '/d/etcd'), false);
  assert.equal(isEtcdOf(['etcdctl', '--data-dir', '/d/etcd'], '/d/etcd'), false);
  assert.equal(isEtcdOf(['node', 'flotilla.js', 'apiserver', '--data-dir', '/d'], '/d/etcd'), false);
});

const IDLE = 'setInterval(() => undefined, 1000)';

/** A process whose command line reads like an etcd on dir: node idling, with 'etcd --data-dir DIR' as its arguments. */
function fakeEtcd(dir: string, parentArgs: string[] = []): ChildProcess {
  if (!parentArgs.length) return spawn(process.execPath, ['-e', IDLE, 'etcd', '--data-dir', dir], { stdio: 'ignore' });
  // a parent whose command line says "apiserver", running the fake etcd as its child
  const child = `require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(IDLE)}, 'etcd', '--data-dir', ${JSON.stringify(dir)}], { stdio: 'ignore' }); ${IDLE}`;
  return spawn(process.execPath, ['-e', child, ...parentArgs], { stdio: 'ignore' });
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(cond(), what);
}

test('an etcd left running on the data dir is found (by pid file or by /proc) and stopped', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flotilla-stale-'));
  const etcdDir = join(dataDir, 'etcd');
  const pidFile = join(dataDir, 'etcd.pid');
  const recorded = fakeEtcd(etcdDir);
  const unrecorded = fakeEtcd(etcdDir);
  const elsewhere = fakeEtcd(join(dataDir, 'other'));
  try {
    writeFileSync(pidFile, `${recorded.pid}\n`);
    await until('the fakes run', () => findEtcds(etcdDir, pidFile).length === 2);
    assert.deepEqual(findEtcds(etcdDir, pidFile).sort(), [recorded.pid, unrecorded.pid].sort());
    await stopStaleEtcds(etcdDir, pidFile, dataDir);
    assert.equal(alive(recorded.pid as number), false);
    assert.equal(alive(unrecorded.pid as number), false);
    assert.equal(alive(elsewhere.pid as number), true, 'an etcd on another data dir is left alone');
  } finally {
    for (const p of [recorded, unrecorded, elsewhere]) p.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('an etcd that a live API server still runs is not stopped: the start is refused', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flotilla-stale-'));
  const etcdDir = join(dataDir, 'etcd');
  const parent = fakeEtcd(etcdDir, ['flotilla.js', 'apiserver', '--data-dir', dataDir]);
  try {
    await until('the fake runs', () => findEtcds(etcdDir, join(dataDir, 'etcd.pid')).length === 1);
    await assert.rejects(stopStaleEtcds(etcdDir, join(dataDir, 'etcd.pid'), dataDir), new RegExp(`is run by another API server \\(pid ${parent.pid}\\)`));
    assert.equal(findEtcds(etcdDir, join(dataDir, 'etcd.pid')).length, 1);
  } finally {
    for (const pid of findEtcds(etcdDir, join(dataDir, 'etcd.pid'))) process.kill(pid, 'SIGKILL');
    parent.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
