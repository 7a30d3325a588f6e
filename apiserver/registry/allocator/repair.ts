// Keeps the allocation records and the stored Services in agreement, as Kubernetes' repair controllers do for
// cluster IPs and node ports. At start it records what existing Services hold without a record (data written before
// the records existed, or a range that was widened). Periodically it frees a record whose Service is gone: a crash
// between taking a value and storing the Service leaks one. A record must look leaked on several passes in a row
// before it is freed, since a create in flight holds its record a moment before its Service is stored.
import type { KubeObject } from '../../../lib/api/types.js';
import { logger, type Logger } from '../../../lib/util/log.js';
import type { RangeAllocator } from './allocator.js';
import { holdings, type ServiceAllocator } from './service.js';

export interface RepairOptions {
  /** Every stored Service (the watch cache's list). */
  listServices(): KubeObject[] | Promise<KubeObject[]>;
  intervalMs?: number;
  /** Passes a record must be seen leaked on before it is freed (Kubernetes: 3). */
  leakPasses?: number;
  log?: Logger;
}

export interface RepairResult {
  /** Values held by Services that had no record, now recorded. */
  recorded: number;
  /** Records whose Service is gone, freed. */
  freed: number;
  /** Values held by two Services, or outside the range: left as they are, logged. */
  problems: string[];
}

export class AllocationRepair {
  private readonly leaks = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private readonly log: Logger;

  constructor(private readonly alloc: ServiceAllocator, private readonly o: RepairOptions) {
    this.log = o.log ?? logger('service-allocation-repair');
  }

  async runOnce(): Promise<RepairResult> {
    const services = await this.o.listServices();
    const result: RepairResult = { recorded: 0, freed: 0, problems: [] };
    const ips = new Map<string, KubeObject>();
    const ports = new Map<string, KubeObject>();
    for (const svc of services) {
      const h = holdings(svc);
      for (const ip of h.ips) ips.set(canonicalOr(this.alloc.ips, ip), svc);
      for (const p of h.nodePorts) ports.set(String(p), svc);
    }
    await this.pass(this.alloc.ips, 'ip', ips, result);
    await this.pass(this.alloc.nodePorts, 'nodePort', ports, result);
    for (const p of result.problems) this.log.warn('service allocation', { problem: p });
    if (result.recorded || result.freed) this.log.info('repaired service allocations', { recorded: result.recorded, freed: result.freed });
    return result;
  }

  private async pass(a: RangeAllocator, what: string, held: Map<string, KubeObject>, result: RepairResult): Promise<void> {
    const records = await a.list();
    const byValue = new Map(records.map((r) => [r.value, r]));
    for (const [value, svc] of held) {
      const rec = byValue.get(value);
      const parent = { resource: 'services', namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '', uid: svc.metadata.uid ?? '' };
      if (rec) {
        if (rec.parent.uid !== parent.uid) {
          result.problems.push(`${what} ${value} of Service ${parent.namespace}/${parent.name} is recorded for ${rec.parent.namespace}/${rec.parent.name}`);
        }
        continue;
      }
      try {
        await a.allocate(value, parent);
        result.recorded++;
      } catch (e) {
        result.problems.push(`${what} ${value} of Service ${parent.namespace}/${parent.name}: ${(e as Error).message}`);
      }
    }
    for (const rec of records) {
      const key = `${what}/${rec.value}`;
      const svc = held.get(rec.value);
      if (svc && svc.metadata.uid === rec.parent.uid) {
        this.leaks.delete(key);
        continue;
      }
      const seen = (this.leaks.get(key) ?? 0) + 1;
      if (seen < (this.o.leakPasses ?? 3)) {
        this.leaks.set(key, seen);
        continue;
      }
      this.leaks.delete(key);
      if (await a.releaseIfUnchanged(rec)) {
        result.freed++;
        this.log.info('freed a leaked service allocation', { [what]: rec.value, service: `${rec.parent.namespace}/${rec.parent.name}` });
      }
    }
  }

  /** Runs a pass now and then every intervalMs (default 1 minute) until stop(). Failures are logged and retried. */
  start(): Promise<RepairResult> {
    const first = this.runOnce();
    const tick = (): void => {
      this.timer = setTimeout(() => {
        this.runOnce().catch((e: Error) => this.log.warn('service allocation repair failed', { error: e.message })).finally(() => {
          if (this.timer) tick();
        });
      }, this.o.intervalMs ?? 60_000);
      this.timer.unref();
    };
    tick();
    return first;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function canonicalOr(a: RangeAllocator, value: string): string {
  try {
    return a.canonical(value);
  } catch {
    return value;
  }
}
