// The supervisor: one process that runs every component of a cluster as its child and keeps it running.
//
// - Each child runs in its own process group (a new session), so the supervisor can end a component together with
//   everything it started (the API server's etcd, the runtime's containerd and registry), also when the component
//   itself died and left them behind: after every exit the group is emptied (SIGTERM, then SIGKILL) before the
//   component starts again, so a new etcd never meets the old one on its port.
// - A child that exits is started again after an exponential back-off (1 s doubling to 30 s; a run of a minute
//   resets it), whatever its exit code: components exit on purpose when they lose their leader lease, and must come
//   back as standbys.
// - Children die with the supervisor: they are started under `setpriv --pdeathsig SIGTERM` (the kernel signals them
//   when the supervisor dies, even by SIGKILL), and they watch their parent pid as well (cli/signals.ts).
// - A component may wait for others to have been ready once (`after`), e.g. the node agent for the API server and
//   the runtime; restarts never wait.
// - Everything it knows is in <data-dir>/run/supervisor.json (see state.ts), rewritten on every change.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { logger } from '../../lib/util/log.js';
import { RestartBackoff } from '../../node-agent/runtime/backoff.js';
import { alive, endGroup, signalGroup, until } from './procfs.js';
import { removePid, rfc3339, writePid, writeState, type ComponentState, type SupervisorState } from './state.js';

const log = logger('supervisor');

export interface ChildSpec {
  name: string;
  /** The program and its arguments. */
  command: string[];
  /** Components that must have been ready once before this one first starts. */
  after?: string[];
  /** Resolves true once the component serves (polled while it is starting); without it, started = ready. */
  ready?: () => Promise<boolean>;
  /** How long a stop waits after SIGTERM before SIGKILL. Default 20 s. */
  stopGraceMs?: number;
  /**
   * Run before every start (e.g. making a join token the component reads); a failure counts as an exit at once
   * (the start is tried again after the back-off).
   */
  prepare?: () => Promise<void>;
}

export interface SupervisorOptions {
  dataDir: string;
  children: ChildSpec[];
  /** Who stops first: groups of names stopped together, in order. Default: the reverse of `children`, one by one. */
  stopOrder?: string[][];
  backoff?: () => RestartBackoff;
  /** Arm the kernel's parent-death signal through setpriv. Default: when setpriv can do it. */
  pdeathsig?: boolean;
  /** Extra environment for the children. */
  env?: NodeJS.ProcessEnv;
  readyPollMs?: number;
  /** Called after every state change (tests); the state file is written either way. */
  onChange?: (s: SupervisorState) => void;
}

interface Run {
  proc: ChildProcess;
  startedAtMs: number;
  /** Resolves when the run has exited and its process group is empty. */
  done: Promise<void>;
}

interface Child {
  spec: ChildSpec;
  state: ComponentState;
  backoff: RestartBackoff;
  everReady: boolean;
  run?: Run;
  /** The exit clean-up of the last run (process group), while it runs. */
  cleaning?: Promise<void>;
  timer?: NodeJS.Timeout;
  /** Being removed (remove()): stopped for good, never started again. */
  removed?: boolean;
}

let setprivWorks: boolean | undefined;
/** Whether `setpriv --pdeathsig` is available here (util-linux 2.33+). */
export function canUsePdeathsig(): boolean {
  setprivWorks ??= spawnSync('setpriv', ['--pdeathsig', 'SIGTERM', '--', 'true'], { stdio: 'ignore' }).status === 0;
  return setprivWorks;
}

export class Supervisor {
  private readonly children: Child[];
  private readonly startedAt = Date.now();
  private stopping?: Promise<void>;
  private readonly pdeathsig: boolean;
  private readonly makeBackoff: () => RestartBackoff;
  private stopOrder?: string[][];

  constructor(private readonly o: SupervisorOptions) {
    this.makeBackoff = o.backoff ?? (() => new RestartBackoff());
    this.stopOrder = o.stopOrder;
    this.children = o.children.map((spec) => this.newChild(spec));
    this.pdeathsig = o.pdeathsig ?? canUsePdeathsig();
    mkdirSync(join(o.dataDir, 'logs'), { recursive: true });
  }

  private newChild(spec: ChildSpec): Child {
    return { spec, state: { name: spec.name, phase: 'waiting', restarts: 0 }, backoff: this.makeBackoff(), everReady: false };
  }

