// Test helper: a real API server process with its embedded etcd (no --etcd-servers), in its own temp data dir, on
// free ports. Used by the tests that kill, restart and crowd the embedded etcd, and by bench/restart-at-scale.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { ROOT, apiFetch, credentialsOf, freePort, readyz, useCredentials, waitFor } from './harness.js';
import { rfc3339 } from '../lib/api/time.js';

export interface EtcdRecord {
  clientPort: number;
  peerPort: number;
  identity?: string;
}

/** True while pid runs (a zombie counts as dead). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export class EmbeddedApiServer {
  proc?: ChildProcess;
  readonly url: string;
  /** Where this start's log begins in apiserver.log. */
  private logOffset = 0;

  constructor(readonly dir: string, readonly port: number, public args: string[] = ['--etcd-client-port', '0', '--etcd-peer-port', '0']) {
    this.url = `https://127.0.0.1:${port}`;
  }

  static async create(args?: string[]): Promise<EmbeddedApiServer> {
    return new EmbeddedApiServer(mkdtempSync(join(tmpdir(), 'flotilla-embedded-')), await freePort(), args);
  }

  get logFile(): string {
    return join(this.dir, 'apiserver.log');
  }

  /** Starts the process; resolves when /readyz answers, throws (with its log) when it exits first. */
  async start(timeoutMs = 60_000, env: Record<string, string> = {}): Promise<void> {
    this.spawn(env);
    await waitFor('the API server to be ready', async () => {
      if (this.proc?.exitCode !== null || this.proc.signalCode !== null) throw new Error(`the API server exited:\n${this.log()}`);
      return readyz(this.url, this.dir);
    }, timeoutMs, 50);
    useCredentials(this.url, await credentialsOf(join(this.dir, 'kubeconfig')));
  }

  /** Starts the process without waiting for it. */
  spawn(env: Record<string, string> = {}): ChildProcess {
    this.logOffset = existsSync(this.logFile) ? readFileSync(this.logFile).length : 0;
    const fd = openSync(this.logFile, 'a');
    try {
      this.proc = spawn(process.execPath, [join(ROOT, 'bin/flotilla.js'), 'apiserver', '--port', String(this.port), '--data-dir', this.dir, ...this.args], {
        stdio: ['ignore', fd, fd],
        env: { ...process.env, FLOTILLA_LOG_LEVEL: 'info', ...env },
      });
    } finally {
      closeSync(fd);
    }
    return this.proc;
  }

  /** Resolves with the exit code once the process has exited. */
  exited(): Promise<number | null> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p?.exitCode ?? null);
    return new Promise((r) => p.once('exit', (code) => r(code)));
  }

  /** This start's log. */
  log(): string {
    try {
      return readFileSync(this.logFile).subarray(this.logOffset).toString('utf8');
    } catch {
      return '';
    }
  }

  get record(): EtcdRecord {
    return JSON.parse(readFileSync(join(this.dir, 'etcd.json'), 'utf8')) as EtcdRecord;
  }

  get etcdPid(): number {
    return Number(readFileSync(join(this.dir, 'etcd.pid'), 'utf8').trim());
  }

  get etcdEndpoint(): string {
    return `http://127.0.0.1:${this.record.clientPort}`;
  }

  /** An etcd3 client straight to the embedded etcd (for writing what the API server would store, or checking it). */
  etcdClient(): Etcd3 {
    return new Etcd3({ hosts: this.etcdEndpoint, grpcOptions: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 } });
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await apiFetch(this.url + path, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: r.status, body: parsed, text };
  }

  /** Sends signal and waits for the process to exit. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const done = this.exited();
    const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
    p.kill(signal);
    await done;
    clearTimeout(t);
  }

  /** Stops the API server, makes sure its etcd is gone too, and removes the data dir. */
  async destroy(): Promise<void> {
    await this.kill('SIGTERM');
    try {
      const pid = this.etcdPid;
      if (alive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.dir)) process.kill(pid, 'SIGKILL');
    } catch {
      /* no etcd recorded */
    }
    if (process.env.FLOTILLA_KEEP_TEST_DIRS) process.stderr.write(`kept ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

/** etcd refuses transactions of more than 128 operations (its --max-txn-ops default). */
const TXN_OPS = 100;

/**
 * Writes count ConfigMaps into namespace straight into etcd, as the API server stores them (JSON without
 * resourceVersion, under /registry/core/configmaps/NS/NAME), in transactions of 100 with `parallel` in flight.
 * Each carries payloadBytes of data. Returns their names, in write order.
 */
export async function writeConfigMaps(client: Etcd3, namespace: string, count: number, payloadBytes: number, parallel = 4, prefix = 'cm'): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(6, '0')}`);
  const payload = 'x'.repeat(payloadBytes);
  const created = rfc3339();
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const batch = names.slice(next, next + TXN_OPS);
      next += TXN_OPS;
      const ops = batch.map((name) => client.put(`/registry/core/configmaps/${namespace}/${name}`).value(JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace, uid: randomUUID(), creationTimestamp: created, labels: { batch: prefix } },
        data: { payload },
      })));
      const res = await client.if(`/registry/core/configmaps/${namespace}/${batch[0]}`, 'Create', '==', 0).then(...ops).commit();
      if (!res.succeeded) throw new Error(`configmap ${namespace}/${batch[0]} already exists`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return names;
}
