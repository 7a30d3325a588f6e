// Authentication and authorization at the front of every request, in Kubernetes' terms: request authenticators
// (x509 client certificates, bearer tokens, the WebSocket bearer subprotocol) in a chain, token authenticators behind
// the bearer ones (a static token file today; ServiceAccount JWTs and bootstrap tokens plug in the same way), and
// authorizers in a chain (the interim one today; RBAC and the Node authorizer replace it).
import type { IncomingMessage } from 'node:http';

/** Who made a request (Kubernetes' user.Info). */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** The group every authenticated user is in, and the anonymous user's name and group. */
export const AUTHENTICATED_GROUP = 'system:authenticated';
export const ANONYMOUS_USER = 'system:anonymous';
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
/** The group that may do anything (certificates with O=system:masters). */
export const MASTERS_GROUP = 'system:masters';

/** What an authenticator found: the user, and (for tokens) the audiences the credential is good for. */
export interface AuthResponse {
  user: UserInfo;
  audiences?: string[];
}

/**
 * Reads credentials from a request. Resolves undefined when the request carries none of its kind (the next one is
 * asked); rejects when it carries some that are invalid (an expired certificate, an unknown token): the request is
 * then 401 unless another authenticator vouches for it, as Kubernetes' union authenticator does.
 */
export interface RequestAuthenticator {
  /** For the audit log's "Authentication failed, attempted: ..." (x509, bearer). */
  readonly method: string;
  authenticate(req: IncomingMessage): Promise<AuthResponse | undefined>;
}

/**
 * Checks one bearer token (static token file today; ServiceAccount JWTs and bootstrap tokens later). Resolves
 * undefined for a token it doesn't recognise, rejects for one it recognises as invalid (expired, revoked).
 */
export interface TokenAuthenticator {
  authenticateToken(token: string): Promise<AuthResponse | undefined>;
}

/** What a request asks to do, in the authorizer's terms (Kubernetes' authorizer.Attributes). */
export interface Attributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  /** For non-resource requests: the URL path. */
  path: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

export type Decision = 'allow' | 'deny' | 'noOpinion';

export interface AuthorizerResult {
  decision: Decision;
  /** Appended to the 403 message (empty for a plain "no rule allows it"). */
  reason: string;
}

export interface Authorizer {
  authorize(a: Attributes): Promise<AuthorizerResult>;
}
