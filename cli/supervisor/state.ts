// What the supervisor records under <data-dir>/run: its own pid (supervisor.pid), each running component's pid
// (<name>.pid, for scripts and for `down` after a crash), and supervisor.json: every component's phase, pid and
// process group, restarts, start time and last exit. `flotilla status` reads it; the supervisor rewrites it (whole, by
// rename, so a reader never sees half a file) on every change.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** waiting: for the components it needs; starting: started, not ready yet; backoff: exited, restart scheduled. */
export type Phase = 'waiting' | 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped';

export interface LastExit {
  code: number | null;
  signal: string | null;
  /** RFC 3339. */
  at: string;
  /** How long that run lasted. */
  ranSeconds: number;
}

export interface ComponentState {
  name: string;
  phase: Phase;
  pid?: number;
  /** The component's process group (its pid when started; kept until the group is empty). */
  pgid?: number;
  /** Times it was started again after exiting. */
  restarts: number;
  /** When the current run started (RFC 3339). */
  startedAt?: string;
  lastExit?: LastExit;
  /** When a component in back-off starts again (RFC 3339). */
  nextStartAt?: string;
}

export interface SupervisorState {
  pid: number;
  startedAt: string;
  dataDir: string;
  /** False once the supervisor stopped (cleanly). */
  running: boolean;
  components: ComponentState[];
}

export const runDir = (dataDir: string) => join(dataDir, 'run');
export const pidFile = (dataDir: string, name: string) => join(runDir(dataDir), `${name}.pid`);
export const stateFile = (dataDir: string) => join(runDir(dataDir), 'supervisor.json');

export function writeState(dataDir: string, state: SupervisorState): void {
  mkdirSync(runDir(dataDir), { recursive: true });
  const file = stateFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, file);
}

export function readState(dataDir: string): SupervisorState | undefined {
  try {
    const s = JSON.parse(readFileSync(stateFile(dataDir), 'utf8')) as SupervisorState;
    return Array.isArray(s.components) ? s : undefined;
  } catch {
    return undefined;
  }
}

export function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function writePid(dataDir: string, name: string, pid: number): void {
  mkdirSync(runDir(dataDir), { recursive: true });
  writeFileSync(pidFile(dataDir, name), `${pid}\n`);
}

export function removePid(dataDir: string, name: string): void {
  rmSync(pidFile(dataDir, name), { force: true });
}

/** RFC 3339 in seconds, as Kubernetes writes times. */
export { rfc3339 } from '../../lib/api/time.js';
