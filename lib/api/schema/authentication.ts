// core/v1 ServiceAccount and authentication.k8s.io/v1 TokenRequest (the serviceaccounts/token subresource) and
// TokenReview, with the protobuf field numbers of the authentication group (authenticationFieldNumbers; the
// ServiceAccount's, a core/v1 type, are in apiserver/protobuf/numbers.ts).
import { arr, bool, coreRef, gvk, int64, kindSchema, mergeList, obj, ref, str, timeRef, type Schema } from './dsl.js';

export const AUTHENTICATION = 'io.k8s.api.authentication.v1.';
const AU = (n: string): string => AUTHENTICATION + n;
/** The schema of the serviceaccounts/token subresource's body and answer. */
export const TOKEN_REQUEST_SCHEMA = AU('TokenRequest');

// `extra` (map of string lists, protobuf's map<string, ExtraValue>) is left out of the schema: the protobuf message
// generator has no wire form for a map of lists yet. Answers still carry it (they are not pruned); a request's
// status.user.extra is dropped, which is what the server overwrites anyway.
const userInfo = obj('The information about the user needed to implement the user.Info interface. Answers also carry `extra`, any additional information provided by the authenticator (a map of string lists).', {
  groups: arr(str(), 'The names of groups this user is a part of.'),
  uid: str('A unique value that identifies this user across time: if this user is deleted and another user by the same name is added, they will have different UIDs.'),
  username: str('The name that uniquely identifies this user among all active users.'),
});

export const authenticationSchemas: Record<string, Schema> = {
  'io.k8s.api.core.v1.ServiceAccount': kindSchema('Binds together a name, understood by users and perhaps by peripheral systems, for an identity; a principal that can be authenticated and authorized; and a set of secrets.', gvk('', 'v1', 'ServiceAccount'), {
    automountServiceAccountToken: bool('Whether pods running as this service account should have an API token automatically mounted. Can be overridden at the pod level.'),
    imagePullSecrets: arr(coreRef('LocalObjectReference'), 'Secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount; added to such pods that have none of their own.'),
    secrets: mergeList(coreRef('ObjectReference'), 'Secrets in the same namespace that pods running as this ServiceAccount may use (legacy).', 'name'),
  }),

  [AU('BoundObjectReference')]: obj('A reference to an object that a token is bound to.', {
    apiVersion: str('API version of the referent.'),
    kind: str('Kind of the referent. Valid kinds are \'Pod\' and \'Secret\'.'),
    name: str('Name of the referent.'),
    uid: str('UID of the referent.'),
  }),

  [AU('TokenRequest')]: kindSchema('Requests a token for a given service account.', gvk('authentication.k8s.io', 'v1', 'TokenRequest'), {
    spec: ref(AU('TokenRequestSpec'), 'Parameters of the token request.'),
    status: ref(AU('TokenRequestStatus'), 'Filled in by the server: the token and when it expires.'),
  }, ['spec']),

  [AU('TokenRequestSpec')]: obj('Client provided parameters of a token request.', {
    audiences: arr(str(), 'The intended audiences of the token; defaults to the API server\'s own audiences.'),
    boundObjectRef: ref(AU('BoundObjectReference'), 'An object (a Pod or a Secret) the token is bound to: the token is valid only as long as it exists.'),
    expirationSeconds: int64('The requested duration of validity; at least 600, 3600 by default.'),
  }, { required: ['audiences'] }),

  [AU('TokenRequestStatus')]: obj('The result of a token request.', {
    expirationTimestamp: timeRef('The time of expiration of the returned token.'),
    token: str('The opaque bearer token.'),
  }, { required: ['token', 'expirationTimestamp'] }),

  [AU('TokenReview')]: kindSchema('Attempts to authenticate a token to a known user.', gvk('authentication.k8s.io', 'v1', 'TokenReview'), {
    spec: ref(AU('TokenReviewSpec'), 'The token to check.'),
    status: ref(AU('TokenReviewStatus'), 'Filled in by the server: whether the token is authenticated, and as whom.'),
  }, ['spec']),

  [AU('TokenReviewSpec')]: obj('A description of the token authentication request.', {
    audiences: arr(str(), 'Identifiers the resource server presented with the token identifies as; the API server\'s own audiences when empty.'),
    token: str('The opaque bearer token.'),
  }),

  [AU('TokenReviewStatus')]: obj('The result of the token authentication request.', {
    audiences: arr(str(), 'The audiences, of those asked for, the token is good for.'),
    authenticated: bool('Whether the token is associated with a known user.'),
    error: str('Why the token could not be checked.'),
    user: ref(AU('UserInfo'), 'The user associated with the token.'),
  }),

  [AU('UserInfo')]: userInfo,
};

/** Upstream's protobuf field numbers of the authentication.k8s.io/v1 types above. */
export const authenticationFieldNumbers: Readonly<Record<string, string>> = {
  'k8s.io.api.authentication.v1': `
    BoundObjectReference: kind=1 apiVersion=2 name=3 uid=4
    TokenRequest: metadata=1 spec=2 status=3
    TokenRequestSpec: audiences=1 expirationSeconds=4* boundObjectRef=3*
    TokenRequestStatus: token=1 expirationTimestamp=2
    TokenReview: metadata=1 spec=2 status=3
    TokenReviewSpec: token=1 audiences=2
    TokenReviewStatus: authenticated=1 user=2 audiences=4 error=3
    UserInfo: username=1 uid=2 groups=3
  `,
};
