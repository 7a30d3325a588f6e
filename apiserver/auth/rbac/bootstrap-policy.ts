// The default roles and bindings, as Kubernetes' bootstrap policy has them (cluster-admin, admin/edit/view by
// aggregation, the discovery and basic-user roles), plus the roles of Flotilla's own components: the scheduler,
// the controller-manager (one identity for all its controllers, with what they call), the node agents and the
// hollow-node process. Each object carries `rbac.authorization.kubernetes.io/autoupdate: "true"`: the API server
// puts it back as written here at every start unless an admin set that annotation to "false" (reconcile.ts).
import type { KubeObject } from '../../../lib/api/types.js';
import type { PolicyRule } from './rules.js';

export const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';
const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
export const AGGREGATE_TO = (role: 'admin' | 'edit' | 'view') => `rbac.authorization.k8s.io/aggregate-to-${role}`;

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  (resourceNames ? { verbs, apiGroups, resources, resourceNames } : { verbs, apiGroups, resources });
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

function clusterRole(name: string, rules: PolicyRule[], extra: { labels?: Record<string, string>; aggregateFrom?: string } = {}): KubeObject {
  const o: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...extra.labels }, annotations: { [AUTOUPDATE]: 'true' } },
    rules,
  };
  if (extra.aggregateFrom) o.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [extra.aggregateFrom]: 'true' } }] };
  return o;
}

type SubjectSpec = { kind: 'User' | 'Group'; name: string };
const user = (name: string): SubjectSpec => ({ kind: 'User', name });
const group = (name: string): SubjectSpec => ({ kind: 'Group', name });

function clusterRoleBinding(name: string, role: string, subjects: SubjectSpec[]): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { [AUTOUPDATE]: 'true' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: subjects.map((s) => ({ ...s, apiGroup: 'rbac.authorization.k8s.io' })),
  };
}

const labelsFor = (...roles: Array<'admin' | 'edit' | 'view'>): Record<string, string> => Object.fromEntries(roles.map((r) => [AGGREGATE_TO(r), 'true']));

/** What `view` holds: reading everything in a namespace but Secrets (and what reveals them: exec, attach, proxy). */
const VIEW_RULES: PolicyRule[] = [
  rule(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers',
    'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
  rule(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status',
    'resourcequotas', 'resourcequotas/status']),
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status',
    'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
];

/** What `edit` adds: writing the namespace's workloads and config, Secrets included; no RBAC. */
const EDIT_RULES: PolicyRule[] = [
  rule(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  rule(['create'], [''], ['pods/eviction']),
  rule(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets',
    'serviceaccounts', 'services', 'services/proxy']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets',
    'statefulsets/scale']),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule([...READ, ...WRITE], ['coordination.k8s.io'], ['leases']),
];

/** What `admin` adds: the namespace's RBAC, and asking access reviews there. */
const ADMIN_RULES: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule([...READ, ...WRITE], ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
];

const DISCOVERY_URLS = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];
const PUBLIC_INFO_URLS = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

