// `flotilla token create`: a bootstrap token (a Secret of type bootstrap.kubernetes.io/token in kube-system, as
// `kubeadm token create` makes), printed as the command that joins a machine with it.
import { randomInt } from 'node:crypto';
import { kubeconfigFlag, type Command } from './command.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const randomString = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

export const token: Command = {
  spec: {
    name: 'token create',
    summary: 'Make a bootstrap token and print the `flotilla agent` command that joins a node with it',
    flags: [
      kubeconfigFlag,
      { name: 'ttl', type: 'seconds', value: 'S', help: 'how long the token is good for (0: forever)', default: 24 * 3600 },
      { name: 'description', type: 'string', value: 'TEXT', help: 'what the token is for', default: 'flotilla agent join token' },
      { name: 'ca-file', type: 'string', value: 'FILE', help: 'the CA path to print in the join command', defaultText: '<the kubeconfig\'s directory>/pki/ca.crt' },
      { name: 'server', type: 'string', value: 'URL', help: 'the API server address to print in the join command (one the joining machine reaches)', defaultText: 'the kubeconfig\'s' },
    ],
  },
  async run(f) {
    const [{ Client, loadKubeConfig, findByKind }, { caCertHash }, { dirname, join, resolve }] = await Promise.all([import('../../lib/client/index.js'),
      import('../../node-agent/bootstrap.js'), import('node:path')]);
    const kubeconfig = f.string('kubeconfig') as string;
    const config = loadKubeConfig({ kubeconfig });
    const client = new Client(config);
    const id = randomString(6);
    const secret = randomString(16);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const data: Record<string, string> = { 'token-id': b64(id), 'token-secret': b64(secret), 'usage-bootstrap-authentication': b64('true'),
      'usage-bootstrap-signing': b64('true'), description: b64(f.string('description') as string) };
    const ttl = f.ms('ttl');
    if (ttl > 0) data.expiration = b64(new Date(Date.now() + ttl).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    try {
      await client.create(findByKind('v1', 'Secret')!, { metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' }, type: 'bootstrap.kubernetes.io/token', data });
    } finally {
      client.close();
    }
    const hash = config.caData ? ` --ca-cert-hash ${caCertHash(config.caData.toString('utf8'))}` : '';
    const caFile = f.string('ca-file') ?? join(dirname(resolve(kubeconfig)), 'pki/ca.crt');
    process.stdout.write(`flotilla agent --server ${f.string('server') ?? config.server} --token ${id}.${secret} --ca-file ${caFile}${hash}\n`);
  },
};
