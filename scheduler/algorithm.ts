// One scheduling decision: filter nodes (stopping once enough feasible ones are found, starting where the last
// cycle stopped so every node gets its turn), score them, pick the best (ties broken at random).
import type { KubeObject } from '../lib/api/types.js';
import type { Snapshot } from './cache.js';
import { CycleContext, SKIP, type FilterPlugin, type Framework, type Status } from './framework.js';
import type { NodeInfo } from './nodeinfo.js';

export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';
const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_PERCENTAGE = 5;
const BASE_PERCENTAGE = 50;

/** How many feasible nodes to look for before scoring, as kube-scheduler computes it. */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage;
  if (!pct) pct = Math.max(MIN_FEASIBLE_PERCENTAGE, BASE_PERCENTAGE - Math.floor(numAllNodes / 125));
  if (pct >= 100) return numAllNodes;
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.floor((numAllNodes * pct) / 100));
}

/** Why no node fits: counts per reason over every node, and which plugins rejected (to know what may help). */
export class FitError extends Error {
  constructor(readonly numAllNodes: number, readonly reasons: Map<string, number>, readonly plugins: Set<string>) {
    super(fitMessage(numAllNodes, reasons));
  }
}

/** kube's FitError text: "0/3 nodes are available: 1 node(s) ..., 2 Insufficient cpu." ("N reason" strings sorted). */
export function fitMessage(numAllNodes: number, reasons: Map<string, number>): string {
  if (numAllNodes === 0) return NO_NODES_MESSAGE;
  const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `0/${numAllNodes} nodes are available: ${parts.join(', ')}.`;
}

export interface ScheduleResult {
  node: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

export class Algorithm {
  private nextStartNodeIndex = 0;

  constructor(private readonly random: () => number = Math.random) {}

  /** Picks a node for the pod or throws a FitError. Synchronous: the cache cannot change under it. */
  schedule(fw: Framework, snapshot: Snapshot, pod: KubeObject): ScheduleResult {
    const nodes = snapshot.nodes();
    const n = nodes.length;
    if (n === 0) throw new FitError(0, new Map(), new Set());
    const cx = new CycleContext(pod, snapshot);
    const reasons = new Map<string, number>();
    const plugins = new Set<string>();
    const filters: FilterPlugin[] = [];
    for (const f of fw.filters) {
      const st = f.preFilter?.(cx);
      if (st === SKIP) continue;
      if (st) {
        // rejects the pod everywhere: every node reports this reason
        for (const r of st.reasons) reasons.set(r, n);
        plugins.add(f.name);
        throw new FitError(n, reasons, plugins);
      }
      filters.push(f);
    }

    const want = numFeasibleNodesToFind(fw.percentageOfNodesToScore, n);
    const feasible: NodeInfo[] = [];
    let processed = 0;
    for (; processed < n && feasible.length < want; processed++) {
      const node = nodes[(this.nextStartNodeIndex + processed) % n] as NodeInfo;
      let failed: Status | undefined;
      for (const f of filters) {
        failed = f.filter(cx, node);
        if (failed) {
          plugins.add(f.name);
          break;
        }
      }
      if (!failed) feasible.push(node);
      else for (const r of failed.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    }
    this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % n;
    if (!feasible.length) throw new FitError(n, reasons, plugins);
    if (feasible.length === 1) return { node: (feasible[0] as NodeInfo).name, evaluatedNodes: processed, feasibleNodes: 1 };
    const totals = this.score(fw, cx, feasible);
    return { node: this.selectHost(feasible, totals), evaluatedNodes: processed, feasibleNodes: feasible.length };
  }

  /** Weighted sum of every score plugin's normalized 0..100 score, per feasible node. */
  score(fw: Framework, cx: CycleContext, feasible: readonly NodeInfo[]): Float64Array {
    const totals = new Float64Array(feasible.length);
    const scores: number[] = new Array(feasible.length);
    for (const { plugin, weight } of fw.scores) {
      if (plugin.preScore?.(cx, feasible) === SKIP) continue;
      for (let i = 0; i < feasible.length; i++) scores[i] = plugin.score(cx, feasible[i] as NodeInfo);
      plugin.normalize?.(cx, scores);
      for (let i = 0; i < feasible.length; i++) (totals[i] as number) += (scores[i] as number) * weight;
    }
    return totals;
  }

  /** Highest total wins; among equals each is equally likely (reservoir sampling, as kube). */
  private selectHost(nodes: readonly NodeInfo[], totals: Float64Array): string {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < nodes.length; i++) {
      const d = (totals[i] as number) - (totals[best] as number);
      if (d > 1e-9) {
        best = i;
        ties = 1;
      } else if (d > -1e-9) {
        ties++;
        if (this.random() * ties < 1) best = i;
      }
    }
    return (nodes[best] as NodeInfo).name;
  }
}
