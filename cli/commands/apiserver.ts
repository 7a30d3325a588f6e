// `flotilla apiserver`: the API server, with an embedded etcd under its data dir unless --etcd-servers is given.
import { logger } from '../../lib/util/log.js';
import { onSignals } from '../signals.js';
import { dataDirFlag, type Command } from './command.js';

const log = logger('flotilla');

export const apiserver: Command = {
  spec: {
    name: 'apiserver',
    summary: 'Run the API server (embedded etcd unless --etcd-servers is given)',
    flags: [
      { name: 'bind-address', type: 'string', value: 'ADDR', help: 'address to listen on', default: '127.0.0.1' },
      { name: 'advertise-address', type: 'string', value: 'ADDR', help: "the address the kubernetes Service's endpoints name", defaultText: 'the bind address, or the host\'s when it is 0.0.0.0' },
      { name: 'service-cluster-ip-range', type: 'string', value: 'CIDR', help: 'where Service cluster IPs come from', default: '10.96.0.0/12' },
      { name: 'service-node-port-range', type: 'string', value: 'FIRST-LAST', help: 'where node ports come from', default: '30000-32767' },
      { name: 'port', type: 'int', value: 'N', help: 'port to listen on (0 picks a free one)', default: 6443 },
      dataDirFlag('state and kubeconfig directory'),
      { name: 'etcd-servers', type: 'string', value: 'URL[,URL]', help: 'use this etcd cluster instead of the embedded one' },
      { name: 'etcd-client-port', type: 'int', value: 'N', help: 'embedded etcd client port; a taken one is an error (0: any free one)', defaultText: 'the one recorded in the data dir, else 2379 when free, else a free one' },
      { name: 'etcd-peer-port', type: 'int', value: 'N', help: 'embedded etcd peer port (the same rules)', defaultText: 'recorded, else 2380 when free, else a free one' },
      { name: 'watch-bookmark-interval', type: 'seconds', value: 'S', help: 'time between watch bookmarks (seconds, or a duration such as 30s)', default: 30 },
      { name: 'default-watch-cache-size', type: 'int', value: 'N', help: 'events kept per resource for resuming watches', default: 20_000, min: 1 },
    ],
  },
  async run(f) {
    const { ApiServer } = await import('../../apiserver/server.js');
    const server = new ApiServer({
      bindAddress: f.string('bind-address') as string,
      advertiseAddress: f.string('advertise-address'),
      serviceClusterIPRange: f.string('service-cluster-ip-range'),
      serviceNodePortRange: f.string('service-node-port-range'),
      port: f.int('port'),
      dataDir: f.string('data-dir') as string,
      etcdServers: f.string('etcd-servers')?.split(',').map((s) => s.trim()).filter(Boolean),
      etcdClientPort: f.given('etcd-client-port') ? f.int('etcd-client-port') : undefined,
      etcdPeerPort: f.given('etcd-peer-port') ? f.int('etcd-peer-port') : undefined,
      bookmarkIntervalMs: f.ms('watch-bookmark-interval'),
      watchWindow: f.int('default-watch-cache-size'),
    });
    onSignals(() => server.stop());
    try {
      await server.start();
    } catch (e) {
      log.error('API server failed to start', { error: (e as Error).message });
      await server.stop().catch(() => undefined);
      process.exit(1);
    }
  },
};
