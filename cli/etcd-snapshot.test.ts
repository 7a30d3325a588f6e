// The parts of etcd-snapshot that need no etcd: names, the listing, and restore's refusals (e2e/etcd-snapshot.test.ts
// saves and restores a real etcd).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkName, listSnapshots, restoreSnapshot, runningReason, snapshotTable } from './etcd-snapshot.js';
import { writePid } from './supervisor/state.js';

const tempDir = (t: { after(fn: () => void): void }) => {
  const d = mkdtempSync(join(tmpdir(), 'flotilla-snap-unit-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

test('snapshot names are file names of the snapshot dir, nothing more', () => {
  assert.equal(checkName('nightly_1.x'), 'nightly_1.x');
  for (const bad of ['', '../etc', 'a/b', '.hidden', 'a b']) assert.throws(() => checkName(bad), /invalid snapshot name/, bad);
});

test('ls: the .db files, oldest first, with location, size and creation time', (t) => {
  const d = tempDir(t);
  writeFileSync(join(d, 'b-2.db'), 'xx');
  writeFileSync(join(d, 'a-1.db'), 'xxxx');
  writeFileSync(join(d, 'half.db.part'), 'x');
  utimesSync(join(d, 'a-1.db'), new Date('2026-12-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'));
  utimesSync(join(d, 'b-2.db'), new Date('2026-12-02T00:00:00Z'), new Date('2026-12-02T00:00:00Z'));
  const files = listSnapshots(d);
  assert.deepEqual(files.map((f) => [f.name, f.size]), [['a-1', 4], ['b-2', 2]]);
  const lines = snapshotTable(files).trimEnd().split('\n');
  assert.match(lines[0] as string, /^Name\s+Location\s+Size\s+Created$/);
  assert.match(lines[1] as string, new RegExp(`^a-1\\s+file://${d}/a-1.db\\s+4\\s+2026-12-01T00:00:00Z$`));
  assert.deepEqual(listSnapshots(join(d, 'none')), []);
});

test('restore refuses while the cluster runs, and without a file or an etcd record; nothing is touched', async (t) => {
  const d = tempDir(t);
  const file = join(d, 'snap.db');
  writeFileSync(file, 'not used');
  mkdirSync(join(d, 'etcd'));
  await assert.rejects(restoreSnapshot({ dataDir: d, file: join(d, 'missing.db') }), /no snapshot file/);
  await assert.rejects(restoreSnapshot({ dataDir: d, file }), /records no etcd/);
  writeFileSync(join(d, 'etcd.json'), JSON.stringify({ clientPort: 1, peerPort: 2, identity: 'x' }));
  writePid(d, 'supervisor', process.pid); // a live supervisor: this process
  assert.match(runningReason(d) ?? '', /is running \(supervisor pid/);
  await assert.rejects(restoreSnapshot({ dataDir: d, file }), /is running .*stop it first \("flotilla down --data-dir/);
  assert.ok(existsSync(join(d, 'etcd')), 'the etcd dir is where it was');
});
