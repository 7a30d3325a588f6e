// An etcd left running on our data dir (its API server was killed before it could stop it, on a machine without
// setpriv) holds the data dir's lock and our ports: it is found and stopped before a new one starts, unless another
// live API server still runs it, which is refused.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { logger } from '../../lib/util/log.js';
import { commandLine } from './ports.js';

const log = logger('etcd');

/** True while pid runs (a zombie waiting to be reaped counts as dead). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const m = /^PPid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** True when argv is an etcd serving exactly this data dir. */
export function isEtcdOf(argv: string[], etcdDir: string): boolean {
  const i = argv.findIndex((a) => a === '--data-dir' || a.startsWith('--data-dir='));
  if (i < 0) return false;
  const dir = argv[i] === '--data-dir' ? argv[i + 1] : argv[i]?.slice('--data-dir='.length);
  // the program (etcd itself, or setpriv about to exec it) comes before its flags
  const program = argv.findIndex((a) => /(^|\/)etcd$/.test(a));
  return dir === etcdDir && program >= 0 && program < i;
}

/** Live etcd processes on etcdDir: the one recorded in pidFile, and any other /proc shows. */
export function findEtcds(etcdDir: string, pidFile: string): number[] {
  const pids = new Set<number>();
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 0 && alive(pid) && isEtcdOf(commandLine(pid), etcdDir)) pids.add(pid);
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid !== process.pid && !pids.has(pid) && isEtcdOf(commandLine(pid), etcdDir) && alive(pid)) pids.add(pid);
  }
  return [...pids];
}

/**
 * Stops every etcd left running on etcdDir. Throws when one belongs to another API server that is still running
 * (two API servers on one data dir would share, and fight over, one etcd).
 */
export async function stopStaleEtcds(etcdDir: string, pidFile: string, dataDir: string): Promise<void> {
  for (const pid of findEtcds(etcdDir, pidFile)) {
    const parent = parentOf(pid);
    const parentArgv = parent && parent !== process.pid && parent > 1 ? commandLine(parent) : [];
    if (parentArgv.includes('apiserver') && alive(parent as number)) {
      throw new Error(`data dir ${dataDir} is in use: its etcd (pid ${pid}) is run by another API server (pid ${parent}); stop that one first`);
    }
    log.warn('stopping an etcd left running on this data dir', { pid, dataDir: etcdDir });
    await stopPid(pid);
  }
}

/** SIGTERM, then SIGKILL after graceMs; resolves once pid is gone. */
export async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      /* gone */
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (!alive(pid)) return;
  signal('SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
}
