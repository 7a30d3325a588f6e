// The front of every request, in kube-apiserver's filter order: authenticate (401) -> audit -> impersonate ->
// max-in-flight (429) -> authorize (403) -> request timeout (504). handler.ts and upgrade.ts each call it once; the
// answer's status goes to the audit log whatever it is, and the seat and timer are given back when it ends.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { logger } from '../../lib/util/log.js';
import { ApiError, errors } from '../errors.js';
import { decodeBody } from '../http/negotiate.js';
import type { RequestInfo } from '../http/request-info.js';
import { sendError } from '../http/respond.js';
import { attributesOf, forbidden } from './authorizer.js';
import type { Auditor, RequestAudit } from './audit/log.js';
import type { AuditAttributes } from './audit/policy.js';
import { bearerToken } from './bearer.js';
import { impersonate } from './impersonation.js';
import type { RuleResolver } from './rbac/authorizer.js';
import type { AccessContext } from './rbac/escalation.js';
import { AUTHENTICATED_GROUP, ANONYMOUS_USER, UNAUTHENTICATED_GROUP, type Attributes, type Authorizer, type RequestAuthenticator, type UserInfo } from './index.js';
import { isLongRunning, parseGoDuration, requestDeadlineMs, requestTimedOut, type InflightLimiter } from './inflight.js';

const log = logger('apiserver');

/**
 * Where the anonymous user is let in: Kubernetes' anonymous authentication limited to the health checks and the
 * version, and the web dashboard's static files (they hold no data; the page then calls the API with a token). A
 * path with a dot segment (`/healthz/../api/v1/secrets`, kept as sent: http/request-info.ts) is none of them.
 */
const ANONYMOUS_PATHS = /^\/(healthz|livez|readyz|version|dashboard)(\/.*)?$/;
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:\/|$)/i;
const anonymousPath = (path: string) => ANONYMOUS_PATHS.test(path) && !DOT_SEGMENT.test(path);

export interface GateOptions {
  authenticators: RequestAuthenticator[];
  authorizer: Authorizer;
  /** Lists a user's rules (escalation checks, SelfSubjectRulesReview); absent where RBAC is not served. */
  rules?: RuleResolver;
  auditor?: Auditor;
  limiter?: InflightLimiter;
  /** Non-long-running requests are answered 504 after this long (0: never). */
  requestTimeoutMs?: number;
}

export interface Admission {
  /** Who the request acts as (the impersonated user when there is one). */
  user: UserInfo;
  /** Wraps the body reader so the audit log sees the body the handler reads. */
  body: (read: () => Promise<Buffer>) => () => Promise<Buffer>;
}

export class RequestGate {
  constructor(private readonly o: GateOptions) {}

  /** What a request's writes and reviews need to know of its user's rights. */
  access(user: UserInfo): AccessContext {
    return { user, authorizer: this.o.authorizer, rules: this.o.rules };
  }

  /**
   * Admits a plain HTTP request, or throws the ApiError to answer it with (the caller writes it). Before anything
   * can throw, the response is followed for the audit log.
   */
  async admit(req: IncomingMessage, res: ServerResponse, info: RequestInfo, query: URLSearchParams): Promise<Admission> {
    const auditID = auditIdOf(req);
    res.setHeader('Audit-Id', auditID);
    const longRunning = isLongRunning(info);
    const { audit, user } = await this.authenticate(req, info, auditID, (a) => a.followResponse(res, longRunning));
    const acting = await this.impersonateAndAuthorize(req, info, user, audit, () => {
      const release = this.o.limiter?.acquire(info, user);
      if (release) res.once('close', release);
    });
    if (query.has('timeout') && parseGoDuration(query.get('timeout')) === undefined) throw errors.badRequest('invalid timeout specified in the request URL');
    const deadline = requestDeadlineMs(info, query, this.o.requestTimeoutMs ?? 0);
    if (deadline !== undefined) {
      const timer = setTimeout(() => {
        if (res.headersSent || res.destroyed) return;
        // the handler goes on in the background and may still write: those writes must not raise
        res.on('error', () => undefined);
        log.warn('request timed out', { method: req.method, path: req.url, after: deadline });
        sendError(res, requestTimedOut());
      }, deadline);
      res.once('close', () => clearTimeout(timer));
    }
    return {
      user: acting,
      body: (read) => async () => {
        const b = await read();
        audit?.requestBody(() => (b.length ? decodeBody(req.headers['content-type'], b) : undefined));
        return b;
      },
    };
  }

