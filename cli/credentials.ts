// Every component's identity for a local cluster, made by the supervisor before it starts them (`flotilla up`,
// `flotilla supervise`), as k3s makes its own: client certificates from the cluster CA and a kubeconfig each
// (<data-dir>/kubeconfigs/), the node agent's serving certificate, the admin kubeconfig users get
// (<data-dir>/kubeconfig), and, once, the ServiceAccount token signing key (pki/sa.key, sa.pub), the encryption config
// (a random AES-GCM key) and audit policy. Files already
// there and still good are kept; the kubeconfigs are written again (the API server's port may have moved).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeKubeConfig } from '../lib/client/kubeconfig.js';
import { advertisedAddress, apiserverHost, bindAddressOf, type ClusterConfig } from './cluster.js';

/** The first address of an IPv4 service range (the `kubernetes` Service's cluster IP); undefined for anything else. */
export function firstServiceIP(cidr: string | undefined): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec((cidr ?? '10.96.0.0/12').split(',')[0]?.trim() ?? '');
  if (!m) return undefined;
  const bits = Number(m[5]);
  if (bits > 30) return undefined;
  const n = m.slice(1, 5).reduce((a, o) => a * 256 + Number(o), 0);
  const base = bits === 0 ? 0 : n - (n % 2 ** (32 - bits));
  const first = base + 1;
  return [24, 16, 8, 0].map((s) => Math.floor(first / 2 ** s) % 256).join('.');
}

export const HOLLOW_NODES_USER = 'system:flotilla-hollow-nodes';

/** Where a cluster's generated files live. */
export const clusterFiles = (dataDir: string) => ({
  adminKubeconfig: join(dataDir, 'kubeconfig'),
  kubeconfig: (component: string) => join(dataDir, 'kubeconfigs', `${component}.kubeconfig`),
  caFile: join(dataDir, 'pki/ca.crt'),
  /** The CA's key: the controller-manager signs approved CertificateSigningRequests with it (--cluster-signing-key-file). */
  caKeyFile: join(dataDir, 'pki/ca.key'),
  agentCert: join(dataDir, 'pki/node-agent-serving.crt'),
  agentKey: join(dataDir, 'pki/node-agent-serving.key'),
  hollowNodeCredentials: join(dataDir, 'pki/hollow-nodes'),
  /** The ServiceAccount token signing key and its public half (--service-account-signing-key-file, --service-account-key-file). */
  serviceAccountKey: join(dataDir, 'pki/sa.key'),
  serviceAccountPub: join(dataDir, 'pki/sa.pub'),
  encryptionConfig: join(dataDir, 'encryption-config.yaml'),
  auditPolicy: join(dataDir, 'audit-policy.yaml'),
  auditLog: join(dataDir, 'logs/audit.log'),
  /** Static bearer tokens (--token-auth-file CSV), used when the file is there when the supervisor starts. */
  tokenAuthFile: join(dataDir, 'token-auth.csv'),
});

export async function ensureClusterCredentials(c: ClusterConfig, nodeIP: string): Promise<void> {
  const [{ ensureApiServerPki, ensureCert, writeSecureFile }, { generateKeys, issue, stillGood }, { readFileSync }] = await Promise.all([
    import('../apiserver/auth/cluster-pki.js'), import('../apiserver/auth/pki.js'), import('node:fs'),
  ]);
  const files = clusterFiles(c.dataDir);
  // the serving certificate names every address a client dials: the node's, the advertised one pods reach through
  // the `kubernetes` Service, that Service's cluster IP, and a specific bind address
  const bind = bindAddressOf(c);
  const extra = [nodeIP, advertisedAddress(c, nodeIP), firstServiceIP(c.serviceCIDR), bind === '0.0.0.0' || bind === '::' ? undefined : bind];
  const pki = await ensureApiServerPki(c.dataDir, extra.filter((a): a is string => !!a));
  const server = `https://${apiserverHost(c)}:${c.apiserverPort}`;
  const kubeconfig = (path: string, user: string, cred: { cert: string; key: string }) =>
    writeKubeConfig(path, { server, clusterName: 'flotilla', userName: user, contextName: 'flotilla', caPem: pki.ca.cert, certPem: cred.cert, keyPem: cred.key });
  kubeconfig(files.adminKubeconfig, 'kubernetes-admin', pki.admin);
  mkdirSync(join(c.dataDir, 'kubeconfigs'), { recursive: true, mode: 0o700 });
  const client = async (component: string, user: string, groups: string[] = []) =>
    kubeconfig(files.kubeconfig(component), user, await ensureCert(c.dataDir, component, pki.ca, { commonName: user, organizations: groups, usage: 'client' }));
  await client('kube-scheduler', 'system:kube-scheduler');
  await client('kube-controller-manager', 'system:kube-controller-manager');
  await client('node-agent', `system:node:${c.nodeName}`, ['system:nodes']);
  // the agent's serving certificate names the address the API server dials (the node's InternalIP) and its name
  await ensureCert(c.dataDir, 'node-agent-serving', pki.ca, { commonName: `system:node:${c.nodeName}`, organizations: ['system:nodes'], usage: 'server', ipAddresses: [nodeIP], dnsNames: [c.nodeName] });
  if (c.hollowNodes > 0) {
    await client('hollow-nodes', HOLLOW_NODES_USER);
    // one certificate per hollow node (system:node:<name>); they live in one process and share one key
    const dir = files.hollowNodeCredentials;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keyFile = join(dir, 'nodes.key');
    const names = Array.from({ length: c.hollowNodes }, (_, i) => `hollow-node-${i}`);
    const want = (name: string) => ({ commonName: `system:node:${name}`, organizations: ['system:nodes'], usage: 'client' as const });
    const certFile = (name: string) => join(dir, `${name}.crt`);
    const good = existsSync(keyFile) && names.every((n) => existsSync(certFile(n)) && stillGood(readFileSync(certFile(n), 'utf8'), pki.ca.cert, want(n)));
    if (!good) {
      // a new shared key, and every hollow node's certificate issued for it
      const keys = await generateKeys();
      const { webcrypto } = await import('node:crypto');
      const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
      for (const n of names) writeSecureFile(certFile(n), (await issue(pki.ca, { ...want(n), keys })).cert, 0o644);
      writeSecureFile(keyFile, `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`, 0o600);
    }
  }
  (await import('../apiserver/auth/serviceaccount/keys.js')).ensureServiceAccountKey(c.dataDir);
  const [{ defaultEncryptionConfig }, { DEFAULT_AUDIT_POLICY }] = await Promise.all([import('../apiserver/storage/encryption/config.js'), import('../apiserver/auth/audit/default-policy.js')]);
  if (!existsSync(files.encryptionConfig)) writeSecureFile(files.encryptionConfig, defaultEncryptionConfig(), 0o600);
  if (!existsSync(files.auditPolicy)) writeSecureFile(files.auditPolicy, DEFAULT_AUDIT_POLICY, 0o644);
}
