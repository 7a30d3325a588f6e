// Impersonation (`kubectl --as`, `--as-group`, `--as-uid`): the Impersonate-User, Impersonate-Group,
// Impersonate-Uid and Impersonate-Extra-<key> headers. Each thing asked for is authorized as the verb "impersonate"
// on users, groups, serviceaccounts, uids or userextras/<key>; the request then runs as the impersonated user, and
// the headers are removed so nothing downstream sees them.
import type { IncomingMessage } from 'node:http';
import { errors } from '../errors.js';
import { forbidden } from './authorizer.js';
import { ANONYMOUS_USER, AUTHENTICATED_GROUP, UNAUTHENTICATED_GROUP, type Attributes, type Authorizer, type UserInfo } from './index.js';

const EXTRA_PREFIX = 'impersonate-extra-';

interface ImpersonationRequest {
  kind: 'User' | 'ServiceAccount' | 'Group' | 'UserExtra' | 'UID';
  namespace?: string;
  name: string;
  extraKey?: string;
}

/** The impersonation asked for by a request's headers (empty: none). 400 for groups, uid or extras without a user. */
export function impersonationRequests(req: IncomingMessage): ImpersonationRequest[] {
  const h = req.headersDistinct;
  const out: ImpersonationRequest[] = [];
  const user = h['impersonate-user']?.[0] ?? '';
  if (user) {
    const sa = splitServiceAccount(user);
    out.push(sa ? { kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name } : { kind: 'User', name: user });
  }
  const groups = h['impersonate-group'] ?? [];
  for (const g of groups) out.push({ kind: 'Group', name: g });
  let extras = false;
  for (const [header, values] of Object.entries(h)) {
    if (!header.startsWith(EXTRA_PREFIX) || !values) continue;
    extras = true;
    const key = unescapeExtraKey(header.slice(EXTRA_PREFIX.length).toLowerCase());
    for (const v of values) out.push({ kind: 'UserExtra', name: v, extraKey: key });
  }
  const uid = h['impersonate-uid']?.[0] ?? '';
  if (uid) out.push({ kind: 'UID', name: uid });
  if ((groups.length || extras || uid) && !user) {
    // Go's %v of the ObjectReferences, as Kubernetes prints them
    const refs = out.map((r) => `{${r.kind} ${r.namespace ?? ''} ${r.name}  ${r.kind === 'UserExtra' || r.kind === 'UID' ? 'authentication.k8s.io/v1' : ''}  ${r.extraKey ?? ''}}`);
    throw errors.badRequest(`requested [${refs.join(' ')}] without impersonating a user`);
  }
  return out;
}

/**
 * The user a request acts as: the authenticated one, or the one it impersonates once every part of the
 * impersonation is allowed (403 naming the first part that isn't).
 */
export async function impersonate(req: IncomingMessage, requestor: UserInfo, authorizer: Authorizer): Promise<UserInfo | undefined> {
  const wanted = impersonationRequests(req);
  if (!wanted.length) return undefined;
  const groupsSpecified = wanted.some((w) => w.kind === 'Group');
  let username = '';
  let uid: string | undefined;
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  for (const w of wanted) {
    const a: Attributes = { user: requestor, verb: 'impersonate', isResourceRequest: true, path: req.url ?? '', apiGroup: '', apiVersion: 'v1', namespace: w.namespace ?? '', resource: '', subresource: '', name: w.name };
    switch (w.kind) {
      case 'ServiceAccount':
        a.resource = 'serviceaccounts';
        username = `system:serviceaccount:${w.namespace}:${w.name}`;
        // a service account's groups are fixed: they come with it unless groups are given
        if (!groupsSpecified) groups = ['system:serviceaccounts', `system:serviceaccounts:${w.namespace}`];
        break;
      case 'User':
        a.resource = 'users';
        username = w.name;
        break;
      case 'Group':
        a.resource = 'groups';
        groups.push(w.name);
        break;
      case 'UserExtra':
        Object.assign(a, { apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: w.extraKey ?? '' });
        (extra[w.extraKey ?? ''] ??= []).push(w.name);
        break;
      case 'UID':
        Object.assign(a, { apiGroup: 'authentication.k8s.io', resource: 'uids' });
        uid = w.name;
        break;
    }
    const d = await authorizer.authorize(a);
    if (d.decision !== 'allow') throw forbidden(a, d.reason);
  }
  if (username !== ANONYMOUS_USER) {
    if (!groups.includes(AUTHENTICATED_GROUP) && !groups.includes(UNAUTHENTICATED_GROUP)) groups.push(AUTHENTICATED_GROUP);
  } else if (!groups.includes(UNAUTHENTICATED_GROUP)) groups.push(UNAUTHENTICATED_GROUP);
  for (const header of Object.keys(req.headers)) if (header.startsWith('impersonate-')) delete req.headers[header];
  const user: UserInfo = { username, groups };
  if (uid !== undefined) user.uid = uid;
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}

function splitServiceAccount(name: string): { namespace: string; name: string } | undefined {
  const prefix = 'system:serviceaccount:';
  if (!name.startsWith(prefix)) return undefined;
  const parts = name.slice(prefix.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key; // always recorded, even when malformed
  }
}
