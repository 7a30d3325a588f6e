// ClusterRole aggregation (Kubernetes' clusterrole-aggregation-controller): a ClusterRole with an aggregationRule
// holds the rules of every other ClusterRole its selectors match, selector by selector in name order, each rule once. Any
// ClusterRole change may change what a selector matches, so every aggregating role is looked at again then.
import { findByKind } from '../../lib/api/kinds.js';
import { matchesLabelSelector } from '../../lib/api/selectors/index.js';
import type { KubeObject, LabelSelector } from '../../lib/api/types.js';
import { isConflict, isNotFound, Reconciler, type Informer } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';

const CLUSTER_ROLE = findByKind('rbac.authorization.k8s.io/v1', 'ClusterRole')!;

const selectorsOf = (role: KubeObject): LabelSelector[] | undefined => {
  const agg = role.aggregationRule as { clusterRoleSelectors?: LabelSelector[] } | undefined;
  return agg && Array.isArray(agg.clusterRoleSelectors) ? agg.clusterRoleSelectors : undefined;
};

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The rules an aggregating role should hold, given every ClusterRole; undefined for a role without aggregationRule. */
export function aggregatedRules(role: KubeObject, all: KubeObject[]): unknown[] | undefined {
  const selectors = selectorsOf(role);
  if (!selectors) return undefined;
  const out: unknown[] = [];
  const sources = all.filter((o) => o.metadata.name !== role.metadata.name)
    .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  // selector by selector, the roles it matches in name order (an empty selector matches every role)
  for (const selector of selectors) {
    for (const source of sources) {
      if (!matchesLabelSelector(selector ?? {}, source.metadata.labels ?? {})) continue;
      for (const r of Array.isArray(source.rules) ? source.rules : []) if (!out.some((x) => sameJson(x, r))) out.push(r);
    }
  }
  return out;
}

export class ClusterRoleAggregationController extends Reconciler {
  private readonly roles: Informer;

  constructor(private readonly ctx: ControllerContext) {
    super('clusterrole-aggregation-controller');
    this.roles = ctx.informers.informerFor(CLUSTER_ROLE);
    const all = () => {
      for (const r of this.roles.list()) if (selectorsOf(r)) this.enqueue(r.metadata.name as string);
    };
    this.roles.onAdd(all).onUpdate(all).onDelete(all);
  }

  protected async sync(): Promise<void> {
    await this.roles.start();
  }

  async reconcile(name: string): Promise<void> {
    const role = this.roles.get(name);
    if (!role) return;
    const rules = aggregatedRules(role, this.roles.list());
    if (!rules || sameJson(rules, role.rules ?? [])) return;
    try {
      // the resourceVersion makes this a precondition: a role changed meanwhile is looked at again
      await this.ctx.client.update(CLUSTER_ROLE, { ...role, rules });
      this.log.info('aggregated rules', { clusterRole: name, rules: rules.length });
    } catch (e) {
      if (isNotFound(e)) return;
      if (isConflict(e)) {
        this.enqueue(name);
        return;
      }
      throw e;
    }
  }
}
