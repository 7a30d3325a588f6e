// `flotilla agent --server https://HOST:6443 --token TOKEN --ca-file CA`: joins this machine to a cluster as a node
// (what `k3s agent` and `kubeadm join` do): the bootstrap token obtains the node's own client certificate through a
// CertificateSigningRequest (approved automatically for bootstrap tokens) and the node agent's kubeconfig is written
// under the data dir. With --hollow it then runs the node as a hollow node under its own identity (pods report
// Running without containers). Starting the runtime and a real node agent with the credentials is, for now,
// `flotilla runtime` and `flotilla node-agent --kubeconfig <data-dir>/pki/node-agent.kubeconfig`.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { dataDirFlag, type Command } from './command.js';

export const agent: Command = {
  spec: {
    name: 'agent',
    summary: 'Join this machine to a cluster with a bootstrap token: obtain the node\'s client certificate and write its kubeconfig',
    flags: [
      { name: 'server', type: 'string', value: 'URL', help: 'the API server, https://HOST:PORT (required)' },
      { name: 'token', type: 'string', value: 'TOKEN', help: 'a bootstrap token, <id>.<secret> (flotilla token create; required unless the node already has credentials)' },
      { name: 'ca-file', type: 'string', value: 'FILE', help: 'the cluster CA (the server\'s <data-dir>/pki/ca.crt, copied here; required)' },
      { name: 'ca-cert-hash', type: 'string', value: 'sha256:HEX', help: 'refuse the CA file unless its public key has this hash (flotilla token create prints it)' },
      { name: 'node-name', type: 'string', value: 'NAME', help: 'the Node to register', defaultText: 'the host name' },
      dataDirFlag('where the node\'s credentials go (<data-dir>/pki)'),
      { name: 'hollow', type: 'bool', help: 'then run the node as a hollow node (pods report Running without containers) until stopped', default: false },
      { name: 'expiration-seconds', type: 'int', value: 'S', help: 'the validity to ask for the node certificate (at least 600)', defaultText: 'the signer\'s' },
    ],
  },
  async run(f) {
    const server = f.string('server');
    const caFile = f.string('ca-file');
    if (!server) throw new Error('--server is required');
    if (!caFile) throw new Error('--ca-file is required: the cluster CA the API server\'s certificate chains to');
    const { bootstrapNodeCredentials, caCertHash } = await import('../../node-agent/bootstrap.js');
    const ca = readFileSync(caFile, 'utf8');
    const want = f.string('ca-cert-hash');
    if (want && caCertHash(ca) !== want.toLowerCase()) throw new Error(`the CA in ${caFile} has hash ${caCertHash(ca)}, not ${want}`);
    const nodeName = f.string('node-name') ?? hostname().toLowerCase();
    const dir = join(resolve(f.string('data-dir') as string), 'pki');
    const creds = await bootstrapNodeCredentials({ server, token: f.string('token') ?? '', ca, nodeName, dir,
      expirationSeconds: f.given('expiration-seconds') ? f.int('expiration-seconds') : undefined });
    process.stdout.write(`node ${nodeName}: ${creds.issued ? `certificate issued (${creds.csrName})` : 'credentials still good'}; kubeconfig ${creds.kubeconfig}\n`);
    if (!f.bool('hollow')) return;
    const [{ HollowNodes }, { Client, loadKubeConfig }, { onSignals }] = await Promise.all([import('../../node-agent/hollow/nodes.js'),
      import('../../lib/client/index.js'), import('../signals.js')]);
    // every call the node makes is its own (system:node:<name>): the Node authorizer confines it as any node agent
    const client = new Client(loadKubeConfig({ kubeconfig: creds.kubeconfig }));
    const nodes = new HollowNodes(client, { count: 1, names: [nodeName] });
    onSignals(async () => {
      nodes.stop();
      client.close();
    });
    await nodes.start();
  },
};