  /** Admits an upgrade (a WebSocket watch, exec); the audit log follows the upgraded socket. */
  async admitUpgrade(req: IncomingMessage, socket: Duplex, info: RequestInfo): Promise<UserInfo> {
    const { audit, user } = await this.authenticate(req, info, auditIdOf(req), (a) => a.followSocket(socket));
    return this.impersonateAndAuthorize(req, info, user, audit, () => undefined);
  }

  private async authenticate(req: IncomingMessage, info: RequestInfo, auditID: string, follow: (a: RequestAudit) => void):
    Promise<{ user: UserInfo; audit?: RequestAudit }> {
    const errs: string[] = [];
    let user: UserInfo | undefined;
    for (const a of this.o.authenticators) {
      try {
        const r = await a.authenticate(req);
        if (r) {
          user = withGroup(r.user, AUTHENTICATED_GROUP);
          break;
        }
      } catch (e) {
        errs.push(`[${a.method}] ${(e as Error).message}`);
      }
    }
    // invalid credentials are refused even where anonymous requests are let in (a union that fails on error)
    if (!user && !errs.length && anonymousPath(info.path)) user = { username: ANONYMOUS_USER, groups: [UNAUTHENTICATED_GROUP] };
    const attrs = auditAttributes(req, info, user);
    if (!user) {
      if (errs.length) log.debug('authentication failed', { path: req.url, errors: errs });
      this.o.auditor?.failedAuthentication(req, auditID, attrs, attempted(req));
      throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    }
    const audit = this.o.auditor?.begin(req, auditID, attrs);
    if (audit) {
      audit.emit('RequestReceived');
      follow(audit);
    }
    return { user, audit };
  }

  private async impersonateAndAuthorize(req: IncomingMessage, info: RequestInfo, user: UserInfo, audit: RequestAudit | undefined,
    seat: () => void): Promise<UserInfo> {
    const impersonated = await impersonate(req, user, this.o.authorizer);
    if (impersonated) audit?.impersonating(impersonated);
    const acting = impersonated ?? user;
    seat();
    const a: Attributes = attributesOf(acting, info);
    if (!info.isResourceRequest) a.verb = (req.method ?? 'GET').toLowerCase();
    const d = await this.o.authorizer.authorize(a);
    if (audit) {
      audit.annotate('authorization.k8s.io/decision', d.decision === 'allow' ? 'allow' : 'forbid');
      if (d.reason) audit.annotate('authorization.k8s.io/reason', d.reason);
    }
    if (d.decision !== 'allow') throw forbidden(a, d.reason);
    return acting;
  }
}

function withGroup(u: UserInfo, group: string): UserInfo {
  return u.groups.includes(group) ? u : { ...u, groups: [...u.groups, group] };
}

/** The client's Audit-ID when it sent a sane one (Kubernetes keeps it), else a new UUID. */
function auditIdOf(req: IncomingMessage): string {
  const given = req.headers['audit-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
}

function auditAttributes(req: IncomingMessage, info: RequestInfo, user: UserInfo | undefined): AuditAttributes & { apiVersion: string } {
  return {
    user, verb: info.isResourceRequest ? info.verb : (req.method ?? 'GET').toLowerCase(), isResourceRequest: info.isResourceRequest, path: info.path,
    apiGroup: info.group, apiVersion: info.version, namespace: info.namespace ?? '', resource: info.resource, subresource: info.subresource ?? '', name: info.name ?? '',
  };
}

/** The credentials a refused request carried, as the audit log names them. */
function attempted(req: IncomingMessage): string[] {
  const out: string[] = [];
  if (bearerToken(req.headers.authorization) !== undefined) out.push('bearer');
  const s = req.socket;
  if (s instanceof TLSSocket && s.getPeerCertificate()?.raw) out.push('x509');
  return out;
}
