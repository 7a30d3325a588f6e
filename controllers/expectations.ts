// Expectations: after a controller creates or deletes pods it waits until its informer has seen all of them before
// counting pods again, so a slow watch can't make it create (or delete) the same pods twice. Creations are
// counted; deletions are tracked by pod key (as Kubernetes' UIDTrackingControllerExpectations), so a pod someone
// else deleted, or one deletion seen twice (first its deletionTimestamp, then its removal), can't stand in for a
// deletion still to come. Expectations expire after five minutes in case an event is never observed.
export const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Expectation {
  add: number;
  /** Keys (namespace/name) of the pods whose deletion is still to be observed. */
  del: Set<string>;
  at: number;
}

export class Expectations {
  private readonly map = new Map<string, Expectation>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Replaces key's expectations: n creations to observe, no deletions. */
  expectCreations(key: string, n: number): void {
    this.map.set(key, { add: n, del: new Set(), at: this.now() });
  }

  /** Replaces key's expectations: the deletion of each pod named, no creations. */
  expectDeletions(key: string, podKeys: string[]): void {
    this.map.set(key, { add: 0, del: new Set(podKeys), at: this.now() });
  }

  creationObserved(key: string): void {
    const e = this.map.get(key);
    if (e) e.add--;
  }

  /** Counts once per expected pod, whichever of its deletion events comes first; other pods don't count. */
  deletionObserved(key: string, podKey: string): void {
    this.map.get(key)?.del.delete(podKey);
  }

  /** A create that failed (or was never attempted) will never be observed: stop waiting for it. */
  creationFailed(key: string): void {
    this.creationObserved(key);
  }

  deletionFailed(key: string, podKey: string): void {
    this.deletionObserved(key, podKey);
  }

  satisfied(key: string): boolean {
    const e = this.map.get(key);
    return !e || (e.add <= 0 && e.del.size === 0) || this.now() - e.at > EXPECTATIONS_TTL_MS;
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}
