// The service proxy: each sync renders the proxy's tables (IPv4 and IPv6) from the model, installs them in one nft
// transaction, then deletes the UDP conntrack entries that transaction made stale. Only the tables named after this
// instance (`flotilla-proxy-NAME`) are ever touched, so several node agents (clusters, tests) share one machine.
import { logger, type Logger } from '../../../lib/util/log.js';
import { hostRunner, type CommandRunner } from '../exec.js';
import type { IPFamily } from '../ip.js';
import type { NetworkModel } from '../model.js';
import { NftApplier } from '../nft/apply.js';
import type { ServicePortPlan } from './endpoints.js';
import { deleteFlows, staleUdpFlows, type ConntrackDeletion } from './conntrack.js';
import { renderProxy, type PlanFragment } from './render.js';

export interface ProxierOptions {
  /** This node agent's instance name (lower-case letters, digits, '-'): the tables are `flotilla-proxy-NAME`. */
  name: string;
  /** Where nft and conntrack run (default: this process's network namespace). */
  runner?: CommandRunner;
  /** Address families to program (default both). */
  families?: IPFamily[];
  masqueradeMark?: number;
  log?: Logger;
}

/** What one sync did. */
export interface ProxySyncResult {
  /** Tables replaced whole rather than patched. */
  fullTables: string[];
  /** Lines of the nft transaction (0: nothing changed). */
  nftLines: number;
  servicePorts: number;
  conntrackDeleted: number;
  /** Milliseconds computing the rules, and applying them. */
  renderMs: number;
  applyMs: number;
}

/** Instance names become table names: keep them to what nft and people can read. */
export function validInstanceName(name: string): boolean {
  return /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/.test(name);
}

export function proxyTableName(name: string): string {
  if (!validInstanceName(name)) throw new Error(`invalid node network instance name ${JSON.stringify(name)}: lower-case letters, digits and '-', at most 40`);
  return `flotilla-proxy-${name}`;
}

export class Proxier {
  readonly table: string;
  private readonly runner: CommandRunner;
  private readonly families: IPFamily[];
  private readonly applier: NftApplier;
  private readonly log: Logger;
  private plans: ServicePortPlan[] = [];
  /** Per family, the last render's per-Service-port fragments (see renderProxy). */
  private readonly fragments = new Map<IPFamily, Map<string, PlanFragment>>();
  private pendingFlows: ConntrackDeletion[] = [];

  constructor(private readonly opts: ProxierOptions) {
    this.table = proxyTableName(opts.name);
    this.runner = opts.runner ?? hostRunner;
    this.families = opts.families ?? [4, 6];
    this.applier = new NftApplier(this.runner);
    this.log = opts.log ?? logger('proxy');
  }

  /** Programs the model. Rejects when nft refuses (nothing changed then; the next sync replaces the tables whole). */
  async sync(model: NetworkModel): Promise<ProxySyncResult> {
    const t0 = performance.now();
    const renders = this.families.map((family) => {
      let cache = this.fragments.get(family);
      if (!cache) this.fragments.set(family, (cache = new Map()));
      return renderProxy(model, { table: this.table, family, masqueradeMark: this.opts.masqueradeMark, cache });
    });
    const t1 = performance.now();
    const applied = await this.applier.apply(renders.map((r) => r.ruleset));
    const t2 = performance.now();
    const plans = renders.flatMap((r) => r.plans);
    this.pendingFlows.push(...staleUdpFlows(this.plans, plans));
    this.plans = plans;
    let conntrackDeleted = 0;
    if (this.pendingFlows.length) {
      const flows = this.pendingFlows;
      this.pendingFlows = [];
      try {
        conntrackDeleted = await deleteFlows(this.runner, flows);
      } catch (e) {
        // The rules are in place; stale UDP flows are retried with the next sync rather than failing this one.
        this.pendingFlows = flows.concat(this.pendingFlows).slice(-10_000);
        this.log.warn('deleting stale UDP conntrack entries failed', { error: e as Error });
      }
    }
    return { fullTables: applied.fullTables, nftLines: applied.lines, servicePorts: plans.length, conntrackDeleted, renderMs: t1 - t0, applyMs: t2 - t1 };
  }

  /** Removes this instance's proxy tables (both families) and forgets them. */
  async cleanup(): Promise<void> {
    await this.applier.remove([{ family: 'ip', table: this.table }, { family: 'ip6', table: this.table }]);
    this.plans = [];
    this.pendingFlows = [];
  }
}
