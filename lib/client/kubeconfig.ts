// Kubeconfig files: writing the one the API server hands to kubectl and every component, and reading them the way
// kubectl does (--kubeconfig, else KUBECONFIG with several files, else ~/.kube/config; contexts and overrides).
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { homedir } from 'node:os';
import { parse, stringify } from 'yaml';

export interface KubeConfigWrite {
  server: string;
  clusterName: string;
  userName: string;
  contextName: string;
  namespace?: string;
  token?: string;
  /** PEM: the CA that signed the server's certificate, and the client certificate and key (embedded as *-data). */
  caPem?: string;
  certPem?: string;
  keyPem?: string;
}

export function writeKubeConfig(path: string, c: KubeConfigWrite): void {
  const context: Record<string, string> = { cluster: c.clusterName, user: c.userName };
  if (c.namespace) context.namespace = c.namespace;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: c.clusterName, cluster: clusterEntry(c) }],
    users: [{ name: c.userName, user: userEntry(c) }],
    contexts: [{ name: c.contextName, context }],
    'current-context': c.contextName,
    preferences: {},
  };
  mkdirSync(dirname(path), { recursive: true });
  // written whole or not at all: a client reading it meanwhile (the supervisor rewrites it at each start) never sees
  // half a key
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, stringify(doc), { mode: 0o600 });
  renameSync(tmp, path);
}

const b64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');

function clusterEntry(c: KubeConfigWrite): Record<string, string | boolean> {
  // a plain-HTTP server (only the benchmarks make one) is marked insecure-skip-tls-verify: kubectl ignores it for
  // http, and @kubernetes/client-node refuses http:// servers without it
  if (c.server.startsWith('http://')) return { server: c.server, 'insecure-skip-tls-verify': true };
  return c.caPem ? { server: c.server, 'certificate-authority-data': b64(c.caPem) } : { server: c.server };
}

function userEntry(c: KubeConfigWrite): Record<string, string> {
  const u: Record<string, string> = {};
  if (c.certPem && c.keyPem) {
    u['client-certificate-data'] = b64(c.certPem);
    u['client-key-data'] = b64(c.keyPem);
  }
  if (c.token) u.token = c.token;
  return u;
}

export interface ClientConfig {
  server: string;
  namespace: string;
  token?: string;
  insecureSkipTLSVerify?: boolean;
  caData?: Buffer;
  certData?: Buffer;
  keyData?: Buffer;
  /** The files the configuration came from, for error messages. */
  sources: string[];
  context: string;
  /**
   * The User-Agent sent with every request, `<program>/<version> (<os>/<arch>)` as client-go sends it: its first word
   * names the field manager of this client's writes (metadata.managedFields), so a controller shows under its own
   * name. Unset: this program's file name.
   */
  userAgent?: string;
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}
type Raw = {
  clusters?: Named<Record<string, string | boolean>>[];
  users?: Named<Record<string, string>>[];
  contexts?: Named<Record<string, string>>[];
  'current-context'?: string;
};

export interface LoadOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  server?: string;
}

/** Loads and merges kubeconfig files like kubectl; the first file that sets a name wins. */
export function loadKubeConfig(opts: LoadOptions = {}): ClientConfig {
  const files = opts.kubeconfig ? [opts.kubeconfig] : process.env.KUBECONFIG ? process.env.KUBECONFIG.split(':').filter(Boolean) : [resolve(homedir(), '.kube/config')];
  const merged: Required<Pick<Raw, 'clusters' | 'users' | 'contexts'>> & { current?: string } = { clusters: [], users: [], contexts: [] };
  const used: string[] = [];
  for (const f of files) {
    if (!existsSync(f)) {
      if (opts.kubeconfig) throw new Error(`kubeconfig file ${f} does not exist`);
      continue;
    }
    used.push(f);
    const raw = (parse(readFileSync(f, 'utf8')) ?? {}) as Raw;
    for (const key of ['clusters', 'users', 'contexts'] as const) {
      for (const item of raw[key] ?? []) if (!merged[key].some((x) => x.name === item.name)) merged[key].push(item as never);
    }
    merged.current ??= raw['current-context'];
  }
  const ctxName = opts.context ?? merged.current ?? '';
  const ctx = merged.contexts.find((c) => c.name === ctxName)?.context;
  if (!ctx && !opts.server) {
    if (!used.length) throw new Error(`no kubeconfig: ${files.join(', ')} ${files.length > 1 ? 'do' : 'does'} not exist; set KUBECONFIG, pass --kubeconfig or --server, or start a cluster with "npx flotilla up"`);
    throw new Error(ctxName ? `context "${ctxName}" not found in kubeconfig ${used.join(':')}` : `no current context in kubeconfig ${used.join(':')}; pass --context or run "flotctl config use-context NAME"`);
  }
  const cluster = merged.clusters.find((c) => c.name === ctx?.cluster)?.cluster ?? {};
  const user = merged.users.find((u) => u.name === ctx?.user)?.user ?? {};
  const fileOrData = (data: unknown, file: unknown) => (typeof data === 'string' ? Buffer.from(data, 'base64') : typeof file === 'string' ? readFileSync(file) : undefined);
  const server = opts.server ?? (cluster.server as string | undefined);
  if (!server) throw new Error(`the cluster of context "${ctxName}" has no server (${used.join(', ')})`);
  return {
    server: server.replace(/\/+$/, ''),
    namespace: opts.namespace ?? ctx?.namespace ?? 'default',
    token: user.token ?? (typeof user.tokenFile === 'string' ? readFileSync(user.tokenFile, 'utf8').trim() : undefined),
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    caData: fileOrData(cluster['certificate-authority-data'], cluster['certificate-authority']),
    certData: fileOrData(user['client-certificate-data'], user['client-certificate']),
    keyData: fileOrData(user['client-key-data'], user['client-key']),
    sources: used,
    context: ctxName,
  };
}
