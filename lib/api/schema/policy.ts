// policy/v1 PodDisruptionBudget and Eviction (the pods/eviction subresource's body), with their protobuf field
// numbers (policyFieldNumbers). policy/v1beta1 Eviction, which kubectl before 1.22 sends, has the same shape.
import { gvk, intOrString, kindSchema, map, mergeList, metaRef, enumStr, int32, int64, obj, ref, timeRef, withExt, type Schema } from './dsl.js';

export const POLICY = 'io.k8s.api.policy.v1.';
const P = (n: string): string => POLICY + n;
/** The Eviction body's schema (also the v1beta1 one's: the fields are the same). */
export const EVICTION_SCHEMA = P('Eviction');

export const policySchemas: Record<string, Schema> = {
  [P('PodDisruptionBudget')]: kindSchema('The most disruption a set of pods may take from voluntary evictions.', gvk('policy', 'v1', 'PodDisruptionBudget'), {
    spec: ref(P('PodDisruptionBudgetSpec'), 'Desired behaviour of the PodDisruptionBudget.'),
    status: ref(P('PodDisruptionBudgetStatus'), 'Most recently observed status of the PodDisruptionBudget.'),
  }),

  [P('PodDisruptionBudgetSpec')]: obj('A description of a PodDisruptionBudget.', {
    maxUnavailable: intOrString('An eviction is allowed if at most this many of the selected pods (a number or a percentage) are unavailable after it. Excludes minAvailable.'),
    minAvailable: intOrString('An eviction is allowed if at least this many of the selected pods (a number or a percentage) are still available after it; "100%" prevents every voluntary eviction.'),
    selector: withExt(metaRef('LabelSelector', 'Label query over the pods whose evictions the budget manages. A null selector matches no pods, an empty one every pod in the namespace.'), { 'x-kubernetes-patch-strategy': 'replace' }),
    unhealthyPodEvictionPolicy: enumStr(['AlwaysAllow', 'IfHealthyBudget'], 'When running pods that are not yet healthy (Ready) may be evicted: IfHealthyBudget (only while the budget is met, the default) or AlwaysAllow.'),
  }),

  [P('PodDisruptionBudgetStatus')]: obj('The observed state of a PodDisruptionBudget; it may trail the system.', {
    conditions: mergeList(metaRef('Condition'), 'Conditions of the budget; the disruption controller sets DisruptionAllowed (reasons SyncFailed, InsufficientPods, SufficientPods).', 'type'),
    currentHealthy: int32('Current number of healthy pods.'),
    desiredHealthy: int32('Minimum desired number of healthy pods.'),
    disruptedPods: map(timeRef(), 'Pods whose eviction the API server processed but the disruption controller has not yet seen deleted, with when it was processed.'),
    disruptionsAllowed: int32('Number of pod disruptions currently allowed.'),
    expectedPods: int32('Total number of pods counted by this budget.'),
    observedGeneration: int64('Most recent generation observed when updating this status; the rest is valid only when it equals the budget\'s generation.'),
  }, { required: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] }),

  [P('Eviction')]: kindSchema('Evicts a pod from its node subject to the disruption budgets covering it: POST it to the pod\'s /eviction subresource.', gvk('policy', 'v1', 'Eviction'), {
    deleteOptions: metaRef('DeleteOptions', 'Options for the deletion of the pod.'),
  }),
};

/** Upstream's numbers (k8s.io/api/policy/v1/generated.proto). */
export const policyFieldNumbers: Readonly<Record<string, string>> = {
  'k8s.io.api.policy.v1': `
    Eviction: metadata=1 deleteOptions=2*
    PodDisruptionBudget: metadata=1 spec=2 status=3
    PodDisruptionBudgetSpec: minAvailable=1* selector=2* maxUnavailable=3* unhealthyPodEvictionPolicy=4*
    PodDisruptionBudgetStatus: observedGeneration=1 disruptedPods=2 disruptionsAllowed=3 currentHealthy=4
      desiredHealthy=5 expectedPods=6 conditions=7
  `,
};
