// Only Ready nodes take new pods. The node lifecycle controller also taints NotReady nodes, and TaintToleration
// runs first so its message wins when the taint is there; this covers the window before the taint lands. Pods
// tolerating the not-ready/unreachable NoSchedule taints (DaemonSet-style) may still land.
import { unschedulable, type FilterPlugin } from '../framework.js';
import { toleratesTaint } from './helpers.js';

export const REASON_NOT_READY = 'node(s) were not ready';

export function nodeReady(): FilterPlugin {
  return {
    name: 'NodeReady',
    events: ['NodeAdd', 'NodeConditionChange'],
    filter(cx, node) {
      const conditions = (node.node?.status?.conditions ?? []) as Array<{ type: string; status: string }>;
      const ready = conditions.find((c) => c.type === 'Ready');
      if (ready?.status === 'True') return undefined;
      const key = ready?.status === 'Unknown' ? 'node.kubernetes.io/unreachable' : 'node.kubernetes.io/not-ready';
      if (toleratesTaint(cx.pod, { key, effect: 'NoSchedule' })) return undefined;
      return unschedulable(REASON_NOT_READY);
    },
  };
}
