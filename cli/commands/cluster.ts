// The cluster commands: up, down, status, install.
import { resolve } from 'node:path';
import { clusterFlags, defaultNodeName } from './cluster-flags.js';
import { agent } from './agent.js';
import { dataDirFlag, DEFAULT_DATA_DIR, type Command } from './command.js';
import type { Flags } from '../flags.js';

const optionalPort = (f: Flags, name: string) => (f.given(name) ? f.int(name) : undefined);

export const up: Command = {
  spec: {
    name: 'up',
    summary: 'Start a local cluster in the background (API server + etcd, runtime, controllers, scheduler, node agent)',
    description: `One supervisor process runs every component and restarts any that exits; "up" returns once the node is
Ready. When the cluster of this data dir already runs, "up" says so and changes nothing. A port left at its default
(or at what this data dir used last time) that another process holds - say a second cluster on this machine - is
replaced by a free one, which is printed and recorded in <data-dir>/cluster.json (the kubeconfig follows); a port given
on the command line must be free, or "up" fails naming the process (and the data dir) that holds it.`,
    flags: [dataDirFlag('state, logs and kubeconfig'), ...clusterFlags],
  },
  async run(f) {
    const { up: start } = await import('../up.js');
    await start({
      dataDir: f.string('data-dir') as string,
      port: optionalPort(f, 'port'), registryPort: optionalPort(f, 'registry-port'), agentPort: optionalPort(f, 'node-agent-port'),
      etcdClientPort: optionalPort(f, 'etcd-client-port'), etcdPeerPort: optionalPort(f, 'etcd-peer-port'),
      serviceCIDR: f.given('service-cluster-ip-range') ? f.string('service-cluster-ip-range') : undefined,
      cgroupRoot: f.string('cgroup-root'),
      bindAddress: f.given('bind-address') ? f.string('bind-address') : undefined,
      advertiseAddress: f.string('advertise-address'),
      hpaSyncPeriod: f.given('horizontal-pod-autoscaler-sync-period') ? f.string('horizontal-pod-autoscaler-sync-period') : undefined,
      nodeMonitorGracePeriod: f.given('node-monitor-grace-period') ? f.string('node-monitor-grace-period') : undefined,
        clusterCIDR: f.string('cluster-cidr'), nodeCIDRMaskSize: f.given('node-cidr-mask-size') ? f.int('node-cidr-mask-size') : undefined,
        etcdSnapshotScheduleCron: f.string('etcd-snapshot-schedule-cron'), etcdSnapshotRetention: f.given('etcd-snapshot-retention') ? f.int('etcd-snapshot-retention') : undefined,
      hollowNodes: f.int('hollow-nodes'), nodeName: f.string('node-name') ?? defaultNodeName(),
      nodes: f.given('nodes') ? f.int('nodes') : undefined, nodeNetwork: f.string('node-network'),
    });
  },
};

export const down: Command = {
  spec: {
    name: 'down',
    summary: 'Stop the local cluster started by up (its state stays in the data dir)',
    description: 'Stops the supervisor, which stops every component with everything it started; removes the pid files.',
    flags: [dataDirFlag('the cluster to stop')],
  },
  async run(f) {
    const { down: stop } = await import('../up.js');
    await stop(f.string('data-dir') as string);
  },
};

export const status: Command = {
  spec: {
    name: 'status',
    summary: "Show each component of a local cluster: state, pid, restarts, uptime, last exit",
    description: 'Exits 0 while the supervisor runs, 1 otherwise.',
    flags: [
      dataDirFlag('the cluster to show'),
      { name: 'output', short: 'o', type: 'string', value: 'FORMAT', help: 'table or json', default: 'table', choices: ['table', 'json'] },
    ],
  },
  async run(f) {
    const { statusReport, statusTable } = await import('../status.js');
    const r = statusReport(f.string('data-dir') as string);
    if (!r.components.length && r.supervisor.state !== 'running') {
      process.stderr.write(`flotilla: no cluster has run in ${r.dataDir}\n`);
      process.exitCode = 1;
      if (f.string('output') !== 'json') return;
    }
    process.stdout.write(f.string('output') === 'json' ? JSON.stringify(r, null, 2) + '\n' : statusTable(r));
    if (r.supervisor.state !== 'running') process.exitCode = 1;
  },
};

