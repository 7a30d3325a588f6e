// authorization.k8s.io/v1 access reviews (SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectAccessReview,
// SelfSubjectRulesReview) and authentication.k8s.io SelfSubjectReview (v1, v1beta1, v1alpha1): objects a client
// creates to ask a question and gets back answered, never stored. With their protobuf field numbers from upstream's
// generated.proto. `extra` (map<string, ExtraValue>) is left out: no authenticator here gives users extras.
import { arr, bool, gvk, kindSchema, obj, ref, str, type Schema } from './dsl.js';

export const AUTHZ = 'io.k8s.api.authorization.v1.';
const A = (n: string): string => AUTHZ + n;

const review = (kind: string, description: string, spec: string): Schema =>
  kindSchema(description, gvk('authorization.k8s.io', 'v1', kind), {
    spec: ref(A(spec), 'What is asked.'),
    status: ref(A(kind === 'SelfSubjectRulesReview' ? 'SubjectRulesReviewStatus' : 'SubjectAccessReviewStatus'), 'The server\'s answer.'),
  }, ['spec']);

const attributes = {
  nonResourceAttributes: ref(A('NonResourceAttributes'), 'A request for a non-resource path.'),
  resourceAttributes: ref(A('ResourceAttributes'), 'A request for a resource.'),
};

export const authorizationSchemas: Record<string, Schema> = {
  [A('ResourceAttributes')]: obj('The attributes of a resource request, as an authorizer sees them.', {
    group: str('The API group ("*" any).'),
    name: str('The object\'s name; empty for all (list, create).'),
    namespace: str('The namespace; "" means all namespaces for namespaced resources, and cluster scope otherwise.'),
    resource: str('The resource ("*" any).'),
    subresource: str('The subresource ("" none).'),
    verb: str('A Kubernetes resource verb (get, list, watch, create, update, patch, delete, deletecollection, or any other such as use, bind, impersonate; "*" any).'),
    version: str('The API version ("*" any).'),
  }),
  [A('NonResourceAttributes')]: obj('The attributes of a non-resource request.', {
    path: str('The URL path.'),
    verb: str('The HTTP verb, lower-cased.'),
  }),
  [A('SubjectAccessReviewSpec')]: obj('A request and who makes it. Exactly one of resourceAttributes and nonResourceAttributes must be set.', {
    ...attributes,
    groups: arr(str(), 'The groups of the user.'),
    uid: str('The user\'s UID.'),
    user: str('The user (a user, or a group in `groups`, must be given).'),
  }),
  [A('SelfSubjectAccessReviewSpec')]: obj('A request the caller asks about for itself. Exactly one of the attributes must be set.', attributes),
  [A('SelfSubjectRulesReviewSpec')]: obj('The namespace to list the caller\'s rules in.', { namespace: str('The namespace to evaluate rules for. Required.') }),
  [A('SubjectAccessReviewStatus')]: obj('Whether the request would be allowed.', {
    allowed: bool('The request is allowed.'),
    denied: bool('The request is denied outright (no later authorizer could allow it).'),
    evaluationError: str('Why the decision may be incomplete.'),
    reason: str('Why the request is allowed or denied.'),
  }, { required: ['allowed'] }),
  [A('ResourceRule')]: obj('What a subject may do with resources (may be a superset of the truth, never a subset).', {
    apiGroups: arr(str(), 'API groups ("*" all).'),
    resourceNames: arr(str(), 'Object names ("*" or empty: all).'),
    resources: arr(str(), 'Resources ("*" all, "*/foo" subresource foo of all).'),
    verbs: arr(str(), 'Verbs ("*" all).'),
  }, { required: ['verbs'] }),
  [A('NonResourceRule')]: obj('What a subject may do with non-resource URLs.', {
    nonResourceURLs: arr(str(), 'Partial URLs ("*" all; a trailing "*" a prefix).'),
    verbs: arr(str(), 'Verbs ("*" all).'),
  }, { required: ['verbs'] }),
  [A('SubjectRulesReviewStatus')]: obj('The rules a subject has in a namespace; incomplete when they cannot all be listed.', {
    evaluationError: str('Why the list may be incomplete.'),
    incomplete: bool('The list is incomplete (an authorizer that cannot list its rules had a say).'),
    nonResourceRules: arr(ref(A('NonResourceRule')), 'Non-resource URL rules.'),
    resourceRules: arr(ref(A('ResourceRule')), 'Resource rules.'),
  }, { required: ['resourceRules', 'nonResourceRules', 'incomplete'] }),
  [A('SubjectAccessReview')]: review('SubjectAccessReview', 'Asks whether a user or group may do something.', 'SubjectAccessReviewSpec'),
  [A('LocalSubjectAccessReview')]: review('LocalSubjectAccessReview', 'Asks whether a user or group may do something in one namespace (the URL\'s).', 'SubjectAccessReviewSpec'),
  [A('SelfSubjectAccessReview')]: review('SelfSubjectAccessReview', 'Asks whether the caller may do something.', 'SelfSubjectAccessReviewSpec'),
  [A('SelfSubjectRulesReview')]: review('SelfSubjectRulesReview', 'Lists what the caller may do in a namespace.', 'SelfSubjectRulesReviewSpec'),
};

