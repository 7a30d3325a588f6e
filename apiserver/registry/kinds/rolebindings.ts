// RoleBindings (rbac.authorization.k8s.io/v1): grant a Role of the namespace, or a ClusterRole within the namespace,
// to users, groups and ServiceAccounts. The roleRef never changes; writing one needs the role's permissions or
// `bind` on it.
import { defineKind, identity } from '../kind.js';
import { BINDING_PRINTER, authorizeBindingWrite, defaultBinding, nameIsPathSegment, validateBinding, validateBindingUpdate } from './rbac-common.js';

export default defineKind(identity('rbac.authorization.k8s.io/v1', 'RoleBinding'), {
  objectMeta: { nameCheck: nameIsPathSegment },
  defaults: defaultBinding,
  validate: (obj) => validateBinding(obj, true),
  validateUpdate: validateBindingUpdate,
  authorizeWrite: (obj, old, ctx) => authorizeBindingWrite('rolebindings', obj, old, ctx),
  printer: BINDING_PRINTER,
});
