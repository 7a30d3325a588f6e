// The AdmissionReview exchanged with a webhook (admission.k8s.io/v1, or v1beta1 for webhooks that only speak it:
// the same shape), and what the API server makes of the answer, in Kubernetes' words: a refusal as
// `admission webhook "x" denied the request: ...` with the webhook's code (400 when it gave none below 400), an
// answer that breaks the protocol as a failure to call the webhook (failurePolicy decides), a JSON patch applied to
// the object.
import { randomUUID } from 'node:crypto';
import { jsonPatch } from '../../../lib/api/patch/index.js';
import { deepEqual, isObject } from '../../../lib/api/patch/errors.js';
import type { KubeObject, StatusDetails } from '../../../lib/api/types.js';
import { ApiError, errors } from '../../errors.js';
import type { AdmissionAttributes, Webhook } from './types.js';

export const REVIEW_VERSIONS = ['v1', 'v1beta1'];

/** A webhook could not be called or broke the protocol: failurePolicy decides (Kubernetes' ErrCallingWebhook). */
export class WebhookCallError extends Error {
  constructor(readonly webhook: string, readonly reason: string) {
    super(`failed calling webhook ${JSON.stringify(webhook)}: ${reason}`);
  }
}

/** The review version the webhook gets: the first of its list the API server speaks. */
export function reviewVersion(h: Webhook): string | undefined {
  return h.admissionReviewVersions.find((v) => REVIEW_VERSIONS.includes(v));
}

function optionsFor(a: AdmissionAttributes): Record<string, unknown> {
  const kind = a.operation === 'CREATE' ? 'CreateOptions' : a.operation === 'UPDATE' ? 'UpdateOptions' : a.operation === 'DELETE' ? 'DeleteOptions' : undefined;
  if (!kind) return a.options ?? {};
  const out: Record<string, unknown> = { kind, apiVersion: 'meta.k8s.io/v1', ...(a.options ?? {}) };
  if (a.dryRun) out.dryRun = ['All'];
  return out;
}

export interface ReviewRequest {
  uid: string;
  body: Record<string, unknown>;
}

/** The AdmissionReview for one call (a fresh uid each: the answer must carry it back). */
export function buildReview(a: AdmissionAttributes, version: string): ReviewRequest {
  const uid = randomUUID();
  const { group, version: v, resource } = a.kind;
  const kind = a.objectKind ?? { group, version: v, kind: a.kind.kind };
  const request: Record<string, unknown> = {
    uid,
    kind,
    resource: { group, version: v, resource },
    requestKind: kind,
    requestResource: { group, version: v, resource },
    operation: a.operation,
    userInfo: a.user ? { username: a.user.username, ...(a.user.uid ? { uid: a.user.uid } : {}), groups: a.user.groups,
      ...(a.user.extra ? { extra: a.user.extra } : {}) } : {},
    object: a.object ?? null,
    oldObject: a.oldObject ?? null,
    dryRun: a.dryRun,
    options: optionsFor(a),
  };
  if (a.subresource) {
    request.subResource = a.subresource;
    request.requestSubResource = a.subresource;
  }
  if (a.name) request.name = a.name;
  if (a.namespace) request.namespace = a.namespace;
  return { uid, body: { apiVersion: `admission.k8s.io/${version}`, kind: 'AdmissionReview', request } };
}

export interface AdmissionResponse {
  allowed: boolean;
  status?: Record<string, unknown>;
  /** The decoded JSON patch operations (mutating webhooks). */
  patch?: unknown[];
  warnings: string[];
}

const invalidResponse = (h: Webhook, why: string) => new WebhookCallError(h.name, `received invalid webhook response: ${why}`);

