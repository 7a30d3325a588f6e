// ClusterRoles (rbac.authorization.k8s.io/v1): cluster-wide sets of PolicyRules (and non-resource URLs), granted
// by ClusterRoleBindings everywhere or by RoleBindings in one namespace. One with an aggregationRule has the rules
// of the ClusterRoles its selectors match (controllers/clusterroleaggregation keeps them).
import { asObj, objects, required, type FieldCause, type Obj } from '../../validation/field.js';
import { validateLabelSelector } from '../../validation/meta.js';
import { defineKind, identity } from '../kind.js';
import { ROLE_PRINTER, authorizeRoleWrite, nameIsPathSegment, validateRules } from './rbac-common.js';

function validate(obj: Obj): FieldCause[] {
  const out = validateRules(obj, false);
  const agg = asObj(obj.aggregationRule);
  if (agg) {
    const selectors = objects(agg.clusterRoleSelectors);
    if (!selectors.length) out.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    for (const [sel, i] of selectors) out.push(...validateLabelSelector(sel, `aggregationRule.clusterRoleSelectors[${i}]`));
  }
  return out;
}

export default defineKind(identity('rbac.authorization.k8s.io/v1', 'ClusterRole'), {
  objectMeta: { nameCheck: nameIsPathSegment },
  validate,
  authorizeWrite: (obj, old, ctx) => authorizeRoleWrite('clusterroles', obj, old, ctx),
  printer: ROLE_PRINTER,
});
