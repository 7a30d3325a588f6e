// The objects this server has just written, each at the revision etcd gave its write, until the etcd watch brings
// that write back: the watch event carries the very bytes that were encoded from the object, so the watch cache
// takes the object instead of decoding them again. Profiled at 64 clients creating ConfigMaps, every write was
// parsed twice (the request body, then the watch event's value into the cache).
//
// The object handed over is the one the write returned to its caller: objects in the watch cache are never changed
// (every write stores a new object; see http/encode.ts), and neither are the ones a write returns. An entry whose
// event went by without being taken (another prefix's watch, a watch that was behind) is dropped once the watch has
// passed its revision; if none is open, nothing is kept.
import type { KubeObject } from '../../lib/api/types.js';

/** More entries than this means the watch is far behind or nobody takes them: new ones are not kept. */
const MAX_ENTRIES = 10_000;

export class OwnWrites {
  private readonly byKey = new Map<string, { rev: number; obj: KubeObject }>();
  /** Open watches; with none, nothing is kept. */
  watches = 0;
  /** The revision up to which a watch has delivered every event. */
  private passedRev = 0;

  remember(key: string, rev: number, obj: KubeObject): void {
    // the event may come back before the write's answer does: then it has been decoded already
    if (!this.watches || rev <= this.passedRev || this.byKey.size >= MAX_ENTRIES) return;
    this.byKey.set(key, { rev, obj });
  }

  /** The object written under key at rev, if this server wrote it; taken once. */
  take(key: string, rev: number): KubeObject | undefined {
    const e = this.byKey.get(key);
    if (!e || e.rev !== rev) return undefined;
    this.byKey.delete(key);
    return e.obj;
  }

  /** A watch has delivered every event up to rev: entries up to there will not be asked for. */
  passed(rev: number): void {
    if (rev <= this.passedRev) return;
    this.passedRev = rev;
    for (const [key, e] of this.byKey) if (e.rev <= rev) this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}
