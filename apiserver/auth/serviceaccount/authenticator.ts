// The ServiceAccount token authenticator: a JWT from one of our issuers is checked for its signature (any of the
// verification keys), expiry, audience (the API server's --api-audiences, or a TokenReview's), and then for the
// objects it is bound to: the ServiceAccount, the pod or Secret, each still there with the same uid. A token of
// another issuer (or no JWT at all) is not ours: the next token authenticator is asked.
//
// Verified signatures are remembered for a short while (the RSA check is the costly part), keyed by the token's
// SHA-256; expiry, audience and the bound objects are checked on every request. The bound objects are read from the
// watch cache (memory) and, on a miss, from etcd: a deleted pod's token is refused as soon as the API server knows
// the pod is gone, not after a cache TTL.
import { createHash, timingSafeEqual } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import type { KubeObject } from '../../../lib/api/types.js';
import type { AuthResponse, TokenAuthenticator } from '../index.js';
import { kubernetesClaim, userOf, type TokenClaims } from './claims.js';
import type { PublicKey } from './keys.js';

/** Reads the objects a token may be bound to; undefined when there is none. */
export type BoundObjectGetter = (resource: 'serviceaccounts' | 'pods' | 'secrets', namespace: string, name: string) => Promise<KubeObject | undefined>;

/** The issuer of legacy tokens (kubernetes.io/service-account-token Secrets, controllers/serviceaccount/tokens.ts). */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

/** A bound object deleted this long ago still vouches for its tokens (a terminating pod's preStop hooks). */
const DELETION_GRACE_S = 60;

export interface ServiceAccountAuthenticatorOptions {
  /** The issuers whose tokens are ours (--service-account-issuer: the first issues, the others are still accepted). */
  issuers: string[];
  /** --api-audiences: what a token presented to the API server must be meant for. */
  audiences: string[];
  keys: PublicKey[];
  objects: BoundObjectGetter;
  now?: () => number;
  /** How long a verified signature is remembered (default 10 s, as Kubernetes caches token verdicts). */
  verifiedTtlMs?: number;
  maxEntries?: number;
}

