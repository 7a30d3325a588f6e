// `flotilla status`: each component of a local cluster as the supervisor last recorded it (state, pid, restarts,
// uptime, last exit), checked against the live processes, as a table or as JSON.
import { resolve } from 'node:path';
import { humanDuration } from '../lib/api/duration.js';
import { readClusterConfig, type ClusterConfig } from './cluster.js';
import { alive } from './supervisor/procfs.js';
import { readState, type ComponentState, type LastExit } from './supervisor/state.js';
import { runningSupervisor } from './up.js';

export interface StatusReport {
  dataDir: string;
  supervisor: { state: 'running' | 'stopped' | 'dead'; pid?: number; startedAt?: string };
  cluster?: ClusterConfig;
  components: Array<ComponentState & { uptimeSeconds?: number }>;
}

/** What `status` reports; `now` for tests. */
export function statusReport(dataDirArg: string, now = Date.now()): StatusReport {
  const dataDir = resolve(dataDirArg);
  const state = readState(dataDir);
  const pid = runningSupervisor(dataDir);
  // a state file that says running while no supervisor lives: it died without stopping (SIGKILL, OOM)
  const sup = pid ? 'running' : state?.running ? 'dead' : 'stopped';
  const components = (state?.components ?? []).map((c) => {
    const live = c.pid !== undefined && alive(c.pid);
    const phase = !pid && c.phase !== 'stopped' ? (live ? c.phase : 'stopped') : c.phase;
    const uptimeSeconds = live && c.startedAt ? Math.max(0, Math.round((now - Date.parse(c.startedAt)) / 1000)) : undefined;
    return { ...c, phase, pid: live ? c.pid : undefined, uptimeSeconds };
  });
  return {
    dataDir,
    supervisor: { state: sup, pid: pid ?? (sup === 'dead' ? state?.pid : undefined), startedAt: pid ? state?.startedAt : undefined },
    cluster: readClusterConfig(dataDir),
    components,
  };
}

function lastExit(e: LastExit | undefined, now: number): string {
  if (!e) return '-';
  const what = e.signal ? e.signal : `exit code ${e.code}`;
  return `${what}, ${humanDuration(now - Date.parse(e.at))} ago`;
}

function phase(c: ComponentState, now: number): string {
  if (c.phase === 'backoff' && c.nextStartAt) return `back-off (restart in ${humanDuration(Date.parse(c.nextStartAt) - now)})`;
  return c.phase;
}

export function statusTable(r: StatusReport, now = Date.now()): string {
  const rows = [['COMPONENT', 'STATE', 'PID', 'RESTARTS', 'UPTIME', 'LAST EXIT']];
  rows.push(['supervisor', r.supervisor.state, r.supervisor.pid ? String(r.supervisor.pid) : '-', '-',
    r.supervisor.startedAt ? humanDuration(now - Date.parse(r.supervisor.startedAt)) : '-', '-']);
  for (const c of r.components) {
    const uptime = c.uptimeSeconds !== undefined ? humanDuration(c.uptimeSeconds * 1000) : '-';
    rows.push([c.name, phase(c, now), c.pid ? String(c.pid) : '-', String(c.restarts), uptime, lastExit(c.lastExit, now)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  const lines = rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] as number) + 3))).join('').trimEnd());
  const head: string[] = [`Data dir: ${r.dataDir}`];
  const c = r.cluster;
  if (c) head.push(`API server: https://127.0.0.1:${c.apiserverPort}   registry: 127.0.0.1:${c.registryPort}   node agent port: ${c.nodeAgentPort}`);
  if (r.supervisor.state === 'dead') head.push('The supervisor died without stopping its components; run "flotilla down" to clean up, then "flotilla up".');
  return `${head.join('\n')}\n\n${lines.join('\n')}\n`;
}
