// NoSchedule and NoExecute taints must be tolerated (filter); untolerated PreferNoSchedule taints lower the
// score (fewer is better).
import { normalizeToMax, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework.js';
import { taintsOf, tolerates, tolerationsOf } from './helpers.js';

export const untoleratedTaint = (key: string, value: string | undefined): string => `node(s) had untolerated taint {${key}: ${value ?? ''}}`;

export function taintToleration(): FilterPlugin & ScorePlugin {
  return {
    name: 'TaintToleration',
    events: ['NodeAdd', 'NodeTaintChange'],
    filter(cx, node) {
      const taints = taintsOf(node.node);
      if (!taints.length) return undefined;
      const tolerations = tolerationsOf(cx.pod);
      for (const taint of taints) {
        if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
        if (!tolerations.some((t) => tolerates(t, taint))) return unresolvable(untoleratedTaint(taint.key, taint.value));
      }
      return undefined;
    },
    score(cx, node) {
      const taints = taintsOf(node.node);
      if (!taints.length) return 0;
      const prefer = tolerationsOf(cx.pod).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
      let n = 0;
      for (const taint of taints) if (taint.effect === 'PreferNoSchedule' && !prefer.some((t) => tolerates(t, taint))) n++;
      return n;
    },
    normalize: (_cx, scores) => normalizeToMax(scores, true),
  };
}
