// `flotilla install`: a systemd unit for a real host, k3s's way. One unit, flotilla.service, runs the supervisor in
// the foreground; the supervisor runs every component (API server with its etcd, runtime, controller-manager,
// scheduler, node agent) and restarts any that exits, and systemd restarts the supervisor. Operators used to k3s
// find what they expect: `systemctl status flotilla`, `journalctl -u flotilla` (the supervisor's log; each
// component's is in <data-dir>/logs), `systemctl restart flotilla`.
//
// KillMode=process: a stop sends SIGTERM to the supervisor only, which stops the components itself, in order (the
// node agent and the controllers, then the runtime, which drains the pods, then the API server), within
// TimeoutStopSec. Were the supervisor to crash, systemd would not SIGKILL the whole tree (which would leave the pods'
// containers and mounts behind); the components notice the supervisor's death and stop cleanly, and the restarted
// supervisor ends whatever is left of them before it starts the components again.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BIN, superviseArgs, type ClusterConfig } from './cluster.js';

export const UNIT_NAME = 'flotilla.service';

/** Quotes an ExecStart word the way systemd reads it (only when needed). */
function word(w: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `"${w.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The [Service] and [Install] sections both units share: the process in the foreground, restarted always, stopping
 * its children itself (KillMode=process), with the limits a container host needs.
 */
function serviceSections(exec: string, environmentFile: string, whyKillModeProcess: string): string {
  return `[Service]
Type=exec
Environment=FLOTILLA_LOG_LEVEL=info
EnvironmentFile=-${environmentFile}
ExecStart=${exec}
# ${whyKillModeProcess}
KillMode=process
TimeoutStopSec=180
Restart=always
RestartSec=5s
LimitNOFILE=1048576
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity

[Install]
WantedBy=multi-user.target
`;
}

/** The unit's text for this cluster; `node` and `bin` are the absolute paths ExecStart runs. */
export function unitFile(c: ClusterConfig, o: { node?: string; bin?: string; readme?: string } = {}): string {
  const exec = [o.node ?? process.execPath, o.bin ?? BIN, ...superviseArgs(c)].map(word).join(' ');
  return `# Written by "flotilla install". One unit runs the whole node, as k3s does: the supervisor starts every component
# (API server with its etcd, runtime, controller-manager, scheduler, node agent) and restarts any that exits.
[Unit]
Description=Flotilla, a Kubernetes-compatible container orchestrator (control plane and node)
Documentation=file://${o.readme ?? resolve(dirname(BIN), '../README.md')}
Wants=network-online.target
After=network-online.target

${serviceSections(exec, '/etc/default/flotilla', 'The supervisor stops the components itself, in order; see "flotilla install --help".')}`;
}

export const AGENT_UNIT_NAME = 'flotilla-agent.service';

/**
 * The unit of a machine joined as a node only (`flotilla install agent`): `flotilla agent` with the join flags. The
 * agent supervises its runtime and node agent itself and stops them in order on SIGTERM (hence KillMode=process, as
 * for the server's unit); once joined, its credentials are in its data dir, so a restart needs no token.
 */
export function agentUnitFile(agentArgs: string[], o: { node?: string; bin?: string; readme?: string } = {}): string {
  const exec = [o.node ?? process.execPath, o.bin ?? BIN, 'agent', ...agentArgs].map(word).join(' ');
  return `# Written by "flotilla install agent". This machine as a node of a Flotilla cluster: the agent joins it (once, with
# the bootstrap token), then runs its runtime and node agent and restarts any that exits.
[Unit]
Description=Flotilla node (runtime and node agent), joined to a cluster
Documentation=file://${o.readme ?? resolve(dirname(BIN), '../README.md')}
Wants=network-online.target
After=network-online.target

${serviceSections(exec, '/etc/default/flotilla-agent', 'The agent stops the node agent, then the runtime (which drains the pods), itself.')}`;
}

export interface InstallOptions {
  config: ClusterConfig;
  /** Root to write under (/ for the real host). */
  prefix: string;
  /** Print the unit, write nothing. */
  dryRun: boolean;
}

export function install(o: InstallOptions): void {
  writeUnit(o, UNIT_NAME, unitFile(o.config), `Then: export KUBECONFIG=${join(o.config.dataDir, 'kubeconfig')}\n`);
}

/** Writes the agent's unit (`flotilla install agent`). */
export function installAgent(o: Omit<InstallOptions, 'config'> & { agentArgs: string[] }): void {
  writeUnit(o, AGENT_UNIT_NAME, agentUnitFile(o.agentArgs), 'Then, on the server: kubectl get nodes; kubectl certificate approve the node\'s kubelet-serving CSR\n');
}

function writeUnit(o: { prefix: string; dryRun: boolean }, unit: string, text: string, then: string): void {
  if (o.dryRun) {
    process.stdout.write(`# ${join('/etc/systemd/system', unit)}\n${text}`);
    return;
  }
  const prefix = resolve(o.prefix);
  const file = join(prefix, 'etc/systemd/system', unit);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text, { mode: 0o644 });
  process.stdout.write(`wrote ${file}\n`);
  const systemd = prefix === '/' && existsSync('/run/systemd/system');
  if (systemd) {
    const r = spawnSync('systemctl', ['daemon-reload'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('systemctl daemon-reload failed');
    process.stdout.write(`Start it now and at every boot with: systemctl enable --now ${unit.replace(/\.service$/, '')}\n`);
    process.stdout.write(then);
  } else if (prefix === '/') {
    process.stdout.write('systemd is not running on this machine: the unit is written, but nothing will start it here.\n');
  }
}
