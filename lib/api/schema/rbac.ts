// rbac.authorization.k8s.io/v1: Role, ClusterRole (with its aggregationRule), RoleBinding, ClusterRoleBinding, with
// their protobuf field numbers (rbacFieldNumbers, from upstream's generated.proto).
import { arr, enumStr, gvk, kindSchema, metaRef, obj, ref, str, type Schema } from './dsl.js';

export const RBAC = 'io.k8s.api.rbac.v1.';
const R = (n: string): string => RBAC + n;

const rules = (): Schema => arr(ref(R('PolicyRule')), 'The PolicyRules of this role.');

export const rbacSchemas: Record<string, Schema> = {
  [R('PolicyRule')]: obj('Actions on resources or non-resource URLs that a rule allows; everything else is denied.', {
    apiGroups: arr(str(), 'The API groups of the resources; "" is the core group, "*" every group.'),
    nonResourceURLs: arr(str(), 'Partial URLs a user may reach (a trailing "*" matches a prefix); only in ClusterRoles bound by ClusterRoleBindings. Rules name resources or non-resource URLs, never both.'),
    resourceNames: arr(str(), 'An optional allow list of object names; empty means all.'),
    resources: arr(str(), 'The resources the rule applies to; "*" all, "<resource>/<subresource>" a subresource, "*/<subresource>" that subresource of every resource.'),
    verbs: arr(str(), 'The verbs the rule allows ("*" all).'),
  }, { required: ['verbs'] }),

  [R('AggregationRule')]: obj('How a ClusterRole\'s rules are gathered from other ClusterRoles.', {
    clusterRoleSelectors: arr(metaRef('LabelSelector'), 'Selects the ClusterRoles whose rules are gathered; a role is selected when any selector matches it.'),
  }),

  [R('RoleRef')]: obj('The role a binding grants.', {
    apiGroup: str('The group of the role: rbac.authorization.k8s.io.'),
    kind: str('Role or ClusterRole.'),
    name: str('The name of the role.'),
  }, { required: ['apiGroup', 'kind', 'name'], atomic: true }),

  [R('Subject')]: obj('Who a binding grants the role to: a user, a group or a ServiceAccount.', {
    apiGroup: str('"" for ServiceAccount subjects, "rbac.authorization.k8s.io" for User and Group subjects.'),
    kind: enumStr(['User', 'Group', 'ServiceAccount'], 'User, Group or ServiceAccount.'),
    name: str('The name of the subject.'),
    namespace: str('The ServiceAccount\'s namespace; empty for users and groups.'),
  }, { required: ['kind', 'name'], atomic: true }),

  [R('Role')]: kindSchema('A namespaced set of PolicyRules, granted by a RoleBinding.', gvk('rbac.authorization.k8s.io', 'v1', 'Role'), { rules: rules() }),
  [R('ClusterRole')]: kindSchema('A cluster-level set of PolicyRules, granted by a RoleBinding (in its namespace) or a ClusterRoleBinding (everywhere).', gvk('rbac.authorization.k8s.io', 'v1', 'ClusterRole'), {
    aggregationRule: ref(R('AggregationRule'), 'When set, the rules are the controller\'s: those of the ClusterRoles it selects.'),
    rules: rules(),
  }),
  [R('RoleBinding')]: kindSchema('Grants a Role or a ClusterRole to subjects within one namespace.', gvk('rbac.authorization.k8s.io', 'v1', 'RoleBinding'), {
    roleRef: ref(R('RoleRef'), 'The role granted: a Role in the binding\'s namespace or a ClusterRole. Immutable.'),
    subjects: arr(ref(R('Subject')), 'Who the role is granted to.'),
  }, ['roleRef']),
  [R('ClusterRoleBinding')]: kindSchema('Grants a ClusterRole to subjects across the whole cluster.', gvk('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding'), {
    roleRef: ref(R('RoleRef'), 'The ClusterRole granted. Immutable.'),
    subjects: arr(ref(R('Subject')), 'Who the role is granted to.'),
  }, ['roleRef']),
};

/** Upstream's protobuf field numbers of these types (syntax: apiserver/protobuf/numbers.ts). */
export const rbacFieldNumbers: Readonly<Record<string, string>> = {
  'k8s.io.api.rbac.v1': `
    AggregationRule: clusterRoleSelectors=1
    ClusterRole: metadata=1 rules=2 aggregationRule=3*
    ClusterRoleBinding: metadata=1 subjects=2 roleRef=3
    PolicyRule: verbs=1 apiGroups=2 resources=3 resourceNames=4 nonResourceURLs=5
    Role: metadata=1 rules=2
    RoleBinding: metadata=1 subjects=2 roleRef=3
    RoleRef: apiGroup=1 kind=2 name=3
    Subject: kind=1 apiGroup=2 name=3 namespace=4
  `,
};
