// TokenRequest (POST .../serviceaccounts/<name>/token): a signed token for the ServiceAccount, meant for the given
// audiences (the API server's own by default), living expirationSeconds (3600 by default, at least 600), and bound,
// when the request says so, to a Pod or a Secret of the ServiceAccount's namespace (its uid checked): the token dies
// with that object. A token bound to a pod names the pod's node too.
//
// Tokens asked for with exactly 3607 s and bound to a pod (what admission puts in every pod) are the "extended" tokens
// of Kubernetes' --service-account-extend-token-expiration: they live a year, with `warnafter` at 3607 s, so that old
// client libraries that never reread the file keep working while the node agent refreshes it anyway.
import type { KubeObject } from '../../../lib/api/types.js';
import { ApiError, errors } from '../../errors.js';
import { child, invalid, isObj, notSupported, required, type FieldCause } from '../../validation/field.js';
import { formatInvalidMessage } from '../../validation/index.js';
import type { KubernetesClaim } from './claims.js';
import type { ServiceAccountTokenIssuer } from './issuer.js';
import { minTokenExpirationSeconds, tooShortMessage } from './limits.js';

export const DEFAULT_EXPIRATION_SECONDS = 3600;
/** What the kubelet (and our admission) asks for; such pod-bound tokens are extended when extension is on. */
export const EXTENDED_REQUEST_SECONDS = 3607;
export const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 60 * 60;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const TOKEN_REQUEST = { group: 'authentication.k8s.io', kind: 'TokenRequest' };

export interface TokenRequestDeps {
  issuer: ServiceAccountTokenIssuer;
  apiAudiences: string[];
  extendExpiration: boolean;
  /**
   * --service-account-max-token-expiration in seconds (0 or unset: none): a longer request is shortened to it, with a
   * warning, as Kubernetes does; the extension of pod tokens (above) still applies to what is left.
   */
  maxExpirationSeconds?: number;
  /** A Pod, Secret or Node (cluster-scoped: namespace undefined); undefined when there is none. */
  get(resource: 'pods' | 'secrets' | 'nodes', namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
}

function validate(spec: Record<string, unknown>): FieldCause[] {
  const out: FieldCause[] = [];
  const exp = spec.expirationSeconds;
  const p = 'spec.expirationSeconds';
  if (typeof exp !== 'number' || !Number.isInteger(exp)) out.push(invalid(p, exp, 'must be an integer number of seconds'));
  else if (exp < minTokenExpirationSeconds()) out.push(invalid(p, exp, tooShortMessage()));
  else if (exp > MAX_EXPIRATION_SECONDS) out.push(invalid(p, exp, 'may not specify a duration larger than 2^32 seconds'));
  const aud = spec.audiences;
  if (!Array.isArray(aud) || aud.some((a) => typeof a !== 'string' || !a)) out.push(invalid('spec.audiences', aud, 'must be a list of non-empty strings'));
  const ref = spec.boundObjectRef;
  if (ref !== undefined && ref !== null) {
    const rp = 'spec.boundObjectRef';
    if (!isObj(ref)) out.push(invalid(rp, ref, 'must be an object'));
    else {
      if (ref.kind !== 'Pod' && ref.kind !== 'Secret') out.push(notSupported(child(rp, 'kind'), ref.kind, ['Pod', 'Secret']));
      if (ref.apiVersion !== undefined && ref.apiVersion !== 'v1') out.push(notSupported(child(rp, 'apiVersion'), ref.apiVersion, ['v1']));
      if (typeof ref.name !== 'string' || !ref.name) out.push(required(child(rp, 'name')));
      if (ref.uid !== undefined && typeof ref.uid !== 'string') out.push(invalid(child(rp, 'uid'), ref.uid, 'must be a string'));
    }
  }
  return out;
}

/** Answers a TokenRequest for `sa` (already read): the request with its spec defaulted and status filled in. */
export async function requestToken(d: TokenRequestDeps, sa: KubeObject, body: KubeObject, warnings: string[] = []): Promise<KubeObject> {
  if (!isObj(body)) throw errors.badRequest('the request body must be a TokenRequest object');
  const namespace = sa.metadata.namespace as string;
  const name = sa.metadata.name as string;
  const spec: Record<string, unknown> = isObj(body.spec) ? { ...body.spec } : {};
  spec.expirationSeconds ??= DEFAULT_EXPIRATION_SECONDS;
  const aud = spec.audiences;
  if (aud === undefined || aud === null || (Array.isArray(aud) && !aud.length)) spec.audiences = [...d.apiAudiences];
  const causes = validate(spec);
  if (causes.length) throw errors.invalid(TOKEN_REQUEST, name, formatInvalidMessage('TokenRequest.authentication.k8s.io', name, causes), causes);

  const claim: Omit<KubernetesClaim, 'warnafter'> = { namespace, serviceaccount: { name, uid: sa.metadata.uid as string } };
  type Ref = { kind: 'Pod' | 'Secret'; apiVersion?: string; name: string; uid?: string };
  const ref = isObj(spec.boundObjectRef) ? ({ ...spec.boundObjectRef } as Ref) : undefined;
  if (ref) {
    ref.apiVersion ??= 'v1';
    const resource = ref.kind === 'Pod' ? 'pods' : 'secrets';
    const obj = await d.get(resource, namespace, ref.name);
    if (!obj) throw errors.notFound({ group: '', resource }, ref.name);
    const uid = obj.metadata.uid as string;
    if (ref.uid && ref.uid !== uid) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${ref.kind} "${ref.name}": the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
        { name: ref.name, kind: ref.kind });
    }
    ref.uid = uid;
    if (ref.kind === 'Pod') {
      const podSA = (obj.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName || 'default';
      if (podSA !== name) throw errors.badRequest(`cannot bind token for serviceaccount "${name}" to pod "${ref.name}" running as serviceaccount "${podSA}"`);
      claim.pod = { name: ref.name, uid };
      const nodeName = (obj.spec as { nodeName?: string } | undefined)?.nodeName;
      if (nodeName) {
        const node = await d.get('nodes', undefined, nodeName);
        if (node) claim.node = { name: nodeName, uid: node.metadata.uid as string };
      }
    } else claim.secret = { name: ref.name, uid };
    spec.boundObjectRef = ref;
  }
  const max = d.maxExpirationSeconds ?? 0;
  if (max > 0 && (spec.expirationSeconds as number) > max) {
    warnings.push(`requested expiration of ${spec.expirationSeconds as number} seconds shortened to ${max} seconds`);
    spec.expirationSeconds = max;
  }
  const requested = spec.expirationSeconds as number;
  // only tokens for the API server itself: another audience gets what it asked for
  const extended = d.extendExpiration && ref?.kind === 'Pod' && requested === EXTENDED_REQUEST_SECONDS
    && (spec.audiences as string[]).every((a) => d.apiAudiences.includes(a));
  const issued = await d.issuer.issue({
    audiences: spec.audiences as string[],
    expirationSeconds: extended ? EXTENDED_EXPIRATION_SECONDS : requested,
    warnAfterSeconds: extended ? requested : undefined,
    claim,
  });
  // the lifetime given, as Kubernetes answers it: a node agent refreshes at 80% of it (or after 24 h)
  if (extended) spec.expirationSeconds = EXTENDED_EXPIRATION_SECONDS;
  return {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { name, namespace, creationTimestamp: null as unknown as string },
    spec,
    status: { token: issued.token, expirationTimestamp: issued.expirationTimestamp.toISOString().replace(/\.\d{3}Z$/, 'Z') },
  };
}
