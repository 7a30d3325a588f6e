// Joining a cluster with a bootstrap token (the kubelet's --bootstrap-kubeconfig flow, what `k3s agent --token` and
// `kubeadm join` do): make a key, ask for the node's client certificate (O=system:nodes, CN=system:node:<name>,
// signer kube-apiserver-client-kubelet) as the token's user, wait until the approver approved it and the signer
// issued it, and write a kubeconfig with it. Credentials still good from an earlier join are kept, so an agent that
// restarts does not need its (maybe expired) token again.
import { X509Certificate, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../lib/api/types.js';
import { createCSR, KUBE_APISERVER_CLIENT_KUBELET, NODE_USER_PREFIX, NODES_GROUP } from '../lib/certificates/csr.js';
import { writeKubeConfig } from '../lib/client/kubeconfig.js';
import { Client, findByKind, type ClientConfig } from '../lib/client/index.js';
import { logger } from '../lib/util/log.js';
import { writeSecureFile } from '../apiserver/auth/cluster-pki.js';

const log = logger('node-agent');
const CSR = findByKind('certificates.k8s.io/v1', 'CertificateSigningRequest')!;

export interface BootstrapOptions {
  /** The API server, https://HOST:PORT. */
  server: string;
  /** A bootstrap token, `<id>.<secret>`. */
  token: string;
  /** The cluster CA (PEM): the API server's certificate must chain to it. */
  ca: string;
  nodeName: string;
  /** Where the key, the certificate and the kubeconfig go. */
  dir: string;
  /** How long to wait for the certificate (default 5 minutes, as the kubelet's bootstrap waits). */
  timeoutMs?: number;
  /** Asked for in spec.expirationSeconds; the signer's --cluster-signing-duration when unset. */
  expirationSeconds?: number;
  signal?: AbortSignal;
}

export interface NodeCredentials {
  kubeconfig: string;
  certFile: string;
  keyFile: string;
  /** Whether this call obtained them (false: still good from an earlier join). */
  issued: boolean;
  /** The CertificateSigningRequest that obtained them. */
  csrName?: string;
}

const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

/** `sha256:<hex>` of a certificate's public key (SubjectPublicKeyInfo, DER), as kubeadm's --discovery-token-ca-cert-hash. */
export function caCertHash(pem: string): string {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}

function stillGood(certFile: string, keyFile: string, ca: string, nodeName: string): boolean {
  if (!existsSync(certFile) || !existsSync(keyFile)) return false;
  try {
    const c = new X509Certificate(readFileSync(certFile));
    const caCert = new X509Certificate(ca);
    // a certificate with less than a tenth of its life left is renewed now rather than failing later
    const life = Date.parse(c.validTo) - Date.parse(c.validFrom);
    return c.checkIssued(caCert) && c.verify(caCert.publicKey) && c.subject.split('\n').includes(`CN=${NODE_USER_PREFIX}${nodeName}`)
      && Date.parse(c.validTo) - Date.now() > life / 10;
  } catch {
    return false;
  }
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => {
    clearTimeout(t);
    resolve();
  }, { once: true });
});

export async function bootstrapNodeCredentials(o: BootstrapOptions): Promise<NodeCredentials> {
  if (!TOKEN.test(o.token)) throw new Error('the token must be <id>.<secret>: 6 and 16 characters of [a-z0-9] (flotilla token create prints one)');
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const certFile = join(o.dir, 'node-client.crt');
  const keyFile = join(o.dir, 'node-client.key');
  const kubeconfig = join(o.dir, 'node-agent.kubeconfig');
  const user = `${NODE_USER_PREFIX}${o.nodeName}`;
  const writeConfig = (cert: string, key: string) => writeKubeConfig(kubeconfig, { server: o.server, clusterName: 'flotilla', userName: user,
    contextName: 'flotilla', caPem: o.ca, certPem: cert, keyPem: key });
  if (stillGood(certFile, keyFile, o.ca, o.nodeName)) {
    writeConfig(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8'));
    return { kubeconfig, certFile, keyFile, issued: false };
  }
  const { csr, key } = await createCSR({ commonName: user, organizations: [NODES_GROUP] });
  const config: ClientConfig = { server: o.server, namespace: 'default', token: o.token, caData: Buffer.from(o.ca), sources: [], context: 'bootstrap' };
  const client = new Client(config);
  try {
    const made = await client.create(CSR, {
      metadata: { generateName: 'node-csr-' },
      spec: { request: Buffer.from(csr).toString('base64'), signerName: KUBE_APISERVER_CLIENT_KUBELET, usages: ['digital signature', 'client auth'],
        ...(o.expirationSeconds ? { expirationSeconds: o.expirationSeconds } : {}) },
    } as KubeObject);
    const name = made.metadata.name as string;
    log.info('requested a node client certificate', { csr: name, node: o.nodeName });
    const deadline = Date.now() + (o.timeoutMs ?? 300_000);
    for (;;) {
      if (o.signal?.aborted) throw new Error('stopped while waiting for the node certificate');
      const cur = await client.get(CSR, name);
      const conditions = (cur.status?.conditions ?? []) as Array<{ type: string; status: string; message?: string }>;
      const refused = conditions.find((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status === 'True');
      if (refused) throw new Error(`certificate signing request ${name} was ${refused.type.toLowerCase()}: ${refused.message ?? ''}`);
      const issued = cur.status?.certificate as string | undefined;
      if (issued) {
        const cert = Buffer.from(issued, 'base64').toString('utf8');
        writeSecureFile(keyFile, key, 0o600);
        writeSecureFile(certFile, cert, 0o644);
        writeConfig(cert, key);
        log.info('node client certificate issued', { csr: name, node: o.nodeName });
        return { kubeconfig, certFile, keyFile, issued: true, csrName: name };
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for certificate signing request ${name} to be approved and issued (kubectl certificate approve ${name})`);
      await sleep(500, o.signal);
    }
  } finally {
    client.close();
  }
}
