// `flotilla COMPONENT [flags]`: runs one part of the control plane in this process. Each command loads only its
// own component's code.
import { logger } from '../lib/util/log.js';
import { join, resolve } from 'node:path';
import { Client, loadKubeConfig } from '../lib/client/index.js';
import { checkFlags, flag, intFlag, parseArgs, type Parsed } from './args.js';
import { runComponent } from './component.js';

const log = logger('flotilla');

const USAGE = `Usage: flotilla COMMAND [flags]

Commands:
  apiserver           Run the API server (embedded etcd unless --etcd-servers is given)
  controller-manager  Run the controllers (deployments, replica sets, garbage collection, nodes, namespaces)
  scheduler           Run the scheduler (places pods on nodes)
  hollow-nodes        Run N simulated nodes that report their pods Running without containers
  runtime             Run a node's container runtime: a local registry with the demo images, and containerd
  node-agent          Run the node agent: registers this node and runs its pods through containerd's CRI
  up                  Start a local cluster in the background (API server + etcd, controllers, scheduler, nodes)
  down                Stop the local cluster started by up (its state stays in the data dir)

apiserver flags:
  --bind-address ADDR          address to listen on (default 127.0.0.1)
  --port N                     port to listen on (default 6443; 0 picks a free one)
  --data-dir DIR               state and kubeconfig directory (default ./.flotilla)
  --etcd-servers URL[,URL]     use this etcd cluster instead of the embedded one
  --etcd-client-port N         embedded etcd client port (default 2379)
  --etcd-peer-port N           embedded etcd peer port (default 2380)
  --watch-bookmark-interval S  seconds between watch bookmarks (default 30)
  --default-watch-cache-size N events kept per resource for resuming watches (default 20000)

controller-manager and scheduler flags:
  --kubeconfig FILE            how to reach the API server (default ./.flotilla/kubeconfig)
  --leader-elect BOOL          campaign for a Lease in kube-system and act only while holding it (default true)
  --metrics-bind-address H:P   serve /metrics and /healthz here (default: don't)
controller-manager only:
  --node-monitor-grace-period S  seconds without a heartbeat before a node is Unknown (default 40)
  --node-monitor-period S        seconds between node health checks (default 5)
  --default-toleration-seconds S how long pods stay on a not-ready or unreachable node (default 300)
  --concurrent-syncs N           workers per controller (default 5)
scheduler only:
  --config FILE                scheduler configuration (profiles, plugins, weights; YAML or JSON)

runtime flags:
  --data-dir DIR               registry storage and containerd state (default ./.flotilla)
  --registry-port N            the registry listens on 127.0.0.1:N (default 5000)

node-agent flags:
  --kubeconfig FILE            how to reach the API server (default ./.flotilla/kubeconfig)
  --containerd SOCKET          containerd's socket (default <data-dir>/containerd/containerd.sock)
  --data-dir DIR               where pod logs live (default ./.flotilla)
  --node-name NAME             the Node to register (default: the host name)
  --port N                     port of the log/exec server the API server calls (default 10250)

up and down flags:
  --data-dir DIR               state, logs and kubeconfig (default ./.flotilla)
  --port N                     API server port (up; default 6443)
  --hollow-nodes N             also run N hollow nodes (up; default 0)
  --registry-port N            the local image registry's port (up; default 5000)
  --node-agent-port N          the node agent's log/exec port (up; default 10250)
  --node-name NAME             the real node's name (up; default: the host name)

hollow-nodes flags:
  --kubeconfig FILE            how to reach the API server (default ./.flotilla/kubeconfig)
  --count N                    how many nodes (default 3)
  --name-prefix P              node names are P-0, P-1, ... (default hollow-node)
  --cpu Q --memory Q --max-pods N   each node's capacity (default 32, 256Gi, 110)
  --heartbeat-interval S       seconds between Lease renewals (default 10)
`;

const DEFAULT_KUBECONFIG = './.flotilla/kubeconfig';

function boolFlag(p: Parsed, name: string, def: boolean): boolean {
  const v = flag(p, name);
  if (v === undefined) return def;
  if (v !== 'true' && v !== 'false') throw new Error(`--${name} must be true or false (got "${v}")`);
  return v === 'true';
}

