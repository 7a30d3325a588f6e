// NetworkPolicy enforcement: each sync renders the policy tables (IPv4 and IPv6) from the model and installs them in
// one nft transaction. Only this instance's tables (`flotilla-policy-NAME`) are touched.
import { logger, type Logger } from '../../../lib/util/log.js';
import { hostRunner, type CommandRunner } from '../exec.js';
import type { IPFamily } from '../ip.js';
import type { NetworkModel } from '../model.js';
import { NftApplier } from '../nft/apply.js';
import { validInstanceName } from '../proxy/proxier.js';
import { renderPolicy } from './render.js';

export interface PolicyEnforcerOptions {
  name: string;
  runner?: CommandRunner;
  families?: IPFamily[];
  log?: Logger;
}

export interface PolicySyncResult {
  fullTables: string[];
  nftLines: number;
  /** Policies selecting a pod of this node. */
  policies: number;
}

export function policyTableName(name: string): string {
  if (!validInstanceName(name)) throw new Error(`invalid node network instance name ${JSON.stringify(name)}: lower-case letters, digits and '-', at most 40`);
  return `flotilla-policy-${name}`;
}

export class PolicyEnforcer {
  readonly table: string;
  private readonly applier: NftApplier;
  private readonly families: IPFamily[];
  private readonly log: Logger;
  private reported = new Set<string>();

  constructor(opts: PolicyEnforcerOptions) {
    this.table = policyTableName(opts.name);
    this.applier = new NftApplier(opts.runner ?? hostRunner);
    this.families = opts.families ?? [4, 6];
    this.log = opts.log ?? logger('network-policy');
  }

  async sync(model: NetworkModel): Promise<PolicySyncResult> {
    const renders = this.families.map((family) => renderPolicy(model, { table: this.table, family }));
    const policies = renders[0]?.policies ?? [];
    for (const p of policies) {
      for (const problem of p.problems) {
        const k = `${p.namespace}/${p.name}: ${problem}`;
        if (this.reported.has(k)) continue;
        this.reported.add(k);
        this.log.warn('part of a NetworkPolicy matches nothing', { networkPolicy: `${p.namespace}/${p.name}`, problem });
      }
    }
    const r = await this.applier.apply(renders.map((x) => x.ruleset));
    return { fullTables: r.fullTables, nftLines: r.lines, policies: policies.length };
  }

  async cleanup(): Promise<void> {
    await this.applier.remove([{ family: 'ip', table: this.table }, { family: 'ip6', table: this.table }]);
  }
}
