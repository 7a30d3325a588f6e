import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSchedule } from '../lib/api/cron.js';
import { SnapshotSchedule, pruneSnapshots } from './etcd-snapshot-schedule.js';

const tempDir = (t: { after(fn: () => void): void }) => {
  const d = mkdtempSync(join(tmpdir(), 'flotilla-snap-sched-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

test('pruning keeps the newest N scheduled snapshots and never an on-demand one', (t) => {
  const d = tempDir(t);
  for (let i = 1; i <= 4; i++) {
    writeFileSync(join(d, `etcd-snapshot-${i}.db`), 'x');
    utimesSync(join(d, `etcd-snapshot-${i}.db`), new Date(i * 1000), new Date(i * 1000));
  }
  writeFileSync(join(d, 'on-demand-1.db'), 'x');
  utimesSync(join(d, 'on-demand-1.db'), new Date(0), new Date(0));
  assert.deepEqual(pruneSnapshots(d, 2).map((p) => p.split('/').pop()), ['etcd-snapshot-1.db', 'etcd-snapshot-2.db']);
  assert.deepEqual(readdirSync(d).sort(), ['etcd-snapshot-3.db', 'etcd-snapshot-4.db', 'on-demand-1.db']);
});

test('a snapshot at each scheduled time, pruned after; a failure is logged and the next time still comes', async (t) => {
  const d = tempDir(t);
  let n = 0;
  const every50ms = { next: (after: Date) => new Date(after.getTime() + 50), latest: () => undefined };
  const s = new SnapshotSchedule({
    schedule: every50ms, dir: d, retention: 2,
    take: async () => {
      n++;
      if (n === 2) throw new Error('etcd is away');
      writeFileSync(join(d, `etcd-snapshot-${n}.db`), 'x');
      utimesSync(join(d, `etcd-snapshot-${n}.db`), new Date(n * 1000), new Date(n * 1000));
    },
  }).start();
  t.after(() => s.stop());
  while (n < 5) await new Promise((r) => setTimeout(r, 20));
  await s.stop();
  assert.deepEqual(readdirSync(d).sort(), [`etcd-snapshot-${n - 1}.db`, `etcd-snapshot-${n}.db`]);
});

test('the cron schedule is the CronJob one: "0 */12 * * *" fires at 00:00 and 12:00', () => {
  const s = parseSchedule('0 */12 * * *', 'UTC');
  assert.equal(s.next(new Date('2026-12-07T04:20:00Z'))?.toISOString(), '2026-12-07T12:00:00.000Z');
});