async function runControllerManager(argv: string[]): Promise<void> {
  const p = parseArgs(argv, ['leader-elect']);
  checkFlags(p, ['kubeconfig', 'leader-elect', 'metrics-bind-address', 'node-monitor-grace-period', 'node-monitor-period', 'default-toleration-seconds', 'concurrent-syncs']);
  const options = {
    nodeMonitorGracePeriodMs: intFlag(p, 'node-monitor-grace-period', 40) * 1000,
    nodeMonitorPeriodMs: Math.max(1, intFlag(p, 'node-monitor-period', 5)) * 1000,
    defaultTolerationSeconds: intFlag(p, 'default-toleration-seconds', 300),
    workers: Math.max(1, intFlag(p, 'concurrent-syncs', 5)),
  };
  const { runControllers } = await import('../controllers/manager.js');
  await runComponent({
    name: 'kube-controller-manager',
    kubeconfig: flag(p, 'kubeconfig') ?? DEFAULT_KUBECONFIG,
    leaderElect: boolFlag(p, 'leader-elect', true),
    metricsAddress: flag(p, 'metrics-bind-address'),
    run: (client, signal) => runControllers(client, signal, options),
  });
}

async function runSchedulerCommand(argv: string[]): Promise<void> {
  const p = parseArgs(argv, ['leader-elect']);
  checkFlags(p, ['kubeconfig', 'leader-elect', 'metrics-bind-address', 'config']);
  const { Scheduler, defaultSchedulerConfig, loadSchedulerConfig } = await import('../scheduler/index.js');
  const configFile = flag(p, 'config');
  const config = configFile ? loadSchedulerConfig(configFile) : defaultSchedulerConfig();
  let scheduler: InstanceType<typeof Scheduler> | undefined;
  await runComponent({
    name: 'kube-scheduler',
    kubeconfig: flag(p, 'kubeconfig') ?? DEFAULT_KUBECONFIG,
    leaderElect: boolFlag(p, 'leader-elect', true),
    metricsAddress: flag(p, 'metrics-bind-address'),
    metrics: () => scheduler?.metrics,
    run: async (client, signal) => {
      scheduler = new Scheduler(client, { config });
      await scheduler.run(signal);
    },
  });
}

async function runHollowNodes(argv: string[]): Promise<void> {
  const p = parseArgs(argv);
  checkFlags(p, ['kubeconfig', 'count', 'name-prefix', 'cpu', 'memory', 'max-pods', 'heartbeat-interval']);
  const { HollowNodes } = await import('../node-agent/hollow/nodes.js');
  const client = new Client(loadKubeConfig({ kubeconfig: flag(p, 'kubeconfig') ?? DEFAULT_KUBECONFIG }));
  const nodes = new HollowNodes(client, { count: intFlag(p, 'count', 3), prefix: flag(p, 'name-prefix'), cpu: flag(p, 'cpu'), memory: flag(p, 'memory'), pods: intFlag(p, 'max-pods', 110), heartbeatMs: Math.max(1, intFlag(p, 'heartbeat-interval', 10)) * 1000 });
  onSignals(async () => {
    nodes.stop();
    client.close();
  });
  await nodes.start();
}

async function runApiServer(argv: string[]): Promise<void> {
  const p = parseArgs(argv);
  checkFlags(p, ['bind-address', 'port', 'data-dir', 'etcd-servers', 'etcd-client-port', 'etcd-peer-port', 'watch-bookmark-interval', 'default-watch-cache-size']);
  const { ApiServer } = await import('../apiserver/server.js');
  const server = new ApiServer({
    bindAddress: flag(p, 'bind-address') ?? '127.0.0.1',
    port: intFlag(p, 'port', 6443),
    dataDir: flag(p, 'data-dir') ?? './.flotilla',
    etcdServers: flag(p, 'etcd-servers')?.split(',').map((s) => s.trim()).filter(Boolean),
    etcdClientPort: intFlag(p, 'etcd-client-port', 2379),
    etcdPeerPort: intFlag(p, 'etcd-peer-port', 2380),
    bookmarkIntervalMs: intFlag(p, 'watch-bookmark-interval', 30) * 1000,
    watchWindow: Math.max(1, intFlag(p, 'default-watch-cache-size', 20_000)),
  });
  onSignals(() => server.stop());
  try {
    await server.start();
  } catch (e) {
    log.error('API server failed to start', { error: (e as Error).message });
    await server.stop().catch(() => undefined);
    process.exit(1);
  }
}

