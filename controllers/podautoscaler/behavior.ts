// From a recommendation to the replica count the HPA sets, as Kubernetes normalizes it: stabilization (the lowest
// recommendation of the scale-up window, the highest of the scale-down window), then the rate limits of the
// behavior's policies over their periods (selectPolicy Max, Min or Disabled) and minReplicas/maxReplicas, each
// limit naming its condition reason. Without a behavior, the pre-v2 rules: a 5-minute scale-down window and at most
// doubling (or 4 pods) per sync. The history (recommendations, scale events) is per HPA, kept by the controller.

export interface ScalingPolicy {
  type: 'Pods' | 'Percent' | string;
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled' | string;
  policies?: ScalingPolicy[];
}

export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

interface Timestamped {
  at: number;
  replicas: number;
}

/** What the controller remembers of one HPA between syncs. */
export class ScaleHistory {
  recommendations: Timestamped[] = [];
  /** Replicas added (scaleUp) or removed (scaleDown) by each rescale. */
  scaleUpEvents: Timestamped[] = [];
  scaleDownEvents: Timestamped[] = [];

  /** The count at the first sync is a recommendation too (recordInitialRecommendation). */
  recordInitial(current: number, now: number): void {
    if (!this.recommendations.length) this.recommendations.push({ at: now, replicas: current });
  }

  /** A rescale from prev to next, for the policies' periods; entries older than every period are dropped. */
  recordScale(prev: number, next: number, now: number, longestPeriodMs: number): void {
    const keep = (e: Timestamped) => e.at > now - longestPeriodMs;
    this.scaleUpEvents = this.scaleUpEvents.filter(keep);
    this.scaleDownEvents = this.scaleDownEvents.filter(keep);
    if (next > prev) this.scaleUpEvents.push({ at: now, replicas: next - prev });
    else if (next < prev) this.scaleDownEvents.push({ at: now, replicas: prev - next });
  }
}

export interface Normalized {
  replicas: number;
  /** AbleToScale: ScaleUpStabilized / ScaleDownStabilized when stabilization changed the recommendation, else ReadyForNewScale. */
  ableToScale: { reason: string; message: string };
  /** ScalingLimited: True when a limit changed the count. */
  limited: { status: 'True' | 'False'; reason: string; message: string };
}

const READY = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const WITHIN = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
const TOO_MANY = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
const TOO_FEW = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
const UP_LIMIT = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
const DOWN_LIMIT = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };

export interface NormalizeArgs {
  current: number;
  desired: number;
  min: number;
  max: number;
  now: number;
  /** The controller's --horizontal-pod-autoscaler-downscale-stabilization, for behaviors without a scale-down window. */
  downscaleStabilizationMs: number;
}

function stored(history: ScaleHistory, desired: number, now: number, longestWindowMs: number): void {
  // the oldest entry past every window is reused (as upstream does), so the list stays bounded
  const old = history.recommendations.findIndex((r) => r.at < now - longestWindowMs);
  if (old >= 0) history.recommendations[old] = { at: now, replicas: desired };
  else history.recommendations.push({ at: now, replicas: desired });
}

function changeInPeriod(events: Timestamped[], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.filter((e) => e.at > cutoff).reduce((s, e) => s + e.replicas, 0);
}

/** The most replicas the scale-up policies allow now. */
export function scaleUpLimit(current: number, history: ScaleHistory, rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(history.scaleUpEvents, p.periodSeconds, now) + changeInPeriod(history.scaleDownEvents, p.periodSeconds, now);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** The fewest replicas the scale-down policies allow now. */
export function scaleDownLimit(current: number, history: ScaleHistory, rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(history.scaleUpEvents, p.periodSeconds, now) + changeInPeriod(history.scaleDownEvents, p.periodSeconds, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** normalizeDesiredReplicasWithBehaviors. */
export function normalizeWithBehavior(history: ScaleHistory, behavior: Behavior, a: NormalizeArgs): Normalized {
  const up = behavior.scaleUp ?? {};
  const down = { ...(behavior.scaleDown ?? {}) };
  down.stabilizationWindowSeconds ??= a.downscaleStabilizationMs / 1000;
  const upWindow = (up.stabilizationWindowSeconds ?? 0) * 1000;
  const downWindow = down.stabilizationWindowSeconds * 1000;

  // stabilization: never above the lowest recommendation of the up window, never below the highest of the down window
  let upRec = a.desired;
  let downRec = a.desired;
  for (const r of history.recommendations) {
    if (r.at > a.now - upWindow) upRec = Math.min(upRec, r.replicas);
    if (r.at > a.now - downWindow) downRec = Math.max(downRec, r.replicas);
  }
  let stabilized = a.current;
  if (stabilized < upRec) stabilized = upRec;
  if (stabilized > downRec) stabilized = downRec;
  stored(history, a.desired, a.now, Math.max(upWindow, downWindow));
  const ableToScale = stabilized === a.desired ? READY
    : a.desired >= a.current
      ? { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
      : { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };

  let replicas = stabilized;
  let why = WITHIN;
  if (stabilized > a.current) {
    const limit = Math.max(scaleUpLimit(a.current, history, up, a.now), a.current);
    const allowed = a.max > limit ? limit : a.max;
    const reason = a.max > limit ? UP_LIMIT : TOO_MANY;
    if (stabilized > allowed) {
      replicas = allowed;
      why = reason;
    }
  } else if (stabilized < a.current) {
    const limit = Math.min(scaleDownLimit(a.current, history, down, a.now), a.current);
    const allowed = a.min < limit ? limit : a.min;
    const reason = a.min < limit ? DOWN_LIMIT : TOO_FEW;
    if (stabilized < allowed) {
      replicas = allowed;
      why = reason;
    }
  } else if (stabilized > a.max) {
    replicas = a.max;
    why = TOO_MANY;
  } else if (stabilized < a.min) {
    replicas = a.min;
    why = TOO_FEW;
  }
  return { replicas, ableToScale, limited: { status: replicas === stabilized ? 'False' : 'True', ...why } };
}

/** normalizeDesiredReplicas: an HPA without behavior. */
export function normalizeWithoutBehavior(history: ScaleHistory, a: NormalizeArgs): Normalized {
  let stabilized = a.desired;
  for (const r of history.recommendations) if (r.at >= a.now - a.downscaleStabilizationMs && r.replicas > stabilized) stabilized = r.replicas;
  stored(history, a.desired, a.now, a.downscaleStabilizationMs);
  const ableToScale = stabilized === a.desired ? READY
    : { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
  const upLimit = Math.max(2 * a.current, 4);
  const [maxAllowed, upReason] = a.max > upLimit ? [upLimit, UP_LIMIT] : [a.max, TOO_MANY];
  let replicas = stabilized;
  let why = WITHIN;
  if (stabilized < a.min) {
    replicas = a.min;
    why = TOO_FEW;
  } else if (stabilized > maxAllowed) {
    replicas = maxAllowed;
    why = upReason;
  }
  return { replicas, ableToScale, limited: { status: replicas === stabilized ? 'False' : 'True', ...why } };
}

/** The longest policy period of a behavior, for how long scale events are kept. */
export function longestPeriodMs(behavior: Behavior | undefined): number {
  const periods = [...(behavior?.scaleUp?.policies ?? []), ...(behavior?.scaleDown?.policies ?? [])].map((p) => p.periodSeconds);
  return Math.max(0, ...periods) * 1000;
}
