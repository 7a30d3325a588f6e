// The projected serviceAccountToken source: a token bound to the pod, asked of the API server through TokenRequest
// (POST .../serviceaccounts/<sa>/token, with the node agent's own credentials), kept per pod, audience and lifetime,
// and asked for again when it is older than 80% of its lifetime or 24 hours, as the kubelet's token manager does.
// When a token is due a timer wakes the pod (its sync rewrites the projected volume atomically with the new token).
// A refresh that fails while the old token is still valid keeps the old one (and the next sync tries again).
import { findByKind } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { resourcePath, type Client } from '../../../lib/client/index.js';
import { logger } from '../../../lib/util/log.js';
import type { ServiceAccountTokenProjection } from '../spec.js';
import { VolumeSetupError, type ServiceAccountTokenSource } from './projection.js';

const log = logger('node-agent');
const SERVICE_ACCOUNT = findByKind('v1', 'ServiceAccount')!;
/** The kubelet refreshes a token at least this often, whatever its lifetime. */
export const MAX_TOKEN_AGE_MS = 24 * 60 * 60 * 1000;
const DEFAULT_EXPIRATION_SECONDS = 3600;

/** What a TokenRequest answered: the token, when it expires, and the lifetime it was given (spec.expirationSeconds). */
export interface IssuedPodToken {
  token: string;
  expirationTimestamp: string;
  expirationSeconds: number;
}

export type PodTokenRequester = (pod: KubeObject, audiences: string[], expirationSeconds: number) => Promise<IssuedPodToken>;

interface Held {
  token: string;
  expiresAt: number;
  refreshAt: number;
  timer?: NodeJS.Timeout;
}

/** The TokenRequest for a pod's token, bound to the pod. */
export function tokenRequester(client: Client): PodTokenRequester {
  return async (pod, audiences, expirationSeconds) => {
    const ns = pod.metadata.namespace as string;
    const sa = (pod.spec?.serviceAccountName as string | undefined) || 'default';
    const answer = await client.request<KubeObject>({
      method: 'POST',
      path: resourcePath(SERVICE_ACCOUNT, ns, sa, 'token'),
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: sa, namespace: ns },
        spec: { audiences, expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid } } },
    });
    const status = answer.status as { token?: string; expirationTimestamp?: string } | undefined;
    const spec = answer.spec as { expirationSeconds?: number } | undefined;
    if (!status?.token || !status.expirationTimestamp) throw new Error('the TokenRequest answer has no token');
    return { token: status.token, expirationTimestamp: status.expirationTimestamp, expirationSeconds: spec?.expirationSeconds ?? expirationSeconds };
  };
}

export class ServiceAccountTokenManager {
  private readonly held = new Map<string, Held>();

  constructor(private readonly o: { request: PodTokenRequester; onRefreshDue?: (podUid: string) => void; now?: () => number }) {}

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** The source the volume manager fills projected serviceAccountToken files from. */
  readonly source: ServiceAccountTokenSource = async (pod, src) => Buffer.from(await this.tokenFor(pod, src), 'utf8');

  async tokenFor(pod: KubeObject, src: ServiceAccountTokenProjection): Promise<string> {
    const uid = pod.metadata.uid as string;
    const seconds = src.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
    const audiences = src.audience ? [src.audience] : [];
    const key = `${uid}/${src.audience ?? ''}/${seconds}`;
    const now = this.now();
    const held = this.held.get(key);
    if (held && now < held.refreshAt) return held.token;
    try {
      const issued = await this.o.request(pod, audiences, seconds);
      const expiresAt = Date.parse(issued.expirationTimestamp);
      if (!Number.isFinite(expiresAt)) throw new Error(`the TokenRequest answer's expirationTimestamp ${JSON.stringify(issued.expirationTimestamp)} is not a time`);
      const ttlMs = issued.expirationSeconds * 1000;
      const issuedAt = expiresAt - ttlMs;
      const refreshAt = Math.min(issuedAt + MAX_TOKEN_AGE_MS, expiresAt - ttlMs / 5);
      if (held?.timer) clearTimeout(held.timer);
      const next: Held = { token: issued.token, expiresAt, refreshAt };
      const wake = this.o.onRefreshDue;
      if (wake) {
        next.timer = setTimeout(() => wake(uid), Math.max(0, refreshAt - now) + 50);
        next.timer.unref();
      }
      this.held.set(key, next);
      if (held) log.info('service account token refreshed', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, audience: src.audience ?? '' });
      return issued.token;
    } catch (e) {
      const message = (e as Error).message;
      if (held && now < held.expiresAt) {
        log.warn('service account token refresh failed; the current token is still valid', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, error: message });
        return held.token;
      }
      throw new VolumeSetupError(`failed to fetch token: ${message}`);
    }
  }

  /** Forgets the tokens of pods not in `uids` (gone from this node). */
  retain(uids: Set<string>): void {
    for (const [key, h] of this.held) {
      if (uids.has(key.slice(0, key.indexOf('/')))) continue;
      if (h.timer) clearTimeout(h.timer);
      this.held.delete(key);
    }
  }

  stop(): void {
    this.retain(new Set());
  }
}
