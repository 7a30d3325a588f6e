// Filter: the pod's effective requests fit the node's allocatable minus what its pods (assumed ones included)
// request, and the pod count stays under allocatable pods. Score: least-allocated over cpu and memory, so emptier
// nodes win (kube's default NodeResourcesFit scoring strategy).
import { MAX_NODE_SCORE, unschedulable, type FilterPlugin, type ScorePlugin } from '../framework.js';
import type { NodeInfo } from '../nodeinfo.js';
import { CPU, EPHEMERAL, MEMORY, PODS, podRequests } from '../resources.js';

export const REASON_TOO_MANY_PODS = 'Too many pods';
export const insufficient = (resource: string): string => `Insufficient ${resource}`;

/** Resources and weights least-allocated scoring looks at. */
const SCORED: Array<[string, number]> = [[CPU, 1], [MEMORY, 1]];
const ORDER = [CPU, MEMORY, EPHEMERAL];

/** What scoring sees a resource at on a node once the pod is added (pods without requests at kube's defaults). */
export function requestedWithPod(node: NodeInfo, resource: string, pod: { nonZeroMilliCPU: number; nonZeroMemory: number; requests: Map<string,
  number> }): number {
  const own = resource === CPU ? pod.nonZeroMilliCPU : resource === MEMORY ? pod.nonZeroMemory : (pod.requests.get(resource) ?? 0);
  return node.nonZeroRequested(resource) + own;
}

export function nodeResourcesFit(): FilterPlugin & ScorePlugin {
  return {
    name: 'NodeResourcesFit',
    events: ['NodeAdd', 'NodeAllocatableChange', 'AssignedPodDelete'],
    filter(cx, node) {
      let reasons: string[] | undefined;
      if (node.podCount + 1 > node.allowedPods()) (reasons ??= []).push(REASON_TOO_MANY_PODS);
      const req = podRequests(cx.pod).requests;
      // fixed order first (cpu, memory, ephemeral-storage), then extended resources, as kube reports them
      for (const name of ORDER) {
        const want = req.get(name);
        if (want && want > node.allocatableOf(name) - (node.requested.get(name) ?? 0)) (reasons ??= []).push(insufficient(name));
      }
      for (const [name, want] of req) {
        if (!want || name === PODS || ORDER.includes(name)) continue;
        if (want > node.allocatableOf(name) - (node.requested.get(name) ?? 0)) (reasons ??= []).push(insufficient(name));
      }
      return reasons ? unschedulable(...reasons) : undefined;
    },
    score(cx, node) {
      const pod = podRequests(cx.pod);
      let sum = 0;
      let weights = 0;
      for (const [name, w] of SCORED) {
        const cap = node.allocatableOf(name);
        const used = requestedWithPod(node, name, pod);
        sum += w * (cap === 0 || used > cap ? 0 : ((cap - used) * MAX_NODE_SCORE) / cap);
        weights += w;
      }
      return weights ? sum / weights : 0;
    },
  };
}
