// Ports of a local cluster: which are free, who holds a taken one (named by its data dir when it is another Flotilla
// cluster), and the choice `up` makes: a port given on the command line must be free (or the command fails, naming
// the holder); a default one (or the one this data dir used last time) that is taken is replaced by a free one.
import { createServer } from 'node:net';
import { dataDirOf, listeners } from './supervisor/procfs.js';

/** True when host:port can be bound now. */
export function isFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** A port the kernel picks as free on host. */
export function freePortOn(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Who listens on port, for an error message: the other cluster's data dir when it is one. */
export function holder(port: number): string {
  const who = listeners(port);
  if (!who.length) return 'another process';
  const dirs = [...new Set(who.map((w) => dataDirOf(w.argv)).filter((d): d is string => !!d))];
  const first = who[0] as { pid: number; argv: string[] };
  const proc = `pid ${first.pid}: ${first.argv.join(' ').slice(0, 120)}`;
  return dirs.length ? `the Flotilla cluster in ${dirs.join(', ')} (${proc})` : proc;
}

export interface PortClaim {
  /** The flag that sets it, e.g. `port`. */
  flag: string;
  /** What listens there, for messages: `the API server`. */
  what: string;
  host: string;
  /** Wanted port; 0 = any free one. */
  port: number;
  /** Given on the command line: then it must be free. */
  explicit: boolean;
}

export class PortInUseError extends Error {}

/**
 * Resolves every claim to a free port, each different. Returns the ports by flag and a note for every default that
 * had to move. Throws PortInUseError for an explicit port that is taken.
 */
export async function choosePorts(claims: PortClaim[]): Promise<{ ports: Record<string, number>; notes: string[] }> {
  const ports: Record<string, number> = {};
  const notes: string[] = [];
  const chosen = new Set<number>();
  for (const c of claims) {
    if (c.port === 0) {
      let p = await freePortOn(c.host);
      while (chosen.has(p)) p = await freePortOn(c.host);
      ports[c.flag] = p;
      chosen.add(p);
      continue;
    }
    const free = !chosen.has(c.port) && (await isFree(c.host, c.port));
    if (free) {
      ports[c.flag] = c.port;
      chosen.add(c.port);
      continue;
    }
    const by = chosen.has(c.port) ? 'another component of this cluster' : holder(c.port);
    if (c.explicit) {
      const how = `choose another with --${c.flag}, or --${c.flag} 0 for any free port`;
      throw new PortInUseError(`port ${c.port} for ${c.what} (--${c.flag}) is in use by ${by}; ${how}`);
    }
    let p = await freePortOn(c.host);
    while (chosen.has(p)) p = await freePortOn(c.host);
    ports[c.flag] = p;
    chosen.add(p);
    notes.push(`port ${c.port} for ${c.what} is in use by ${by}; using ${p} instead`);
  }
  return { ports, notes };
}
