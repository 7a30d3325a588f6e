// Signs ServiceAccount tokens (TokenRequest): a JWT with the claims of claims.ts, signed with the
// --service-account-signing-key-file key (its kid in the header), by `jose`.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { serviceAccountUsername, type KubernetesClaim, type TokenClaims } from './claims.js';
import type { SigningKey } from './keys.js';

export interface TokenSpec {
  audiences: string[];
  /** The token's lifetime. */
  expirationSeconds: number;
  /** Extended tokens: when the client should have refreshed it (the lifetime it asked for). */
  warnAfterSeconds?: number;
  claim: Omit<KubernetesClaim, 'warnafter'>;
}

export interface IssuedToken {
  token: string;
  claims: TokenClaims;
  expirationTimestamp: Date;
}

export class ServiceAccountTokenIssuer {
  constructor(private readonly o: { issuer: string; key: SigningKey; now?: () => number }) {}

  get issuer(): string {
    return this.o.issuer;
  }

  async issue(spec: TokenSpec): Promise<IssuedToken> {
    const now = Math.floor((this.o.now?.() ?? Date.now()) / 1000);
    const k: KubernetesClaim = { ...spec.claim };
    if (spec.warnAfterSeconds !== undefined) k.warnafter = now + spec.warnAfterSeconds;
    const claims: TokenClaims = {
      iss: this.o.issuer,
      sub: serviceAccountUsername(spec.claim.namespace, spec.claim.serviceaccount.name),
      aud: spec.audiences,
      exp: now + spec.expirationSeconds,
      iat: now,
      nbf: now,
      jti: randomUUID(),
      'kubernetes.io': k,
    };
    const token = await new SignJWT(claims as unknown as Record<string, unknown>)
      .setProtectedHeader({ alg: this.o.key.alg, kid: this.o.key.kid })
      .sign(this.o.key.privateKey);
    return { token, claims, expirationTimestamp: new Date(claims.exp * 1000) };
  }
}
