// What the user may do, asked of the API before an action is shown: a SelfSubjectAccessReview per (verb, group,
// resource, subresource, namespace, name), cached for a minute. RBAC on the server decides; the page only hides
// what would be refused, it never grants anything (a forged request still meets the server's authorizer).
//
// Until the API serves SelfSubjectAccessReview (the authentication/RBAC work), the endpoint answers 404: the answer
// is then "unknown", and the page shows the action and lets the API's answer to the action itself decide. Any other
// failure of the review (403, a 5xx, the network) is "unknown" too: only a review's own answer hides an action.
import type { ApiClient } from './client.js';

export interface ResourceAttributes {
  verb: string;
  group?: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export type Answer = 'allowed' | 'denied' | 'unknown';

export const SSAR_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
const TTL_MS = 60_000;

export const attributesKey = (a: ResourceAttributes): string => [a.verb, a.group ?? '', a.resource, a.subresource ?? '', a.namespace ?? '', a.name ?? ''].join('|');

export class AccessReviews {
  private readonly cache = new Map<string, { at: number; answer: Promise<Answer> }>();

  constructor(private readonly api: ApiClient, private readonly now: () => number = () => Date.now()) {}

  /** Whether the user may do this; the same question within a minute is answered from the cache. */
  can(a: ResourceAttributes): Promise<Answer> {
    const key = attributesKey(a);
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < TTL_MS) return hit.answer;
    const answer = this.review(a);
    this.cache.set(key, { at: this.now(), answer });
    return answer;
  }

  /** Forget every answer (the user signed in with another token). */
  clear(): void {
    this.cache.clear();
  }

  private async review(a: ResourceAttributes): Promise<Answer> {
    const body = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: a.verb, group: a.group ?? '', resource: a.resource, subresource: a.subresource, namespace: a.namespace, name: a.name } },
    };
    try {
      const r = await this.api.json<{ status?: { allowed?: boolean; denied?: boolean } }>('POST', SSAR_PATH, { body });
      return r?.status?.allowed ? 'allowed' : 'denied';
    } catch {
      return 'unknown';
    }
  }
}
