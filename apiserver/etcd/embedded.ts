// The embedded default: without --etcd-servers the API server runs Debian's etcd as a child process under its data
// directory and supervises it: restarted with back-off when it exits, stopped with the API server, and killed by
// the kernel if the API server dies without stopping it. It never serves from an etcd it didn't start: the etcd
// answering must be our child's listening socket, holding this data dir's cluster identity.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { Counter } from 'prom-client';
import { logger } from '../../lib/util/log.js';
import { registry } from '../http/metrics.js';
import { claimIdentity, readIdentity } from '../storage/identity.js';
import { readMember, writeMember, type MemberRecord } from './member.js';
import { describeListener, freePort, isPortFree, listensOn } from './ports.js';
import { stopStaleEtcds } from './stale.js';

const log = logger('etcd');

const DEFAULT_CLIENT_PORT = 2379;
const DEFAULT_PEER_PORT = 2380;
/** Fresh ports are tried this often when the ones picked were taken before etcd could bind them. */
const LAUNCH_ATTEMPTS = 3;
/** Restart back-off: doubling from the first to the last, back to the first once etcd has run this long. */
const RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
const STABLE_AFTER_MS = 60_000;

const restartsMetric = new Counter({
  name: 'flotilla_embedded_etcd_restarts_total',
  help: 'Times the API server started its embedded etcd again after it exited.',
  registers: [registry],
});

export interface EmbeddedEtcdOptions {
  /** Absolute data dir of the API server; etcd's data is in <dataDir>/etcd. */
  dataDir: string;
  /**
   * Unset: the port recorded in the data dir, else 2379 (2380 for peers) when free, else any free one. 0: the
   * recorded port when free, else any free one. N: exactly N, and an error when something else holds it.
   */
  clientPort?: number;
  peerPort?: number;
  binary?: string;
}

interface Ports {
  client: number;
  peer: number;
}

type Launch = { ok: true; client: Etcd3 } | { ok: false; reason: string; portTaken: boolean };

export class EmbeddedEtcd {
  endpoint = '';
  /** This cluster's identity, stored in the etcd and in the data dir (see storage/identity.ts). */
  identity = '';
  /** Times etcd was started again after exiting. */
  restarts = 0;
  private proc?: ChildProcess;
  private ports?: Ports;
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;
  private restartDelay = RESTART_DELAY_MS;
  private readonly etcdDir: string;
  private readonly memberFile: string;
  private readonly pidFile: string;
  private readonly logFile: string;

  constructor(private readonly opts: EmbeddedEtcdOptions) {
    this.etcdDir = join(opts.dataDir, 'etcd');
    this.memberFile = join(opts.dataDir, 'etcd.json');
    this.pidFile = join(opts.dataDir, 'etcd.pid');
    this.logFile = join(opts.dataDir, 'etcd.log');
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    mkdirSync(this.etcdDir, { recursive: true });
    await stopStaleEtcds(this.etcdDir, this.pidFile, this.opts.dataDir);
    const record = readMember(this.memberFile);
    // a fresh etcd's cluster ID derives from this token, so two data dirs never make the same cluster
    const identity = record.identity ?? randomUUID();
    let launched: Launch | undefined;
    for (let attempt = 1; attempt <= LAUNCH_ATTEMPTS; attempt++) {
      const ports = await this.choosePorts(record, attempt > 1);
      writeMember(this.memberFile, { ...record, clientPort: ports.client, peerPort: ports.peer });
      launched = await this.launch(ports, identity, timeoutMs);
      if (launched.ok) {
        this.ports = ports;
        break;
      }
      const explicit = !!(this.opts.clientPort || this.opts.peerPort);
      if (!launched.portTaken || explicit || attempt === LAUNCH_ATTEMPTS) throw new Error(launched.reason);
      log.warn('the embedded etcd could not bind its ports; picking others', { reason: launched.reason });
    }
    if (!launched?.ok || !this.ports) throw new Error('etcd did not start');
    try {
      this.identity = await this.checkIdentity(launched.client, record, identity);
    } catch (e) {
      await this.killChild();
      throw e;
    } finally {
      launched.client.close();
    }
    writeMember(this.memberFile, { clientPort: this.ports.client, peerPort: this.ports.peer, identity: this.identity });
    log.info('embedded etcd ready', { endpoint: this.endpoint, dataDir: this.etcdDir, pid: this.proc?.pid, identity: this.identity });
    this.superviseExit(this.proc as ChildProcess);
  }