/** Stops on SIGINT/SIGTERM: runs stop once, then exits. */
function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal: sig });
    stop().catch((e: Error) => log.error('stop failed', { error: e.message })).finally(() => process.exit(0));
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

async function runRuntime(argv: string[]): Promise<void> {
  const p = parseArgs(argv);
  checkFlags(p, ['data-dir', 'registry-port']);
  const { startNodeRuntime } = await import('../node-agent/runtime/stack.js');
  const dataDir = resolve(flag(p, 'data-dir') ?? './.flotilla');
  const rt = await startNodeRuntime({ dataDir, registryPort: intFlag(p, 'registry-port', 5000) });
  onSignals(() => rt.stop());
  log.info('runtime ready', { registry: rt.registry.host, containerd: rt.containerd.socket, images: rt.images });
}

async function runNodeAgent(argv: string[]): Promise<void> {
  const p = parseArgs(argv);
  checkFlags(p, ['kubeconfig', 'containerd', 'data-dir', 'node-name', 'port']);
  const [{ NodeAgent }, { CriClient }, { AgentServer }] = await Promise.all([import('../node-agent/agent.js'), import('../node-agent/cri/client.js'), import('../node-agent/server/server.js')]);
  const dataDir = resolve(flag(p, 'data-dir') ?? './.flotilla');
  const cri = new CriClient({ endpoint: flag(p, 'containerd') ?? join(dataDir, 'containerd/containerd.sock'), waitForReady: true });
  const client = new Client(loadKubeConfig({ kubeconfig: flag(p, 'kubeconfig') ?? DEFAULT_KUBECONFIG }));
  const port = intFlag(p, 'port', 10250);
  const agent = new NodeAgent(client, cri, { nodeName: flag(p, 'node-name'), dataDir, logRoot: join(dataDir, 'pod-logs'), port });
  const server = new AgentServer(agent, cri);
  await server.listen(port, agent.hostIP);
  onSignals(async () => {
    agent.stop();
    await server.close();
    client.close();
  });
  await agent.start();
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  switch (cmd) {
    case 'apiserver':
      return runApiServer(rest);
    case 'controller-manager':
      return runControllerManager(rest);
    case 'scheduler':
      return runSchedulerCommand(rest);
    case 'hollow-nodes':
      return runHollowNodes(rest);
    case 'runtime':
      return runRuntime(rest);
    case 'node-agent':
      return runNodeAgent(rest);
    case 'up': {
      const p = parseArgs(rest);
      checkFlags(p, ['data-dir', 'port', 'hollow-nodes', 'registry-port', 'node-agent-port', 'node-name']);
      const { up } = await import('./up.js');
      const { hostname } = await import('node:os');
      return up({
        dataDir: flag(p, 'data-dir') ?? './.flotilla',
        port: intFlag(p, 'port', 6443),
        hollowNodes: intFlag(p, 'hollow-nodes', 0),
        registryPort: intFlag(p, 'registry-port', 5000),
        agentPort: intFlag(p, 'node-agent-port', 10250),
        nodeName: flag(p, 'node-name') ?? hostname().toLowerCase(),
      });
    }
    case 'dashboard':
      return (await import('./dashboard.js')).dashboardCommand(rest);
    case 'down': {
      const p = parseArgs(rest);
      checkFlags(p, ['data-dir']);
      const { down } = await import('./up.js');
      return down(flag(p, 'data-dir') ?? './.flotilla');
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`flotilla: unknown command "${cmd}"\n\n${USAGE}`);
      process.exit(2);
  }
}

main().catch((e: Error) => {
  process.stderr.write(`flotilla: ${e.message}\n`);
  process.exit(1);
});