/** What a node agent calls (node-agent/): until the Node authorizer confines each node to its own objects. */
const NODE_RULES: PolicyRule[] = [
  rule(['create', 'get', 'list', 'watch', 'patch', 'update', 'delete'], [''], ['nodes']),
  rule(['patch', 'update'], [''], ['nodes/status']),
  rule(['get', 'list', 'watch', 'delete'], [''], ['pods']),
  rule(['patch', 'update'], [''], ['pods/status']),
  rule(['create'], [''], ['pods/eviction']),
  rule(READ, [''], ['configmaps', 'secrets', 'services', 'endpoints', 'namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['networking.k8s.io'], ['networkpolicies']),
  rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  rule(['create', 'delete', 'get', 'patch', 'update'], ['coordination.k8s.io'], ['leases']),
  rule(['get'], [''], ['serviceaccounts']),
  rule(['create'], [''], ['serviceaccounts/token']),
];

/** The scheduler (scheduler/): pods and nodes to place, pods/binding, its conditions, Events, its leader lease. */
const SCHEDULER_RULES: PolicyRule[] = [
  rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
  rule(READ, [''], ['nodes', 'namespaces', 'services', 'replicationcontrollers', 'persistentvolumeclaims', 'persistentvolumes']),
  rule(['delete', ...READ], [''], ['pods']),
  rule(['create'], [''], ['bindings', 'pods/binding']),
  rule(['patch', 'update'], [''], ['pods/status']),
  rule(READ, ['apps'], ['replicasets', 'statefulsets']),
  rule(READ, ['policy'], ['poddisruptionbudgets']),
  // VolumeBinding: the node chosen for a WaitForFirstConsumer claim is written on it
  rule(['patch', 'update'], [''], ['persistentvolumeclaims']),
  rule(READ, ['storage.k8s.io'], ['storageclasses', 'csinodes']),
];

/**
 * The controller-manager (controllers/), one identity for all its controllers: the garbage collector and the
 * namespace controller read, change and delete objects of every kind (Kubernetes gives its generic-garbage-collector
 * and namespace-controller the same over `*`); creating is limited to what the controllers make; the ClusterRole
 * aggregation controller writes rules it may not hold itself, hence `escalate` on clusterroles (as Kubernetes'
 * clusterrole-aggregation-controller has).
 */
const CONTROLLER_MANAGER_RULES: PolicyRule[] = [
  rule([...READ, 'patch', 'update', 'delete', 'deletecollection'], ['*'], ['*']),
  rule(['create'], [''], ['pods', 'events', 'endpoints', 'pods/eviction', 'persistentvolumeclaims', 'serviceaccounts', 'configmaps']),
  rule(['create'], ['apps'], ['replicasets', 'controllerrevisions']),
  rule(['create'], ['batch'], ['jobs']),
  rule(['create'], ['discovery.k8s.io'], ['endpointslices']),
  rule(['create'], ['events.k8s.io'], ['events']),
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['escalate'], ['rbac.authorization.k8s.io'], ['clusterroles']),
  // the CSR approver asks whether the requester may have its request approved; the signer issues for the built-in
  // signers (controllers/certificates/)
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
  rule(['sign'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving']),
];

/** The API server's client certificate toward node agents (kubeadm binds it so). */
const KUBELET_API_ADMIN_RULES: PolicyRule[] = [
  rule(['get', 'list', 'watch', 'proxy'], [''], ['nodes']),
  rule(['*'], [''], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats']),
];

export const NODES_GROUP = 'system:nodes';
/** Bootstrap-token users (system:bootstrap:<id>) are in this group. */
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
/** The roles the CSR approver checks the requester against (controllers/certificates/approver.ts). */
export const NODECLIENT_ROLE = 'system:certificates.k8s.io:certificatesigningrequests:nodeclient';
export const SELFNODECLIENT_ROLE = 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient';
export const HOLLOW_NODES_USER = 'system:flotilla-hollow-nodes';

export function bootstrapClusterRoles(): KubeObject[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    clusterRole('admin', [], { aggregateFrom: AGGREGATE_TO('admin') }),
    clusterRole('edit', [], { aggregateFrom: AGGREGATE_TO('edit'), labels: labelsFor('admin') }),
    clusterRole('view', [], { aggregateFrom: AGGREGATE_TO('view'), labels: labelsFor('edit') }),
    clusterRole('system:aggregate-to-admin', ADMIN_RULES, { labels: labelsFor('admin') }),
    clusterRole('system:aggregate-to-edit', EDIT_RULES, { labels: labelsFor('admin', 'edit') }),
    clusterRole('system:aggregate-to-view', VIEW_RULES, { labels: labelsFor('admin', 'edit', 'view') }),
    clusterRole('system:basic-user', [rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews'])]),
    clusterRole('system:discovery', [urls(['get'], DISCOVERY_URLS)]),
    clusterRole('system:public-info-viewer', [urls(['get'], PUBLIC_INFO_URLS)]),
    // the ServiceAccount issuer's discovery documents, for workloads that check tokens themselves
    clusterRole('system:service-account-issuer-discovery', [urls(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks'])]),
    clusterRole('system:monitoring', [urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])]),
    clusterRole('system:kube-scheduler', SCHEDULER_RULES),
    clusterRole('system:kube-controller-manager', CONTROLLER_MANAGER_RULES),
    clusterRole('system:node', NODE_RULES),
    clusterRole('system:kubelet-api-admin', KUBELET_API_ADMIN_RULES),
    // joining a node (`flotilla agent --token`): a bootstrap token asks for the node's client certificate, which the
    // approver grants when the requester holds nodeclient (first join) or selfnodeclient (a node renewing its own)
    clusterRole('system:node-bootstrapper', [rule(['create', ...READ], ['certificates.k8s.io'], ['certificatesigningrequests'])]),
    clusterRole(NODECLIENT_ROLE, [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'])]),
    clusterRole(SELFNODECLIENT_ROLE, [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'])]),
  ];
}

export function bootstrapClusterRoleBindings(): KubeObject[] {
  return [
    clusterRoleBinding('cluster-admin', 'cluster-admin', [group('system:masters')]),
    clusterRoleBinding('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
    clusterRoleBinding('system:discovery', 'system:discovery', [group('system:authenticated')]),
    clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    clusterRoleBinding('system:service-account-issuer-discovery', 'system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
    clusterRoleBinding('system:monitoring', 'system:monitoring', [group('system:monitoring')]),
    clusterRoleBinding('system:kube-scheduler', 'system:kube-scheduler', [user('system:kube-scheduler')]),
    clusterRoleBinding('system:kube-controller-manager', 'system:kube-controller-manager', [user('system:kube-controller-manager')]),
    // node agents are confined by the Node authorizer, not bound to system:node (as in Kubernetes); the hollow-node
    // process, which runs many simulated nodes over one shared client, holds the role
    clusterRoleBinding('system:node', 'system:node', [user(HOLLOW_NODES_USER)]),
    clusterRoleBinding('system:kube-apiserver-kubelet-client', 'system:kubelet-api-admin', [user('kube-apiserver-kubelet-client')]),
    // what kubeadm binds for its join tokens (kubeadm:kubelet-bootstrap, node-autoapprove-bootstrap and
    // node-autoapprove-certificate-rotation), for every bootstrap token
    clusterRoleBinding('system:node-bootstrapper', 'system:node-bootstrapper', [group(BOOTSTRAPPERS_GROUP)]),
    clusterRoleBinding(NODECLIENT_ROLE, NODECLIENT_ROLE, [group(BOOTSTRAPPERS_GROUP)]),
    clusterRoleBinding(SELFNODECLIENT_ROLE, SELFNODECLIENT_ROLE, [group(NODES_GROUP)]),
  ];
}
