import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { deployment, rs } from './fixtures.js';
import { maxSurge, maxUnavailable, newRSNewReplicas, oldPodsRunning, planOldScaleDown, resolveFenceposts, scaledValue } from './rollout.js';
import type { IntOrString } from './types.js';

test('percentages: surge rounds up, unavailable rounds down', () => {
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
  assert.deepEqual(resolveFenceposts('25%', '25%', 4), { surge: 1, unavailable: 1 });
  assert.deepEqual(resolveFenceposts('10%', '10%', 3), { surge: 1, unavailable: 0 });
  assert.deepEqual(resolveFenceposts(2, '50%', 5), { surge: 2, unavailable: 2 });
  assert.equal(scaledValue('33%', 10, true), 4);
  assert.equal(scaledValue('33%', 10, false), 3);
});

test('when both resolve to 0, maxUnavailable becomes 1 so the rollout can move', () => {
  assert.deepEqual(resolveFenceposts(0, '10%', 5), { surge: 0, unavailable: 1 });
  assert.deepEqual(resolveFenceposts('0%', 0, 3), { surge: 0, unavailable: 1 });
});

test('maxUnavailable never exceeds replicas; Recreate has neither surge nor unavailability', () => {
  assert.equal(maxUnavailable(deployment({ replicas: 2, maxUnavailable: 5 })), 2);
  assert.equal(maxUnavailable(deployment({ replicas: 0 })), 0);
  assert.equal(maxSurge(deployment({ strategy: 'Recreate' })), 0);
  assert.equal(maxUnavailable(deployment({ strategy: 'Recreate' })), 0);
});

test('the new ReplicaSet grows only within replicas + maxSurge', () => {
  const d = deployment({ replicas: 10, maxSurge: 3, maxUnavailable: 2 });
  const fresh = rs('web-new', { replicas: 0 });
  assert.equal(newRSNewReplicas(d, [rs('web-old', { replicas: 10 }), fresh], fresh), 3);
  const grown = rs('web-new', { replicas: 3 });
  assert.equal(newRSNewReplicas(d, [rs('web-old', { replicas: 10 }), grown], grown), 3, 'at 13 pods nothing more');
  assert.equal(newRSNewReplicas(d, [rs('web-old', { replicas: 2 }), grown], grown), 10, 'never beyond replicas');
  assert.equal(newRSNewReplicas(deployment({ strategy: 'Recreate', replicas: 4 }), [fresh], fresh), 4);
});

test('unavailable old pods are removed first, even when availability is at its floor', () => {
  const d = deployment({ replicas: 4, maxSurge: 1, maxUnavailable: 0 });
  const broken = rs('web-a', { replicas: 2, available: 0, created: 1 });
  const healthy = rs('web-b', { replicas: 2, available: 2, created: 2 });
  const newRS = rs('web-c', { replicas: 1, available: 1, created: 3 });
  const plan = planOldScaleDown(d, [healthy, broken], newRS);
  // 5 pods, floor 4 available, 3 available: only the broken ones can go, not a healthy one
  assert.deepEqual(plan.map((t) => [t.rs.metadata.name, t.replicas]), [['web-a', 1]]);
});

test('old ReplicaSets shrink oldest first, by as much as the availability floor allows', () => {
  const d = deployment({ replicas: 6, maxSurge: 0, maxUnavailable: 3 });
  const a = rs('web-a', { replicas: 2, created: 1 });
  const b = rs('web-b', { replicas: 4, created: 2 });
  const newRS = rs('web-c', { replicas: 0, created: 3 });
  assert.deepEqual(planOldScaleDown(d, [b, a], newRS).map((t) => [t.rs.metadata.name, t.replicas]), [['web-a', 0], ['web-b', 3]]);
});

test("an old ReplicaSet just scaled down whose status still counts the pod it is removing opens no extra room", () => {
  // 6 replicas, floor 5 available; the old ReplicaSet went 6 -> 5 a moment ago and still reports 6 available, the
  // new one has 1 available: 5 + 1 pods will be left, so one more old pod may go (to 4), not two (to 3: 3 + 1 < 5)
  const d = deployment({ replicas: 6, maxSurge: 1, maxUnavailable: 1 });
  const old = rs('web-a', { replicas: 5, available: 6, created: 1 });
  const newRS = rs('web-b', { replicas: 1, available: 1, created: 2 });
  assert.deepEqual(planOldScaleDown(d, [old], newRS).map((t) => [t.rs.metadata.name, t.replicas]), [['web-a', 4]]);
});

