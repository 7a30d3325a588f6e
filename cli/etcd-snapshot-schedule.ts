// Scheduled snapshots (`flotilla up --etcd-snapshot-schedule-cron "0 */12 * * *"`, as k3s's flag of that name): the
// supervisor takes a snapshot of its cluster's etcd at each scheduled time and keeps the newest N scheduled ones
// (--etcd-snapshot-retention, 5 by default); on-demand snapshots (`etcd-snapshot save`) are never pruned. A failed
// snapshot is logged and the next scheduled time still comes.
import { rmSync } from 'node:fs';
import type { Schedule } from '../lib/api/cron.js';
import { logger } from '../lib/util/log.js';
import { listSnapshots } from './etcd-snapshot.js';

const log = logger('etcd-snapshot');
export const SCHEDULED_NAME = 'etcd-snapshot';
export const DEFAULT_RETENTION = 5;
/** setTimeout's longest delay (~24.8 days); a later time is waited for in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Removes all but the newest `retention` scheduled snapshots of dir; returns the paths removed. */
export function pruneSnapshots(dir: string, retention: number): string[] {
  const scheduled = listSnapshots(dir).filter((s) => new RegExp(`^${SCHEDULED_NAME}-\\d+$`).test(s.name));
  const old = scheduled.slice(0, Math.max(0, scheduled.length - retention));
  for (const s of old) rmSync(s.path, { force: true });
  return old.map((s) => s.path);
}

export interface ScheduleOptions {
  schedule: Schedule;
  /** Takes one snapshot into dir (saveSnapshot with the data dir's etcd). */
  take: () => Promise<unknown>;
  dir: string;
  retention: number;
  now?: () => number;
}

/** Runs until stop(): a snapshot at each scheduled time, then the pruning. */
export class SnapshotSchedule {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** Resolves when the snapshot in progress (if any) is done. */
  running: Promise<void> = Promise.resolve();

  constructor(private readonly o: ScheduleOptions) {}

  start(): this {
    this.arm();
    return this;
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    return this.running;
  }

  private arm(): void {
    if (this.stopped) return;
    const now = (this.o.now ?? Date.now)();
    const next = this.o.schedule.next(new Date(now));
    if (!next) return;
    const wait = next.getTime() - now;
    this.timer = setTimeout(() => (wait > MAX_DELAY_MS ? this.arm() : this.fire()), Math.min(Math.max(0, wait), MAX_DELAY_MS));
    this.timer.unref();
  }

  private fire(): void {
    this.running = (async () => {
      try {
        const saved = await this.o.take();
        const removed = pruneSnapshots(this.o.dir, this.o.retention);
        log.info('scheduled etcd snapshot taken', { saved, pruned: removed });
      } catch (e) {
        log.error('scheduled etcd snapshot failed', { error: (e as Error).message });
      }
    })();
    void this.running.then(() => this.arm());
  }
}
