// Host-level cleanup for what a container runtime can leave behind when it is stopped abruptly: processes (shims,
// container processes), mounts (rootfs overlays, /dev/shm tmpfs, network namespace bind mounts) and cgroups.
import { readdirSync, readFileSync, readlinkSync, rmdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './proc.js';

/** A process on this host. */
export interface HostProcess {
  pid: number;
  /** argv, split on NUL. */
  argv: string[];
  /** Target of /proc/PID/exe, '' when unreadable (kernel threads, races). */
  exe: string;
}

/** Lists the host's processes (skipping ones that vanish while being read). */
export function listProcesses(): HostProcess[] {
  const out: HostProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
      let exe = '';
      try { exe = readlinkSync(`/proc/${name}/exe`); } catch { /* kernel thread or gone */ }
      out.push({ pid: Number(name), argv, exe });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** SIGKILLs every process matching `pred` (never this process) and waits up to `waitMs` for them to disappear. */
export async function killProcesses(pred: (p: HostProcess) => boolean, waitMs = 5000): Promise<number[]> {
  const victims = listProcesses().filter((p) => p.pid !== process.pid && pred(p)).map((p) => p.pid);
  for (const pid of victims) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  const deadline = Date.now() + waitMs;
  while (victims.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return victims;
}

function alive(pid: number): boolean {
  try {
    // a zombie still answers kill(0); treat it as gone
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Decodes the octal escapes (`\040` for a space) that /proc/self/mountinfo uses in paths. */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Mount points at or below `dir`, as listed in this process's /proc/self/mountinfo, deepest (last mounted) first. */
export function mountsUnder(dir: string): string[] {
  const base = dir.replace(/\/+$/, '');
  const points = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p)
    .map(unescapeMountPath)
    .filter((p) => p === base || p.startsWith(base + '/'));
  return [...new Set(points)].reverse();
}

/** Unmounts everything at or below `dir` (lazily when a plain unmount fails); returns what was unmounted. */
export async function unmountAllUnder(dir: string): Promise<string[]> {
  const done: string[] = [];
  for (let round = 0; round < 5; round++) {
    const points = mountsUnder(dir);
    if (!points.length) break;
    for (const p of points) {
      const r = await run('umount', [p]);
      if (r.code !== 0) await run('umount', ['-l', p]);
      done.push(p);
    }
  }
  return done;
}

/** The cgroup v1 hierarchies mounted under /sys/fs/cgroup (cgroup v2's unified mount included). */
function cgroupRoots(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .filter((l) => / - cgroup2? /.test(l))
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p);
}

/**
 * Removes the cgroup `relPath` (e.g. `/flotilla/pods`) and its empty descendants in every hierarchy, deepest first.
 * Cgroups that still hold processes are left alone. Returns how many directories were removed.
 */
export function removeCgroupTree(relPath: string): number {
  let removed = 0;
  const rel = relPath.replace(/^\/+/, '');
  if (!rel) throw new Error('refusing to remove the root cgroup');
  const walk = (dir: string): void => {
    let entries: string[] = [];
    try { entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name); } catch { return; }
    for (const e of entries) walk(join(dir, e));
    try { rmdirSync(dir); removed++; } catch { /* busy or gone */ }
  };
  for (const root of cgroupRoots()) {
    const dir = join(root, rel);
    if (existsSync(dir)) walk(dir);
  }
  return removed;
}

/** Network namespaces (`ip netns` names) currently present. */
export async function listNetns(): Promise<string[]> {
  const r = await run('ip', ['netns', 'list']);
  return r.stdout.split('\n').map((l) => l.split(' ')[0]).filter((n): n is string => !!n);
}
