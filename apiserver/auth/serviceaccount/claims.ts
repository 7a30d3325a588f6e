// What a ServiceAccount token says, as Kubernetes' bound tokens say it: the registered claims (iss, sub, aud, exp,
// iat, nbf, jti) and the private `kubernetes.io` claim naming the namespace, the ServiceAccount, and the objects the
// token is bound to (a pod and the node it runs on, or a Secret), each by name and uid; `warnafter` on tokens whose
// lifetime was extended for old clients.
import type { UserInfo } from '../index.js';

export interface ObjectRef {
  name: string;
  uid: string;
}

export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  /** Seconds since the epoch after which a client should have refreshed the token (extended tokens only). */
  warnafter?: number;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaim;
}

export const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/** Extra keys Kubernetes sets on a ServiceAccount token's user. */
export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

/** The user a token's claims stand for. */
export function userOf(c: TokenClaims): UserInfo {
  const k = c['kubernetes.io'];
  const extra: Record<string, string[]> = {};
  if (k.pod) {
    extra[EXTRA_POD_NAME] = [k.pod.name];
    extra[EXTRA_POD_UID] = [k.pod.uid];
  }
  if (k.node) {
    extra[EXTRA_NODE_NAME] = [k.node.name];
    if (k.node.uid) extra[EXTRA_NODE_UID] = [k.node.uid];
  }
  if (c.jti) extra[EXTRA_CREDENTIAL_ID] = [`JTI=${c.jti}`];
  return {
    username: serviceAccountUsername(k.namespace, k.serviceaccount.name),
    uid: k.serviceaccount.uid,
    groups: [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${k.namespace}`],
    extra,
  };
}

const isRef = (v: unknown): v is ObjectRef => !!v && typeof v === 'object' && typeof (v as ObjectRef).name === 'string' && typeof (v as ObjectRef).uid === 'string';

/** The `kubernetes.io` claim of a verified payload, checked for shape; undefined when it is not a bound token's. */
export function kubernetesClaim(payload: Record<string, unknown>): KubernetesClaim | undefined {
  const k = payload['kubernetes.io'] as Partial<KubernetesClaim> | undefined;
  if (!k || typeof k !== 'object' || typeof k.namespace !== 'string' || !isRef(k.serviceaccount)) return undefined;
  for (const f of ['pod', 'secret', 'node'] as const) if (k[f] !== undefined && !isRef(k[f])) return undefined;
  return k as KubernetesClaim;
}
