// autoscaling/v2 HorizontalPodAutoscaler (the stored version) and autoscaling/v1 HorizontalPodAutoscaler (served from
// the same objects: kubectl 1.27-1.32's `autoscale` writes v1), with their protobuf field numbers.
import { AUTOSCALING, gvk, int32, int64, kindSchema, metaRef, mergeList, obj, quantity, ref, str, timeRef, arr, type Schema } from './dsl.js';

export const AUTOSCALING_V2 = 'io.k8s.api.autoscaling.v2.';
const V2 = (n: string): string => AUTOSCALING_V2 + n;
const V1 = (n: string): string => AUTOSCALING + n;

const crossVersionRef = (description: string): Schema => obj(description, {
  apiVersion: str('API version of the referent.'),
  kind: str('Kind of the referent, e.g. Deployment.'),
  name: str('Name of the referent.'),
}, { required: ['kind', 'name'], atomic: true });

const conditionSchema = obj('The state of a HorizontalPodAutoscaler at a certain point.', {
  lastTransitionTime: timeRef('The last time the condition changed from one status to another.'),
  message: str('A human-readable explanation of the last transition.'),
  reason: str('The reason for the last transition.'),
  status: str('Status of the condition: True, False or Unknown.'),
  type: str('Type of the condition: AbleToScale, ScalingActive or ScalingLimited.'),
}, { required: ['type', 'status'] });

