// The registry of every kind the API serves: where it lives in the URL space and how discovery describes it.
// Adding a kind starts here (one entry), then its schema in lib/api/schema and its kind file,
// apiserver/registry/kinds/<resource>.ts (README: "Adding a kind").

export interface KindInfo {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Plural, lower-case resource name used in URLs. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Subresources served under /<resource>/<name>/<sub>. */
  subresources: string[];
  /**
   * Never stored: a create is answered with the object the server computed from it, and create is the only verb
   * (the access reviews, SelfSubjectReview). Controllers that list every kind leave these out.
   */
  createOnly?: boolean;
}

const ALL = ['all'];

export const KINDS: readonly KindInfo[] = [
  { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', singular: 'namespace', namespaced: false, shortNames: ['ns'], categories: [], subresources: ['status', 'finalize'] },
  { group: '', version: 'v1', kind: 'Node', resource: 'nodes', singular: 'node', namespaced: false, shortNames: ['no'], categories: [], subresources: ['status'] },
  { group: '', version: 'v1', kind: 'Pod', resource: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'], categories: ALL, subresources: ['status', 'binding', 'eviction', 'ephemeralcontainers', 'log', 'exec', 'attach', 'portforward'] },
  { group: '', version: 'v1', kind: 'Service', resource: 'services', singular: 'service', namespaced: true, shortNames: ['svc'], categories: ALL, subresources: ['status'] },
  { group: '', version: 'v1', kind: 'Endpoints', resource: 'endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'], categories: [], subresources: [] },
  { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', singular: 'configmap', namespaced: true, shortNames: ['cm'], categories: [], subresources: [] },
  { group: '', version: 'v1', kind: 'Secret', resource: 'secrets', singular: 'secret', namespaced: true, shortNames: [], categories: [], subresources: [] },
  { group: '', version: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', singular: 'serviceaccount', namespaced: true, shortNames: ['sa'], categories: [], subresources: ['token'] },
  { group: '', version: 'v1', kind: 'Event', resource: 'events', singular: 'event', namespaced: true, shortNames: ['ev'], categories: [], subresources: [] },
  { group: '', version: 'v1', kind: 'PersistentVolume', resource: 'persistentvolumes', singular: 'persistentvolume', namespaced: false, shortNames: ['pv'], categories: [], subresources: ['status'] },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', namespaced: true, shortNames: ['pvc'], categories: [], subresources: ['status'] },
  { group: '', version: 'v1', kind: 'ResourceQuota', resource: 'resourcequotas', singular: 'resourcequota', namespaced: true, shortNames: ['quota'], categories: [], subresources: ['status'] },
  { group: '', version: 'v1', kind: 'LimitRange', resource: 'limitranges', singular: 'limitrange', namespaced: true, shortNames: ['limits'], categories: [], subresources: [] },
  { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', singular: 'deployment', namespaced: true, shortNames: ['deploy'], categories: ALL, subresources: ['status', 'scale'] },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', singular: 'replicaset', namespaced: true, shortNames: ['rs'], categories: ALL, subresources: ['status', 'scale'] },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', resource: 'daemonsets', singular: 'daemonset', namespaced: true, shortNames: ['ds'], categories: ALL, subresources: ['status'] },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', singular: 'statefulset', namespaced: true, shortNames: ['sts'], categories: ALL, subresources: ['status', 'scale'] },
  { group: 'apps', version: 'v1', kind: 'ControllerRevision', resource: 'controllerrevisions', singular: 'controllerrevision', namespaced: true, shortNames: [], categories: [], subresources: [] },
  { group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs', singular: 'job', namespaced: true, shortNames: [], categories: ALL, subresources: ['status'] },
  { group: 'batch', version: 'v1', kind: 'CronJob', resource: 'cronjobs', singular: 'cronjob', namespaced: true, shortNames: ['cj'], categories: ALL, subresources: ['status'] },
  { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', namespaced: true, shortNames: ['hpa'], categories: ALL, subresources: ['status'] },
  // served from the v2 objects (apiserver/registry/kinds/horizontalpodautoscalers.ts); out of `all`, which lists the preferred version
  { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', namespaced: true, shortNames: ['hpa'], categories: [], subresources: ['status'] },
  { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', singular: 'poddisruptionbudget', namespaced: true, shortNames: ['pdb'], categories: [], subresources: ['status'] },
  { group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', resource: 'priorityclasses', singular: 'priorityclass', namespaced: false, shortNames: ['pc'], categories: [], subresources: [] },
  { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', resource: 'tokenreviews', singular: 'tokenreview', namespaced: false, shortNames: [], categories: [], subresources: [], createOnly: true },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', singular: 'lease', namespaced: true, shortNames: [], categories: [], subresources: [] },
  { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', resource: 'storageclasses', singular: 'storageclass', namespaced: false, shortNames: ['sc'], categories: [], subresources: [] },
  { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', resource: 'networkpolicies', singular: 'networkpolicy', namespaced: true, shortNames: ['netpol'], categories: [], subresources: [] },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', resource: 'endpointslices', singular: 'endpointslice', namespaced: true, shortNames: [], categories: [], subresources: [] },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', resource: 'clusterroles', singular: 'clusterrole', namespaced: false, shortNames: [], categories: [], subresources: [] },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', singular: 'clusterrolebinding', namespaced: false, shortNames: [], categories: [], subresources: [] },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', resource: 'roles', singular: 'role', namespaced: true, shortNames: [], categories: [], subresources: [] },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', resource: 'rolebindings', singular: 'rolebinding', namespaced: true, shortNames: [], categories: [], subresources: [] },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'LocalSubjectAccessReview', resource: 'localsubjectaccessreviews', singular: 'localsubjectaccessreview', namespaced: true, shortNames: [], categories: [], subresources: [], createOnly: true },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', resource: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview', namespaced: false, shortNames: [], categories: [], subresources: [], createOnly: true },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', resource: 'selfsubjectrulesreviews', singular: 'selfsubjectrulesreview', namespaced: false, shortNames: [], categories: [], subresources: [], createOnly: true },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', resource: 'subjectaccessreviews', singular: 'subjectaccessreview', namespaced: false, shortNames: [], categories: [], subresources: [], createOnly: true },
  { group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', resource: 'selfsubjectreviews', singular: 'selfsubjectreview', namespaced: false, shortNames: [], categories: [], subresources: [], createOnly: true },
  { group: 'authentication.k8s.io', version: 'v1beta1', kind: 'SelfSubjectReview', resource: 'selfsubjectreviews', singular: 'selfsubjectreview', namespaced: false, shortNames: [], categories: [], subresources: [], createOnly: true },
  { group: 'authentication.k8s.io', version: 'v1alpha1', kind: 'SelfSubjectReview', resource: 'selfsubjectreviews', singular: 'selfsubjectreview', namespaced: false, shortNames: [], categories: [], subresources: [], createOnly: true },
  { group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', resource: 'certificatesigningrequests', singular: 'certificatesigningrequest', namespaced: false, shortNames: ['csr'], categories: [], subresources: ['status', 'approval'] },
  { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'MutatingWebhookConfiguration', resource: 'mutatingwebhookconfigurations', singular: 'mutatingwebhookconfiguration', namespaced: false, shortNames: [], categories: ['api-extensions'], subresources: [] },
  { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration', resource: 'validatingwebhookconfigurations', singular: 'validatingwebhookconfiguration', namespaced: false, shortNames: [], categories: ['api-extensions'], subresources: [] },
  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', resource: 'customresourcedefinitions', singular: 'customresourcedefinition', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: ['status'] },
];

export function apiVersionOf(k: Pick<KindInfo, 'group' | 'version'>): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}

export function findByResource(group: string, version: string, resource: string): KindInfo | undefined {
  return KINDS.find((k) => k.group === group && k.version === version && k.resource === resource);
}

export function findByKind(apiVersion: string, kind: string): KindInfo | undefined {
  return KINDS.find((k) => apiVersionOf(k) === apiVersion && k.kind === kind);
}

/** Resolves what a user typed (kind, plural, singular or short name, any case) to a kind. */
export function findByAlias(name: string): KindInfo | undefined {
  const n = name.toLowerCase();
  return KINDS.find((k) => k.resource === n || k.singular === n || k.kind.toLowerCase() === n || k.shortNames.includes(n))
    ?? KINDS.find((k) => `${k.resource}.${k.group}` === n || `${k.singular}.${k.group}` === n);
}

/** The groups served under /apis, in discovery order. */
export function apiGroups(): string[] {
  return [...new Set(KINDS.filter((k) => k.group !== '').map((k) => k.group))];
}
