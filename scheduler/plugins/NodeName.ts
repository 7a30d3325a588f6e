// A pod naming its node in spec.nodeName fits only that node (the scheduler only sees such pods in corner cases,
// but kube-scheduler keeps the check and so do we).
import { SKIP, unresolvable, type FilterPlugin } from '../framework.js';

export const REASON_NODE_NAME = "node(s) didn't match the requested node name";

export function nodeName(): FilterPlugin {
  return {
    name: 'NodeName',
    events: ['NodeAdd'],
    preFilter: (cx) => (cx.pod.spec?.nodeName ? undefined : SKIP),
    filter: (cx, node) => (cx.pod.spec?.nodeName === node.name ? undefined : unresolvable(REASON_NODE_NAME)),
  };
}
