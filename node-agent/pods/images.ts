// Image pulls per imagePullPolicy, with Kubernetes' ErrImagePull → ImagePullBackOff back-off.
import type { CriClient } from '../cri/client.js';
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

export class ImagePuller {
  private readonly backoff = new Backoff();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly cri: CriClient) {}

  async ensure(image: string, policy: string | undefined, podKey: string): Promise<PullResult> {
    const p = policy ?? defaultPullPolicy(image);
    if (p !== 'Always') {
      const present = await this.cri.imageStatus(image);
      if (present) return { ok: true, imageRef: present.id };
      if (p === 'Never') return { ok: false, reason: 'ErrImageNeverPull', message: `Container image "${image}" is not present with pull policy of Never` };
    }
    const key = `${podKey}|${image}`;
    const wait = this.backoff.remaining(key);
    if (wait > 0) return { ok: false, reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"`, retryInMs: wait };
    try {
      // concurrent pods wanting the same image share one pull
      let pull = this.inflight.get(image);
      if (!pull) {
        pull = this.cri.pullImage(image).finally(() => this.inflight.delete(image));
        this.inflight.set(image, pull);
      }
      const ref = await pull;
      this.backoff.reset(key);
      return { ok: true, imageRef: ref };
    } catch (e) {
      const delay = this.backoff.next(key);
      return { ok: false, reason: 'ErrImagePull', message: `failed to pull image "${image}": ${(e as Error).message}`, retryInMs: delay };
    }
  }

  forget(podKey: string): void {
    this.backoff.forgetPrefix(`${podKey}|`);
  }
}
