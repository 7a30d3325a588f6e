// Event recorder: what `kubectl describe` shows under Events. Repeats of the same event on the same object
// (same reason, message and type) bump count and lastTimestamp on one Event instead of creating another, as
// client-go's correlator does. Recording never throws and never blocks the caller.
import { findByKind } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { logger } from '../util/log.js';
import { isNotFound, type Client } from './rest.js';
import { rfc3339 } from '../api/time.js';

const log = logger('events');
const EVENT = findByKind('v1', 'Event')!;
/** Keep this many recent events in memory for aggregation. */
const MEMORY = 4096;
/** client-go's spam filter: per source and object, a burst of 25 events, then one per 5 minutes. */
const SPAM_BURST = 25;
const SPAM_REFILL_MS = 300_000;

export type EventType = 'Normal' | 'Warning';

interface Recent {
  name: string;
  namespace: string;
  count: number;
  first: string;
}

export class EventRecorder {
  private readonly recent = new Map<string, Recent>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly client: Client,
    private readonly component: string,
    private readonly host?: string,
  ) {}

  /** Records an event about obj. Fire and forget; errors are logged. */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    if (this.pending > 1000) return; // the API server is far behind; dropping events beats queueing forever
    if (!this.allow(obj)) return;
    this.pending++;
    this.chain = this.chain
      .then(() => this.write(obj, type, reason, message))
      .catch((e) => log.debug('could not record event', { reason, error: (e as Error).message }))
      .finally(() => this.pending--);
  }

  /** The spam filter: a ReplicaSet creating 10,000 pods records 25 SuccessfulCreate events, not 10,000. */
  private allow(obj: KubeObject): boolean {
    const key = obj.metadata.uid ?? `${obj.metadata.namespace}/${obj.metadata.name}`;
    const now = Date.now();
    const b = this.buckets.get(key) ?? { tokens: SPAM_BURST, at: now };
    b.tokens = Math.min(SPAM_BURST, b.tokens + (now - b.at) / SPAM_REFILL_MS);
    b.at = now;
    this.buckets.delete(key);
    this.buckets.set(key, b);
    if (this.buckets.size > MEMORY) this.buckets.delete(this.buckets.keys().next().value as string);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Resolves once every event recorded so far has been written (for tests and shutdown). */
  flush(): Promise<void> {
    return this.chain;
  }

  private async write(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const m = obj.metadata;
    const namespace = m.namespace || 'default';
    const key = `${m.uid ?? `${namespace}/${m.name}`}|${type}|${reason}|${message}`;
    const now = rfc3339();
    const seen = this.recent.get(key);
    if (seen) {
      try {
        await this.client.patch(EVENT, seen.name, { count: seen.count + 1, lastTimestamp: now }, 'merge', { namespace: seen.namespace });
        seen.count++;
        this.recent.delete(key);
        this.recent.set(key, seen);
        return;
      } catch (e) {
        if (!isNotFound(e)) throw e;
        this.recent.delete(key);
      }
    }
    const name = `${m.name}.${(Date.now() * 1e6 + Math.floor(Math.random() * 1e6)).toString(16)}`;
    const apiVersion = obj.apiVersion ?? '';
    const involvedObject: Record<string, unknown> = { kind: obj.kind, name: m.name, uid: m.uid, apiVersion, resourceVersion: m.resourceVersion };
    if (m.namespace) involvedObject.namespace = m.namespace;
    await this.client.create(EVENT, {
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: this.host ? { component: this.component, host: this.host } : { component: this.component },
      reportingComponent: this.component,
      reportingInstance: this.host ?? '',
    } as KubeObject);
    this.recent.set(key, { name, namespace, count: 1, first: now });
    if (this.recent.size > MEMORY) this.recent.delete(this.recent.keys().next().value as string);
  }
}
