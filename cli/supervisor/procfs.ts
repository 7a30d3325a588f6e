// What the supervisor needs to know about processes, read from /proc: is a pid alive (zombies count as dead), which
// processes are in a process group, what a process's command line is, and which process listens on a TCP port.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** True while pid runs (a zombie waiting to be reaped counts as dead). */
export function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const st = stat(pid);
  return !!st && st.state !== 'Z';
}

/** The fields of /proc/PID/stat the supervisor uses. */
export function stat(pid: number): { state: string; ppid: number; pgrp: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: the fields after it start after the last ')'
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] as string, ppid: Number(rest[1]), pgrp: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

/** argv of pid ([] when it is gone or a kernel thread). */
export function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

function pids(): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
}

/** The live (non-zombie) members of process group pgid. */
export function groupMembers(pgid: number): number[] {
  if (!Number.isInteger(pgid) || pgid <= 0) return [];
  return pids().filter((p) => {
    const s = stat(p);
    return s?.pgrp === pgid && s.state !== 'Z';
  });
}

/** Sends signal to every process of the group; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until pred() holds or timeoutMs passed; resolves to whether it held. */
export async function until(pred: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/**
 * Ends what is left of a process group: SIGTERM to all of it, SIGKILL after graceMs to whatever remains. Resolves once
 * the group is empty (or after a last grace period if a process ignores even SIGKILL, e.g. stuck in the kernel).
 */
export async function endGroup(pgid: number, graceMs = 5000): Promise<void> {
  if (!groupMembers(pgid).length) return;
  signalGroup(pgid, 'SIGTERM');
  if (await until(() => !groupMembers(pgid).length, graceMs)) return;
  signalGroup(pgid, 'SIGKILL');
  await until(() => !groupMembers(pgid).length, 5000);
}

/** TCP sockets listening on port (IPv4 and IPv6), as socket inodes. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is field 10
      if (f.length < 10 || f[3] !== '0A') continue;
      if (parseInt((f[1] as string).split(':')[1] as string, 16) === port) inodes.add(f[9] as string);
    }
  }
  return inodes;
}

/** The processes listening on a TCP port, with their command lines (needs root to see other users' processes). */
export function listeners(port: number): Array<{ pid: number; argv: string[] }> {
  const inodes = listeningInodes(port);
  if (!inodes.size) return [];
  const out: Array<{ pid: number; argv: string[] }> = [];
  for (const pid of pids()) {
    const dir = `/proc/${pid}/fd`;
    let fds: string[] = [];
    try {
      fds = readdirSync(dir);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target = '';
      try {
        target = readlinkSync(`${dir}/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1] as string)) {
        out.push({ pid, argv: cmdline(pid) });
        break;
      }
    }
  }
  return out;
}

/**
 * The Flotilla data dir a process belongs to, read from its command line: `--data-dir DIR`, `--kubeconfig DIR/kubeconfig`
 * or a path below DIR (etcd's --data-dir DIR/etcd, the registry's DIR/registry/config.yml, containerd's config).
 */
export function dataDirOf(argv: string[]): string | undefined {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    if (i >= 0 && argv[i + 1]) return argv[i + 1];
    return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
  };
  const isFlotilla = argv.some((a) => /flotilla(\.js)?$/.test(a));
  if (isFlotilla) {
    const d = flag('--data-dir');
    if (d) return d;
    const k = flag('--kubeconfig');
    if (k?.endsWith('/kubeconfig')) return k.slice(0, -'/kubeconfig'.length);
  }
  for (const a of argv) {
    const m = /^(\/.+?)\/(etcd|registry\/config\.yml|containerd\/config\.toml)$/.exec(a);
    if (m && existsSync(`${m[1]}/kubeconfig`)) return m[1];
  }
  return undefined;
}