export class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
  private readonly verified = new Map<string, { claims: TokenClaims; until: number }>();

  constructor(private readonly o: ServiceAccountAuthenticatorOptions) {}

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  authenticateToken(token: string): Promise<AuthResponse | undefined> {
    return this.authenticateFor(token, this.o.audiences);
  }

  /** As authenticateToken, for a token meant for one of `audiences` (a TokenReview's). */
  async authenticateFor(token: string, audiences: string[]): Promise<AuthResponse | undefined> {
    if (token.split('.').length !== 3) return undefined;
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return undefined;
    }
    if (iss === LEGACY_ISSUER) return this.legacy(token, audiences);
    if (typeof iss !== 'string' || !this.o.issuers.includes(iss)) return undefined;
    const claims = await this.verify(token);
    const nowS = Math.floor(this.now() / 1000);
    if (claims.exp <= nowS) throw new Error('service account token has expired');
    if (claims.nbf > nowS) throw new Error('service account token is not valid yet');
    const matched = claims.aud.filter((a) => audiences.includes(a));
    if (!matched.length) throw new Error(`token audiences ${JSON.stringify(claims.aud)} is invalid for the target audiences ${JSON.stringify(audiences)}`);
    await this.checkBound(claims);
    return { user: userOf(claims), audiences: matched };
  }

  /**
   * A legacy token (of a kubernetes.io/service-account-token Secret; iss kubernetes/serviceaccount, no expiry): good
   * for the API server's own audiences only, and only while its Secret is there, not being deleted, and holds this
   * very token, and its ServiceAccount is the one it names (uid). Deleting the Secret revokes it.
   */
  private async legacy(token: string, audiences: string[]): Promise<AuthResponse | undefined> {
    const p = await this.verifySignature(token);
    if (!p || typeof p !== 'object' || Array.isArray(p)) throw new Error('service account token payload is not a JSON object');
    const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : '');
    const namespace = str('kubernetes.io/serviceaccount/namespace');
    const secretName = str('kubernetes.io/serviceaccount/secret.name');
    const saName = str('kubernetes.io/serviceaccount/service-account.name');
    const saUid = str('kubernetes.io/serviceaccount/service-account.uid');
    if (!namespace || !secretName || !saName || !saUid || p.sub !== `system:serviceaccount:${namespace}:${saName}`) throw new Error('service account token lacks the claims of a legacy token');
    const matched = this.o.audiences.filter((a) => audiences.includes(a));
    if (!matched.length) throw new Error(`token audiences ${JSON.stringify(this.o.audiences)} is invalid for the target audiences ${JSON.stringify(audiences)}`);
    const secret = await this.o.objects('secrets', namespace, secretName);
    if (!secret || secret.metadata.deletionTimestamp) throw new Error(`service account token has been invalidated: secrets ${namespace}/${secretName} not found`);
    const held = (secret.data as Record<string, string> | undefined)?.token;
    const presented = Buffer.from(token);
    const stored = Buffer.from(typeof held === 'string' ? held : '', 'base64');
    if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) throw new Error('service account token has been invalidated: its secret holds another token');
    await this.stillThere('serviceaccounts', namespace, saName, saUid);
    return { user: { username: `system:serviceaccount:${namespace}:${saName}`, uid: saUid, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`] }, audiences: matched };
  }

  /** The signature checked with the key its kid names (else each key in turn), and the claims' shape. */
  private async verify(token: string): Promise<TokenClaims> {
    const now = this.now();
    const cacheKey = createHash('sha256').update(token).digest('base64');
    const hit = this.verified.get(cacheKey);
    if (hit && hit.until > now) return hit.claims;
    if (hit) this.verified.delete(cacheKey);
    const claims = checkShape(await this.verifySignature(token));
    if (this.verified.size >= (this.o.maxEntries ?? 4096)) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(cacheKey, { claims, until: Math.min(now + (this.o.verifiedTtlMs ?? 10_000), claims.exp * 1000) });
    return claims;
  }

  /** The payload of a token whose signature one of our keys verifies (the key its kid names first). */
  private async verifySignature(token: string): Promise<Record<string, unknown>> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new Error('malformed service account token');
    }
    const keys = [...this.o.keys.filter((k) => k.kid === kid), ...this.o.keys.filter((k) => k.kid !== kid)];
    let payload: Record<string, unknown> | undefined;
    for (const k of keys) {
      try {
        // the signature only: expiry is checked by the caller on every use (a remembered signature outlives no token)
        const r = await compactVerify(token, k.key, { algorithms: [k.alg] });
        payload = JSON.parse(Buffer.from(r.payload).toString('utf8')) as Record<string, unknown>;
        break;
      } catch {
        // the next key; none verifying is an invalid signature
      }
    }
    if (!payload) throw new Error('service account token signature is invalid');
    return payload;
  }

  private async checkBound(c: TokenClaims): Promise<void> {
    const k = c['kubernetes.io'];
    await this.stillThere('serviceaccounts', k.namespace, k.serviceaccount.name, k.serviceaccount.uid);
    if (k.pod) await this.stillThere('pods', k.namespace, k.pod.name, k.pod.uid);
    if (k.secret) await this.stillThere('secrets', k.namespace, k.secret.name, k.secret.uid);
  }

  private async stillThere(resource: 'serviceaccounts' | 'pods' | 'secrets', namespace: string, name: string, uid: string): Promise<void> {
    const obj = await this.o.objects(resource, namespace, name);
    const what = `${resource} ${namespace}/${name}`;
    if (!obj) throw new Error(`service account token has been invalidated: ${what} not found`);
    if (obj.metadata.uid !== uid) throw new Error(`service account token has been invalidated: ${what} has uid ${obj.metadata.uid}, not ${uid}`);
    const del = obj.metadata.deletionTimestamp;
    if (del && Date.parse(del) < this.now() - DELETION_GRACE_S * 1000) throw new Error(`service account token has been invalidated: ${what} has been deleted`);
  }
}

/** A verified payload as our claims; a token of our issuer without them is refused (not a bound token). */
function checkShape(p: Record<string, unknown>): TokenClaims {
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw new Error('service account token payload is not a JSON object');
  const k = kubernetesClaim(p);
  const aud = typeof p.aud === 'string' ? [p.aud] : Array.isArray(p.aud) && p.aud.every((a) => typeof a === 'string') ? (p.aud as string[]) : undefined;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const exp = num(p.exp);
  if (!k || !aud || exp === undefined) throw new Error('service account token lacks the claims of a bound token');
  if (p.sub !== `system:serviceaccount:${k.namespace}:${k.serviceaccount.name}`) throw new Error('service account token subject does not match its service account');
  return { iss: String(p.iss), sub: p.sub, aud, exp, iat: num(p.iat) ?? 0, nbf: num(p.nbf) ?? 0, jti: typeof p.jti === 'string' ? p.jti : '', 'kubernetes.io': k };
}