/** Checks an answer as Kubernetes' VerifyAdmissionResponse does, and decodes its patch. */
export function verifyResponse(h: Webhook, uid: string, version: string, review: unknown, mutating: boolean): AdmissionResponse {
  const r = isObject(review) ? review : {};
  const resp = isObject(r.response) ? r.response : undefined;
  if (!resp) throw invalidResponse(h, 'webhook response was absent');
  if (version === 'v1') {
    if (resp.uid !== uid) throw invalidResponse(h, `expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(String(resp.uid ?? ''))}`);
    if (r.apiVersion !== 'admission.k8s.io/v1' || r.kind !== 'AdmissionReview') {
      const [g, v] = String(r.apiVersion ?? '').includes('/') ? String(r.apiVersion).split('/', 2) : ['', String(r.apiVersion ?? '')];
      throw invalidResponse(h, `expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${g ? `${g}/` : ''}${v}, Kind=${String(r.kind ?? '')}`);
    }
  }
  const patchB64 = typeof resp.patch === 'string' ? resp.patch : '';
  // v1beta1 took a patch without a type as a JSON patch
  const patchType = typeof resp.patchType === 'string' ? resp.patchType : version === 'v1beta1' && patchB64 ? 'JSONPatch' : '';
  if (mutating) {
    if (patchB64 && !patchType) throw invalidResponse(h, 'webhook returned response.patch but not response.patchType');
    if (patchType && !patchB64) throw invalidResponse(h, 'webhook returned response.patchType but not response.patch');
    if (patchType && patchType !== 'JSONPatch') throw invalidResponse(h, `webhook returned invalid response.patchType of ${JSON.stringify(patchType)}`);
  } else if (patchB64 || patchType) {
    throw invalidResponse(h, 'validating webhook may not return response.patch or response.patchType');
  }
  const out: AdmissionResponse = {
    allowed: resp.allowed === true,
    warnings: Array.isArray(resp.warnings) ? resp.warnings.filter((w): w is string => typeof w === 'string') : [],
  };
  if (isObject(resp.status)) out.status = resp.status;
  if (patchB64) {
    let ops: unknown;
    try {
      ops = JSON.parse(Buffer.from(patchB64, 'base64').toString('utf8'));
    } catch (e) {
      throw new WebhookCallError(h.name, `received undecodable patch in webhook response: ${(e as Error).message}`);
    }
    if (!Array.isArray(ops)) throw new WebhookCallError(h.name, 'received undecodable patch in webhook response: json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    out.patch = ops;
  }
  return out;
}

/** A refusal, as Kubernetes' ToStatusErr words it: the webhook's code (at least 400), reason and details kept. */
export function denial(webhook: string, status: Record<string, unknown> | undefined): ApiError {
  const s = status ?? {};
  const deniedBy = `admission webhook ${JSON.stringify(webhook)} denied the request`;
  const code = typeof s.code === 'number' && s.code >= 400 && s.code < 600 ? s.code : 400;
  const message = typeof s.message === 'string' && s.message ? `${deniedBy}: ${s.message}`
    : typeof s.reason === 'string' && s.reason ? `${deniedBy}: ${s.reason}` : `${deniedBy} without explanation`;
  const reason = typeof s.reason === 'string' ? s.reason : '';
  return new ApiError(code, reason, message, isObject(s.details) ? (s.details as StatusDetails) : undefined);
}

/**
 * Applies a mutating webhook's patch to the object; true when it changed it. A patch that fails to apply, or turns
 * the object into another kind, is an internal error (not subject to failurePolicy), as in Kubernetes.
 */
export function applyWebhookPatch(h: Webhook, a: AdmissionAttributes, ops: unknown[]): boolean {
  if (!ops.length) return false;
  if (!a.object) throw errors.internal(`admission webhook ${JSON.stringify(h.name)} attempted to modify the object, which is not supported for this operation`);
  let patched: unknown;
  try {
    patched = jsonPatch(a.object, ops);
  } catch (e) {
    throw errors.internal((e as Error).message);
  }
  if (!isObject(patched) || !isObject(patched.metadata)) throw errors.internal(`admission webhook ${JSON.stringify(h.name)} patched the object into one that is not a ${a.kind.kind}`);
  if (patched.apiVersion !== a.object.apiVersion || patched.kind !== a.object.kind) {
    throw errors.internal(`admission webhook ${JSON.stringify(h.name)} changed the object's apiVersion or kind (to ${String(patched.apiVersion)} ${String(patched.kind)})`);
  }
  const changed = !deepEqual(patched, a.object);
  a.object = patched as KubeObject;
  return changed;
}
