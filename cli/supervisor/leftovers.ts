// Processes of a data dir that outlived their supervisor (it was SIGKILLed and a component ignored both the
// parent-death signal and its parent watch, or a cluster was started by an older `flotilla up` that kept one pid file
// per component): found through the state file's process groups and the pid files, and ended only if their command
// line names this data dir, so a recycled pid is never touched.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { alive, cmdline, endGroup, groupMembers, until } from './procfs.js';
import { readPid, readState, removePid, runDir } from './state.js';

const ours = (pid: number, dataDir: string) => cmdline(pid).some((a) => a === dataDir || a.startsWith(`${dataDir}/`));

/** Ends them; returns a description of each thing ended. */
export async function endLeftovers(dataDir: string, except: number[] = []): Promise<string[]> {
  const ended: string[] = [];
  const state = readState(dataDir);
  for (const c of state?.components ?? []) {
    const pgid = c.pgid ?? c.pid;
    if (!pgid || except.includes(pgid)) continue;
    const members = groupMembers(pgid);
    if (members.length && members.some((p) => ours(p, dataDir))) {
      await endGroup(pgid);
      ended.push(`${c.name} (process group ${pgid})`);
    }
  }
  let files: string[] = [];
  try {
    files = readdirSync(runDir(dataDir)).filter((f) => f.endsWith('.pid'));
  } catch {
    return ended;
  }
  for (const f of files) {
    const name = f.slice(0, -4);
    const pid = readPid(join(runDir(dataDir), f));
    if (pid && !except.includes(pid) && alive(pid) && ours(pid, dataDir)) {
      process.kill(pid, 'SIGTERM');
      if (!(await until(() => !alive(pid), 30_000, 100))) process.kill(pid, 'SIGKILL');
      // an old-style component led its own group too: what it started goes with it
      await endGroup(pid);
      ended.push(`${name} (pid ${pid})`);
    }
    if (!except.includes(pid ?? -1)) removePid(dataDir, name);
  }
  return ended;
}
