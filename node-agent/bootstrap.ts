// Joining a cluster with a bootstrap token (the kubelet's --bootstrap-kubeconfig flow, what `k3s agent --token` and
// `kubeadm join` do): make a key, ask for the node's client certificate (O=system:nodes, CN=system:node:<name>,
// signer kube-apiserver-client-kubelet) as the token's user, wait until the approver approved it and the signer
// issued it, and write a kubeconfig with it. Credentials still good from an earlier join are kept, so an agent that
// restarts does not need its (maybe expired) token again.
import { X509Certificate, createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KUBE_APISERVER_CLIENT_KUBELET, NODE_USER_PREFIX, NODES_GROUP } from '../lib/certificates/csr.js';
import { writeKubeConfig } from '../lib/client/kubeconfig.js';
import { Client, type ClientConfig } from '../lib/client/index.js';
import { writeSecureFile } from '../apiserver/auth/cluster-pki.js';
import { certificateStillGood, requestCertificate } from './certificate-request.js';

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

/** Where bootstrapNodeCredentials writes the node's kubeconfig. */
export const nodeKubeconfigPath = (dir: string): string => join(dir, 'node-agent.kubeconfig');

const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

/** `sha256:<hex>` of a certificate's public key (SubjectPublicKeyInfo, DER), as kubeadm's --discovery-token-ca-cert-hash. */
export function caCertHash(pem: string): string {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}

export async function bootstrapNodeCredentials(o: BootstrapOptions): Promise<NodeCredentials> {
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const certFile = join(o.dir, 'node-client.crt');
  const keyFile = join(o.dir, 'node-client.key');
  const kubeconfig = nodeKubeconfigPath(o.dir);
  const user = `${NODE_USER_PREFIX}${o.nodeName}`;
  const writeConfig = (cert: string, key: string) => writeKubeConfig(kubeconfig, { server: o.server, clusterName: 'flotilla', userName: user,
    contextName: 'flotilla', caPem: o.ca, certPem: cert, keyPem: key });
  if (certificateStillGood(certFile, keyFile, o.ca, { commonName: user })) {
    writeConfig(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8'));
    return { kubeconfig, certFile, keyFile, issued: false };
  }
  // the token is needed only now: a node whose credentials are still good restarts without it (it may have expired)
  if (!TOKEN.test(o.token)) throw new Error('the token must be <id>.<secret>: 6 and 16 characters of [a-z0-9] (flotilla token create prints one)');
  const config: ClientConfig = { server: o.server, namespace: 'default', token: o.token, caData: Buffer.from(o.ca), sources: [], context: 'bootstrap' };
  const client = new Client(config);
  try {
    // the approver grants this one without a human (a bootstrap token's user holds nodeclient)
    const { cert, key, csrName } = await requestCertificate(client, {
      commonName: user, organizations: [NODES_GROUP], signerName: KUBE_APISERVER_CLIENT_KUBELET, usages: ['digital signature', 'client auth'],
      expirationSeconds: o.expirationSeconds, generateName: 'node-csr-',
    }, { timeoutMs: o.timeoutMs ?? 300_000, signal: o.signal, remindEveryMs: 0 });
    writeSecureFile(keyFile, key, 0o600);
    writeSecureFile(certFile, cert, 0o644);
    writeConfig(cert, key);
    return { kubeconfig, certFile, keyFile, issued: true, csrName };
  } finally {
    client.close();
  }
}
