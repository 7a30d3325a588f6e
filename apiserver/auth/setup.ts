// The API server's security from its flags: TLS serving credentials (given, or the data dir's own PKI, made on
// first start), the authenticator chain, the authorizer chain, the audit log, the in-flight limits and timeout, and
// the client certificate for calling node agents.
import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';
import { logger } from '../../lib/util/log.js';
import { Auditor, FileSink } from './audit/log.js';
import { loadPolicy } from './audit/policy.js';
import { BootstrapTokenAuthenticator } from './bootstrap/authenticator.js';
import { BearerTokenAuthenticator, UnionTokenAuthenticator, WebSocketProtocolAuthenticator } from './bearer.js';
import { ensureApiServerPki } from './cluster-pki.js';
import { RequestGate } from './gate.js';
import { MASTERS_GROUP, type RequestAuthenticator, type TokenAuthenticator } from './index.js';
import { InflightLimiter } from './inflight.js';
import { NodeAuthorizer, NodeGraph } from './node-authorizer.js';
import type { ResourceCache } from '../storage/cache.js';
import { setUpServiceAccountTokens, type ObjectGetter, type ServiceAccountOptions } from './serviceaccount/index.js';
import type { DiscoveryDocument } from './serviceaccount/discovery.js';
import { authorizationChain, bootstrapPolicy, staticPolicySource } from './rbac/chain.js';
import type { PolicySource } from './rbac/policy-index.js';
import { TokenFileAuthenticator } from './token-file.js';
import { X509Authenticator } from './x509.js';

const log = logger('apiserver');

export interface SecurityOptions {
  dataDir: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  tokenAuthFile?: string;
  /** --enable-bootstrap-token-auth: bearer tokens `<id>.<secret>` from kube-system's bootstrap-token-<id> Secrets. */
  enableBootstrapTokenAuth?: boolean;
  kubeletClientCertificate?: string;
  kubeletClientKey?: string;
  kubeletCertificateAuthority?: string;
  auditPolicyFile?: string;
  auditLogPath?: string;
  maxRequestsInflight?: number;
  maxMutatingRequestsInflight?: number;
  requestTimeoutMs?: number;
  /** ServiceAccount tokens: signing and verification keys, issuers, audiences (serviceaccount/index.ts). */
  serviceAccounts?: Omit<ServiceAccountOptions, 'dataDir'>;
  /** Benchmarks only (no flag sets it): plain HTTP, every caller system:masters, as before TLS. */
  plainHttp?: boolean;
  /** The RBAC objects the authorizer reads (the API server's watch caches); none: the default policy as written. */
  policy?: PolicySource;
  /**
   * Addresses the generated serving certificate must name besides the host's own: the advertised address and the
   * `kubernetes` Service's cluster IP, which pods dial.
   */
  servingAddresses?: string[];
}

/** PEM credentials for one TLS client. */
export interface ClientCredentials {
  ca: string;
  cert: string;
  key: string;
}

export interface Security {
  /** The HTTPS server's options; undefined only for the benchmarks' plain server. */
  tls?: ServerOptions;
  gate: RequestGate;
  /** How the API server calls node agents (pods/log, pods/exec). */
  kubeletClient?: ClientCredentials;
  /** The admin identity for the kubeconfig this server writes, when the data dir's CA issued it. */
  admin?: ClientCredentials;
  /** The service account issuer's discovery documents, by GET path. */
  documents: Record<string, DiscoveryDocument>;
  close(): Promise<void>;
}

const read = (f: string) => readFileSync(f, 'utf8');

/** What security needs of the API server's state: ServiceAccount tokens are checked against the objects they name;
 * the Node authorizer's graph is kept from the pods' watch cache. */
export interface SecurityDeps {
  objects: ObjectGetter;
  pods?: ResourceCache;
}

