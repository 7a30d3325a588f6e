// TokenReview (authentication.k8s.io/v1): "whose token is this?", asked by a service that was handed a token (a
// webhook, a metrics endpoint). Create-only and never stored: the answer is the request with its status filled in by
// the API server's own token authenticators, for the audiences asked (the API server's own when none).
import type { KubeObject } from '../../../lib/api/types.js';
import { serviceAccountTokens } from '../../auth/serviceaccount/index.js';
import { errors } from '../../errors.js';
import { isObj, required, type FieldCause, type Obj } from '../../validation/field.js';
import { defineKind, identity } from '../kind.js';

function validate(obj: Obj): FieldCause[] {
  const spec = isObj(obj.spec) ? obj.spec : {};
  return typeof spec.token === 'string' && spec.token ? [] : [required('spec.token')];
}

async function review(obj: KubeObject): Promise<KubeObject> {
  const t = serviceAccountTokens();
  if (!t) throw errors.unavailable('this API server checks no tokens (it runs without authentication)');
  const spec = obj.spec as { token: string; audiences?: string[] };
  const wanted = spec.audiences?.length ? spec.audiences : t.apiAudiences;
  let status: Record<string, unknown>;
  try {
    // a ServiceAccount token is checked against the audiences asked; the other tokens (static ones) are the API
    // server's own credentials, good only for its audiences
    const sa = await t.authenticator.authenticateFor(spec.token, wanted);
    const forApi = wanted.filter((a) => t.apiAudiences.includes(a));
    const r = sa ?? (forApi.length ? await t.tokens.authenticateToken(spec.token) : undefined);
    if (!r) status = { authenticated: false, user: {} , error: 'invalid bearer token' };
    else {
      const user: Record<string, unknown> = { username: r.user.username, groups: [...r.user.groups, 'system:authenticated'] };
      if (r.user.uid) user.uid = r.user.uid;
      if (r.user.extra && Object.keys(r.user.extra).length) user.extra = r.user.extra;
      status = { authenticated: true, user, audiences: r.audiences ?? forApi };
    }
  } catch (e) {
    status = { authenticated: false, user: {}, error: (e as Error).message };
  }
  return { ...obj, metadata: { ...obj.metadata, creationTimestamp: null as unknown as string }, status };
}

export default defineKind(identity('authentication.k8s.io/v1', 'TokenReview'), {
  objectMeta: null,
  validate,
  createOnly: review,
});
