// Image pulls per imagePullPolicy, with Kubernetes' ErrImagePull → ImagePullBackOff back-off, and the registry
// credentials of the pod's pull secrets (tried in turn, as the kubelet does; the error of the last one is reported,
// carrying what the registry answered, e.g. its 401). Also which repository digest a container's imageID names.
import { createHash } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { defaultPullPolicy, repositoryOf, tryParseImageReference } from '../../lib/api/image-reference.js';
import { CriError, type CriClient } from '../cri/client.js';
import type { AuthConfig } from '../cri/types.js';
import { Backoff } from './backoff.js';

export type PullResult = { ok: true; imageRef: string } | { ok: false; reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull'; message: string; retryInMs?: number };

/** The kubelet's Normal events of a pull: Pulling, then Pulled (or Pulled alone for an image already present). */
export type PullEvent = { reason: 'Pulling' | 'Pulled'; message: string };

/** A duration truncated to milliseconds as Go prints it: 512ms, 1.234s, 1m2.5s. */
export function goMillis(ms: number): string {
  const t = Math.max(0, Math.floor(ms));
  if (t === 0) return '0s';
  if (t < 1000) return `${t}ms`;
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const s = ((t % 60_000) / 1000).toFixed(3).replace(/\.?0+$/, '');
  return h ? `${h}h${m}m${s}s` : m ? `${m}m${s}s` : `${s}s`;
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

/** Image IDs remembered per (reported reference, wanted repository): bounded, since pods come and go. */
const IMAGE_ID_CACHE_MAX = 1000;

export class ImagePuller {
  private readonly backoff = new Backoff();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly imageIDs = new Map<string, string>();

  constructor(private readonly cri: CriClient) {}

  /**
   * credentials is asked only when a pull is needed (it reads Secrets and the ServiceAccount); report gets the
   * kubelet's Pulling/Pulled events.
   */
  async ensure(image: string, policy: string | undefined, podKey: string, credentials: () => Promise<AuthConfig[]> = async () => [],
    report: (e: PullEvent) => void = () => undefined): Promise<PullResult> {
    const p = policy || defaultPullPolicy(image);
    if (p !== 'Always') {
      const present = await this.cri.imageStatus(image);
      if (present) {
        report({ reason: 'Pulled', message: `Container image "${image}" already present on machine` });
        return { ok: true, imageRef: present.id };
      }
      if (p === 'Never') return { ok: false, reason: 'ErrImageNeverPull', message: `Container image "${image}" is not present with pull policy of Never` };
    }
    const key = `${podKey}|${image}`;
    const wait = this.backoff.remaining(key);
    if (wait > 0) return { ok: false, reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"`, retryInMs: wait };
    const began = Date.now();
    report({ reason: 'Pulling', message: `Pulling image "${image}"` });
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
      const started = Date.now();
      try {
        const ref = await this.pull(image, auth);
        this.backoff.reset(key);
        const size = (await this.cri.imageStatus(ref).catch(() => null))?.size ?? 0;
        report({ reason: 'Pulled', message: `Successfully pulled image "${image}" in ${goMillis(Date.now() - started)} (${goMillis(Date.now() - began)} including waiting). Image size: ${size} bytes.` });
        return { ok: true, imageRef: ref };
      } catch (e) {
        last = e;
      }
    }
    const delay = this.backoff.next(key);
    return { ok: false, reason: 'ErrImagePull', message: `Failed to pull image "${image}": ${rpcErrorText(last)}`, retryInMs: delay };
  }

  /**
   * The imageID to report for a container of `image` whose runtime reported `reported` (a repository digest,
   * `REGISTRY/NAME@sha256:...`). The runtime names the image's first repository digest, which for content pushed
   * under several names may be another repository's than the one the pod asked for; then the image's digest in
   * the pod's own repository is reported, when the runtime has one.
   */
  async imageID(image: string, reported: string): Promise<string> {
    const want = tryParseImageReference(image);
    const got = tryParseImageReference(reported);
    if (!want || !got?.digest || repositoryOf(want) === repositoryOf(got)) return reported;
    const key = `${reported}|${repositoryOf(want)}`;
    const known = this.imageIDs.get(key);
    if (known) return known;
    const status = await this.cri.imageStatus(reported).catch(() => null);
    const mine = status?.repoDigests.find((d) => {
      const r = tryParseImageReference(d);
      return r !== undefined && repositoryOf(r) === repositoryOf(want);
    });
    if (!mine) return reported; // not remembered: the image may gain that name at its next pull
    if (this.imageIDs.size >= IMAGE_ID_CACHE_MAX) this.imageIDs.clear();
    this.imageIDs.set(key, mine);
    return mine;
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
