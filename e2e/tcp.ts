// What a server process holds open, read from /proc like `ss` does: the tests of upgraded and streaming
// connections use it to prove that connections a client reset are gone on the server's side too.
import { readFileSync, readdirSync } from 'node:fs';

/**
 * The remote ports of the TCP connections accepted on a local port that are still open (LISTEN and TIME_WAIT
 * aside: a TIME_WAIT socket belongs to the kernel, not to the process). One entry per connection.
 */
export function acceptedConnections(localPort: number): number[] {
  const peers: number[] = [];
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
      const port = parseInt((cols[1] as string).split(':')[1] as string, 16);
      const state = cols[3];
      if (port === localPort && state !== '0A' && state !== '06') peers.push(parseInt((cols[2] as string).split(':')[1] as string, 16));
    }
  }
  return peers;
}

/** How many file descriptors a process has open. */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
