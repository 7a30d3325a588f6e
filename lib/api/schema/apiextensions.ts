// apiextensions.k8s.io/v1 CustomResourceDefinition, with its protobuf field numbers (apiextensionsFieldNumbers, from
// upstream's generated.proto). A version's openAPIV3Schema is kept as free-form JSON here (as an embedded object):
// its own rules (structural schemas) are checked by apiserver/apiextensions/structural.ts, which words them as
// Kubernetes does; a typed JSONSchemaProps would prune the `x-kubernetes-*` keys it did not list.
import { RAW_EXTENSION, arr, bool, enumStr, gvk, int32, int64, kindSchema, mergeList, obj, ref, str, timeRef, withExt, type Schema } from './dsl.js';

export const APIEXTENSIONS = 'io.k8s.api.apiextensions.v1.';
const X = (n: string): string => APIEXTENSIONS + n;

export const apiextensionsSchemas: Record<string, Schema> = {
  [X('CustomResourceDefinition')]: kindSchema('Makes a new kind of resource served by the API server; its name must be `<plural>.<group>`.',
    gvk('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'), {
      spec: ref(X('CustomResourceDefinitionSpec'), 'The resource the definition describes.'),
      status: ref(X('CustomResourceDefinitionStatus'), 'The actual state of the definition.'),
    }, ['spec']),

  [X('CustomResourceDefinitionSpec')]: obj('How a custom resource is named, scoped, versioned and checked.', {
    conversion: ref(X('CustomResourceConversion'), 'How versions are converted; only None (apiVersion is all that changes) is served.'),
    group: str('The API group of the resource (`example.com`), served at /apis/<group>/...; must match the name\'s suffix.'),
    names: ref(X('CustomResourceDefinitionNames'), 'The resource and kind names to serve.'),
    preserveUnknownFields: bool('Deprecated: must be false in apiextensions.k8s.io/v1 (unknown fields are pruned).'),
    scope: str('Namespaced or Cluster.'),
    versions: arr(ref(X('CustomResourceDefinitionVersion')), 'Every version served; exactly one has storage true.'),
  }, { required: ['group', 'names', 'scope', 'versions'] }),

  [X('CustomResourceDefinitionNames')]: obj('The names a custom resource is served under.', {
    categories: arr(str(), 'Groups the resource belongs to (`all`, for `kubectl get all`).'),
    kind: str('The CamelCase kind of the objects.'),
    listKind: str('The kind of a list of them; `<kind>List` by default.'),
    plural: str('The lower-case plural name served in the URL: /apis/<group>/<version>/.../<plural>.'),
    shortNames: arr(str(), 'Short lower-case names (`kubectl get ws`).'),
    singular: str('The lower-case singular name; the lower-cased kind by default.'),
  }, { required: ['plural', 'kind'] }),

  [X('CustomResourceDefinitionVersion')]: obj('One version of a custom resource.', {
    additionalPrinterColumns: arr(ref(X('CustomResourceColumnDefinition')), 'Extra columns of `kubectl get` (after Name; Age is added unless a column is named Age).'),
    deprecated: bool('The version is deprecated; requests to it get a warning.'),
    deprecationWarning: str('The warning deprecated requests get instead of the default one.'),
    name: str('The version name (`v1`, `v1beta1`), served at /apis/<group>/<name>/...'),
    schema: ref(X('CustomResourceValidation'), 'How objects of this version are validated, pruned and defaulted.'),
    served: bool('Whether this version is served by the REST API.'),
    storage: bool('Whether objects are stored in this version; exactly one version has it.'),
    subresources: ref(X('CustomResourceSubresources'), 'The status and scale subresources served for this version.'),
  }, { required: ['name', 'served', 'storage'] }),

  [X('CustomResourceValidation')]: obj('The schema of a version.', {
    openAPIV3Schema: withExt(ref(RAW_EXTENSION), { description: 'The structural OpenAPI v3 schema of the objects.' }),
  }),

  [X('CustomResourceSubresources')]: obj('The subresources of a version.', {
    scale: ref(X('CustomResourceSubresourceScale'), 'Serves /scale as an autoscaling/v1 Scale.'),
    status: withExt(ref(RAW_EXTENSION), { description: 'Serves /status: the main resource then ignores status, /status everything else. An empty object.' }),
  }),

  [X('CustomResourceSubresourceScale')]: obj('Where the scale subresource finds replicas and the selector.', {
    labelSelectorPath: str('JSON path (`.status.selector`) of the label selector, a string, under .status or .spec.'),
    specReplicasPath: str('JSON path (`.spec.replicas`) of the desired replicas, under .spec.'),
    statusReplicasPath: str('JSON path (`.status.replicas`) of the observed replicas, under .status.'),
  }, { required: ['specReplicasPath', 'statusReplicasPath'] }),

  [X('CustomResourceColumnDefinition')]: obj('One additional column of `kubectl get`.', {
    description: str('What the column shows.'),
    format: str('An OpenAPI format hint for the column.'),
    jsonPath: str('A simple JSON path (`.spec.replicas`) evaluated on each object.'),
    name: str('The column header.'),
    priority: int32('0: always shown; more: only with -o wide.'),
    type: str('integer, number, string, boolean or date.'),
  }, { required: ['name', 'type', 'jsonPath'] }),

  [X('CustomResourceConversion')]: obj('How objects are converted between versions.', {
    strategy: enumStr(['None', 'Webhook'], 'None: only apiVersion changes. Webhook is not served.'),
  }, { required: ['strategy'] }),

  [X('CustomResourceDefinitionStatus')]: obj('The observed state of a definition.', {
    acceptedNames: ref(X('CustomResourceDefinitionNames'), 'The names actually served; they may differ from spec.names while those conflict.'),
    conditions: mergeList(ref(X('CustomResourceDefinitionCondition')), 'NamesAccepted and Established.', 'type'),
    storedVersions: arr(str(), 'Every version objects were ever stored in.'),
  }),

  [X('CustomResourceDefinitionCondition')]: obj('One condition of a definition.', {
    lastTransitionTime: timeRef('When the condition last changed status.'),
    message: str('A human-readable explanation.'),
    observedGeneration: int64('The generation the condition was set for.'),
    reason: str('A CamelCase reason for the last transition.'),
    status: str('True, False or Unknown.'),
    type: str('NamesAccepted, Established or Terminating.'),
  }, { required: ['type', 'status'] }),
};