export async function setUpSecurity(o: SecurityOptions, deps?: SecurityDeps): Promise<Security> {
  let documents: Record<string, DiscoveryDocument> = {};
  let tls: ServerOptions | undefined;
  let kubeletClient: ClientCredentials | undefined;
  let admin: ClientCredentials | undefined;
  const authenticators: RequestAuthenticator[] = [];
  if (o.plainHttp) {
    authenticators.push({ method: 'none', authenticate: async () => ({ user: { username: 'system:admin', groups: [MASTERS_GROUP] } }) });
  } else {
    if (!!o.tlsCertFile !== !!o.tlsPrivateKeyFile) throw new Error('--tls-cert-file and --tls-private-key-file go together');
    let cert: string;
    let key: string;
    let clientCA = o.clientCaFile ? read(o.clientCaFile) : undefined;
    if (o.tlsCertFile && o.tlsPrivateKeyFile) {
      cert = read(o.tlsCertFile);
      key = read(o.tlsPrivateKeyFile);
    } else {
      const pki = await ensureApiServerPki(o.dataDir, o.servingAddresses);
      ({ cert, key } = pki.serving);
      clientCA ??= pki.ca.cert;
      kubeletClient = { ca: pki.ca.cert, cert: pki.kubeletClient.cert, key: pki.kubeletClient.key };
      admin = { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key };
    }
    if (o.kubeletClientCertificate && o.kubeletClientKey) {
      kubeletClient = { ca: o.kubeletCertificateAuthority ? read(o.kubeletCertificateAuthority) : (kubeletClient?.ca ?? clientCA ?? ''), cert: read(o.kubeletClientCertificate), key: read(o.kubeletClientKey) };
    }
    // The handshake asks for a client certificate but goes on without one (tokens, anonymous health checks);
    // a certificate that fails verification is refused per request by the x509 authenticator (401).
    tls = { cert, key, ca: clientCA, requestCert: !!clientCA, rejectUnauthorized: false, minVersion: 'TLSv1.2' };
    if (clientCA) authenticators.push(new X509Authenticator());
    const tokens: TokenAuthenticator[] = [];
    if (o.tokenAuthFile) {
      const file = TokenFileAuthenticator.fromFile(o.tokenAuthFile);
      log.info('static tokens loaded', { file: o.tokenAuthFile, tokens: file.size });
      tokens.push(file);
    }
    // the union holds the list itself: ServiceAccount tokens join it below (bootstrap tokens will too)
    const union = new UnionTokenAuthenticator(tokens);
    if (deps && o.enableBootstrapTokenAuth) tokens.push(new BootstrapTokenAuthenticator((namespace, name) => deps.objects('secrets', namespace, name)));
    if (deps) {
      const sa = await setUpServiceAccountTokens({ ...o.serviceAccounts, dataDir: o.dataDir }, deps.objects, (authenticator) => {
        tokens.push(authenticator);
        return union;
      });
      documents = sa.discovery;
    }
    if (tokens.length) {
      authenticators.push(new BearerTokenAuthenticator(union), new WebSocketProtocolAuthenticator(union));
    }
  }
  const auditor = o.auditPolicyFile && o.auditLogPath ? new Auditor(loadPolicy(o.auditPolicyFile), new FileSink(o.auditLogPath)) : undefined;
  if (o.auditPolicyFile && !o.auditLogPath) log.warn('--audit-policy-file without --audit-log-path: nothing is audited');
  const graph = deps?.pods ? new NodeGraph(deps.pods) : undefined;
  const authz = authorizationChain(o.policy ?? staticPolicySource(bootstrapPolicy()), graph ? [new NodeAuthorizer(graph)] : undefined);
  const gate = new RequestGate({
    authenticators,
    authorizer: authz.chain,
    rules: authz.rbac,
    auditor,
    limiter: new InflightLimiter({ maxRequestsInflight: o.maxRequestsInflight ?? 400, maxMutatingRequestsInflight: o.maxMutatingRequestsInflight ?? 200 }),
    requestTimeoutMs: o.requestTimeoutMs ?? 60_000,
  });
  return {
    tls, gate, kubeletClient, admin, documents,
    close: async () => {
      graph?.stop();
      await auditor?.close();
    },
  };
}
