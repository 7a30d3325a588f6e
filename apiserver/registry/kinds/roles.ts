// Roles (rbac.authorization.k8s.io/v1): a namespace's set of PolicyRules, granted by RoleBindings. Writing one needs
// every permission it grants (escalation prevention).
import { defineKind, identity } from '../kind.js';
import { ROLE_PRINTER, authorizeRoleWrite, nameIsPathSegment, validateRules } from './rbac-common.js';

export default defineKind(identity('rbac.authorization.k8s.io/v1', 'Role'), {
  objectMeta: { nameCheck: nameIsPathSegment },
  validate: (obj) => validateRules(obj, true),
  authorizeWrite: (obj, old, ctx) => authorizeRoleWrite('roles', obj, old, ctx),
  printer: ROLE_PRINTER,
});