  /** Supervises one more component from now on (it starts once its dependencies have been ready). */
  add(spec: ChildSpec): void {
    if (this.stopping) throw new Error('the supervisor is stopping');
    if (this.child(spec.name)) throw new Error(`${spec.name} is supervised already`);
    this.children.push(this.newChild(spec));
    log.info('supervising a new component', { component: spec.name });
    this.changed();
    this.startWaiting();
  }

  /** Stops a component for good (SIGTERM, then SIGKILL with its process group) and no longer supervises it. */
  async remove(name: string): Promise<void> {
    const c = this.child(name);
    if (!c) return;
    c.removed = true;
    clearTimeout(c.timer);
    await this.stopChild(c);
    const i = this.children.indexOf(c);
    if (i >= 0) this.children.splice(i, 1);
    removePid(this.o.dataDir, name);
    log.info('no longer supervising a component', { component: name });
    this.changed();
  }

  /** Who stops first from now on (see SupervisorOptions.stopOrder). */
  setStopOrder(order: string[][]): void {
    this.stopOrder = order;
  }

  /** Starts every child whose dependencies are met; the others follow as their dependencies become ready. */
  start(): void {
    this.changed();
    this.startWaiting();
  }

  snapshot(): SupervisorState {
    return {
      pid: process.pid, startedAt: rfc3339(this.startedAt), dataDir: this.o.dataDir, running: !this.stopping,
      components: this.children.map((c) => ({ ...c.state })),
    };
  }

  private changed(): void {
    const s = this.snapshot();
    try {
      writeState(this.o.dataDir, s);
    } catch (e) {
      log.warn('cannot write the state file', { error: (e as Error).message });
    }
    this.o.onChange?.(s);
  }

  private child(name: string): Child | undefined {
    return this.children.find((c) => c.spec.name === name);
  }

  private startWaiting(): void {
    if (this.stopping) return;
    for (const c of this.children) {
      if (c.state.phase !== 'waiting') continue;
      if ((c.spec.after ?? []).every((n) => this.child(n)?.everReady)) this.launch(c);
    }
  }

  private launch(c: Child): void {
    if (c.spec.prepare) void this.prepareAndSpawn(c, c.spec.prepare);
    else this.spawnChild(c);
  }

  private async prepareAndSpawn(c: Child, prepare: () => Promise<void>): Promise<void> {
    Object.assign(c.state, { phase: 'starting', nextStartAt: undefined });
    this.changed();
    try {
      await prepare();
    } catch (e) {
      if (this.stopping || c.removed) return;
      this.retryLater(c, `cannot prepare component: ${(e as Error).message}`);
      return;
    }
    if (this.stopping || c.removed) return;
    this.spawnChild(c);
  }

  /** A start that failed before any process ran: tried again after the back-off, as if it had exited at once. */
  private retryLater(c: Child, why: string): void {
    const delay = c.backoff.next(0);
    log.error(why, { component: c.spec.name, delayMs: delay });
    Object.assign(c.state, { phase: 'backoff', nextStartAt: rfc3339(Date.now() + delay) });
    this.changed();
    this.relaunchAfter(c, delay);
  }

  /** Starts the component again after `delay`, counting a restart (unless the supervisor is stopping by then). */
  private relaunchAfter(c: Child, delay: number): void {
    c.timer = setTimeout(() => {
      if (this.stopping || c.removed) return;
      c.state.restarts++;
      this.launch(c);
    }, delay);
  }