const selfSubjectReview = (version: string): Record<string, Schema> => {
  const N = (n: string): string => `io.k8s.api.authentication.${version}.${n}`;
  return {
    [N('UserInfo')]: obj('A user as the authenticator found it.', {
      groups: arr(str(), 'The groups the user is in.'),
      uid: str('A unique value for the user across time.'),
      username: str('The name of the user.'),
    }),
    [N('SelfSubjectReviewStatus')]: obj('Who the caller is.', { userInfo: ref(N('UserInfo'), 'The caller as the server sees it.') }),
    [N('SelfSubjectReview')]: kindSchema('Returns the user attributes the API server found for the caller (kubectl auth whoami).', gvk('authentication.k8s.io', version, 'SelfSubjectReview'), {
      status: ref(N('SelfSubjectReviewStatus'), 'Filled in by the server.'),
    }),
  };
};

export const selfSubjectReviewSchemas: Record<string, Schema> = { ...selfSubjectReview('v1'), ...selfSubjectReview('v1beta1'), ...selfSubjectReview('v1alpha1') };

const selfSubjectReviewNumbers = `
    SelfSubjectReview: metadata=1 status=2
    SelfSubjectReviewStatus: userInfo=1
  `;
const authnNumbers = `${selfSubjectReviewNumbers}    UserInfo: username=1 uid=2 groups=3
  `;

/** Upstream's protobuf field numbers of these types (syntax: apiserver/protobuf/numbers.ts). */
export const authorizationFieldNumbers: Readonly<Record<string, string>> = {
  'k8s.io.api.authorization.v1': `
    LocalSubjectAccessReview: metadata=1 spec=2 status=3
    NonResourceAttributes: path=1 verb=2
    NonResourceRule: verbs=1 nonResourceURLs=2
    ResourceAttributes: namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7
    ResourceRule: verbs=1 apiGroups=2 resources=3 resourceNames=4
    SelfSubjectAccessReview: metadata=1 spec=2 status=3
    SelfSubjectAccessReviewSpec: resourceAttributes=1* nonResourceAttributes=2*
    SelfSubjectRulesReview: metadata=1 spec=2 status=3
    SelfSubjectRulesReviewSpec: namespace=1
    SubjectAccessReview: metadata=1 spec=2 status=3
    SubjectAccessReviewSpec: resourceAttributes=1* nonResourceAttributes=2* user=3 groups=4 uid=6
    SubjectAccessReviewStatus: allowed=1 denied=4 reason=2 evaluationError=3
    SubjectRulesReviewStatus: resourceRules=1 nonResourceRules=2 incomplete=3 evaluationError=4
  `,
  // joined with authentication.ts's table of v1 (TokenRequest, TokenReview and UserInfo are there)
  'k8s.io.api.authentication.v1': selfSubjectReviewNumbers,
  'k8s.io.api.authentication.v1beta1': authnNumbers,
  'k8s.io.api.authentication.v1alpha1': authnNumbers,
};
