// The cluster's certificates under <data-dir>/pki, made on first start as k3s makes its own: the cluster CA, the API
// server's serving certificate, its client certificate for calling node agents, and the admin's client certificate
// (the kubeconfig `flotilla up` writes). Every component's identity is issued from the same CA (cli/credentials.ts).
// Each file is made once and kept while it is still good (same subject, every wanted SAN, more than 90 days left);
// keys are written 0600, certificates 0644.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { createCA, issue, loadCA, stillGood, type CertAuthority, type CertKeyPair, type IssueOptions } from './pki.js';

export const pkiDir = (dataDir: string) => join(dataDir, 'pki');

/** The first address of the default Service CIDR (10.96.0.0/12): the `kubernetes` Service's ClusterIP. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';
/** The names the API server answers to: its own, and the `kubernetes` Service's names inside the cluster. */
export const APISERVER_DNS_NAMES = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

/** The identities the API server's own certificates carry. */
export const ADMIN_USER = 'kubernetes-admin';
export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';

/** This machine's addresses a client may use for the API server: loopback and every non-link-local IPv4. */
export function hostAddresses(): string[] {
  const out = ['127.0.0.1'];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.') && !out.includes(a.address)) out.push(a.address);
  }
  return out;
}

/** Writes a file atomically (a reader never sees half a key), with its mode. */
export function writeSecureFile(path: string, content: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

/** The cluster CA of a data dir: read, or made on first start. */
export async function ensureCA(dataDir: string): Promise<CertAuthority> {
  const dir = pkiDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'ca.key');
  if (existsSync(certFile) && existsSync(keyFile)) return loadCA(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8'));
  const ca = await createCA(`flotilla-ca@${Math.floor(Date.now() / 1000)}`);
  writeSecureFile(keyFile, ca.key, 0o600);
  writeSecureFile(certFile, ca.cert, 0o644);
  return ca;
}

/** <pki>/<name>.crt and .key: kept while still good for `opts`, issued again otherwise. */
export async function ensureCert(dataDir: string, name: string, ca: CertAuthority, opts: IssueOptions):
  Promise<CertKeyPair & { certFile: string; keyFile: string }> {
  const certFile = join(pkiDir(dataDir), `${name}.crt`);
  const keyFile = join(pkiDir(dataDir), `${name}.key`);
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    if (stillGood(cert, ca.cert, opts)) return { cert, key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
  }
  const made = await issue(ca, opts);
  writeSecureFile(keyFile, made.key, 0o600);
  writeSecureFile(certFile, made.cert, 0o644);
  return { ...made, certFile, keyFile };
}

export interface ApiServerPki {
  ca: CertAuthority;
  caFile: string;
  serving: CertKeyPair & { certFile: string; keyFile: string };
  kubeletClient: CertKeyPair & { certFile: string; keyFile: string };
  admin: CertKeyPair & { certFile: string; keyFile: string };
}

/** What the API server needs from its data dir when no certificates are given. */
export async function ensureApiServerPki(dataDir: string, extraAddresses: string[] = []): Promise<ApiServerPki> {
  const ca = await ensureCA(dataDir);
  const ips = [...new Set([...hostAddresses(), ...extraAddresses, KUBERNETES_SERVICE_IP])];
  const serving = await ensureCert(dataDir, 'apiserver', ca, { commonName: 'kube-apiserver', usage: 'server', dnsNames: APISERVER_DNS_NAMES, ipAddresses: ips });
  const kubeletClient = await ensureCert(dataDir, 'apiserver-kubelet-client', ca, { commonName: KUBELET_CLIENT_USER, organizations: ['system:masters'], usage: 'client' });
  const admin = await ensureCert(dataDir, 'admin', ca, { commonName: ADMIN_USER, organizations: ['system:masters'], usage: 'client' });
  return { ca, caFile: join(pkiDir(dataDir), 'ca.crt'), serving, kubeletClient, admin };
}
