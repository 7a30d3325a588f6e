// Keeps one child process running: when it exits on its own it is started again after a back-off (see backoff.ts),
// until stop(). The runtime component keeps containerd and the registry running this way, as a kubelet host's init
// system keeps containerd running: pods survive a containerd crash (their shims are not containerd's children) and
// the restarted containerd finds them again.
import type { Logger } from '../../lib/util/log.js';
import { RestartBackoff } from './backoff.js';

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started process as the launchers return it. */
export interface RunningProcess {
  readonly pid: number | undefined;
  /** Resolves when the process has exited, however that happened. */
  readonly exited: Promise<Exit>;
  /** Stops it on purpose (never followed by a restart). */
  stop(): Promise<void>;
}

export class KeepRunning<T extends RunningProcess> {
  private cur?: T;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private starting?: Promise<unknown>;
  /** Restarts so far (not counting the first start). */
  restarts = 0;

  constructor(
    private readonly name: string,
    private readonly launch: () => Promise<T>,
    private readonly log: Logger,
    private readonly backoff = new RestartBackoff(),
  ) {}

  /** The running instance (the latest one started). */
  get current(): T {
    if (!this.cur) throw new Error(`${this.name} was never started`);
    return this.cur;
  }

  /** First start: throws when it fails (the caller decides), later failures are retried. */
  async start(): Promise<T> {
    const c = await this.launch();
    this.watch(c, Date.now());
    return c;
  }

  private watch(c: T, startedAt: number): void {
    this.cur = c;
    void c.exited.then((exit) => {
      if (this.stopped || this.cur !== c) return;
      const ranMs = Date.now() - startedAt;
      const delayMs = this.backoff.next(ranMs);
      this.log.warn(`${this.name} exited; restarting after back-off`, { code: exit.code, signal: exit.signal, pid: c.pid, ranMs, delayMs });
      this.schedule(delayMs);
    });
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      const attempt = this.launch().then(async (c) => {
        this.restarts++;
        if (this.stopped) return c.stop();
        this.watch(c, Date.now());
        this.log.info(`${this.name} restarted`, { pid: c.pid, restarts: this.restarts });
      }, (e: Error) => {
        if (this.stopped) return;
        const next = this.backoff.next(0);
        this.log.error(`${this.name} failed to start; retrying after back-off`, { error: e.message, delayMs: next });
        this.schedule(next);
      });
      const pending: Promise<unknown> = attempt.finally(() => {
        if (this.starting === pending) this.starting = undefined;
      });
      this.starting = pending;
    }, delayMs);
  }

  /** Stops restarting, waits for a start under way, and stops the running instance. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.starting;
    await this.cur?.stop();
  }
}
