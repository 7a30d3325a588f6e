// Lease-based leader election (coordination.k8s.io/v1 Lease), as client-go does it: acquire when the lease is free
// or expired, renew every retry period, give up leadership when renewal fails for renewDeadline, release on stop.
import { randomUUID } from 'node:crypto';
import { findByResource } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { logger } from '../util/log.js';
import { isAlreadyExists, isConflict, isNotFound, type Client } from './rest.js';
import { rfc3339Micro } from '../api/time.js';

const log = logger('leader-election');
const LEASES = findByResource('coordination.k8s.io', 'v1', 'leases') as NonNullable<ReturnType<typeof findByResource>>;

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity?: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: (signal: AbortSignal) => void;
  onStoppedLeading?: () => void;
  onNewLeader?: (identity: string) => void;
}

/** MicroTime: RFC 3339 with microseconds. */
export const microTime = (d = new Date()): string => rfc3339Micro(d);

export class LeaderElector {
  readonly identity: string;
  private leading?: AbortController;
  private stopped = false;
  private lastRenew = 0;
  private observedHolder = '';
  /** The lease record as last seen (holder and renewTime), and when, by this process's clock (client-go's observedTime). */
  private observed = { record: '', at: 0 };
  private timer?: NodeJS.Timeout;

  constructor(private readonly client: Client, private readonly o: LeaderElectionOptions) {
    this.identity = o.identity ?? `${process.env.HOSTNAME ?? 'flotilla'}_${randomUUID()}`;
  }

  isLeader(): boolean {
    return !!this.leading;
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      const ok = await this.tryAcquireOrRenew().catch((e: Error) => {
        log.warn('lease update failed', { lease: this.o.name, error: e.message });
        return false;
      });
      // stop() may have come while this round's requests were out: a stopped elector must not lead again
      if (this.stopped) return;
      if (ok) {
        this.lastRenew = Date.now();
        if (!this.leading) {
          this.leading = new AbortController();
          log.info('became leader', { lease: this.o.name, identity: this.identity });
          this.o.onStartedLeading(this.leading.signal);
        }
      } else if (this.leading && Date.now() - this.lastRenew > (this.o.renewDeadlineMs ?? 10_000)) {
        this.loseLeadership();
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.o.retryPeriodMs ?? 2000);
    };
    void tick();
  }

  private loseLeadership(): void {
    log.warn('lost leadership', { lease: this.o.name, identity: this.identity });
    this.leading?.abort();
    this.leading = undefined;
    this.o.onStoppedLeading?.();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const duration = this.o.leaseDurationSeconds ?? 15;
    let lease: KubeObject;
    try {
      lease = await this.client.get(LEASES, this.o.name, { namespace: this.o.namespace });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        await this.client.create(LEASES, { metadata: { name: this.o.name, namespace: this.o.namespace }, spec: { holderIdentity: this.identity,
          leaseDurationSeconds: duration, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 } });
        return true;
      } catch (err) {
        if (isAlreadyExists(err)) return false;
        throw err;
      }
    }
    type LeaseSpec = { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number; leaseTransitions?: number; acquireTime?: string };
    const spec = (lease.spec ?? {}) as LeaseSpec;
    const holder = spec.holderIdentity ?? '';
    if (holder !== this.observedHolder) {
      this.observedHolder = holder;
      if (holder) this.o.onNewLeader?.(holder);
    }
    // Another holder's lease is taken over only once it has not been renewed for its whole duration as this process
    // saw it: a record that changed since the last look starts the count again, whatever its renewTime says (clocks
    // differ between machines, and a loaded leader's renewTime is older than the request that wrote it).
    const record = `${holder}@${spec.renewTime ?? ''}`;
    if (record !== this.observed.record) this.observed = { record, at: Date.now() };
    const expires = this.observed.at + (spec.leaseDurationSeconds ?? duration) * 1000;
    if (holder && holder !== this.identity && expires > Date.now()) return false;
    const mine = holder === this.identity;
    lease.spec = {
      ...spec,
      holderIdentity: this.identity,
      leaseDurationSeconds: duration,
      renewTime: microTime(now),
      acquireTime: mine ? spec.acquireTime : microTime(now),
      leaseTransitions: mine ? spec.leaseTransitions ?? 0 : (spec.leaseTransitions ?? 0) + 1,
    };
    try {
      await this.client.update(LEASES, lease);
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  /** Stops campaigning; a leader releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.loseLeadership();
    try {
      const lease = await this.client.get(LEASES, this.o.name, { namespace: this.o.namespace });
      if ((lease.spec as { holderIdentity?: string }).holderIdentity === this.identity) {
        lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime() };
        await this.client.update(LEASES, lease);
      }
    } catch (e) {
      log.warn('could not release the lease', { error: (e as Error).message });
    }
  }
}
