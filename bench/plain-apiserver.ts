// The benchmarks' plain API server: the same server as `flotilla apiserver`, in a process of its own, but over plain
// HTTP with every caller taken for system:masters (setUpSecurity's plainHttp, which no flag sets), so bench/apiserver
// can print what TLS, authentication and RBAC cost beside it. Arguments: PORT DATA_DIR ETCD_ENDPOINT [GROUP_COMMIT]
// (--etcd-group-commit's mode, default none).
import { ApiServer } from '../apiserver/server.js';

const [port, dataDir, etcd, groupCommit = 'none'] = process.argv.slice(2);
if (!port || !dataDir || !etcd) throw new Error('usage: plain-apiserver PORT DATA_DIR ETCD_ENDPOINT [none|resource|all]');
if (!['none', 'resource', 'all'].includes(groupCommit)) throw new Error(`group commit mode ${groupCommit}: none, resource or all`);
const server = new ApiServer({ bindAddress: '127.0.0.1', port: Number(port), dataDir, etcdServers: [etcd], bookmarkIntervalMs: 3_600_000, security: { plainHttp: true },
  groupCommit: groupCommit as 'none' | 'resource' | 'all' });
await server.start();
process.once('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
