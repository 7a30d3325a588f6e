// Spreads one controller's pods (same controller ownerReference) across nodes: fewer of its pods on a node scores
// higher. The count per owner is kept incrementally on each NodeInfo, so this is O(1) per node.
import { SKIP, normalizeToMax, type ScorePlugin } from '../framework.js';
import { controllerUid } from '../nodeinfo.js';

export function ownerSpread(): ScorePlugin {
  return {
    name: 'OwnerSpread',
    events: ['NodeAdd', 'AssignedPodDelete'],
    preScore(cx) {
      const uid = controllerUid(cx.pod);
      if (!uid) return SKIP;
      cx.state.set('OwnerSpread', uid);
      return undefined;
    },
    score: (cx, node) => node.ownerCounts.get(cx.state.get('OwnerSpread') as string) ?? 0,
    normalize: (_cx, scores) => normalizeToMax(scores, true),
  };
}
