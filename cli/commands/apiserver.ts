// `flotilla apiserver`: the API server, with an embedded etcd under its data dir unless --etcd-servers is given.
import { logger } from '../../lib/util/log.js';
import { onSignals } from '../signals.js';
import { dataDirFlag, type Command } from './command.js';

const log = logger('flotilla');

/**
 * --testing-min-token-expiration, else $FLOTILLA_TESTING_MIN_TOKEN_EXPIRATION: tests that run a whole cluster through
 * `flotilla up` reach the API server through the supervisor's environment only.
 */
function testingMinTokenExpiration(flag: number | undefined): number | undefined {
  if (flag !== undefined) return flag;
  const env = process.env.FLOTILLA_TESTING_MIN_TOKEN_EXPIRATION;
  if (!env) return undefined;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) throw new Error(`FLOTILLA_TESTING_MIN_TOKEN_EXPIRATION must be a positive number of seconds (got ${JSON.stringify(env)})`);
  log.warn('tokens may live less than 10 minutes (FLOTILLA_TESTING_MIN_TOKEN_EXPIRATION): for tests only', { seconds: n });
  return n;
}

export const apiserver: Command = {
  spec: {
    name: 'apiserver',
    summary: 'Run the API server (embedded etcd unless --etcd-servers is given)',
    flags: [
      { name: 'bind-address', type: 'string', value: 'ADDR', help: 'address to listen on', default: '127.0.0.1' },
      { name: 'advertise-address', type: 'string', value: 'ADDR', help: "the address the kubernetes Service's endpoints name", defaultText: 'the bind address, or the host\'s when it is 0.0.0.0' },
      { name: 'service-cluster-ip-range', type: 'string', value: 'CIDR', help: 'where Service cluster IPs come from', default: '10.96.0.0/12' },
      { name: 'service-node-port-range', type: 'string', value: 'FIRST-LAST', help: 'where node ports come from', default: '30000-32767' },
      { name: 'port', type: 'int', value: 'N', help: 'port to listen on (0 picks a free one)', default: 6443 },
      dataDirFlag('state and kubeconfig directory'),
      { name: 'etcd-servers', type: 'string', value: 'URL[,URL]', help: 'use this etcd cluster instead of the embedded one' },
      { name: 'etcd-client-port', type: 'int', value: 'N', help: 'embedded etcd client port; a taken one is an error (0: any free one)', defaultText: 'the one recorded in the data dir, else 2379 when free, else a free one' },
      { name: 'etcd-peer-port', type: 'int', value: 'N', help: 'embedded etcd peer port (the same rules)', defaultText: 'recorded, else 2380 when free, else a free one' },
      { name: 'etcd-group-commit', type: 'string', value: 'MODE', choices: ['none', 'resource', 'all'], default: 'none',
        help: 'send concurrent writes to etcd together, one transaction each group: none; resource (writes of different resources only); all (any keys: objects written together share a resourceVersion, and a watch broken between two such events can miss the second; see README)' },
      { name: 'watch-bookmark-interval', type: 'seconds', value: 'S', help: 'time between watch bookmarks (seconds, or a duration such as 30s)', default: 30 },
      { name: 'default-watch-cache-size', type: 'int', value: 'N', help: 'events kept per resource for resuming watches', default: 20_000, min: 1 },
      { name: 'tls-cert-file', type: 'string', value: 'FILE', help: 'serving certificate (PEM)', defaultText: '<data-dir>/pki/apiserver.crt, made on first start from the data dir\'s CA' },
      { name: 'tls-private-key-file', type: 'string', value: 'FILE', help: "the serving certificate's key (PEM)" },
      { name: 'client-ca-file', type: 'string', value: 'FILE', help: 'CA bundle that client certificates must chain to (CN = user, O = groups)', defaultText: '<data-dir>/pki/ca.crt' },
      { name: 'token-auth-file', type: 'string', value: 'FILE', help: 'static bearer tokens, CSV lines token,user,uid,"group1,group2"' },
      { name: 'enable-bootstrap-token-auth', type: 'bool', help: 'accept bootstrap tokens (<id>.<secret>, from the Secrets kube-system/bootstrap-token-<id>) as bearer tokens', default: false },
      { name: 'kubelet-client-certificate', type: 'string', value: 'FILE', help: 'client certificate for calling node agents (logs, exec)', defaultText: '<data-dir>/pki/apiserver-kubelet-client.crt' },
      { name: 'kubelet-client-key', type: 'string', value: 'FILE', help: "that certificate's key" },
      { name: 'kubelet-certificate-authority', type: 'string', value: 'FILE', help: "CA that node agents' serving certificates chain to", defaultText: 'the client CA' },
      { name: 'disable-admission-plugins', type: 'string', value: 'NAME[,NAME]', help: 'admission plugins to turn off: ServiceAccount (pods then get no ServiceAccount, token volume or pull secrets from it), LimitRanger, Priority, ResourceQuota, MutatingAdmissionWebhook, ValidatingAdmissionWebhook' },
      { name: 'encryption-provider-config', type: 'string', value: 'FILE', help: 'EncryptionConfiguration (apiserver.config.k8s.io/v1) for Secrets at rest' },
      { name: 'audit-policy-file', type: 'string', value: 'FILE', help: 'audit Policy (audit.k8s.io/v1)' },
      { name: 'audit-log-path', type: 'string', value: 'FILE', help: 'where audit events go, one JSON line each ("-" = stdout)' },
      { name: 'max-requests-inflight', type: 'int', value: 'N', help: 'read-only requests served at once before 429 (0 = no limit)', default: 400, min: 0 },
      { name: 'max-mutating-requests-inflight', type: 'int', value: 'N', help: 'mutating requests served at once before 429 (0 = no limit)', default: 200, min: 0 },
      { name: 'service-account-signing-key-file', type: 'string', value: 'FILE', help: 'private key (PEM, RSA or ECDSA) ServiceAccount tokens are signed with', defaultText: '<data-dir>/pki/sa.key, made on first start' },
      { name: 'service-account-key-file', type: 'string', value: 'FILE', repeatable: true, help: 'public keys (PEM keys or certificates) ServiceAccount tokens are verified with, besides the signing key\'s; repeatable' },
      { name: 'service-account-issuer', type: 'string', value: 'URL', repeatable: true, help: 'the iss of ServiceAccount tokens; repeatable: the first issues, all are accepted', default: 'https://kubernetes.default.svc.cluster.local' },
      { name: 'api-audiences', type: 'string', value: 'AUD[,AUD]', help: 'audiences a token presented to the API server must be meant for', defaultText: 'the issuers' },
      { name: 'service-account-extend-token-expiration', type: 'bool', help: 'pod-bound tokens asked for with 3607 s live a year (with warnafter), for clients that never reread them', default: true },
      { name: 'service-account-max-token-expiration', type: 'seconds', value: 'S', help: 'the longest a TokenRequest may ask for (seconds, or a duration such as 24h); longer ones are shortened, with a warning. 0: no cap, else 1h to 2^32 s', default: 0 },
      { name: 'testing-min-token-expiration', type: 'int', value: 'S', min: 1, help: 'TESTS ONLY: the shortest lifetime a TokenRequest or a pod\'s serviceAccountToken volume may ask for, below Kubernetes\' 600 s so a test sees tokens rotate', defaultText: '600, or $FLOTILLA_TESTING_MIN_TOKEN_EXPIRATION' },
      { name: 'min-request-timeout', type: 'int', value: 'S', min: 1, help: 'a watch without timeoutSeconds ends after a random time between S and 2S seconds (clients watch again)', default: 1800 },
      { name: 'request-timeout', type: 'seconds', value: 'S', help: 'answer 504 to a request (watches, logs and exec aside) still running after this long', default: 60 },
    ],
  },
  async run(f) {
    const { ApiServer } = await import('../../apiserver/server.js');
    const server = new ApiServer({
      bindAddress: f.string('bind-address') as string,
      advertiseAddress: f.string('advertise-address'),
      serviceClusterIPRange: f.string('service-cluster-ip-range'),
      serviceNodePortRange: f.string('service-node-port-range'),
      port: f.int('port'),
      dataDir: f.string('data-dir') as string,
      etcdServers: f.string('etcd-servers')?.split(',').map((s) => s.trim()).filter(Boolean),
      etcdClientPort: f.given('etcd-client-port') ? f.int('etcd-client-port') : undefined,
      etcdPeerPort: f.given('etcd-peer-port') ? f.int('etcd-peer-port') : undefined,
      bookmarkIntervalMs: f.ms('watch-bookmark-interval'),
      groupCommit: f.string('etcd-group-commit') as 'none' | 'resource' | 'all',
      minRequestTimeoutSeconds: f.int('min-request-timeout'),
      watchWindow: f.int('default-watch-cache-size'),
      encryptionProviderConfig: f.string('encryption-provider-config'),
      disableAdmissionPlugins: f.string('disable-admission-plugins')?.split(',').map((s) => s.trim()).filter(Boolean),
      security: {
        tlsCertFile: f.string('tls-cert-file'), tlsPrivateKeyFile: f.string('tls-private-key-file'), clientCaFile: f.string('client-ca-file'),
        tokenAuthFile: f.string('token-auth-file'), enableBootstrapTokenAuth: f.bool('enable-bootstrap-token-auth'),
        kubeletClientCertificate: f.string('kubelet-client-certificate'), kubeletClientKey: f.string('kubelet-client-key'), kubeletCertificateAuthority: f.string('kubelet-certificate-authority'),
        auditPolicyFile: f.string('audit-policy-file'), auditLogPath: f.string('audit-log-path'),
        serviceAccounts: {
          signingKeyFile: f.string('service-account-signing-key-file'),
          keyFiles: f.strings('service-account-key-file'),
          issuers: f.strings('service-account-issuer').length ? f.strings('service-account-issuer') : [f.string('service-account-issuer') as string],
          apiAudiences: f.string('api-audiences')?.split(',').map((s) => s.trim()).filter(Boolean),
          extendExpiration: f.bool('service-account-extend-token-expiration'),
          maxExpirationSeconds: f.ms('service-account-max-token-expiration') / 1000,
          testingMinTokenExpirationSeconds: testingMinTokenExpiration(f.given('testing-min-token-expiration') ? f.int('testing-min-token-expiration') : undefined),
        },
        maxRequestsInflight: f.int('max-requests-inflight'), maxMutatingRequestsInflight: f.int('max-mutating-requests-inflight'), requestTimeoutMs: f.ms('request-timeout'),
      },
    });
    onSignals(() => server.stop());
    try {
      await server.start();
    } catch (e) {
      log.error('API server failed to start', { error: (e as Error).message });
      await server.stop().catch(() => undefined);
      process.exit(1);
    }
  },
};
