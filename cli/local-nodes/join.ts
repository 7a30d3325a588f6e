// How the supervisor runs nodes 2..N of `flotilla up --nodes N`: each is `flotilla agent` started inside its network
// namespace (nsenter --net: only the network is the node's own; `ip netns exec` would also remount /sys, hiding the
// cgroup hierarchies runc and the node agent need), joining with a bootstrap token made by `flotilla token create`
// just before each start: the same commands, and the same code path, as joining a real machine.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeSecureFile } from '../../apiserver/auth/cluster-pki.js';
import { BIN, type ClusterConfig } from '../cluster.js';
import { clusterFiles } from '../credentials.js';
import type { ChildSpec } from '../supervisor/supervisor.js';
import type { LocalNode, LocalNodesPlan } from './plan.js';

/** The join command `flotilla token create` printed, taken apart. */
export interface JoinCommand {
  server: string;
  token: string;
  caFile: string;
  caCertHash?: string;
}

/** Reads `flotilla agent --server URL --token T --ca-file F [--ca-cert-hash H]`; undefined when it is not one. */
export function parseJoinCommand(line: string): JoinCommand | undefined {
  const arg = (flag: string) => new RegExp(`(?:^|\\s)--${flag} (\\S+)`).exec(line)?.[1];
  const [server, token, caFile] = [arg('server'), arg('token'), arg('ca-file')];
  if (!line.trim().startsWith('flotilla agent ') || !server || !token || !caFile) return undefined;
  return { server, token, caFile, caCertHash: arg('ca-cert-hash') };
}

/** Runs `flotilla token create` with the admin kubeconfig; resolves with the join command it printed. */
export function createJoinToken(c: ClusterConfig, server: string, node: string): Promise<JoinCommand> {
  const args = [BIN, 'token', 'create', '--kubeconfig', clusterFiles(c.dataDir).adminKubeconfig, '--ttl', '900', '--server', server,
    '--description', `flotilla up: joins local node ${node}`];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    p.once('error', reject);
    p.once('close', (code) => {
      const cmd = parseJoinCommand(out.trim().split('\n').pop() ?? '');
      if (code === 0 && cmd) resolve(cmd);
      else reject(new Error(`flotilla token create exited ${code}: ${(err || out).trim()}`));
    });
  });
}

/** The API server as the nodes reach it: the host's address on their segment. */
export const nodesServerURL = (c: ClusterConfig, plan: LocalNodesPlan): string => `https://${plan.hostIP}:${c.apiserverPort}`;

/** Where a node's bootstrap token is written for its agent (--token-file: not in the process list). */
export const tokenFileOf = (n: LocalNode): string => join(n.dataDir, 'bootstrap-token');

/**
 * The supervisor's child for local node n. `caCertHash` is the cluster CA's (the one `token create` prints, which
 * the agent checks the CA file against).
 */
export function localNodeSpec(c: ClusterConfig, plan: LocalNodesPlan, n: LocalNode, caCertHash: string | undefined): ChildSpec {
  const server = nodesServerURL(c, plan);
  const caFile = clusterFiles(c.dataDir).caFile;
  return {
    name: n.name,
    // the token is made once the API server serves; a new one for every start (an old one may have expired)
    after: ['apiserver'],
    prepare: async () => {
      const join = await createJoinToken(c, server, n.name);
      if (caCertHash && join.caCertHash && join.caCertHash !== caCertHash) throw new Error(`token create printed CA hash ${join.caCertHash}, not the cluster CA's ${caCertHash}`);
      mkdirSync(n.dataDir, { recursive: true, mode: 0o700 });
      writeSecureFile(tokenFileOf(n), `${join.token}\n`, 0o600);
    },
    command: ['nsenter', `--net=/run/netns/${n.netns}`, '--', process.execPath, BIN, 'agent', '--server', server, '--token-file', tokenFileOf(n),
      '--ca-file', caFile, ...(caCertHash ? ['--ca-cert-hash', caCertHash] : []), '--data-dir', n.dataDir, '--node-name', n.name, '--node-ip', n.ip,
      '--registry-port', String(c.registryPort), '--node-agent-port', String(c.nodeAgentPort), '--cgroup-root', n.cgroupRoot,
      '--service-cluster-ip-range', c.serviceCIDR ?? '10.96.0.0/12'],
    // the agent stops its node agent, then its runtime, which drains the pods
    stopGraceMs: 120_000,
  };
}