export const install: Command = {
  spec: {
    name: 'install',
    summary: 'Write a systemd unit that runs this node (control plane and node agent) at boot, k3s\'s way',
    description: `Writes /etc/systemd/system/flotilla.service: one unit, as k3s installs one, running "flotilla supervise" with
the flags below; the supervisor runs every component and restarts any that exits, and systemd (Restart=always)
restarts the supervisor. journalctl -u flotilla has the supervisor's log, <data-dir>/logs each component's.
KillMode=process: "systemctl stop" signals the supervisor only, which stops the components in order (node agent and
controllers, then the runtime, which drains the pods, then the API server); if the supervisor crashes, the components
notice and stop cleanly instead of being killed mid-work, and the restarted supervisor ends anything left.
After writing to the real /etc on a host running systemd, runs "systemctl daemon-reload"; start it with
"systemctl enable --now flotilla".`,
    flags: [
      { ...dataDirFlag('state, logs and kubeconfig'), default: '/var/lib/flotilla' },
      ...clusterFlags,
      { name: 'prefix', type: 'string', value: 'DIR', help: 'write under DIR instead of / (DIR/etc/systemd/system/flotilla.service)', default: '/' },
      { name: 'dry-run', type: 'bool', help: 'print the unit instead of writing it', default: false },
    ],
  },
  async run(f) {
    const { install: write } = await import('../install.js');
    write({
      prefix: f.string('prefix') as string,
      dryRun: f.bool('dry-run'),
      config: {
        dataDir: resolve(f.string('data-dir') as string),
        apiserverPort: f.int('port'), registryPort: f.int('registry-port'), nodeAgentPort: f.int('node-agent-port'),
        nodeName: f.string('node-name') ?? defaultNodeName(), hollowNodes: f.int('hollow-nodes'),
        etcdClientPort: optionalPort(f, 'etcd-client-port'), etcdPeerPort: optionalPort(f, 'etcd-peer-port'),
        serviceCIDR: f.given('service-cluster-ip-range') ? f.string('service-cluster-ip-range') : undefined,
        cgroupRoot: f.string('cgroup-root'),
        bindAddress: f.given('bind-address') ? f.string('bind-address') : undefined,
        advertiseAddress: f.string('advertise-address'),
        hpaSyncPeriod: f.given('horizontal-pod-autoscaler-sync-period') ? f.string('horizontal-pod-autoscaler-sync-period') : undefined,
        nodeMonitorGracePeriod: f.given('node-monitor-grace-period') ? f.string('node-monitor-grace-period') : undefined,
        clusterCIDR: f.string('cluster-cidr'), nodeCIDRMaskSize: f.given('node-cidr-mask-size') ? f.int('node-cidr-mask-size') : undefined,
        etcdSnapshotScheduleCron: f.string('etcd-snapshot-schedule-cron'), etcdSnapshotRetention: f.given('etcd-snapshot-retention') ? f.int('etcd-snapshot-retention') : undefined,
        nodes: f.int('nodes') > 1 ? f.int('nodes') : undefined, nodeNetwork: f.string('node-network'),
      },
    });
  },
};

export { DEFAULT_DATA_DIR };

/** The agent's flags that go into its unit (the token only as a file: a unit is readable by every user). */
const agentUnitFlags = () => agent.spec.flags.filter((x) => !['token', 'hollow', 'join-only'].includes(x.name));

export const installAgent: Command = {
  spec: {
    name: 'install agent',
    summary: 'Write a systemd unit that joins this machine to a cluster as a node and runs it at boot',
    description: `Writes /etc/systemd/system/flotilla-agent.service running "flotilla agent" with the flags below (those of
"flotilla token create"'s join command: --server, --token-file, --ca-file, --ca-cert-hash; and --node-ip, the address
the server and the other nodes reach this machine at). The agent joins once with the bootstrap token, then keeps
its node's credentials in its data dir; it runs the runtime and the node agent and restarts any that exits, and
stops them in order on "systemctl stop" (KillMode=process). Start it with "systemctl enable --now flotilla-agent".`,
    flags: [
      ...agentUnitFlags().map((x) => (x.name === 'data-dir' ? { ...x, default: '/var/lib/flotilla' } : x)),
      { name: 'prefix', type: 'string', value: 'DIR', help: 'write under DIR instead of / (DIR/etc/systemd/system/flotilla-agent.service)', default: '/' },
      { name: 'dry-run', type: 'bool', help: 'print the unit instead of writing it', default: false },
    ],
  },
  async run(f) {
    for (const required of ['server', 'token-file', 'ca-file']) {
      if (!f.given(required)) throw new Error(`--${required} is required (flotilla token create prints the join command; keep its token in a file)`);
    }
    const args: string[] = [];
    for (const x of agentUnitFlags()) {
      if (x.name === 'data-dir') args.push('--data-dir', resolve(f.string('data-dir') as string));
      else if (x.name === 'token-file' || x.name === 'ca-file') args.push(`--${x.name}`, resolve(f.string(x.name) as string));
      else if (f.given(x.name)) args.push(`--${x.name}`, f.string(x.name) as string);
    }
    const { installAgent: write } = await import('../install.js');
    write({ prefix: f.string('prefix') as string, dryRun: f.bool('dry-run'), agentArgs: args });
  },
};
