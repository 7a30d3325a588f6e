// Authentication and authorization sit at the front of every request. Until the TLS/auth issue lands, the server
// is plain HTTP on loopback: every caller is an unauthenticated admin and every request is allowed. The interfaces
// are the ones real authenticators (client certs, tokens) and authorizers (RBAC) will implement.
import type { IncomingMessage } from 'node:http';
import type { RequestInfo } from '../http/request-info.js';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
}

export interface Authenticator {
  /** Returns the user, or undefined when this authenticator can't tell (the next one is tried). */
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined>;
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

export interface Authorizer {
  authorize(user: UserInfo, info: RequestInfo): Promise<Decision>;
}

export const insecureLoopbackAuthenticator: Authenticator = {
  async authenticate() {
    return { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] };
  },
};

export const alwaysAllow: Authorizer = {
  async authorize() {
    return { allowed: true };
  },
};
