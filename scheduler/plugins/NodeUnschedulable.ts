// Cordoned nodes (spec.unschedulable) take only pods tolerating node.kubernetes.io/unschedulable:NoSchedule.
import { unresolvable, type FilterPlugin } from '../framework.js';
import { toleratesTaint } from './helpers.js';

export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export function nodeUnschedulable(): FilterPlugin {
  return {
    name: 'NodeUnschedulable',
    events: ['NodeAdd', 'NodeUnschedulableChange', 'NodeTaintChange'],
    filter(cx, node) {
      if (!node.node?.spec?.unschedulable || toleratesTaint(cx.pod, TAINT)) return undefined;
      return unresolvable(REASON_UNSCHEDULABLE);
    },
  };
}
