// admissionregistration.k8s.io/v1 MutatingWebhookConfiguration and ValidatingWebhookConfiguration: which writes the
// API server sends to an admission webhook (rules, selectors), how it reaches it (a URL or a Service, with the CA to
// trust) and what a failure means (failurePolicy). With the protobuf field numbers of upstream's generated.proto.
// matchConditions (CEL) are declared so that a configuration naming them is refused clearly (the webhooks do not
// evaluate them yet) rather than having them pruned and its webhook called for more than it asked.
import { arr, bytes, enumStr, gvk, int32, kindSchema, mergeList, metaRef, obj, ref, str, type Schema } from './dsl.js';

const A = (n: string): string => `io.k8s.api.admissionregistration.v1.${n}`;

const webhookCommon = (): Record<string, Schema> => ({
  admissionReviewVersions: arr(str(), 'The AdmissionReview versions the webhook accepts, in order of preference; the API server uses the first it speaks (v1, v1beta1). Required.'),
  clientConfig: ref(A('WebhookClientConfig'), 'How to reach the webhook: a URL or a Service, and the CA to trust.'),
  failurePolicy: enumStr(['Fail', 'Ignore'], 'What a webhook that cannot be called (down, timed out, an invalid answer) means: Fail refuses the write, Ignore lets it through. Defaults to Fail.'),
  matchConditions: mergeList(ref(A('MatchCondition')), 'CEL conditions a request must meet to be sent to the webhook. Not supported by this server: a non-empty list is refused.', 'name'),
  matchPolicy: enumStr(['Equivalent', 'Exact'], 'Exact: only requests to a group/version/resource the rules name; Equivalent: also requests to the same objects through another version. Defaults to Equivalent.'),
  name: str('The webhook\'s name, a domain of at least three segments (imagepolicy.example.com), unique in its configuration.'),
  namespaceSelector: metaRef('LabelSelector', 'Calls the webhook only for objects in namespaces whose labels match (a Namespace is matched by its own labels; other cluster-scoped objects always match). Defaults to the empty selector, which matches everything.'),
  objectSelector: metaRef('LabelSelector', 'Calls the webhook only when the new or the old object\'s labels match. Defaults to the empty selector, which matches everything.'),
  rules: arr(ref(A('RuleWithOperations')), 'The operations on resources the webhook is called for (any rule matching suffices). Never called for webhook configurations themselves.'),
  sideEffects: enumStr(['None', 'NoneOnDryRun', 'Some', 'Unknown'], 'Whether calling the webhook has effects beyond its answer: None or NoneOnDryRun (v1 accepts only these); a dry-run request matching a webhook with Some or Unknown is refused.'),
  timeoutSeconds: int32('How long to wait for the webhook, 1 to 30 seconds; then failurePolicy decides. Defaults to 10.'),
});

export const admissionregistrationSchemas: Record<string, Schema> = {
  [A('MutatingWebhookConfiguration')]: kindSchema('Admission webhooks that may change objects before they are stored (JSON patches), called in order of configuration name, then webhook.',
    gvk('admissionregistration.k8s.io', 'v1', 'MutatingWebhookConfiguration'), {
      webhooks: mergeList(ref(A('MutatingWebhook')), 'The webhooks and the requests they are called for.', 'name'),
    }),
  [A('ValidatingWebhookConfiguration')]: kindSchema('Admission webhooks that accept or refuse writes without changing them, called in parallel after the mutating ones and the built-in checks.',
    gvk('admissionregistration.k8s.io', 'v1', 'ValidatingWebhookConfiguration'), {
      webhooks: mergeList(ref(A('ValidatingWebhook')), 'The webhooks and the requests they are called for.', 'name'),
    }),
  [A('MutatingWebhook')]: obj('An admission webhook that may change the objects it is called for.', {
    ...webhookCommon(),
    reinvocationPolicy: enumStr(['IfNeeded', 'Never'], 'IfNeeded: called once more when a later mutating webhook changed the object after this one was called. Defaults to Never.'),
  }, { required: ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'] }),
  [A('ValidatingWebhook')]: obj('An admission webhook that accepts or refuses the writes it is called for.', webhookCommon(),
    { required: ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'] }),
  [A('MatchCondition')]: obj('A CEL condition on the request (not supported by this server).', {
    expression: str('The CEL expression; must evaluate to a bool.'),
    name: str('The condition\'s name, unique in the webhook.'),
  }, { required: ['name', 'expression'] }),
  [A('WebhookClientConfig')]: obj('How to reach a webhook over HTTPS: exactly one of url and service.', {
    caBundle: bytes('PEM certificates to verify the webhook\'s serving certificate with (base64 in JSON); the system roots when empty.'),
    service: ref(A('ServiceReference'), 'A Service in the cluster: the call goes to a ready endpoint of it, verified for the name <name>.<namespace>.svc.'),
    url: str('https://host[:port][/path]: no user, query nor fragment.'),
  }),
  [A('ServiceReference')]: obj('A Service a webhook runs behind.', {
    name: str('The Service\'s name.'),
    namespace: str('The Service\'s namespace.'),
    path: str('The URL path requests are sent to.'),
    port: int32('The Service port (not the target port), 1-65535. Defaults to 443.'),
  }, { required: ['namespace', 'name'] }),
  [A('RuleWithOperations')]: obj('Operations on resources: a request matches when its operation, group, version, resource and scope each match.', {
    apiGroups: arr(str(), 'The API groups ("" the core group, "*" all); "*" must be alone.'),
    apiVersions: arr(str(), 'The API versions ("*" all); "*" must be alone.'),
    operations: arr(str(), 'CREATE, UPDATE, DELETE, CONNECT, or "*" for all (alone).'),
    resources: arr(str(), '"pods", "pods/status", "pods/*" (every subresource of pods), "*" (every resource, no subresource), "*/*" (everything), "*/status".'),
    scope: enumStr(['*', 'Cluster', 'Namespaced'], 'Cluster: cluster-scoped objects (and Namespaces); Namespaced: namespaced objects; "*": both (the default).'),
  }),
};

/** Upstream's numbers (k8s.io/api/admissionregistration/v1/generated.proto). */
export const admissionregistrationFieldNumbers: Readonly<Record<string, string>> = {
  'k8s.io.api.admissionregistration.v1': `
    MutatingWebhook: name=1 clientConfig=2 rules=3 failurePolicy=4* matchPolicy=9* namespaceSelector=5* objectSelector=11*
      sideEffects=6* timeoutSeconds=7* admissionReviewVersions=8 reinvocationPolicy=10* matchConditions=12
    MatchCondition: name=1 expression=2
    MutatingWebhookConfiguration: metadata=1 webhooks=2
    Rule: apiGroups=1 apiVersions=2 resources=3 scope=4*
    RuleWithOperations: operations=1 ...rule=2:Rule
    ServiceReference: namespace=1 name=2 path=3* port=4*
    ValidatingWebhook: name=1 clientConfig=2 rules=3 failurePolicy=4* matchPolicy=9* namespaceSelector=5* objectSelector=10*
      sideEffects=6* timeoutSeconds=7* admissionReviewVersions=8 matchConditions=11
    ValidatingWebhookConfiguration: metadata=1 webhooks=2
    WebhookClientConfig: url=3* service=1* caBundle=2
  `,
};
