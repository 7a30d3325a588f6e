// The kernel side of host-gw: installs the routes plan.ts computes (`ip route replace DST via GW proto 241`) and
// removes the ones no longer wanted. Only routes this node agent installed are ever removed: they are recorded in a
// state file (so a restarted agent, or `flotilla down` after a killed one, finds the routes of nodes that went away
// meanwhile), and each carries our routing protocol number, so a deletion can never take someone else's route to the
// same destination. A destination that already has a route that is not ours (another network's) is left alone.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { logger, type Logger } from '../../../lib/util/log.js';
import { hostRunner, type CommandRunner } from '../exec.js';
import type { HostRoute } from './plan.js';

/** The routing protocol number our routes carry (`ip route show proto 241`); unused by the well-known daemons. */
export const ROUTE_PROTO = '241';

type Installed = Pick<HostRoute, 'dst' | 'via'>;

/** The routes recorded in a state file (none when it is missing or unreadable). */
export function readRecordedRoutes(stateFile: string): Installed[] {
  try {
    const v = JSON.parse(readFileSync(stateFile, 'utf8')) as { routes?: unknown };
    const list = Array.isArray(v.routes) ? v.routes : [];
    return list.filter((r): r is Installed => typeof r?.dst === 'string' && typeof r?.via === 'string');
  } catch {
    return [];
  }
}

function record(stateFile: string, routes: Installed[]): void {
  mkdirSync(dirname(stateFile), { recursive: true });
  const tmp = `${stateFile}.tmp`;
  writeFileSync(tmp, JSON.stringify({ routes: routes.map((r) => ({ dst: r.dst, via: r.via })) }, null, 2) + '\n');
  renameSync(tmp, stateFile);
}

const key = (r: Installed) => `${r.dst} via ${r.via}`;

/** Deletes one of our routes; false when it was not there (already gone with its link, or never installed). */
async function deleteRoute(run: CommandRunner, r: Installed): Promise<boolean> {
  const res = await run('ip', ['-4', 'route', 'del', r.dst, 'via', r.via, 'proto', ROUTE_PROTO]);
  return res.code === 0;
}

/**
 * Removes every route recorded in `stateFile` and the file itself: for `flotilla down` after an agent that could not
 * clean up (killed). Returns the routes that were there.
 */
export async function removeRecordedRoutes(stateFile: string, run: CommandRunner = hostRunner): Promise<string[]> {
  const removed: string[] = [];
  for (const r of readRecordedRoutes(stateFile)) if (await deleteRoute(run, r)) removed.push(key(r));
  rmSync(stateFile, { force: true });
  return removed;
}

export interface RouteSyncResult {
  added: string[];
  removed: string[];
  /** Destinations left alone: a route that is not ours holds them. */
  skipped: string[];
}

export class HostRoutes {
  private installed: Installed[];
  private readonly run: CommandRunner;
  private readonly log: Logger;

  constructor(private readonly o: { stateFile: string; runner?: CommandRunner; log?: Logger }) {
    this.run = o.runner ?? hostRunner;
    this.log = o.log ?? logger('node-network');
    // what an earlier run installed: removed by the first sync unless still wanted
    this.installed = readRecordedRoutes(o.stateFile);
  }

  /** The routes installed now (as far as this instance knows). */
  get routes(): Installed[] {
    return [...this.installed];
  }

  /** Makes our routes exactly `want`. Throws when a route cannot be installed (the next sync tries again). */
  async sync(want: HostRoute[]): Promise<RouteSyncResult> {
    const result: RouteSyncResult = { added: [], removed: [], skipped: [] };
    const wanted = new Set(want.map(key));
    const keep: Installed[] = [];
    for (const r of this.installed) {
      if (wanted.has(key(r))) keep.push(r);
      else if (await deleteRoute(this.run, r)) result.removed.push(key(r));
    }
    this.installed = keep;
    this.save();
    const failures: string[] = [];
    for (const r of want) {
      const ours = this.installed.some((i) => key(i) === key(r));
      // a route to this destination that is not ours (a local network, another cluster's): never replaced
      const present = (await this.run('ip', ['-4', '-o', 'route', 'show', 'exact', r.dst])).stdout.trim();
      const isOurs = present.includes(`via ${r.via} `) && new RegExp(`\\bproto ${ROUTE_PROTO}\\b`).test(present);
      if (present && !isOurs && !ours) {
        result.skipped.push(r.dst);
        continue;
      }
      if (isOurs && ours) continue;
      const res = await this.run('ip', ['-4', 'route', 'replace', r.dst, 'via', r.via, 'proto', ROUTE_PROTO]);
      if (res.code !== 0) {
        failures.push(`${key(r)}: ${res.stderr.trim()}`);
        continue;
      }
      if (!ours) this.installed.push({ dst: r.dst, via: r.via });
      result.added.push(key(r));
    }
    this.save();
    if (result.skipped.length) this.log.warn('pod CIDRs left unrouted: a route that is not ours holds them', { destinations: result.skipped });
    if (failures.length) throw new Error(`cannot install routes: ${failures.join('; ')}`);
    return result;
  }

  /** Removes every route of ours (the agent is stopping: `flotilla down` leaves none). */
  async cleanup(): Promise<string[]> {
    const removed: string[] = [];
    for (const r of this.installed) if (await deleteRoute(this.run, r)) removed.push(key(r));
    this.installed = [];
    rmSync(this.o.stateFile, { force: true });
    return removed;
  }

  private save(): void {
    try {
      record(this.o.stateFile, this.installed);
    } catch (e) {
      this.log.warn('cannot record the installed routes', { file: this.o.stateFile, error: (e as Error).message });
    }
  }
}
