// Loopback ports for the embedded etcd, and who listens on them. Linux's /proc tells which process holds a listening
// socket, which is how the API server knows the etcd answering on a port is the one it started and not another
// cluster's that happened to be there first.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/** True when nothing listens on 127.0.0.1:port (we could bind it now). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** A port the kernel says is free now, other than those in avoid. */
export async function freePort(avoid: number[] = []): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    if (!avoid.includes(port)) return port;
  }
}

/** Inodes of the TCP sockets listening on port (any address, IPv4 or IPv6). */
export function listeningInodes(port: number): Set<string> {
  const out = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue; // 0A: LISTEN
      const local = f[1] as string;
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) out.add(f[9] as string);
    }
  }
  return out;
}

/** The socket inodes among a process's open files. */
function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1] as string);
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

/** True when process pid holds a socket listening on port. */
export function listensOn(pid: number, port: number): boolean {
  const inodes = listeningInodes(port);
  if (!inodes.size) return false;
  for (const i of socketInodes(pid)) if (inodes.has(i)) return true;
  return false;
}

/** "pid 123 (etcd --name ...)" for the process listening on port, as far as /proc lets us see it. */
export function describeListener(port: number): string {
  const inodes = listeningInodes(port);
  if (!inodes.size) return 'no process';
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    for (const i of socketInodes(pid)) {
      if (inodes.has(i)) return `pid ${pid} (${commandLine(pid).join(' ').slice(0, 200)})`;
    }
  }
  return 'a process this user cannot inspect';
}

/** A process's argv, empty when it is gone. */
export function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return [];
  }
}
