// core/v1 ResourceQuota and LimitRange (a namespace's budgets and per-container defaults and bounds) and
// scheduling.k8s.io/v1 PriorityClass, with their protobuf field numbers.
import { CORE, arr, bool, gvk, int32, kindSchema, ref, resourceList, str, enumStr, obj, type Schema } from './dsl.js';

const C = (n: string): string => CORE + n;
export const SCHEDULING = 'io.k8s.api.scheduling.v1.';

export const corePolicySchemas: Record<string, Schema> = {
  [C('ResourceQuota')]: kindSchema('Aggregate quota restrictions enforced per namespace.', gvk('', 'v1', 'ResourceQuota'), {
    spec: ref(C('ResourceQuotaSpec'), 'The desired quota.'),
    status: ref(C('ResourceQuotaStatus'), 'The actual enforced quota and its current usage.'),
  }),
  [C('ResourceQuotaSpec')]: obj('The desired hard limits of a quota.', {
    hard: resourceList('The hard limit for each named resource (pods, requests.cpu, count/deployments.apps...).'),
    scopeSelector: ref(C('ScopeSelector'), 'A collection of filters like scopes that must match each object tracked by the quota.'),
    scopes: arr(str(), 'Filters every object tracked by the quota must match: Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass.'),
  }),
  [C('ScopeSelector')]: obj('A selector of scopes, by scoped-resource selector requirements.', {
    matchExpressions: arr(ref(C('ScopedResourceSelectorRequirement')), 'A list of scope selector requirements by scope of the resources.'),
  }, { atomic: true }),
  [C('ScopedResourceSelectorRequirement')]: obj('A scope name, an operator and values.', {
    operator: enumStr(['DoesNotExist', 'Exists', 'In', 'NotIn'], "The scope's relationship to the values."),
    scopeName: str('The name of the scope the selector applies to.'),
    values: arr(str(), 'Values for In and NotIn.'),
  }, { required: ['scopeName', 'operator'] }),
  [C('ResourceQuotaStatus')]: obj('The enforced hard limits and the observed use.', {
    hard: resourceList('The enforced hard limit for each named resource.'),
    used: resourceList('The current observed total usage of the resource in the namespace.'),
  }),

  [C('LimitRange')]: kindSchema('Resource consumption limits per kind of object in a namespace.', gvk('', 'v1', 'LimitRange'), {
    spec: ref(C('LimitRangeSpec'), 'The limits enforced.'),
  }),
  [C('LimitRangeSpec')]: obj('The limits of a LimitRange.', {
    limits: arr(ref(C('LimitRangeItem')), 'The limits enforced.'),
  }, { required: ['limits'] }),
  [C('LimitRangeItem')]: obj('Min/max, defaults and ratios for one kind of object.', {
    default: resourceList('Default limits of containers that set none.'),
    defaultRequest: resourceList('Default requests of containers that set none.'),
    max: resourceList('Maximum usage of the resource by this kind of object.'),
    maxLimitRequestRatio: resourceList('The most a limit may be over its request, as a ratio.'),
    min: resourceList('Minimum usage of the resource by this kind of object.'),
    type: str('The kind of object the limits apply to: Pod, Container or PersistentVolumeClaim.'),
  }, { required: ['type'] }),

  [SCHEDULING + 'PriorityClass']: kindSchema('A mapping from a priority class name to the priority integer value.', gvk('scheduling.k8s.io', 'v1', 'PriorityClass'), {
    description: str('When this priority class should be used.'),
    globalDefault: bool('Whether this class is the priority of pods that name none. Only one class may be the global default.'),
    preemptionPolicy: enumStr(['Never', 'PreemptLowerPriority'], 'Whether pods of this class may preempt lower-priority pods. Default PreemptLowerPriority.'),
    value: int32('The priority pods of this class get; up to 1000000000 for user classes.'),
  }, ['value']),
};

/** Upstream's numbers (k8s.io/api/core/v1 and scheduling/v1 generated.proto). */
export const corePolicyFieldNumbers: Readonly<Record<string, string>> = {
  'k8s.io.api.core.v1': `
    LimitRange: metadata=1 spec=2
    LimitRangeItem: type=1 max=2 min=3 default=4 defaultRequest=5 maxLimitRequestRatio=6
    LimitRangeSpec: limits=1
    ResourceQuota: metadata=1 spec=2 status=3
    ResourceQuotaSpec: hard=1 scopes=2 scopeSelector=3*
    ResourceQuotaStatus: hard=1 used=2
    ScopeSelector: matchExpressions=1
    ScopedResourceSelectorRequirement: scopeName=1 operator=2 values=3
  `,
  'k8s.io.api.scheduling.v1': `
    PriorityClass: metadata=1 value=2 globalDefault=3 description=4 preemptionPolicy=5*
  `,
};
