// PodDisruptionBudgets (policy/v1): how many of a set of pods voluntary evictions may take down at once. minAvailable
// or maxUnavailable (a count or a percentage, not both); the disruption controller keeps the status, which the
// pods/eviction subresource reads and decrements.
import { isPercent } from '../../../lib/api/intstr.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { AGE, NAME, age } from '../../printers/columns.js';
import { asObj, goRaw, invalid, isSet, notSupported, type FieldCause, type Obj } from '../../validation/field.js';
import { nonNegative, validateLabelSelector } from '../../validation/meta.js';
import { isValidPercent } from '../../validation/names.js';
import { goIntOrString } from '../../validation/workloads.js';
import { defineKind, identity } from '../kind.js';
import { statusSubresource } from '../subresources.js';

function intOrPercent(v: unknown, field: string): FieldCause[] {
  if (typeof v === 'number') return nonNegative(v, field);
  if (typeof v !== 'string') return [];
  const bad = isValidPercent(v);
  if (bad.length) return bad.map((m) => invalid(field, goRaw(goIntOrString(v)), m));
  return Number(v.slice(0, -1)) > 100 ? [invalid(field, goRaw(goIntOrString(v)), 'must not be greater than 100%')] : [];
}

const POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

function validate(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const out: FieldCause[] = [];
  if (isSet(spec.minAvailable) && isSet(spec.maxUnavailable)) {
    out.push(invalid('spec', goRaw(`policy.PodDisruptionBudgetSpec{MinAvailable:${goIntOrString(spec.minAvailable)}, MaxUnavailable:${goIntOrString(spec.maxUnavailable)}}`),
      'minAvailable and maxUnavailable cannot be both set'));
  }
  out.push(...intOrPercent(spec.minAvailable, 'spec.minAvailable'), ...intOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
  if (isSet(spec.selector)) out.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (isSet(policy) && !POLICIES.includes(String(policy))) out.push(notSupported('spec.unhealthyPodEvictionPolicy', String(policy), POLICIES));
  return out;
}

const show = (v: unknown): string => (v === undefined || v === null ? 'N/A' : isPercent(v) ? v : String(v));

export default defineKind(identity('policy/v1', 'PodDisruptionBudget'), {
  generation: true,
  prepareForCreate(obj: KubeObject) {
    obj.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  },
  validate,
  printer: {
    columns: [NAME, ['Min Available', 'string', 0, 'The minimum number of pods that must be available.'],
      ['Max Unavailable', 'string', 0, 'The maximum number of pods that may be unavailable.'],
      ['Allowed Disruptions', 'integer', 0, 'Calculated number of pods that may be disrupted at this time.'], AGE],
    row: (o, now) => [o.metadata.name ?? '', show(o.spec?.minAvailable), show(o.spec?.maxUnavailable), o.status?.disruptionsAllowed ?? 0,
      age(o.metadata.creationTimestamp, now)],
  },
  subresources: { status: statusSubresource() },
});
