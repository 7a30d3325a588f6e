// What a server process holds open, read from /proc like `ss` does: the tests of upgraded and streaming
// connections use it to prove that connections a client reset are gone on the server's side too.
import { readFileSync, readdirSync } from 'node:fs';

interface Socket { local: number; remote: number; state: string }

/** Every TCP socket of this network namespace, by local and remote port, with its state (hex, as /proc has it). */
function sockets(): Socket[] {
  const out: Socket[] = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4) continue;
      out.push({ local: parseInt((cols[1] as string).split(':')[1] as string, 16), remote: parseInt((cols[2] as string).split(':')[1] as string, 16), state: cols[3] as string });
    }
  }
  return out;
}

/**
 * The remote ports of the TCP connections accepted on a local port that are still open (LISTEN and TIME_WAIT
 * aside: a TIME_WAIT socket belongs to the kernel, not to the process). One entry per connection.
 */
export function acceptedConnections(localPort: number): number[] {
  return sockets().filter((s) => s.local === localPort && s.state !== '0A' && s.state !== '06').map((s) => s.remote);
}

/**
 * The connections (client port and state) that a server on `serverPort` still holds from `clientPorts` whose client
 * side is gone (what a test reset and closed). A client port that another process has taken since is a connection
 * of its own, alive on both sides, and not counted.
 */
export function orphanedConnections(serverPort: number, clientPorts: Set<number>): string[] {
  const all = sockets();
  const clientSide = new Set(all.filter((s) => s.remote === serverPort && s.state !== '0A').map((s) => s.local));
  return all.filter((s) => s.local === serverPort && s.state !== '0A' && s.state !== '06' && clientPorts.has(s.remote) && !clientSide.has(s.remote))
    .map((s) => `${s.remote} (${TCP_STATES[s.state] ?? s.state})`);
}

/** The names of the kernel's TCP states, by the hex number /proc/net/tcp prints. */
const TCP_STATES: Record<string, string> = { '01': 'ESTABLISHED', '02': 'SYN_SENT', '03': 'SYN_RECV', '04': 'FIN_WAIT1', '05': 'FIN_WAIT2', '07': 'CLOSE',
  '08': 'CLOSE_WAIT', '09': 'LAST_ACK', '0B': 'CLOSING' };

/** How many file descriptors a process has open. */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
