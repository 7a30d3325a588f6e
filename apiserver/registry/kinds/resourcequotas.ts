// ResourceQuotas (core/v1): a namespace's budget of object counts and compute resources. The ResourceQuota admission
// plugin (apiserver/admission/resource-quota.ts) charges every create against status.used; the resource quota
// controller (controllers/resourcequota/) keeps status.hard and status.used true to what the namespace holds.
import { quantityError, parseQuantity } from '../../../lib/api/quantity.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { AGE, NAME, age } from '../../printers/columns.js';
import { asArr, asObj, invalid, notSupported, type FieldCause, type Obj } from '../../validation/field.js';
import { defineKind, identity } from '../kind.js';
import { statusSubresource } from '../subresources.js';

export const QUOTA_SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];

function validate(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const out: FieldCause[] = [];
  for (const [path, list] of [['spec.hard', spec.hard], ['status.hard', asObj(obj.status)?.hard], ['status.used', asObj(obj.status)?.used]] as const) {
    for (const [k, v] of Object.entries(asObj(list) ?? {})) {
      if (quantityError(v)) continue; // the schema reports the format
      if ((parseQuantity(v) ?? 0) < 0) out.push(invalid(`${path}[${k}]`, v, 'must be greater than or equal to 0'));
    }
  }
  const scopes = asArr(spec.scopes).map(String);
  scopes.forEach((s, i) => {
    if (!QUOTA_SCOPES.includes(s)) out.push(notSupported(`spec.scopes[${i}]`, s, QUOTA_SCOPES));
  });
  for (const [a, b] of [['Terminating', 'NotTerminating'], ['BestEffort', 'NotBestEffort']]) {
    if (scopes.includes(a as string) && scopes.includes(b as string)) out.push(invalid('spec.scopes', scopes, `conflicting scopes: ${a},${b}`));
  }
  return out;
}

/** `resource: used/hard, ...`, requests and counts in one column, limits.* in the other (kubectl's printResourceQuota). */
function columns(o: KubeObject): [string, string] {
  const hard = (o.status?.hard ?? {}) as Record<string, string>;
  const used = (o.status?.used ?? {}) as Record<string, string>;
  const req: string[] = [];
  const lim: string[] = [];
  for (const r of Object.keys(hard).sort()) (r.startsWith('limits.') ? lim : req).push(`${r}: ${used[r] ?? '0'}/${hard[r]}`);
  return [req.join(', '), lim.join(', ')];
}

export default defineKind(identity('v1', 'ResourceQuota'), {
  prepareForCreate(obj) {
    obj.status = {};
  },
  validate,
  printer: {
    columns: [NAME, AGE, ['Request', 'string', 0, 'The used and hard amounts of each counted and requested resource.'],
      ['Limit', 'string', 0, 'The used and hard amounts of each limits.* resource.']],
    row: (o, now) => [o.metadata.name ?? '', age(o.metadata.creationTimestamp, now), ...columns(o)],
  },
  subresources: { status: statusSubresource() },
});
