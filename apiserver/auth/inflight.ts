// Protection from overload, as kube-apiserver's max-in-flight filter and request timeout: at most N read-only and M
// mutating requests are served at once, beyond that 429 TooManyRequests with Retry-After: 1 (clients back off and
// retry); long-running requests (watches, logs, exec, proxy) are not counted, and system:masters is always
// answered. A request that is not long-running and takes longer than the request timeout is answered 504.
import { errors, ApiError } from '../errors.js';
import type { RequestInfo } from '../http/request-info.js';
import { MASTERS_GROUP, type UserInfo } from './index.js';

/** Subresources whose responses stream for as long as the client wants (Kubernetes' long-running request check). */
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);
const READ_ONLY_VERBS = new Set(['get', 'list', 'watch', 'proxy']);

export function isLongRunning(info: RequestInfo): boolean {
  if (!info.isResourceRequest) return false;
  return info.verb === 'watch' || info.verb === 'proxy' || LONG_RUNNING_SUBRESOURCES.has(info.subresource ?? '');
}

export function isMutating(info: RequestInfo): boolean {
  return !READ_ONLY_VERBS.has(info.verb);
}

export interface InflightLimits {
  /** 0 = no limit (as Kubernetes' flags). */
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
}

export class InflightLimiter {
  private readOnly = 0;
  private mutating = 0;

  constructor(private readonly limits: InflightLimits) {}

  /**
   * Takes a seat for the request, or throws 429. Returns the function that gives the seat back (call it once the
   * response is done), or undefined when the request takes no seat.
   */
  acquire(info: RequestInfo, user: UserInfo): (() => void) | undefined {
    if (isLongRunning(info)) return undefined;
    const mutating = info.isResourceRequest ? isMutating(info) : !READ_ONLY_VERBS.has(info.verb);
    const limit = mutating ? this.limits.maxMutatingRequestsInflight : this.limits.maxRequestsInflight;
    if (limit <= 0) return undefined;
    const used = mutating ? this.mutating : this.readOnly;
    if (used >= limit) {
      // "A system:master is so powerful that they should always get an answer": served, but not counted
      if (user.groups.includes(MASTERS_GROUP)) return undefined;
      throw tooManyRequests();
    }
    if (mutating) this.mutating++;
    else this.readOnly++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (mutating) this.mutating--;
      else this.readOnly--;
    };
  }

  get inflight(): { readOnly: number; mutating: number } {
    return { readOnly: this.readOnly, mutating: this.mutating };
  }
}

export function tooManyRequests(): ApiError {
  return new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 });
}

/** The timeout Status Kubernetes answers a request that ran out of time with. */
export function requestTimedOut(): ApiError {
  return errors.timeout('Timeout: request did not complete within requested timeout - context deadline exceeded');
}

/**
 * The time a request may take: the request timeout, or less when the client asks (`?timeout=10s`, as kubectl's
 * --request-timeout sends it). Undefined for long-running requests, which have their own limits (watches end after
 * a randomized server-side timeout).
 */
export function requestDeadlineMs(info: RequestInfo, query: URLSearchParams, requestTimeoutMs: number): number | undefined {
  if (isLongRunning(info) || requestTimeoutMs <= 0) return undefined;
  const asked = parseGoDuration(query.get('timeout'));
  return asked !== undefined && asked > 0 ? Math.min(asked, requestTimeoutMs) : requestTimeoutMs;
}

/** A Go duration (`30s`, `1m30s`, `500ms`): milliseconds, or undefined when it isn't one. */
export function parseGoDuration(s: string | null): number | undefined {
  if (!s) return undefined;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (units[m[2] as string] as number);
    pos = re.lastIndex;
  }
  return pos === s.length && pos > 0 ? total : undefined;
}