  /**
   * The identity stored in etcd must be the one the data dir recorded. An etcd without one (first start, or a data
   * dir from before identities) gets ours; a data dir without a record adopts the etcd's, since the socket check
   * already proved that etcd is our own child on our data dir.
   */
  private async checkIdentity(client: Etcd3, record: MemberRecord, candidate: string): Promise<string> {
    const stored = await readIdentity(client);
    if (stored === undefined) return claimIdentity(client, candidate);
    if (record.identity && stored !== record.identity) {
      throw new Error(`the etcd on ${this.etcdDir} holds cluster identity ${stored}, but ${this.memberFile} records ${record.identity}: refusing to serve another cluster's data`);
    }
    return stored;
  }

  private async choosePorts(record: MemberRecord, fresh: boolean): Promise<Ports> {
    const client = await this.pickPort('client', this.opts.clientPort, record.clientPort, DEFAULT_CLIENT_PORT, [], fresh);
    const peer = await this.pickPort('peer', this.opts.peerPort, record.peerPort, DEFAULT_PEER_PORT, [client], fresh);
    return { client, peer };
  }

  private async pickPort(what: 'client' | 'peer', requested: number | undefined, recorded: number | undefined, def: number, avoid: number[], fresh: boolean): Promise<number> {
    if (requested) {
      if (requested > 65535) throw new Error(`--etcd-${what}-port must be at most 65535 (got ${requested})`);
      if (!avoid.includes(requested) && (await isPortFree(requested))) return requested;
      throw new Error(`the embedded etcd's ${what} port ${requested} (--etcd-${what}-port) is in use by ${avoid.includes(requested) ? `its ${what === 'peer' ? 'client' : 'peer'} port` : describeListener(requested)}; refusing to use an etcd this API server did not start: free the port or choose another`);
    }
    const preferred = requested === 0 ? recorded : recorded ?? def;
    if (!fresh && preferred && !avoid.includes(preferred)) {
      if (await isPortFree(preferred)) return preferred;
      log.warn(`the embedded etcd's ${what} port is taken; picking a free one`, { port: preferred, heldBy: describeListener(preferred) });
    }
    return freePort(avoid);
  }

