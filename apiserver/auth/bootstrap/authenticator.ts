// Bootstrap tokens (`--enable-bootstrap-token-auth`), as Kubernetes' bootstrap token authenticator reads them: a
// bearer token `<token-id>.<token-secret>` (6 and 16 of [a-z0-9]) names the Secret kube-system/bootstrap-token-<id>
// of type bootstrap.kubernetes.io/token; it authenticates as system:bootstrap:<id> in system:bootstrappers and the
// Secret's auth-extra-groups when the Secret holds that id and secret (compared in constant time), says
// usage-bootstrap-authentication: "true", is not being deleted and has not expired. Anything else is a token this
// authenticator does not vouch for: the request is then 401 like any unknown token (Kubernetes gives no reason to
// the client either; the reason is logged at debug level here).
import { timingSafeEqual } from 'node:crypto';
import type { KubeObject } from '../../../lib/api/types.js';
import { logger } from '../../../lib/util/log.js';
import type { AuthResponse, TokenAuthenticator } from '../index.js';

const log = logger('apiserver');

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

/** Reads kube-system Secrets from the API server's own stores (undefined: there is none). */
export type SecretGetter = (namespace: string, name: string) => Promise<KubeObject | undefined>;

/** A value of the Secret's data (base64) or stringData, decoded; undefined when absent. */
export function secretValue(secret: KubeObject, key: string): string | undefined {
  const data = secret.data as Record<string, string> | undefined;
  const v = data?.[key];
  if (typeof v === 'string') return Buffer.from(v, 'base64').toString('utf8');
  const s = (secret.stringData as Record<string, string> | undefined)?.[key];
  return typeof s === 'string' ? s : undefined;
}

/** True when the Secret's expiration (RFC 3339) is at or before now; a value that does not parse counts as expired. */
export function bootstrapTokenExpired(secret: KubeObject, now = Date.now()): boolean {
  const exp = secretValue(secret, 'expiration');
  if (exp === undefined) return false;
  const t = Date.parse(exp);
  return Number.isNaN(t) || t <= now;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class BootstrapTokenAuthenticator implements TokenAuthenticator {
  constructor(private readonly get: SecretGetter, private readonly now: () => number = Date.now) {}

  async authenticateToken(token: string): Promise<AuthResponse | undefined> {
    const m = TOKEN.exec(token);
    if (!m) return undefined;
    const [, id, secretPart] = m as unknown as [string, string, string];
    const name = BOOTSTRAP_TOKEN_SECRET_PREFIX + id;
    const refuse = (why: string): undefined => {
      log.debug('bootstrap token refused', { secret: `kube-system/${name}`, reason: why });
      return undefined;
    };
    const secret = await this.get('kube-system', name);
    if (!secret) return refuse('no such secret');
    if (secret.metadata.deletionTimestamp) return refuse('the secret is being deleted');
    if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return refuse(`the secret's type is ${JSON.stringify(secret.type)}`);
    const storedSecret = secretValue(secret, 'token-secret') ?? '';
    // both compared in full whatever the first says, so the time taken tells nothing about the secret
    const secretOk = same(storedSecret, secretPart);
    const idOk = same(secretValue(secret, 'token-id') ?? '', id);
    if (!secretOk || !idOk) return refuse('the token does not match the secret');
    if (bootstrapTokenExpired(secret, this.now())) return refuse('the token has expired');
    if (secretValue(secret, 'usage-bootstrap-authentication') !== 'true') return refuse('usage-bootstrap-authentication is not "true"');
    const extra = (secretValue(secret, 'auth-extra-groups') ?? '').split(',').map((g) => g.trim()).filter(Boolean);
    const bad = extra.find((g) => !EXTRA_GROUP.test(g));
    if (bad !== undefined) return refuse(`auth-extra-groups holds ${JSON.stringify(bad)}, which is not system:bootstrappers:<name>`);
    const groups = [...new Set([BOOTSTRAPPERS_GROUP, ...extra])].sort();
    return { user: { username: BOOTSTRAP_USER_PREFIX + id, groups } };
  }
}
