// Bearer tokens on a request: `Authorization: Bearer TOKEN`, or, on a WebSocket upgrade (browsers cannot set headers
// there), the subprotocol `base64url.bearer.authorization.k8s.io.<base64url(TOKEN) without padding>`. Each token goes
// to the token authenticators in turn (the static token file today; ServiceAccount JWTs and bootstrap tokens later).
// A token no one recognises is an error (401), not "no credentials".
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AuthResponse, RequestAuthenticator, TokenAuthenticator } from './index.js';

export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

/** Asks each token authenticator in turn; the first that knows the token answers. */
export class UnionTokenAuthenticator implements TokenAuthenticator {
  constructor(private readonly authenticators: TokenAuthenticator[]) {}

  async authenticateToken(token: string): Promise<AuthResponse | undefined> {
    const errors: string[] = [];
    for (const a of this.authenticators) {
      try {
        const r = await a.authenticateToken(token);
        if (r) return r;
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    if (errors.length) throw new Error(errors.join(', '));
    return undefined;
  }
}

/** `Authorization: Bearer TOKEN`. On success the header is removed, so that nothing passes the token on. */
export class BearerTokenAuthenticator implements RequestAuthenticator {
  readonly method = 'bearer';
  constructor(private readonly tokens: TokenAuthenticator) {}

  async authenticate(req: IncomingMessage): Promise<AuthResponse | undefined> {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) return undefined;
    const r = await this.tokens.authenticateToken(token);
    if (!r) throw new Error('invalid bearer token');
    setHeader(req, 'authorization', undefined);
    return r;
  }
}

/** The token of an `Authorization: Bearer TOKEN` header, as Kubernetes splits it (undefined: no bearer token). */
export function bearerToken(header: string | undefined): string | undefined {
  const parts = (header ?? '').trim().split(' ');
  if (parts.length < 2 || parts[0]?.toLowerCase() !== 'bearer') return undefined;
  return parts[1] || undefined;
}

/**
 * The WebSocket subprotocol carrying a bearer token. Another subprotocol must be offered too (the one the server
 * answers with); on success the token's protocol is removed from the request, so it is never echoed or relayed.
 */
export class WebSocketProtocolAuthenticator implements RequestAuthenticator {
  readonly method = 'bearer';
  constructor(private readonly tokens: TokenAuthenticator) {}

  async authenticate(req: IncomingMessage): Promise<AuthResponse | undefined> {
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || !/\bupgrade\b/i.test(String(req.headers.connection ?? ''))) return undefined;
    const header = req.headersDistinct['sec-websocket-protocol'] ?? [];
    let token = '';
    let saw = false;
    const others: string[] = [];
    for (const h of header) {
      for (const raw of h.split(',')) {
        const p = raw.trim();
        if (!p.startsWith(BEARER_PROTOCOL_PREFIX)) {
          if (p) others.push(p);
          continue;
        }
        if (saw) throw new Error('multiple base64.bearer.authorization tokens specified');
        saw = true;
        const encoded = p.slice(BEARER_PROTOCOL_PREFIX.length);
        if (!/^[A-Za-z0-9_-]*$/.test(encoded) || encoded.length % 4 === 1) throw new Error('invalid base64.bearer.authorization token encoding');
        const bytes = Buffer.from(encoded, 'base64url');
        const text = bytes.toString('utf8');
        if (!Buffer.from(text, 'utf8').equals(bytes)) throw new Error('invalid base64.bearer.authorization token');
        token = text;
      }
    }
    if (token && !others.length) throw new Error('missing additional subprotocol');
    if (!token) return undefined;
    const r = await this.tokens.authenticateToken(token);
    if (!r) throw new Error('invalid bearer token');
    setHeader(req, 'sec-websocket-protocol', others.join(','));
    return r;
  }
}

/**
 * Remembers token verdicts for a while, keyed by the token's SHA-256 (never the token itself), as Kubernetes'
 * cached token authenticator does in front of the expensive ones (JWT signatures, webhooks): successes for
 * successTtlMs, unknown tokens for failureTtlMs (0: not remembered), errors never.
 */
export class CachedTokenAuthenticator implements TokenAuthenticator {
  private readonly cache = new Map<string, { result: AuthResponse | undefined; expires: number }>();

  constructor(
    private readonly inner: TokenAuthenticator,
    private readonly o: { successTtlMs: number; failureTtlMs: number; maxEntries?: number; now?: () => number },
  ) {}

  async authenticateToken(token: string): Promise<AuthResponse | undefined> {
    const now = this.o.now?.() ?? Date.now();
    const key = createHash('sha256').update(token).digest('base64');
    const hit = this.cache.get(key);
    if (hit && hit.expires > now) return hit.result;
    if (hit) this.cache.delete(key);
    const result = await this.inner.authenticateToken(token);
    const ttl = result ? this.o.successTtlMs : this.o.failureTtlMs;
    if (ttl > 0) {
      // the oldest entry goes first once full: a flood of made-up tokens cannot grow the cache without bound
      if (this.cache.size >= (this.o.maxEntries ?? 4096)) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, { result, expires: now + ttl });
    }
    return result;
  }
}

/** Replaces (or removes) a header in all of Node's views of it: what a relay copies (rawHeaders) must not keep it. */
function setHeader(req: IncomingMessage, name: string, value: string | undefined): void {
  // Node builds headers and headersDistinct lazily from rawHeaders and its original length: build both first, or a
  // shortened rawHeaders makes the later build read past its end
  const headers = req.headers;
  const distinct = req.headersDistinct;
  const raw: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if ((req.rawHeaders[i] as string).toLowerCase() === name) continue;
    raw.push(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  if (value !== undefined) raw.push(name, value);
  req.rawHeaders.splice(0, req.rawHeaders.length, ...raw);
  if (value === undefined) {
    delete headers[name];
    delete distinct[name];
  } else {
    headers[name] = value;
    distinct[name] = [value];
  }
}