  /** Starts etcd on ports and waits until it answers from our own child's socket. */
  private async launch(ports: Ports, identity: string, timeoutMs: number): Promise<Launch> {
    const endpoint = `http://127.0.0.1:${ports.client}`;
    const peer = `http://127.0.0.1:${ports.peer}`;
    const args = [
      '--name', 'flotilla',
      '--data-dir', this.etcdDir,
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `flotilla=${peer}`,
      '--initial-cluster-token', `flotilla-${identity}`,
      '--auto-compaction-mode', 'periodic',
      '--auto-compaction-retention', '1h',
    ];
    const binary = this.opts.binary ?? 'etcd';
    // The kernel kills etcd when the API server dies, however it dies (SIGKILL included): no orphan keeps the
    // data dir's lock and our ports.
    const [cmd, argv] = hasPdeathsig() ? ['setpriv', ['--pdeathsig', 'SIGKILL', binary, ...args]] : [binary, args];
    const logStart = existsSync(this.logFile) ? statSync(this.logFile).size : 0;
    const out = openSync(this.logFile, 'a');
    let proc: ChildProcess;
    try {
      proc = spawn(cmd, argv, { stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    this.proc = proc;
    let exited: string | undefined;
    proc.once('error', (e) => (exited ??= e.message));
    proc.once('exit', (code, signal) => (exited ??= `etcd exited (${signal ?? `code ${code}`})`));
    if (proc.pid) writeFileSync(this.pidFile, `${proc.pid}\n`);
    const client = new Etcd3({ hosts: endpoint, dialTimeout: 1000, faultHandling: { host: () => noop, global: noop } });
    const fail = async (reason: string, portTaken: boolean): Promise<Launch> => {
      client.close();
      await this.killChild(proc);
      return { ok: false, reason, portTaken };
    };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited) {
        const tail = this.logSince(logStart);
        const taken = /address already in use/i.test(tail);
        return fail(`${exited}${taken ? ': a port it needs is taken' : ''}; see ${this.logFile}:\n${tail.split('\n').slice(-5).join('\n')}`, taken);
      }
      let answered = false;
      try {
        await client.get('health').exec();
        answered = true;
      } catch (e) {
        if (Date.now() > deadline) return fail(`etcd did not answer on ${endpoint} within ${timeoutMs} ms: ${(e as Error).message}`, false);
      }
      if (answered) {
        if (proc.pid && listensOn(proc.pid, ports.client)) {
          this.endpoint = endpoint;
          return { ok: true, client };
        }
        if (!exited) return fail(`another etcd answers on ${endpoint}: ${describeListener(ports.client)} listens there, not the etcd this API server started`, true);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** What etcd wrote to its log since offset (for error messages). */
  private logSince(offset: number): string {
    try {
      const fd = openSync(this.logFile, 'r');
      try {
        const size = statSync(this.logFile).size;
        const from = Math.max(offset, size - 8192);
        const buf = Buffer.alloc(size - from);
        readSync(fd, buf, 0, buf.length, from);
        return buf.toString('utf8');
      } finally {
        closeSync(fd);
      }
    } catch {
      return '';
    }
  }

  /** Restarts etcd with back-off whenever it exits while we aren't stopping it. */
  private superviseExit(proc: ChildProcess): void {
    const startedAt = Date.now();
    proc.once('exit', (code, signal) => {
      if (this.stopping || this.proc !== proc) return;
      if (Date.now() - startedAt > STABLE_AFTER_MS) this.restartDelay = RESTART_DELAY_MS;
      log.error('embedded etcd exited; restarting it', { pid: proc.pid, code, signal, restartInMs: this.restartDelay, restarts: this.restarts });
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    const delay = this.restartDelay;
    this.restartDelay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
    this.restartTimer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    if (this.stopping || !this.ports) return;
    this.restarts++;
    restartsMetric.inc();
    const launched = await this.launch(this.ports, this.identity, 30_000);
    if (this.stopping) {
      if (launched.ok) launched.client.close();
      return;
    }
    if (!launched.ok) {
      log.error('embedded etcd failed to restart', { reason: launched.reason, restarts: this.restarts, retryInMs: this.restartDelay });
      this.scheduleRestart();
      return;
    }
    let stored: string | undefined;
    try {
      stored = await readIdentity(launched.client);
    } catch (e) {
      stored = `unreadable (${(e as Error).message})`;
    } finally {
      launched.client.close();
    }
    if (stored !== this.identity) {
      log.error('the restarted etcd holds another cluster identity; stopping it', { found: stored, expected: this.identity });
      await this.killChild();
      this.scheduleRestart();
      return;
    }
    log.info('embedded etcd restarted', { endpoint: this.endpoint, pid: this.proc?.pid, restarts: this.restarts });
    this.superviseExit(this.proc as ChildProcess);
  }

  private async killChild(p = this.proc): Promise<void> {
    if (!p?.pid || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const p = this.proc;
    if (p?.pid && p.exitCode === null && p.signalCode === null) {
      const gone = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGTERM');
      const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(this.pidFile, { force: true });
  }
}

let pdeathsig: boolean | undefined;

/** util-linux's setpriv can set the parent-death signal (Debian's has it); without it we rely on stale-etcd cleanup. */
function hasPdeathsig(): boolean {
  if (pdeathsig === undefined) {
    const r = spawnSync('setpriv', ['--help'], { encoding: 'utf8' });
    pdeathsig = r.status === 0 && r.stdout.includes('--pdeathsig');
    if (!pdeathsig) log.warn('setpriv --pdeathsig is not available: an etcd whose API server is killed keeps running until the next start stops it');
  }
  return pdeathsig;
}