/** Upstream's numbers (k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1/generated.proto). */
export const apiextensionsFieldNumbers: Readonly<Record<string, string>> = {
  'k8s.io.api.apiextensions.v1': `
    CustomResourceDefinition: metadata=1 spec=2 status=3
    CustomResourceDefinitionSpec: group=1 names=3 scope=4 versions=7 conversion=9* preserveUnknownFields=10
    CustomResourceDefinitionNames: plural=1 singular=2 shortNames=3 kind=4 listKind=5 categories=6
    CustomResourceDefinitionVersion: name=1 served=2 storage=3 schema=4* subresources=5* additionalPrinterColumns=6
      deprecated=7 deprecationWarning=8*
    CustomResourceValidation: openAPIV3Schema=1*
    CustomResourceSubresources: status=1* scale=2*
    CustomResourceSubresourceScale: specReplicasPath=1 statusReplicasPath=2 labelSelectorPath=3*
    CustomResourceColumnDefinition: name=1 type=2 format=3 description=4 priority=5 jsonPath=6
    CustomResourceConversion: strategy=1
    CustomResourceDefinitionStatus: conditions=1 acceptedNames=2 storedVersions=3
    CustomResourceDefinitionCondition: type=1 status=2 lastTransitionTime=3 reason=4 message=5 observedGeneration=6
  `,
};
