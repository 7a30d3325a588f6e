// ServiceAccount tokens, set up from the API server's flags: the issuer (signing key, --service-account-issuer), the
// authenticator (verification keys, --api-audiences), the discovery documents; and the one instance the
// serviceaccounts/token and tokenreviews kind files use, configured at start-up (as the agent dialer and encryption
// are), since kind files are loaded before the flags are read.
import type { KubeObject } from '../../../lib/api/types.js';
import type { TokenAuthenticator } from '../index.js';
import { ServiceAccountTokenAuthenticator, type BoundObjectGetter } from './authenticator.js';
import { issuerDiscovery, type DiscoveryDocument } from './discovery.js';
import { ServiceAccountTokenIssuer } from './issuer.js';
import { ensureServiceAccountKey, readSigningKey, readVerificationKeys, type PublicKey } from './keys.js';
import { setMinTokenExpirationForTesting } from './limits.js';
import { EXTENDED_REQUEST_SECONDS, type TokenRequestDeps } from './token-request.js';
import { logger } from '../../../lib/util/log.js';

const log = logger('apiserver');

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface ServiceAccountOptions {
  dataDir: string;
  /** --service-account-signing-key-file (default: <data-dir>/pki/sa.key, made on first start). */
  signingKeyFile?: string;
  /** --service-account-key-file, repeatable (default: the signing key's public half). */
  keyFiles?: string[];
  /** --service-account-issuer, repeatable: the first issues, all are accepted (default DEFAULT_ISSUER). */
  issuers?: string[];
  /** --api-audiences (default: the issuers). */
  apiAudiences?: string[];
  /** --service-account-extend-token-expiration (default true). */
  extendExpiration?: boolean;
  /** --service-account-max-token-expiration in seconds (0 or unset: no cap; else 1 hour to 2^32 seconds). */
  maxExpirationSeconds?: number;
  /** --testing-min-token-expiration: tests only, see limits.ts. */
  testingMinTokenExpirationSeconds?: number;
}

export interface ServiceAccountTokens extends Omit<TokenRequestDeps, 'get'> {
  authenticator: ServiceAccountTokenAuthenticator;
  /** Every token authenticator of the server (static tokens too), for TokenReview. */
  tokens: TokenAuthenticator;
  /** GET paths of the issuer discovery documents. */
  discovery: Record<string, DiscoveryDocument>;
  /** Reads a Pod, Secret, Node or ServiceAccount from the API server's own stores. */
  get(resource: 'pods' | 'secrets' | 'nodes' | 'serviceaccounts', namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
}

export type ObjectGetter = ServiceAccountTokens['get'];

let current: ServiceAccountTokens | undefined;

/** The server's ServiceAccount token machinery; undefined on the benchmarks' plain server. */
export function serviceAccountTokens(): ServiceAccountTokens | undefined {
  return current;
}

export async function setUpServiceAccountTokens(o: ServiceAccountOptions, get: ObjectGetter,
  tokens: (sa: ServiceAccountTokenAuthenticator) => TokenAuthenticator): Promise<ServiceAccountTokens> {
  if (o.testingMinTokenExpirationSeconds !== undefined) setMinTokenExpirationForTesting(o.testingMinTokenExpirationSeconds);
  const signingKeyFile = o.signingKeyFile ?? ensureServiceAccountKey(o.dataDir).key;
  const key = readSigningKey(signingKeyFile);
  const keys: PublicKey[] = [key, ...(o.keyFiles ?? []).flatMap((f) => readVerificationKeys(f))];
  const issuers = o.issuers?.length ? o.issuers : [DEFAULT_ISSUER];
  const apiAudiences = o.apiAudiences?.length ? o.apiAudiences : issuers;
  const objects: BoundObjectGetter = (resource, namespace, name) => get(resource, namespace, name);
  const authenticator = new ServiceAccountTokenAuthenticator({ issuers, audiences: apiAudiences, keys, objects });
  current = {
    issuer: new ServiceAccountTokenIssuer({ issuer: issuers[0] as string, key }),
    apiAudiences,
    extendExpiration: o.extendExpiration ?? true,
    maxExpirationSeconds: checkedMaxExpiration(o),
    authenticator,
    tokens: tokens(authenticator),
    discovery: await issuerDiscovery(issuers[0] as string, keys),
    get,
  };
  return current;
}

/** --service-account-max-token-expiration as kube-apiserver checks it: 0 (none), or between 1 hour and 2^32 seconds. */
export function checkedMaxExpiration(o: Pick<ServiceAccountOptions, 'maxExpirationSeconds' | 'extendExpiration'>): number {
  const max = o.maxExpirationSeconds ?? 0;
  if (max === 0) return 0;
  if (!Number.isFinite(max) || max < 3600 || max > 2 ** 32) throw new Error('the service-account-max-token-expiration must be between 1 hour and 2^32 seconds');
  if ((o.extendExpiration ?? true) && max < EXTENDED_REQUEST_SECONDS) {
    log.warn('service-account-extend-token-expiration is on but service-account-max-token-expiration is below the 3607 s pods ask for: their tokens are not extended', { maxSeconds: max });
  }
  return Math.floor(max);
}
