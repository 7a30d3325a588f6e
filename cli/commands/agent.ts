// `flotilla agent --server https://HOST:6443 --token TOKEN --ca-file CA`: joins this machine to a cluster as a node
// (what `k3s agent` and `kubeadm join` do): the bootstrap token obtains the node's client certificate through a
// CertificateSigningRequest (approved automatically for bootstrap tokens) and the node agent's kubeconfig is written
// under the data dir. Then it runs the node until stopped, as `flotilla up`'s supervisor runs the local one: the
// runtime (a registry with the demo images, containerd) and the node agent with the node's own credentials, each its
// own supervised process (restarted if it exits), stopped in order on SIGTERM (the node agent, then the runtime, which
// drains the pods). The node agent asks for its serving certificate with a CSR (kubernetes.io/kubelet-serving: an
// administrator approves it) and takes its pod network from the Node's podCIDR (node IPAM), routing to the other
// nodes' pods (host-gw). With --hollow it runs the node as a hollow node instead (pods report Running without
// containers).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { dataDirFlag, type Command } from './command.js';
import type { Flags } from '../flags.js';

function readToken(f: Flags): string {
  const file = f.string('token-file');
  if (f.string('token') && file) throw new Error('give --token or --token-file, not both');
  return file ? readFileSync(file, 'utf8').trim() : f.string('token') ?? '';
}

export const agent: Command = {
  spec: {
    name: 'agent',
    summary: 'Join this machine to a cluster with a bootstrap token and run it as a node (runtime and node agent) until stopped',
    flags: [
      { name: 'server', type: 'string', value: 'URL', help: 'the API server, https://HOST:PORT (required)' },
      { name: 'token', type: 'string', value: 'TOKEN', help: 'a bootstrap token, <id>.<secret> (flotilla token create; required unless the node already has credentials)' },
      { name: 'token-file', type: 'string', value: 'FILE', help: 'read the bootstrap token from FILE instead (kept out of the process list)' },
      { name: 'ca-file', type: 'string', value: 'FILE', help: 'the cluster CA (the server\'s <data-dir>/pki/ca.crt, copied here; required)' },
      { name: 'ca-cert-hash', type: 'string', value: 'sha256:HEX', help: 'refuse the CA file unless its public key has this hash (flotilla token create prints it)' },
      { name: 'node-name', type: 'string', value: 'NAME', help: 'the Node to register', defaultText: 'the host name' },
      dataDirFlag('the node\'s credentials (<data-dir>/pki), runtime, pods and logs'),
      { name: 'hollow', type: 'bool', help: 'then run the node as a hollow node (pods report Running without containers) until stopped', default: false },
      { name: 'join-only', type: 'bool', help: 'obtain the node\'s credentials, write its kubeconfig and exit (to run the runtime and node agent yourself)', default: false },
      { name: 'expiration-seconds', type: 'int', value: 'S', help: 'the validity to ask for the node certificate (at least 600)', defaultText: 'the signer\'s' },
      { name: 'node-ip', type: 'string', value: 'IP', help: "the node's InternalIP, which the API server and the other nodes reach", defaultText: 'the first non-loopback IPv4 address' },
      { name: 'node-agent-port', type: 'int', value: 'N', help: "the node agent's log/exec port", default: 10250 },
      { name: 'registry-port', type: 'int', value: 'N', help: "the node's local image registry (127.0.0.1:N, holding the demo images)", default: 5000 },
      { name: 'cgroup-root', type: 'string', value: 'PATH', help: "the node agent's --cgroup-root", default: '/' },
      { name: 'service-cluster-ip-range', type: 'string', value: 'CIDR', help: "the cluster's Service range (the API server's --service-cluster-ip-range)", default: '10.96.0.0/12' },
      { name: 'pod-cidr-from-node', type: 'bool', default: true,
        help: "take the pod network from the Node's spec.podCIDR (the controller-manager's --allocate-node-cidrs) and route to the other nodes' pods; false: a pod subnet of this machine's own, reachable from no other node" },
    ],
  },
  async run(f) {
    const server = f.string('server');
    const caFile = f.string('ca-file');
    if (!server) throw new Error('--server is required');
    if (!caFile) throw new Error('--ca-file is required: the cluster CA the API server\'s certificate chains to');
    const { bootstrapNodeCredentials, caCertHash, nodeKubeconfigPath } = await import('../../node-agent/bootstrap.js');
    const ca = readFileSync(caFile, 'utf8');
    const want = f.string('ca-cert-hash');
    if (want && caCertHash(ca) !== want.toLowerCase()) throw new Error(`the CA in ${caFile} has hash ${caCertHash(ca)}, not ${want}`);
    const hollow = f.bool('hollow');
    if (!hollow) (await import('../../node-agent/pods/cgroups.js')).normalizeCgroupRoot(f.string('cgroup-root') as string);
    const nodeName = f.string('node-name') ?? hostname().toLowerCase();
    const dataDir = resolve(f.string('data-dir') as string);
    const dir = join(dataDir, 'pki');
    const token = readToken(f);
    const { onSignals } = await import('../signals.js');
    const report = (creds: { issued: boolean; csrName?: string; kubeconfig: string }) =>
      process.stdout.write(`node ${nodeName}: ${creds.issued ? `certificate issued (${creds.csrName})` : 'credentials still good'}; kubeconfig ${creds.kubeconfig}\n`);
    const join_ = () => bootstrapNodeCredentials({ server, token, ca, nodeName, dir, expirationSeconds: f.given('expiration-seconds') ? f.int('expiration-seconds') : undefined });
    if (f.bool('join-only')) {
      report(await join_());
      return;
    }
    if (hollow) {
      const creds = await join_();
      report(creds);
      const [{ HollowNodes }, { Client, loadKubeConfig }] = await Promise.all([import('../../node-agent/hollow/nodes.js'), import('../../lib/client/index.js')]);
      // every call the node makes is its own (system:node:<name>): the Node authorizer confines it as any node agent
      const client = new Client(loadKubeConfig({ kubeconfig: creds.kubeconfig }));
      const nodes = new HollowNodes(client, { count: 1, names: [nodeName] });
      onSignals(async () => {
        nodes.stop();
        client.close();
      });
      await nodes.start();
      return;
    }
    const [{ writeSecureFile }, { runNode }, { mkdirSync }] = await Promise.all([import('../../apiserver/auth/cluster-pki.js'), import('../node-supervisor.js'), import('node:fs')]);
    // the node agent checks the API server's client certificate against the cluster CA: a copy of it beside the node's own
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const nodeCA = join(dir, 'ca.crt');
    writeSecureFile(nodeCA, ca, 0o644);
    // the runtime (registry, images, containerd) needs no credentials: it starts while the node joins; the node agent
    // starts once both are there
    const credentials = join_();
    const joined = credentials.then(() => undefined);
    joined.catch(() => undefined); // a failed join is reported below; the node agent's start just never comes
    const supervisor = await runNode({
      dataDir, nodeName, kubeconfig: nodeKubeconfigPath(dir), credentials: joined, caFile: nodeCA, nodeIP: f.string('node-ip'),
      nodeAgentPort: f.int('node-agent-port'), registryPort: f.int('registry-port'), cgroupRoot: f.string('cgroup-root') as string,
      serviceCIDR: f.string('service-cluster-ip-range') as string, podCIDRFromNode: f.bool('pod-cidr-from-node'),
    });
    onSignals(() => supervisor.stop());
    try {
      report(await credentials);
    } catch (e) {
      await supervisor.stop();
      throw e;
    }
  },
};