export const autoscalingSchemas: Record<string, Schema> = {
  [V2('HorizontalPodAutoscaler')]: kindSchema('Automatically manages the replica count of any resource with a scale subresource from the metrics given.', gvk('autoscaling', 'v2', 'HorizontalPodAutoscaler'), {
    spec: ref(V2('HorizontalPodAutoscalerSpec'), 'The behaviour of the autoscaler.'),
    status: ref(V2('HorizontalPodAutoscalerStatus'), 'The current information about the autoscaler.'),
  }),
  [V2('HorizontalPodAutoscalerSpec')]: obj('The desired functionality of the HorizontalPodAutoscaler.', {
    behavior: ref(V2('HorizontalPodAutoscalerBehavior'), 'Scaling behaviour of the target in both directions (scaleUp and scaleDown). Unset: the default rules.'),
    maxReplicas: int32('Upper limit of the replicas the autoscaler may scale up to; not less than minReplicas.'),
    metrics: arr(ref(V2('MetricSpec')), 'The metrics the desired replica count is computed from (the largest count wins). Default: 80% average CPU utilization.'),
    minReplicas: int32('Lower limit of the replicas the autoscaler may scale down to. Defaults to 1.'),
    scaleTargetRef: ref(V2('CrossVersionObjectReference'), 'The target resource to scale: its pods are measured and its scale changed.'),
  }, { required: ['scaleTargetRef', 'maxReplicas'] }),
  [V2('CrossVersionObjectReference')]: crossVersionRef('Enough information to identify the referred resource.'),
  [V2('HorizontalPodAutoscalerBehavior')]: obj('Scaling behaviour of the target in both directions.', {
    scaleDown: ref(V2('HPAScalingRules'), 'Scaling policy for scaling down. Default: down to minReplicas with a 300 s stabilization window.'),
    scaleUp: ref(V2('HPAScalingRules'), 'Scaling policy for scaling up. Default: the higher of 4 pods or doubling per 15 s, no stabilization.'),
  }),
  [V2('HPAScalingRules')]: obj('Scaling behaviour for one direction: policies limiting the rate, and a stabilization window.', {
    policies: arr(ref(V2('HPAScalingPolicy')), 'Potential scaling policies; selectPolicy says which applies.'),
    selectPolicy: str('Which policy applies: Max (default), Min or Disabled.'),
    stabilizationWindowSeconds: int32('Seconds of past recommendations considered (0 to 3600). Default: 0 for scale up, 300 for scale down.'),
  }),
  [V2('HPAScalingPolicy')]: obj('A single policy which must hold true for a specified past interval.', {
    periodSeconds: int32('The window of time the policy holds for (1 to 1800 s).'),
    type: str('Pods or Percent.'),
    value: int32('The amount of change the policy permits; greater than zero.'),
  }, { required: ['type', 'value', 'periodSeconds'] }),
  [V2('MetricSpec')]: obj('How to scale on a single metric (type and the one matching field).', {
    containerResource: ref(V2('ContainerResourceMetricSource'), 'A resource metric of a single container in each pod of the target.'),
    external: ref(V2('ExternalMetricSource'), 'A global metric not associated with any Kubernetes object.'),
    object: ref(V2('ObjectMetricSource'), 'A metric describing a single Kubernetes object.'),
    pods: ref(V2('PodsMetricSource'), 'A metric describing each pod of the target, averaged.'),
    resource: ref(V2('ResourceMetricSource'), 'A resource metric (CPU, memory) describing each pod of the target, as in requests and limits.'),
    type: str('The type of metric source: ContainerResource, External, Object, Pods or Resource.'),
  }, { required: ['type'] }),
  [V2('ResourceMetricSource')]: obj('How to scale on a resource metric known to Kubernetes (requests and limits), averaged over the pods.', {
    name: str('The name of the resource (cpu, memory).'),
    target: ref(V2('MetricTarget'), 'The target value for the metric.'),
  }, { required: ['name', 'target'] }),
  [V2('ContainerResourceMetricSource')]: obj('How to scale on a resource metric of one container of each pod.', {
    container: str('The name of the container in the pods of the target.'),
    name: str('The name of the resource (cpu, memory).'),
    target: ref(V2('MetricTarget'), 'The target value for the metric.'),
  }, { required: ['name', 'target', 'container'] }),
  [V2('PodsMetricSource')]: obj('How to scale on a metric describing each pod of the target.', {
    metric: ref(V2('MetricIdentifier'), 'The metric, by name and selector.'),
    target: ref(V2('MetricTarget'), 'The target value for the metric.'),
  }, { required: ['metric', 'target'] }),
  [V2('ObjectMetricSource')]: obj('How to scale on a metric describing a Kubernetes object.', {
    describedObject: ref(V2('CrossVersionObjectReference'), 'The object described.'),
    metric: ref(V2('MetricIdentifier'), 'The metric, by name and selector.'),
    target: ref(V2('MetricTarget'), 'The target value for the metric.'),
  }, { required: ['describedObject', 'target', 'metric'] }),
  [V2('ExternalMetricSource')]: obj('How to scale on a metric not associated with any Kubernetes object.', {
    metric: ref(V2('MetricIdentifier'), 'The metric, by name and selector.'),
    target: ref(V2('MetricTarget'), 'The target value for the metric.'),
  }, { required: ['metric', 'target'] }),
  [V2('MetricIdentifier')]: obj('The name and optionally the selector of a metric.', {
    name: str('The name of the metric.'),
    selector: metaRef('LabelSelector', 'Label selector passed to the metrics server for narrower scoping.'),
  }, { required: ['name'] }),
  [V2('MetricTarget')]: obj('The target value, average value or average utilization of a metric.', {
    averageUtilization: int32('Target average of the resource metric over the pods, as a percentage of their requests (Resource metrics only).'),
    averageValue: quantity('Target average of the metric over the pods.'),
    type: str('Utilization, Value or AverageValue.'),
    value: quantity('Target value of the metric.'),
  }, { required: ['type'] }),
  [V2('HorizontalPodAutoscalerStatus')]: obj('The current status of a horizontal pod autoscaler.', {
    conditions: mergeList(ref(V2('HorizontalPodAutoscalerCondition')), 'What the autoscaler needs to scale its target, and whether it has it.', 'type'),
    currentMetrics: arr(ref(V2('MetricStatus')), 'The last read state of the metrics.'),
    currentReplicas: int32('Current number of replicas of the target, as last seen by the autoscaler.'),
    desiredReplicas: int32('Desired number of replicas, as last computed by the autoscaler.'),
    lastScaleTime: timeRef('The last time the autoscaler changed the number of pods.'),
    observedGeneration: int64('The most recent generation observed by this autoscaler.'),
  }, { required: ['desiredReplicas'] }),
  [V2('HorizontalPodAutoscalerCondition')]: conditionSchema,
  [V2('MetricStatus')]: obj('The last-read state of a single metric.', {
    containerResource: ref(V2('ContainerResourceMetricStatus'), 'A container resource metric.'),
    external: ref(V2('ExternalMetricStatus'), 'An external metric.'),
    object: ref(V2('ObjectMetricStatus'), 'An object metric.'),
    pods: ref(V2('PodsMetricStatus'), 'A pods metric.'),
    resource: ref(V2('ResourceMetricStatus'), 'A resource metric.'),
    type: str('The type of metric source.'),
  }, { required: ['type'] }),
  [V2('ResourceMetricStatus')]: obj('The current value of a resource metric.', {
    current: ref(V2('MetricValueStatus'), 'The current value.'),
    name: str('The name of the resource.'),
  }, { required: ['name', 'current'] }),
  [V2('ContainerResourceMetricStatus')]: obj('The current value of a container resource metric.', {
    container: str('The name of the container.'),
    current: ref(V2('MetricValueStatus'), 'The current value.'),
    name: str('The name of the resource.'),
  }, { required: ['name', 'current', 'container'] }),
  [V2('PodsMetricStatus')]: obj('The current value of a pods metric.', {
    current: ref(V2('MetricValueStatus'), 'The current value.'),
    metric: ref(V2('MetricIdentifier'), 'The metric.'),
  }, { required: ['metric', 'current'] }),
  [V2('ObjectMetricStatus')]: obj('The current value of an object metric.', {
    current: ref(V2('MetricValueStatus'), 'The current value.'),
    describedObject: ref(V2('CrossVersionObjectReference'), 'The object described.'),
    metric: ref(V2('MetricIdentifier'), 'The metric.'),
  }, { required: ['metric', 'current', 'describedObject'] }),
  [V2('ExternalMetricStatus')]: obj('The current value of an external metric.', {
    current: ref(V2('MetricValueStatus'), 'The current value.'),
    metric: ref(V2('MetricIdentifier'), 'The metric.'),
  }, { required: ['metric', 'current'] }),
  [V2('MetricValueStatus')]: obj('The current value of a metric.', {
    averageUtilization: int32('Current average of the resource metric over the pods, as a percentage of their requests.'),
    averageValue: quantity('Current average of the metric over the pods.'),
    value: quantity('Current value of the metric.'),
  }),

  [V1('HorizontalPodAutoscaler')]: kindSchema('Configuration of a horizontal pod autoscaler (the CPU-only form of autoscaling/v2).', gvk('autoscaling', 'v1', 'HorizontalPodAutoscaler'), {
    spec: ref(V1('HorizontalPodAutoscalerSpec'), 'The behaviour of the autoscaler.'),
    status: ref(V1('HorizontalPodAutoscalerStatus'), 'The current information about the autoscaler.'),
  }),
  [V1('HorizontalPodAutoscalerSpec')]: obj('The specification of a horizontal pod autoscaler.', {
    maxReplicas: int32('Upper limit of the replicas the autoscaler may scale up to; not less than minReplicas.'),
    minReplicas: int32('Lower limit of the replicas the autoscaler may scale down to. Defaults to 1.'),
    scaleTargetRef: ref(V1('CrossVersionObjectReference'), 'The target resource to scale.'),
    targetCPUUtilizationPercentage: int32('Target average CPU utilization over the pods, as a percentage of their requests. Default: a default policy.'),
  }, { required: ['scaleTargetRef', 'maxReplicas'] }),
  [V1('CrossVersionObjectReference')]: crossVersionRef('Enough information to identify the referred resource.'),
  [V1('HorizontalPodAutoscalerStatus')]: obj('The current status of a horizontal pod autoscaler.', {
    currentCPUUtilizationPercentage: int32('Current average CPU utilization over the pods, as a percentage of their requests.'),
    currentReplicas: int32('Current number of replicas of the target.'),
    desiredReplicas: int32('Desired number of replicas, as last computed by the autoscaler.'),
    lastScaleTime: timeRef('The last time the autoscaler changed the number of pods.'),
    observedGeneration: int64('The most recent generation observed by this autoscaler.'),
  }, { required: ['currentReplicas', 'desiredReplicas'] }),
};