/**
 * Plays a whole rolling update the way the controller and the ReplicaSet controller interleave: each controller
 * step scales up if it can, else down; removed pods vanish at once, new pods become available on the next tick.
 * Returns what `kubectl describe` would list as ScalingReplicaSet events and checks the two promises of a rolling
 * update at every moment: never more than replicas + maxSurge pods, never fewer than replicas - maxUnavailable
 * available.
 */
function playRollout(replicas: number, surge: IntOrString, unavailable: IntOrString): string[] {
  const d = deployment({ replicas, maxSurge: surge, maxUnavailable: unavailable });
  const { surge: s, unavailable: u } = resolveFenceposts(surge, unavailable, replicas);
  let old = rs('web-old', { replicas, created: 1 });
  let cur = rs('web-new', { replicas: 0, created: 2 });
  const set = (x: KubeObject, n: number, avail: number): KubeObject => ({ ...x, spec: { ...x.spec, replicas: n }, status: { replicas: n,
    availableReplicas: avail } });
  const log: string[] = [];
  for (let i = 0; i < 100 && !(cur.spec.replicas === replicas && old.spec.replicas === 0); i++) {
    let moved = false;
    if (cur.spec.replicas !== replicas) {
      const n = newRSNewReplicas(d, [old, cur], cur);
      if (n !== cur.spec.replicas) {
        log.push(`new ${cur.spec.replicas}->${n}`);
        cur = set(cur, n, cur.status.availableReplicas);
        moved = true;
      }
    }
    if (!moved) {
      for (const t of planOldScaleDown(d, [old], cur)) {
        log.push(`old ${old.spec.replicas}->${t.replicas}`);
        old = set(old, t.replicas, Math.min(old.status.availableReplicas, t.replicas));
        moved = true;
      }
    }
    assert.ok(old.spec.replicas + cur.spec.replicas <= replicas + s, `surge exceeded: ${log.join(', ')}`);
    assert.ok(old.status.availableReplicas + cur.status.availableReplicas >= replicas - u, `too few available: ${log.join(', ')}`);
    if (!moved) cur = set(cur, cur.spec.replicas, cur.spec.replicas); // a tick: the new pods turn available
  }
  assert.equal(cur.spec.replicas, replicas, `rollout did not finish: ${log.join(', ')}`);
  assert.equal(old.spec.replicas, 0);
  return log;
}

test('maxSurge 1, maxUnavailable 0: one new pod at a time, an old one goes once it is available', () => {
  assert.deepEqual(playRollout(3, 1, 0), ['new 0->1', 'old 3->2', 'new 1->2', 'old 2->1', 'new 2->3', 'old 1->0']);
});

test('maxSurge 0, maxUnavailable 1: an old pod goes first, then its replacement comes', () => {
  assert.deepEqual(playRollout(3, 0, 1), ['old 3->2', 'new 0->1', 'old 2->1', 'new 1->2', 'old 1->0', 'new 2->3']);
});

test('25%/25% of 4: surge and unavailability work in parallel; once new pods are available, that many old ones go', () => {
  assert.deepEqual(playRollout(4, '25%', '25%'), ['new 0->1', 'old 4->3', 'new 1->2', 'old 3->1', 'new 2->4', 'old 1->0']);
});

test('other combinations finish within their bounds', () => {
  for (const [n, s, u] of [[10, '25%', '25%'], [10, 3, 2], [5, '100%', 0], [5, 0, '100%'], [7, '10%', '10%'], [1, 0, 1], [20, '50%', '30%']] as const) {
    playRollout(n, s, u);
  }
});

test('Recreate waits while any old pod is still running or terminating', () => {
  const newRS = rs('web-new', { replicas: 0 });
  const oldRS = rs('web-old', { replicas: 0, current: 0 });
  const pod = (phase: string, deleting = false): KubeObject => ({ metadata: { name: 'p', deletionTimestamp: deleting ? 'x' : undefined }, status: { phase } });
  assert.ok(oldPodsRunning(newRS, [rs('web-old', { replicas: 0, current: 1 })], new Map()));
  assert.ok(oldPodsRunning(newRS, [oldRS], new Map([['uid-web-old', [pod('Running', true)]]])));
  assert.ok(!oldPodsRunning(newRS, [oldRS], new Map([['uid-web-old', [pod('Succeeded'), pod('Failed')]]])));
  assert.ok(!oldPodsRunning(newRS, [oldRS], new Map([['uid-web-new', [pod('Running')]]])), "the new ReplicaSet's pods don't count");
});