  private spawnChild(c: Child): void {
    const env = { ...process.env, FLOTILLA_LOG_LEVEL: process.env.FLOTILLA_LOG_LEVEL ?? 'info', ...this.o.env, FLOTILLA_SUPERVISOR_PID: String(process.pid) };
    const argv = this.pdeathsig ? ['setpriv', '--pdeathsig', 'SIGTERM', '--', ...c.spec.command] : c.spec.command;
    const out = openSync(join(this.o.dataDir, 'logs', `${c.spec.name}.log`), 'a');
    let proc: ChildProcess;
    try {
      // detached: a new session, so the child leads its own process group (pgid = its pid)
      proc = spawn(argv[0] as string, argv.slice(1), { detached: true, stdio: ['ignore', out, out], env });
    } catch (e) {
      // out of processes or memory: try again after the back-off, as if it had exited at once
      this.retryLater(c, `cannot start component: ${(e as Error).message}`);
      return;
    } finally {
      closeSync(out);
    }
    const startedAtMs = Date.now();
    let exited!: (v: { code: number | null; signal: NodeJS.Signals | null }) => void;
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => (exited = r));
    proc.once('exit', (code, signal) => exited({ code, signal }));
    proc.once('error', (e) => {
      log.error('cannot start component', { component: c.spec.name, error: e.message });
      exited({ code: 127, signal: null });
    });
    const run: Run = { proc, startedAtMs, done: exit.then((e) => this.onExit(c, run, e.code, e.signal)) };
    c.run = run;
    const phase = c.spec.ready ? 'starting' : 'running';
    Object.assign(c.state, { phase, pid: proc.pid, pgid: proc.pid, startedAt: rfc3339(startedAtMs), nextStartAt: undefined });
    if (proc.pid) writePid(this.o.dataDir, c.spec.name, proc.pid);
    log.info('started component', { component: c.spec.name, pid: proc.pid, restarts: c.state.restarts });
    if (!c.spec.ready) this.becameReady(c);
    else void this.probe(c, run);
    this.changed();
  }

  private async probe(c: Child, run: Run): Promise<void> {
    const every = this.o.readyPollMs ?? 500;
    while (c.run === run && !this.stopping && run.proc.exitCode === null && run.proc.signalCode === null) {
      if (await c.spec.ready?.().catch(() => false)) {
        if (c.run !== run || this.stopping) return;
        c.state.phase = 'running';
        log.info('component ready', { component: c.spec.name, pid: run.proc.pid, afterMs: Date.now() - run.startedAtMs });
        this.becameReady(c);
        this.changed();
        return;
      }
      await new Promise((r) => setTimeout(r, every));
    }
  }

  private becameReady(c: Child): void {
    if (c.everReady) return;
    c.everReady = true;
    this.startWaiting();
  }

  private async onExit(c: Child, run: Run, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const ranMs = Date.now() - run.startedAtMs;
    const pgid = c.state.pgid;
    c.state.lastExit = { code, signal, at: rfc3339(Date.now()), ranSeconds: Math.round(ranMs / 1000) };
    c.state.pid = undefined;
    const ending = this.stopping || c.removed;
    c.state.phase = ending ? 'stopping' : 'backoff';
    removePid(this.o.dataDir, c.spec.name);
    if (!ending) log.warn('component exited', { component: c.spec.name, code, signal, ranSeconds: Math.round(ranMs / 1000) });
    this.changed();
    // what the component started and left behind (etcd, containerd) goes before anything starts again
    if (pgid) await endGroup(pgid);
    c.state.pgid = undefined;
    if (this.stopping || c.removed) {
      c.state.phase = 'stopped';
      this.changed();
      return;
    }
    const delay = c.backoff.next(ranMs);
    c.state.nextStartAt = rfc3339(Date.now() + delay);
    log.info('restarting component after back-off', { component: c.spec.name, delayMs: delay });
    this.changed();
    this.relaunchAfter(c, delay);
  }

  /** Stops every child (in stopOrder), each SIGTERM then SIGKILL, with everything in its process group. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      log.info('stopping every component');
      for (const c of this.children) clearTimeout(c.timer);
      const order = this.stopOrder ?? [...this.children].reverse().map((c) => [c.spec.name]);
      const named = new Set(order.flat());
      const tiers = [...order, this.children.map((c) => c.spec.name).filter((n) => !named.has(n))];
      for (const tier of tiers) await Promise.all(tier.map((n) => this.child(n)).filter((c): c is Child => !!c).map((c) => this.stopChild(c)));
      this.changed();
    })();
    return this.stopping;
  }

  private async stopChild(c: Child): Promise<void> {
    const run = c.run;
    const proc = run?.proc;
    if (run && proc && proc.exitCode === null && proc.signalCode === null) {
      c.state.phase = 'stopping';
      this.changed();
      const grace = c.spec.stopGraceMs ?? 20_000;
      log.info('stopping component', { component: c.spec.name, pid: proc.pid });
      proc.kill('SIGTERM');
      const ended = await until(() => proc.exitCode !== null || proc.signalCode !== null || !alive(proc.pid as number), grace, 50);
      if (!ended) {
        log.warn('component did not stop in time; killing its process group', { component: c.spec.name, graceMs: grace });
        signalGroup(proc.pid as number, 'SIGKILL');
      }
    }
    await run?.done;
    c.state.phase = 'stopped';
    c.state.nextStartAt = undefined;
    this.changed();
  }
}
