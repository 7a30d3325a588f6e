// `flotilla COMPONENT [flags]`: runs one part of the control plane in this process.
import { ApiServer } from '../apiserver/server.js';
import { logger } from '../lib/util/log.js';
import { checkFlags, flag, intFlag, parseArgs } from './args.js';

const log = logger('flotilla');

const USAGE = `Usage: flotilla COMMAND [flags]

Commands:
  apiserver   Run the API server (embedded etcd unless --etcd-servers is given)

apiserver flags:
  --bind-address ADDR          address to listen on (default 127.0.0.1)
  --port N                     port to listen on (default 6443; 0 picks a free one)
  --data-dir DIR               state and kubeconfig directory (default ./.flotilla)
  --etcd-servers URL[,URL]     use this etcd cluster instead of the embedded one
  --etcd-client-port N         embedded etcd client port (default 2379)
  --etcd-peer-port N           embedded etcd peer port (default 2380)
  --watch-bookmark-interval S  seconds between watch bookmarks (default 30)
  --default-watch-cache-size N events kept per resource for resuming watches (default 20000)
`;

async function runApiServer(argv: string[]): Promise<void> {
  const p = parseArgs(argv);
  checkFlags(p, ['bind-address', 'port', 'data-dir', 'etcd-servers', 'etcd-client-port', 'etcd-peer-port', 'watch-bookmark-interval', 'default-watch-cache-size']);
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
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    await server.stop().catch((e: Error) => log.error('stop failed', { error: e.message }));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  try {
    await server.start();
  } catch (e) {
    log.error('API server failed to start', { error: (e as Error).message });
    await server.stop().catch(() => undefined);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  switch (cmd) {
    case 'apiserver':
      return runApiServer(rest);
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
