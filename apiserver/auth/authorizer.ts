// Authorization: a chain of authorizers (Kubernetes' union authorizer: the first that allows or denies decides,
// "no opinion" asks the next, and no one allowing is a denial), the dashboard's open files, and the 403 Forbidden
// Status in Kubernetes' words. setup.ts builds the chain: dashboard, system:masters, Node, RBAC (rbac/).
import type { RequestInfo } from '../http/request-info.js';
import { ApiError } from '../errors.js';
import type { Attributes, Authorizer, AuthorizerResult, UserInfo } from './index.js';

export class AuthorizerChain implements Authorizer {
  constructor(private readonly authorizers: Authorizer[]) {}

  async authorize(a: Attributes): Promise<AuthorizerResult> {
    const reasons: string[] = [];
    for (const z of this.authorizers) {
      const r = await z.authorize(a);
      if (r.decision !== 'noOpinion') return r;
      if (r.reason) reasons.push(r.reason);
    }
    return { decision: 'noOpinion', reason: reasons.join('\n') };
  }
}

/**
 * The web dashboard's static files (GET and HEAD of /dashboard and below), to everyone: the page must load before
 * its user signs in, and holds nothing but code. Its own authorizer: no RBAC rule can say "GET and HEAD only".
 */
export class DashboardAuthorizer implements Authorizer {
  async authorize(a: Attributes): Promise<AuthorizerResult> {
    const files = !a.isResourceRequest && (a.verb === 'get' || a.verb === 'head') && /^\/dashboard(\/.*)?$/.test(a.path);
    return { decision: files ? 'allow' : 'noOpinion', reason: '' };
  }
}

/** The authorizer's view of a parsed request. */
export function attributesOf(user: UserInfo, info: RequestInfo): Attributes {
  return {
    user,
    verb: info.verb,
    isResourceRequest: info.isResourceRequest,
    path: info.path,
    apiGroup: info.group,
    apiVersion: info.version,
    namespace: info.namespace ?? '',
    resource: info.resource,
    subresource: info.subresource ?? '',
    name: info.name ?? info.selectedName ?? '',
  };
}

/** Kubernetes' wording: `User "x" cannot list resource "pods" in API group "" in the namespace "y"`. */
export function forbiddenMessage(a: Attributes): string {
  const who = JSON.stringify(a.user.username);
  if (!a.isResourceRequest) return `User ${who} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  return `User ${who} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${where}`;
}

/** The 403 Status: `pods "p" is forbidden: User ...`, with the group and resource in its details as Kubernetes has them. */
export function forbidden(a: Attributes, reason: string): ApiError {
  const msg = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  const qualified = a.isResourceRequest && a.resource ? (a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource) : '';
  const details: { name?: string; group?: string; kind?: string } = {};
  if (a.name) details.name = a.name;
  if (a.isResourceRequest && a.apiGroup) details.group = a.apiGroup;
  if (qualified) details.kind = a.resource;
  const message = !qualified ? `forbidden: ${msg}` : a.name ? `${qualified} ${JSON.stringify(a.name)} is forbidden: ${msg}` : `${qualified} is forbidden: ${msg}`;
  return new ApiError(403, 'Forbidden', message, details);
}
