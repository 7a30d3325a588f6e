// ClusterRoleBindings (rbac.authorization.k8s.io/v1): grant a ClusterRole everywhere. The roleRef never changes;
// writing one needs the role's permissions or `bind` on it.
import { defineKind, identity } from '../kind.js';
import { BINDING_PRINTER, authorizeBindingWrite, defaultBinding, nameIsPathSegment, validateBinding, validateBindingUpdate } from './rbac-common.js';

export default defineKind(identity('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'), {
  objectMeta: { nameCheck: nameIsPathSegment },
  defaults: defaultBinding,
  validate: (obj) => validateBinding(obj, false),
  validateUpdate: validateBindingUpdate,
  authorizeWrite: (obj, old, ctx) => authorizeBindingWrite('clusterrolebindings', obj, old, ctx),
  printer: BINDING_PRINTER,
});
