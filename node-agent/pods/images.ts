// Image pulls per imagePullPolicy, with Kubernetes' ErrImagePull → ImagePullBackOff back-off, and the registry
// credentials of the pod's pull secrets (tried in turn, as the kubelet does; the error of the last one is reported,
// carrying what the registry answered, e.g. its 401).
import { createHash } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { CriError, type CriClient } from '../cri/client.js';
import type { AuthConfig } from '../cri/types.js';
import { Backoff } from './backoff.js';

export type PullResult = { ok: true; imageRef: string } | { ok: false; reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull'; message: string; retryInMs?: number };

/** The policy Kubernetes defaults to: Always for :latest or no tag, else IfNotPresent. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const name = image.split('@')[0] as string;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : '';
  return image.includes('@') ? 'IfNotPresent' : !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** A runtime error as Go's gRPC client prints it (what the kubelet's messages carry). */
export function rpcErrorText(e: unknown): string {
  if (e instanceof CriError) return `rpc error: code = ${goCodeName(e.code)} desc = ${e.details}`;
  return (e as Error).message;
}

function goCodeName(code: number): string {
  const name = grpcStatus[code] ?? String(code);
  // Go spells the codes in CamelCase (DeadlineExceeded), grpc-js in SCREAMING_CASE
  return name.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

const authKey = (a: AuthConfig | undefined): string => (a ? createHash('sha256').update(`${a.username}\0${a.password}`).digest('hex').slice(0, 16) : '-');

export class ImagePuller {
  private readonly backoff = new Backoff();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly cri: CriClient) {}

  /** credentials is asked only when a pull is needed (it reads Secrets and the ServiceAccount). */
  async ensure(image: string, policy: string | undefined, podKey: string, credentials: () => Promise<AuthConfig[]> = async () => []): Promise<PullResult> {
    const p = policy ?? defaultPullPolicy(image);
    if (p !== 'Always') {
      const present = await this.cri.imageStatus(image);
      if (present) return { ok: true, imageRef: present.id };
      if (p === 'Never') return { ok: false, reason: 'ErrImageNeverPull', message: `Container image "${image}" is not present with pull policy of Never` };
    }
    const key = `${podKey}|${image}`;
    const wait = this.backoff.remaining(key);
    if (wait > 0) return { ok: false, reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"`, retryInMs: wait };
    let auths: Array<AuthConfig | undefined>;
    try {
      const found = await credentials();
      auths = found.length ? found : [undefined];
    } catch {
      // the Secrets or the ServiceAccount could not be read: try without credentials
      auths = [undefined];
    }
    let last: unknown;
    for (const auth of auths) {
      try {
        const ref = await this.pull(image, auth);
        this.backoff.reset(key);
        return { ok: true, imageRef: ref };
      } catch (e) {
        last = e;
      }
    }
    const delay = this.backoff.next(key);
    return { ok: false, reason: 'ErrImagePull', message: `Failed to pull image "${image}": ${rpcErrorText(last)}`, retryInMs: delay };
  }

  /** Concurrent pods wanting the same image with the same credentials share one pull. */
  private pull(image: string, auth: AuthConfig | undefined): Promise<string> {
    const k = `${image}|${authKey(auth)}`;
    let pull = this.inflight.get(k);
    if (!pull) {
      pull = this.cri.pullImage(image, auth).finally(() => this.inflight.delete(k));
      this.inflight.set(k, pull);
    }
    return pull;
  }

  forget(podKey: string): void {
    this.backoff.forgetPrefix(`${podKey}|`);
  }
}
