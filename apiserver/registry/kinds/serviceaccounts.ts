// ServiceAccounts (core/v1): an identity for processes in pods. Its `token` subresource is TokenRequest
// (authentication.k8s.io/v1): POST a TokenRequest, get a signed token for the ServiceAccount (see
// auth/serviceaccount/token-request.ts); `kubectl create token SA --duration=...` uses it.
import type { KubeObject } from '../../../lib/api/types.js';
import { TOKEN_REQUEST_SCHEMA } from '../../../lib/api/schema/authentication.js';
import { serviceAccountTokens } from '../../auth/serviceaccount/index.js';
import { requestToken } from '../../auth/serviceaccount/token-request.js';
import { errors } from '../../errors.js';
import { AGE, NAME, age } from '../../printers/columns.js';
import { isObj, required, index, child, type FieldCause, type Obj } from '../../validation/field.js';
import { defineKind, identity, type SubresourceDefinition } from '../kind.js';

function validate(obj: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  for (const field of ['secrets', 'imagePullSecrets'] as const) {
    const list = obj[field];
    if (!Array.isArray(list)) continue;
    list.forEach((ref, i) => {
      if (isObj(ref) && field === 'imagePullSecrets' && !ref.name) out.push(required(child(index(field, i), 'name')));
    });
  }
  return out;
}

const token: SubresourceDefinition = {
  kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
  schema: TOKEN_REQUEST_SCHEMA,
  verbs: ['create'],
  async serve(call) {
    if (call.method !== 'POST') throw errors.methodNotAllowed();
    const tokens = serviceAccountTokens();
    if (!tokens) throw errors.unavailable('this API server issues no ServiceAccount tokens (it runs without authentication)');
    const body = await call.body(true);
    const sa = await call.store.get(call.ctx.namespace, call.name);
    const warnings: string[] = [];
    const deps = { ...tokens, get: (resource: 'pods' | 'secrets' | 'nodes', namespace: string | undefined, name: string) => tokens.get(resource, namespace, name) };
    const answer = await requestToken(deps, sa, body as KubeObject, warnings);
    // a lifetime shortened to --service-account-max-token-expiration is told as Kubernetes tells it
    if (warnings.length) call.res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
    call.sendJson(201, answer);
  },
};

export default defineKind(identity('v1', 'ServiceAccount'), {
  validate,
  printer: {
    columns: [NAME, ['Secrets', 'string', 0, 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'], AGE],
    row: (o, now) => [o.metadata.name ?? '', Array.isArray(o.secrets) ? o.secrets.length : 0, age(o.metadata.creationTimestamp, now)],
  },
  subresources: { token },
});
