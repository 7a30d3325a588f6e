// Prefers nodes whose cpu and memory would be used in similar proportions after placing the pod, so neither
// resource is stranded: 100 * (1 - standard deviation of the used fractions).
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework.js';
import { CPU, MEMORY, podRequests } from '../resources.js';
import { requestedWithPod } from './NodeResourcesFit.js';

export function nodeResourcesBalancedAllocation(): ScorePlugin {
  return {
    name: 'NodeResourcesBalancedAllocation',
    events: ['NodeAdd', 'NodeAllocatableChange', 'AssignedPodDelete'],
    score(cx, node) {
      const pod = podRequests(cx.pod);
      const fractions: number[] = [];
      for (const name of [CPU, MEMORY]) {
        const cap = node.allocatableOf(name);
        if (cap > 0) fractions.push(Math.min(1, requestedWithPod(node, name, pod) / cap));
      }
      if (fractions.length < 2) return 0;
      const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
      const variance = fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length;
      return (1 - Math.sqrt(variance)) * MAX_NODE_SCORE;
    },
  };
}