/** Upstream's numbers (k8s.io/api/autoscaling/{v1,v2}/generated.proto). */
export const autoscalingFieldNumbers: Readonly<Record<string, string>> = {
  'k8s.io.api.autoscaling.v2': `
    ContainerResourceMetricSource: name=1 target=2 container=3
    ContainerResourceMetricStatus: name=1 current=2 container=3
    CrossVersionObjectReference: kind=1 name=2 apiVersion=3
    ExternalMetricSource: metric=1 target=2
    ExternalMetricStatus: metric=1 current=2
    HPAScalingPolicy: type=1 value=2 periodSeconds=3
    HPAScalingRules: stabilizationWindowSeconds=3* selectPolicy=1* policies=2
    HorizontalPodAutoscaler: metadata=1 spec=2 status=3
    HorizontalPodAutoscalerBehavior: scaleUp=1* scaleDown=2*
    HorizontalPodAutoscalerCondition: type=1 status=2 lastTransitionTime=3 reason=4 message=5
    HorizontalPodAutoscalerSpec: scaleTargetRef=1 minReplicas=2* maxReplicas=3 metrics=4 behavior=5*
    HorizontalPodAutoscalerStatus: observedGeneration=1* lastScaleTime=2* currentReplicas=3 desiredReplicas=4
      currentMetrics=5 conditions=6
    MetricIdentifier: name=1 selector=2*
    MetricSpec: type=1 object=2* pods=3* resource=4* containerResource=7* external=5*
    MetricStatus: type=1 object=2* pods=3* resource=4* containerResource=7* external=5*
    MetricTarget: type=1 value=2* averageValue=3* averageUtilization=4*
    MetricValueStatus: value=1* averageValue=2* averageUtilization=3*
    ObjectMetricSource: describedObject=1 target=2 metric=3
    ObjectMetricStatus: metric=1 current=2 describedObject=3
    PodsMetricSource: metric=1 target=2
    PodsMetricStatus: metric=1 current=2
    ResourceMetricSource: name=1 target=2
    ResourceMetricStatus: name=1 current=2
  `,
  'k8s.io.api.autoscaling.v1': `
    CrossVersionObjectReference: kind=1 name=2 apiVersion=3
    HorizontalPodAutoscaler: metadata=1 spec=2 status=3
    HorizontalPodAutoscalerSpec: scaleTargetRef=1 minReplicas=2* maxReplicas=3 targetCPUUtilizationPercentage=4*
    HorizontalPodAutoscalerStatus: observedGeneration=1* lastScaleTime=2* currentReplicas=3 desiredReplicas=4
      currentCPUUtilizationPercentage=5*
  `,
};
