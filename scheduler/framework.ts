// The plugin framework, after kube-scheduler's (pkg/scheduler/framework/interface.go): every filter and score is a
// small plugin behind one interface, and a cycle runs queue -> snapshot -> preFilter -> filter -> preScore ->
// score -> normalize -> reserve (assume) -> bind. Plugins keep no per-pod state on themselves: what a pod needs
// computing once per cycle goes in the cycle's `state`, keyed by plugin name.
import type { KubeObject } from '../lib/api/types.js';
import type { Snapshot } from './cache.js';
import type { NodeInfo } from './nodeinfo.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const MAX_NODE_SCORE = 100;

export type Code = 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error';

/** Why a node was rejected; the reasons are the exact strings kube-scheduler prints. */
export class Status {
  plugin = '';
  constructor(readonly code: Code, readonly reasons: string[]) {}
}

export const unschedulable = (...reasons: string[]): Status => new Status('Unschedulable', reasons);
export const unresolvable = (...reasons: string[]): Status => new Status('UnschedulableAndUnresolvable', reasons);

/** preFilter/preScore answer: SKIP means "this pod doesn't use me", so the per-node calls are not made at all. */
export const SKIP = 'skip' as const;

/**
 * Cluster changes that may make an unschedulable pod schedulable. Each plugin lists the ones that can undo its
 * rejections, so a change only wakes the pods it could help (kube's EventsToRegister).
 */
export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeAllocatableChange'
  | 'NodeLabelChange'
  | 'NodeTaintChange'
  | 'NodeConditionChange'
  | 'NodeUnschedulableChange'
  | 'AssignedPodAdd'
  | 'AssignedPodDelete'
  | 'AssignedPodLabelChange'
  /** A PersistentVolumeClaim, PersistentVolume or StorageClass was added or changed. */
  | 'VolumeChange';

/** One pod's scheduling cycle. */
export class CycleContext {
  readonly state = new Map<string, unknown>();
  constructor(readonly pod: KubeObject, readonly snapshot: Snapshot) {}

  get namespace(): string {
    return this.pod.metadata.namespace ?? 'default';
  }
}

export interface Plugin {
  readonly name: string;
  readonly events: readonly ClusterEvent[];
}

export interface FilterPlugin extends Plugin {
  /** Once per pod: precompute, SKIP if irrelevant, or a Status that rejects every node. */
  preFilter?(cx: CycleContext): Status | typeof SKIP | undefined;
  /** undefined when the pod fits the node. */
  filter(cx: CycleContext, node: NodeInfo): Status | undefined;
}

export interface ScorePlugin extends Plugin {
  preScore?(cx: CycleContext, nodes: readonly NodeInfo[]): typeof SKIP | undefined;
  /** A raw score; normalize (if any) maps the raw scores of all feasible nodes into 0..100. */
  score(cx: CycleContext, node: NodeInfo): number;
  normalize?(cx: CycleContext, scores: number[]): void;
}

export const isFilter = (p: Plugin): p is FilterPlugin => typeof (p as FilterPlugin).filter === 'function';
export const isScore = (p: Plugin): p is ScorePlugin => typeof (p as ScorePlugin).score === 'function';

export interface WeightedScore {
  plugin: ScorePlugin;
  weight: number;
}

/** A profile made runnable: the plugins for one schedulerName, in the order they run. */
export interface Framework {
  readonly schedulerName: string;
  readonly filters: readonly FilterPlugin[];
  readonly scores: readonly WeightedScore[];
  /** 0 = adaptive, as kube-scheduler. */
  readonly percentageOfNodesToScore: number;
}

/** Scales raw scores so the highest becomes 100 (or the lowest, when reverse: fewer is better). */
export function normalizeToMax(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  for (let i = 0; i < scores.length; i++) {
    if (max === 0) scores[i] = reverse ? MAX_NODE_SCORE : 0;
    else {
      const s = (MAX_NODE_SCORE * (scores[i] as number)) / max;
      scores[i] = reverse ? MAX_NODE_SCORE - s : s;
    }
  }
}
