// Stabilization windows and scaling policies, as upstream normalizes a recommendation: the scale-down window keeps
// the highest recent recommendation, the scale-up window the lowest; Pods/Percent policies over their periods with
// selectPolicy Max/Min/Disabled; min/max; and the pre-v2 rules for an HPA without behavior.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeWithBehavior, normalizeWithoutBehavior, ScaleHistory, scaleDownLimit, scaleUpLimit, type Behavior } from './behavior.js';

const T0 = 1_000_000;
const args = (current: number, desired: number, now: number, o: { min?: number; max?: number } = {}) =>
  ({ current, desired, min: o.min ?? 1, max: o.max ?? 10, now, downscaleStabilizationMs: 300_000 });

test('the scale-down window keeps the highest recommendation of the window; once it has passed, the count falls', () => {
  const h = new ScaleHistory();
  const b: Behavior = { scaleDown: { stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } };
  h.recordInitial(4, T0);
  let n = normalizeWithBehavior(h, b, args(4, 4, T0));
  assert.equal(n.replicas, 4);
  n = normalizeWithBehavior(h, b, args(4, 1, T0 + 10_000));
  assert.equal(n.replicas, 4);
  assert.deepEqual(n.ableToScale, { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' });
  n = normalizeWithBehavior(h, b, args(4, 1, T0 + 31_000));
  assert.equal(n.replicas, 1, 'the 4s are older than the window');
  assert.equal(n.ableToScale.reason, 'ReadyForNewScale');
  assert.deepEqual(n.limited, { status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' });
});

test('no behavior: the controller\'s 5-minute scale-down window, and at most double (or 4) per step up', () => {
  const h = new ScaleHistory();
  h.recordInitial(3, T0);
  assert.equal(normalizeWithoutBehavior(h, args(3, 1, T0 + 60_000)).replicas, 3);
  assert.equal(normalizeWithoutBehavior(h, args(3, 1, T0 + 301_000)).replicas, 1);
  const up = normalizeWithoutBehavior(new ScaleHistory(), args(3, 20, T0, { max: 50 }));
  assert.equal(up.replicas, 6);
  assert.deepEqual(up.limited, { status: 'True', reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' });
  const capped = normalizeWithoutBehavior(new ScaleHistory(), args(3, 20, T0, { max: 5 }));
  assert.deepEqual([capped.replicas, capped.limited.reason], [5, 'TooManyReplicas']);
  const floor = normalizeWithoutBehavior(new ScaleHistory(), args(3, 1, T0, { min: 2 }));
  assert.deepEqual([floor.replicas, floor.limited.reason], [2, 'TooFewReplicas']);
});

test('Pods and Percent policies: Max takes the larger change, Min the smaller, Disabled none; past scaling counts against the period', () => {
  const h = new ScaleHistory();
  const rules = (selectPolicy: string) => ({ selectPolicy, policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }, { type: 'Percent', value: 100, periodSeconds: 60 }] });
  assert.equal(scaleUpLimit(10, h, rules('Max'), T0), 20);
  assert.equal(scaleUpLimit(10, h, rules('Min'), T0), 14);
  assert.equal(scaleUpLimit(10, h, rules('Disabled'), T0), 10);
  // 10 -> 14 a moment ago: the period started at 10, so Pods allows 14 (no more) and Percent 20
  h.recordScale(10, 14, T0, 60_000);
  assert.equal(scaleUpLimit(14, h, rules('Min'), T0 + 1000), 14);
  assert.equal(scaleUpLimit(14, h, rules('Max'), T0 + 1000), 20);
  // after the period the history no longer counts
  assert.equal(scaleUpLimit(14, h, rules('Min'), T0 + 61_000), 18);
  const down = { selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }, { type: 'Percent', value: 50, periodSeconds: 60 }] };
  assert.equal(scaleDownLimit(10, new ScaleHistory(), down, T0), 5, 'Max: the bigger change (50% of 10)');
  assert.equal(scaleDownLimit(10, new ScaleHistory(), { ...down, selectPolicy: 'Min' }, T0), 8);
});

test('a rate limit names ScaleUpLimit / ScaleDownLimit; max and min name TooManyReplicas / TooFewReplicas', () => {
  const up: Behavior = { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
    scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } };
  let n = normalizeWithBehavior(new ScaleHistory(), up, args(2, 8, T0));
  assert.deepEqual([n.replicas, n.limited.status, n.limited.reason], [3, 'True', 'ScaleUpLimit']);
  n = normalizeWithBehavior(new ScaleHistory(), up, args(2, 8, T0, { max: 2 }));
  assert.deepEqual([n.replicas, n.limited.reason], [2, 'TooManyReplicas']);
  n = normalizeWithBehavior(new ScaleHistory(), up, args(5, 1, T0));
  assert.deepEqual([n.replicas, n.limited.reason], [4, 'ScaleDownLimit']);
  n = normalizeWithBehavior(new ScaleHistory(), up, args(5, 1, T0, { min: 5 }));
  assert.deepEqual([n.replicas, n.limited.reason], [5, 'TooFewReplicas']);
});

test('the scale-up window applies the lowest recent recommendation', () => {
  const h = new ScaleHistory();
  const b: Behavior = { scaleUp: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } };
  h.recordInitial(2, T0);
  const n = normalizeWithBehavior(h, b, args(2, 4, T0 + 10_000));
  assert.equal(n.replicas, 2);
  assert.equal(n.ableToScale.reason, 'ScaleUpStabilized');
  assert.equal(normalizeWithBehavior(h, b, args(2, 4, T0 + 61_000)).replicas, 4, 'the 2 is older than the window; the 4 of 10 s is not lower');
});
