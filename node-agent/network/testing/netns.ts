// Network namespaces for the data plane's kernel tests and benchmarks, held by processes rather than named with
// `ip netns add`: nothing is written under /var/run/netns, nothing of ours appears in the host's own namespace (no
// veth, no route, no nftables table), and a namespace disappears with everything in it when its holder exits.
// Holders and the servers started in them exit on their own when their stdin closes, so even a test process killed
// with SIGKILL leaves nothing behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RunResult } from '../../runtime/proc.js';
import { netnsRunner, type CommandRunner } from '../exec.js';

/** Whether this process may create namespaces, veths and tables (the kernel tests need root). */
export function canRunKernelTests(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'creating network namespaces, veths and nftables tables needs root' };
  return { ok: true };
}

/** Resolves with the first stdout line of `p` (rejects if it exits first). */
function firstLine(p: ChildProcess, what: string, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: p.stdout as NodeJS.ReadableStream });
    const err: string[] = [];
    p.stderr?.on('data', (c: Buffer) => err.push(c.toString()));
    const t = setTimeout(() => reject(new Error(`${what}: no output after ${timeoutMs} ms ${err.join('')}`)), timeoutMs);
    rl.once('line', (l) => {
      clearTimeout(t);
      rl.close();
      resolve(l);
    });
    p.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${what} exited ${code}: ${err.join('').trim()}`));
    });
  });
}

/** A network namespace held by a `sh` that waits on its stdin. */
export class Netns {
  private constructor(readonly label: string, readonly pid: number, private readonly holder: ChildProcess, readonly run: CommandRunner) {}

  static async create(label: string): Promise<Netns> {
    const holder = spawn('unshare', ['--net', '--', 'sh', '-c', 'echo ready; read _'], { stdio: ['pipe', 'pipe', 'pipe'] });
    await firstLine(holder, `namespace holder ${label}`);
    const pid = holder.pid as number;
    if (readlinkSync(`/proc/${pid}/ns/net`) === readlinkSync('/proc/self/ns/net')) throw new Error(`namespace holder ${label} shares our namespace`);
    const ns = new Netns(label, pid, holder, netnsRunner(pid));
    await ns.ok('ip', ['link', 'set', 'lo', 'up']);
    return ns;
  }

  /** Runs a command inside; rejects with its stderr when it fails. */
  async ok(cmd: string, args: string[], input?: string): Promise<string> {
    const r: RunResult = await this.run(cmd, args, input);
    if (r.code !== 0) throw new Error(`[${this.label}] ${cmd} ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  /** Starts a long-running process inside; its stdin is a pipe that, when it closes, tells our helpers to exit. */
  spawn(cmd: string, args: string[]): ChildProcess {
    return spawn('nsenter', [`--net=/proc/${this.pid}/ns/net`, '--', cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** Ends the holder: the namespace goes with its interfaces, routes and nftables tables once nothing else is in it. */
  async destroy(): Promise<void> {
    if (this.holder.exitCode !== null || this.holder.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.holder.once('exit', () => r()));
    this.holder.kill('SIGKILL');
    await exited;
  }
}

/** A process started in a namespace, stopped by the lab. */
export interface Started {
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.stdin?.end();
  p.kill('SIGKILL');
  await exited;
}

/** Runs `node SCRIPT ARG` inside `ns` and waits for its first stdout line ("ready"). */
export async function startNodeHelper(ns: Netns, script: URL, arg: unknown, register: (p: ChildProcess) => void): Promise<Started> {
  const p = ns.spawn(process.execPath, [script.pathname, JSON.stringify(arg)]);
  register(p);
  const line = await firstLine(p, `${script.pathname.split('/').pop()} in ${ns.label}`);
  if (line !== 'ready') throw new Error(`helper in ${ns.label} said ${line}`);
  return { process: p, stop: () => stopProcess(p) };
}

/** Runs `node SCRIPT ARG` inside `ns` to completion and parses its JSON stdout. */
export async function runNodeHelper<T>(ns: Netns, script: URL, arg: unknown): Promise<T> {
  const out = await ns.ok(process.execPath, [script.pathname, JSON.stringify(arg)]);
  return JSON.parse(out) as T;
}
