// Test harness for the real stack: starts a real etcd and the real API server process on free loopback ports in a
// temp directory, runs the real kubectl against it, and tears everything down even when a test fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const KUBECTL = process.env.KUBECTL ?? 'kubectl';
export const FLOTCTL = join(ROOT, 'bin/flotctl.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs flotctl (`node bin/flotctl.js ARGS`) against a kubeconfig; env entries set to undefined are removed. */
export function runFlotctl(kubeconfig: string, args: string[], o: { input?: string; env?: Record<string, string | undefined>; timeout?: number } = {}): CliRun {
  const r = spawnSync(process.execPath, [FLOTCTL, ...args], { input: o.input, encoding: 'utf8', timeout: o.timeout ?? 60_000, env: { ...process.env, KUBECONFIG: kubeconfig, ...o.env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The events of a watch URL (newline-delimited JSON over chunked HTTP), as they arrive. */
export async function* watchEvents<T = any>(url: string, signal: AbortSignal): AsyncGenerator<{ type: string; object: T }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(url, { signal });
  if (!res.ok || !res.body) throw new Error(`watch answered ${res.status}`);
  let buf = '';
  const dec = new TextDecoder();
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    buf += dec.decode(chunk, { stream: true });
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) yield JSON.parse(line);
    }
  }
}

function stopProcess(p: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.once('exit', () => {
      clearTimeout(t);
      res();
    });
    p.kill(signal);
  });
}

export class Etcd {
  proc?: ChildProcess;
  endpoint = '';
  constructor(readonly dir: string, readonly clientPort: number, readonly peerPort: number) {
    this.endpoint = `http://127.0.0.1:${clientPort}`;
  }

  static async start(dir: string): Promise<Etcd> {
    const e = new Etcd(dir, await freePort(), await freePort());
    await e.start();
    return e;
  }

  async start(): Promise<void> {
    const peer = `http://127.0.0.1:${this.peerPort}`;
    const log = openSync(join(this.dir, 'etcd.log'), 'a');
    this.proc = spawn('etcd', ['--name', 'test', '--data-dir', join(this.dir, 'etcd'), '--listen-client-urls', this.endpoint, '--advertise-client-urls', this.endpoint,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `test=${peer}`], { stdio: ['ignore', log, log] });
    await waitFor('etcd', async () => {
      const r = spawnSync('etcdctl', ['--endpoints', this.endpoint, 'endpoint', 'health'], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 5000 });
      return r.status === 0;
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await stopProcess(this.proc, signal);
  }
}

export class ApiServerProcess {
  proc?: ChildProcess;
  url = '';
  kubeconfig = '';
  constructor(readonly dir: string, readonly port: number, readonly etcd: string, readonly extra: string[] = []) {
    this.url = `http://127.0.0.1:${port}`;
    this.kubeconfig = join(dir, 'kubeconfig');
  }

  async start(): Promise<void> {
    const log = openSync(join(this.dir, 'apiserver.log'), 'a');
    this.proc = spawn(process.execPath, [join(ROOT, 'bin/flotilla.js'), 'apiserver', '--port', String(this.port), '--data-dir', this.dir, '--etcd-servers', this.etcd, ...this.extra],
      { stdio: ['ignore', log, log], env: { ...process.env, FLOTILLA_LOG_LEVEL: process.env.FLOTILLA_LOG_LEVEL ?? 'warn' } });
    await waitFor('the API server to be ready', async () => {
      if (this.proc?.exitCode !== null) throw new Error(`the API server exited: ${this.logTail()}`);
      const r = await fetch(`${this.url}/readyz`);
      return r.ok;
    });
  }

  logTail(): string {
    try {
      return readFileSync(join(this.dir, 'apiserver.log'), 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '';
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await stopProcess(this.proc, signal);
  }
}

/** Another flotilla component (controller-manager, scheduler, hollow-nodes) run against a test cluster. */
export class ComponentProcess {
  proc?: ChildProcess;
  constructor(readonly dir: string, readonly logName: string, readonly args: string[]) {}

  start(): void {
    const log = openSync(join(this.dir, `${this.logName}.log`), 'a');
    this.proc = spawn(process.execPath, [join(ROOT, 'bin/flotilla.js'), ...this.args], { stdio: ['ignore', log, log], env: { ...process.env, FLOTILLA_LOG_LEVEL: process.env.FLOTILLA_LOG_LEVEL ?? 'info' } });
  }

  get running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  logText(): string {
    try {
      return readFileSync(join(this.dir, `${this.logName}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await stopProcess(this.proc, signal);
  }
}

/** A whole test cluster: etcd + API server in one temp dir, plus any components started on it. Always call stop(). */
export class TestCluster {
  readonly components: ComponentProcess[] = [];
  constructor(readonly dir: string, readonly etcd: Etcd, readonly apiserver: ApiServerProcess) {}

  /** Starts `flotilla CMD --kubeconfig <ours> ARGS...`; stop() stops it. */
  component(cmd: string, args: string[] = [], logName = cmd): ComponentProcess {
    const c = new ComponentProcess(this.dir, logName, [cmd, '--kubeconfig', this.apiserver.kubeconfig, ...args]);
    this.components.push(c);
    c.start();
    return c;
  }

  static async start(opts: { apiserverArgs?: string[] } = {}): Promise<TestCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'flotilla-test-'));
    let etcd: Etcd | undefined;
    try {
      etcd = await Etcd.start(dir);
      const api = new ApiServerProcess(dir, await freePort(), etcd.endpoint, opts.apiserverArgs);
      await api.start();
      return new TestCluster(dir, etcd, api);
    } catch (e) {
      await etcd?.stop();
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  get url(): string {
    return this.apiserver.url;
  }

  kubectl(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): { code: number; stdout: string; stderr: string } {
    const r = spawnSync(KUBECTL, args, { input: opts.input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, KUBECONFIG: this.apiserver.kubeconfig, ...opts.env } });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  flotctl(args: string[], opts: { input?: string; env?: Record<string, string | undefined> } = {}): CliRun {
    return runFlotctl(this.apiserver.kubeconfig, args, opts);
  }

  /** Runs kubectl and fails with its output when it exits non-zero. */
  ok(args: string[], opts: { input?: string } = {}): string {
    const r = this.kubectl(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  async request(method: string, path: string, body?: unknown,
    headers: Record<string, string> = {}): Promise<{ status: number; body: any; text: string; headers: Headers }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const init: RequestInit = { method, headers: { 'Content-Type': 'application/json', ...headers } };
    if (body !== undefined) init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
    let r: Response;
    try {
      r = await fetch(this.url + path, init);
    } catch (e) {
      // A kept-alive socket the server closed while this process was busy (a spawnSync of kubectl blocks the loop):
      // a GET is safe to send again on a new connection, as HTTP clients do.
      if (method !== 'GET') throw e;
      r = await fetch(this.url + path, init);
    }
    const text = await r.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: r.status, body: parsed, text, headers: r.headers };
  }

  async stop(): Promise<void> {
    await Promise.all(this.components.map((c) => c.stop()));
    await this.apiserver.stop();
    await this.etcd.stop();
    if (process.env.FLOTILLA_KEEP_TEST_DIRS) process.stderr.write(`kept ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}
