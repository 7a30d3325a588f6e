// Expectations: after a controller creates or deletes N pods it waits until its informer has seen all N before
// counting pods again, so a slow watch can't make it create (or delete) the same pods twice. Expectations expire
// after five minutes in case an event is never observed (e.g. a create that failed silently).
const TTL_MS = 5 * 60_000;

interface Expectation {
  add: number;
  del: number;
  at: number;
}

export class Expectations {
  private readonly map = new Map<string, Expectation>();

  expect(key: string, add: number, del: number): void {
    this.map.set(key, { add, del, at: Date.now() });
  }

  creationObserved(key: string): void {
    const e = this.map.get(key);
    if (e) e.add--;
  }

  deletionObserved(key: string): void {
    const e = this.map.get(key);
    if (e) e.del--;
  }

  /** A create that failed will never be observed: stop waiting for it. */
  creationFailed(key: string): void {
    this.creationObserved(key);
  }

  deletionFailed(key: string): void {
    this.deletionObserved(key);
  }

  satisfied(key: string): boolean {
    const e = this.map.get(key);
    return !e || (e.add <= 0 && e.del <= 0) || Date.now() - e.at > TTL_MS;
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}
