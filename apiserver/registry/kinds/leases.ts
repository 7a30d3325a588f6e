// Leases (coordination.k8s.io/v1): leader election and node heartbeats. Finalizer names are not held to the core
// kinds' standard ones.
import { AGE, NAME, age } from '../../printers/columns.js';
import { asObj, asStr, forbidden, invalid, invalidEach, notSupported, optNum, optStr, type FieldCause, type Obj } from '../../validation/field.js';
import { isQualifiedName } from '../../validation/names.js';
import { defineKind, identity } from '../kind.js';
import { restrictLeaseWrite } from '../../admission/node-restriction.js';

function validate(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const out: FieldCause[] = [];
  const dur = optNum(spec.leaseDurationSeconds);
  if (dur !== undefined && dur <= 0) out.push(invalid('spec.leaseDurationSeconds', dur, 'must be greater than 0'));
  const tr = optNum(spec.leaseTransitions);
  if (tr !== undefined && tr < 0) out.push(invalid('spec.leaseTransitions', tr, 'must be greater than or equal to 0'));
  const strategy = optStr(spec.strategy);
  if (strategy !== undefined) {
    if (!strategy.includes('/')) {
      if (strategy !== 'OldestEmulationVersion') out.push(notSupported('spec.strategy.strategy', strategy, ['OldestEmulationVersion']));
    } else out.push(...invalidEach('spec.strategy.strategy', strategy, isQualifiedName(strategy)));
  }
  if (asStr(spec.preferredHolder) && !strategy) out.push(forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  return out;
}

export default defineKind(identity('coordination.k8s.io/v1', 'Lease'), {
  objectMeta: { kubeFinalizers: false },
  validate,
  // NodeRestriction: a node writes only its own lease
  authorizeWrite: restrictLeaseWrite,
  printer: {
    columns: [NAME, ['Holder', 'string', 0, 'The current holder.'], AGE],
    row: (o, now) => [o.metadata.name ?? '', String(o.spec?.holderIdentity ?? ''), age(o.metadata.creationTimestamp, now)],
  },
});
