// `flotilla supervise`: the supervisor in the foreground (what `up` starts in the background, and what the systemd
// unit of `install` runs).
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { logger } from '../../lib/util/log.js';
import { primaryIPv4 } from '../../node-agent/node/node.js';
import { clusterFlags, defaultNodeName } from './cluster-flags.js';
import { dataDirFlag, type Command } from './command.js';
import type { ClusterConfig } from '../cluster.js';
import type { LocalNodesPlan } from '../local-nodes/plan.js';

const log = logger('supervisor');

/** Takes <data-dir>/run/supervisor.pid for this process; fails when a live supervisor holds it. */
async function claimPidFile(dataDir: string): Promise<string> {
  const { pidFile, readPid } = await import('../supervisor/state.js');
  const { alive, cmdline } = await import('../supervisor/procfs.js');
  const file = pidFile(dataDir, 'supervisor');
  mkdirSync(join(dataDir, 'run'), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = readPid(file);
      if (pid && pid !== process.pid && alive(pid) && cmdline(pid).includes('supervise')) {
        throw new Error(`a supervisor already runs for ${dataDir} (pid ${pid})`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`cannot take ${file}`);
}

export const supervise: Command = {
  spec: {
    name: 'supervise',
    summary: 'Run a local cluster\'s supervisor in the foreground: it starts every component and restarts any that exits',
    description: `This is what "flotilla up" runs in the background and what the unit written by "flotilla install" runs.
Each component runs in its own process group, is restarted with back-off (1 s doubling to 30 s) when it exits, and is
stopped (SIGTERM, then SIGKILL) with everything it started when the supervisor stops. Ports given here must be free.`,
    flags: [dataDirFlag('state, logs and kubeconfig'), ...clusterFlags],
  },
  async run(f) {
    const [{ Supervisor }, { componentSpecs, stopOrderOf, writeClusterConfig, readClusterConfig }, { endLeftovers }, { choosePorts }] = await Promise.all([
      import('../supervisor/supervisor.js'), import('../cluster.js'), import('../supervisor/leftovers.js'), import('../ports.js'),
    ]);
    const dataDir = resolve(f.string('data-dir') as string);
    // a bad schedule fails before anything starts
    const cron = f.string('etcd-snapshot-schedule-cron');
    const schedule = cron ? (await import('../../lib/api/cron.js')).parseSchedule(cron) : undefined;
    mkdirSync(join(dataDir, 'logs'), { recursive: true });
    const pidPath = await claimPidFile(dataDir);
    let supervisor: InstanceType<typeof Supervisor> | undefined;
    let localNodes: { config: ClusterConfig; plan: LocalNodesPlan } | undefined;
    let approver: { stop(): void; setNodes(plan: LocalNodesPlan): void } | undefined;
    let caCertHash: string | undefined;
    try {
      const ended = await endLeftovers(dataDir, [process.pid]);
      if (ended.length) log.warn('ended processes left by an earlier run', { ended });
      const { ports } = await choosePorts([
        { flag: 'port', what: 'the API server', host: f.string('bind-address') as string, port: f.int('port'), explicit: true },
        { flag: 'registry-port', what: 'the image registry', host: '127.0.0.1', port: f.int('registry-port'), explicit: true },
        { flag: 'node-agent-port', what: 'the node agent', host: primaryIPv4(), port: f.int('node-agent-port'), explicit: true },
      ]);
      const config = {
        dataDir, apiserverPort: ports.port as number, registryPort: ports['registry-port'] as number, nodeAgentPort: ports['node-agent-port'] as number,
        nodeName: f.string('node-name') ?? defaultNodeName(), hollowNodes: f.int('hollow-nodes'),
        etcdClientPort: f.given('etcd-client-port') ? f.int('etcd-client-port') : undefined,
        etcdPeerPort: f.given('etcd-peer-port') ? f.int('etcd-peer-port') : undefined,
        serviceCIDR: f.given('service-cluster-ip-range') ? f.string('service-cluster-ip-range') : undefined,
        cgroupRoot: f.string('cgroup-root'),
        bindAddress: f.given('bind-address') ? f.string('bind-address') : undefined,
        advertiseAddress: f.string('advertise-address'),
        hpaSyncPeriod: f.given('horizontal-pod-autoscaler-sync-period') ? f.string('horizontal-pod-autoscaler-sync-period') : undefined,
        nodeMonitorGracePeriod: f.given('node-monitor-grace-period') ? f.string('node-monitor-grace-period') : undefined,
        clusterCIDR: f.string('cluster-cidr'), nodeCIDRMaskSize: f.given('node-cidr-mask-size') ? f.int('node-cidr-mask-size') : undefined,
        etcdSnapshotScheduleCron: f.string('etcd-snapshot-schedule-cron'), etcdSnapshotRetention: f.given('etcd-snapshot-retention') ? f.int('etcd-snapshot-retention') : undefined,
        nodes: f.int('nodes') > 1 ? f.int('nodes') : undefined, nodeNetwork: f.string('node-network'),
      };
      // nodes 2..N: their network (and the pod network's range) before the certificates, which name this host's
      // address on their segment
      if (config.nodes) {
        const bind = config.bindAddress ?? '0.0.0.0';
        if (bind !== '0.0.0.0' && bind !== '::') throw new Error(`--nodes needs the API server on every address (--bind-address 0.0.0.0), not ${bind}: the nodes reach it on their segment`);
        localNodes = await (await import('../local-nodes/start.js')).startLocalNodes(config);
        Object.assign(config, localNodes.config);
      }
      writeClusterConfig(config);
      // every component's certificate and kubeconfig, before any of them starts
      const { ensureClusterCredentials, clusterFiles } = await import('../credentials.js');
      await ensureClusterCredentials(config, localNodes?.plan.hostIP ?? primaryIPv4());
      caCertHash = localNodes ? (await import('../../node-agent/bootstrap.js')).caCertHash(readFileSync(clusterFiles(dataDir).caFile, 'utf8')) : undefined;
      supervisor = new Supervisor({ dataDir, children: componentSpecs(config, { caCertHash }), stopOrder: stopOrderOf(config) });
      if (localNodes) approver = (await import('../local-nodes/serving-approver.js')).approveLocalNodesServing(config, localNodes.plan);
    } catch (e) {
      if (localNodes) await (await import('../local-nodes/cleanup.js')).cleanUpLocalNodes(dataDir, { nodeName: localNodes.config.nodeName, cgroupRoot: localNodes.config.cgroupRoot, plan: localNodes.plan });
      rmSync(pidPath, { force: true });
      throw e;
    }
    const s = supervisor;
    // the local nodes as they are now (`flotilla node add|remove` change them)
    let nodes = localNodes;
    let stopping = false;
    const stop = (why: string, code: number) => {
      if (stopping) return;
      stopping = true;
      log.info('supervisor stopping', { reason: why });
      s.stop().then(async () => {
        approver?.stop();
        // the nodes' namespaces, segment and guard table: `down` leaves none
        if (nodes) await (await import('../local-nodes/cleanup.js')).cleanUpLocalNodes(dataDir, { nodeName: nodes.config.nodeName, cgroupRoot: nodes.config.cgroupRoot, plan: nodes.plan });
      }).catch((e: Error) => log.error('stop failed', { error: e.message })).finally(() => {
        rmSync(pidPath, { force: true });
        process.exit(code);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM', 0));
    process.on('SIGINT', () => stop('SIGINT', 0));
    // `flotilla node add|remove` record the new number of nodes in cluster.json, then send SIGHUP: one change at a time
    let resizing = Promise.resolve();
    const resizeLocalNodes = async () => {
      const want = readClusterConfig(dataDir)?.nodes ?? 1;
      if (stopping || !nodes || want === nodes.plan.nodes.length + 1) return;
      const [{ localNodesPlan }, { setUpLocalNode }, { cleanUpLocalNode }, { localNodeSpec }] = await Promise.all([import('../local-nodes/plan.js'),
        import('../local-nodes/network.js'), import('../local-nodes/cleanup.js'), import('../local-nodes/join.js')]);
      const config = { ...nodes.config, nodes: want };
      const plan = localNodesPlan({ dataDir, nodeName: config.nodeName, count: want, segment: config.nodeNetwork as string, cgroupRoot: config.cgroupRoot });
      const had = nodes.plan.nodes;
      // the serving certificates of exactly the nodes there will be
      approver?.setNodes(plan);
      for (const n of plan.nodes.filter((x) => !had.some((h) => h.name === x.name))) {
        log.info('adding a local node', { node: n.name, ip: n.ip });
        await setUpLocalNode(plan, n);
        s.add(localNodeSpec(config, plan, n, caCertHash));
      }
      for (const n of had.filter((x) => !plan.nodes.some((p) => p.name === x.name)).reverse()) {
        log.info('removing a local node', { node: n.name });
        await s.remove(n.name);
        const removed = await cleanUpLocalNode(n);
        log.info('removed a local node', { node: n.name, removed });
      }
      s.setStopOrder(stopOrderOf(config));
      nodes = { config, plan };
    };
    process.on('SIGHUP', () => {
      resizing = resizing.then(resizeLocalNodes).catch((e: Error) => log.error('cannot change the local nodes', { error: e.message }));
    });
    process.on('uncaughtException', (e) => {
      log.error('supervisor failed', { error: e.message, stack: e.stack });
      stop('error', 1);
    });
    log.info('supervisor started', { dataDir, pid: process.pid });
    s.start();
    if (schedule) {
      const [{ SnapshotSchedule, SCHEDULED_NAME, DEFAULT_RETENTION }, { etcdEndpointsOf, saveSnapshot, snapshotDirOf }] = await Promise.all([
        import('../etcd-snapshot-schedule.js'), import('../etcd-snapshot.js')]);
      const dir = snapshotDirOf(dataDir);
      new SnapshotSchedule({ schedule, dir, retention: f.given('etcd-snapshot-retention') ? f.int('etcd-snapshot-retention') : DEFAULT_RETENTION,
        take: () => saveSnapshot({ endpoints: etcdEndpointsOf(dataDir), dir, name: SCHEDULED_NAME }) }).start();
      log.info('scheduled etcd snapshots', { schedule: cron, dir });
    }
  },
};
