// Impersonation (kubectl --as, --as-group): each part asked for is authorized as the verb "impersonate"; the
// request then acts as the impersonated user, and the headers are gone. Also the authorizer chain and its 403s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../errors.js';
import { AuthorizerChain, forbidden } from './authorizer.js';
import { authorizationChain, bootstrapPolicy, staticPolicySource } from './rbac/chain.js';
import { impersonate } from './impersonation.js';
import type { Attributes, Authorizer, UserInfo } from './index.js';

/** The parts of a request impersonation reads. */
function req(headers: Record<string, string | string[]>): IncomingMessage {
  const lower: Record<string, string | string[]> = {};
  const distinct: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    lower[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    distinct[k.toLowerCase()] = Array.isArray(v) ? v : [v];
  }
  return { headers: lower, headersDistinct: distinct, url: '/api/v1/pods' } as unknown as IncomingMessage;
}

const admin: UserInfo = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] };
const authz = authorizationChain(staticPolicySource(bootstrapPolicy())).chain;

test('no impersonation headers: the request acts as its own user', async () => {
  assert.equal(await impersonate(req({}), admin, authz), undefined);
});

test('an admin impersonates a user and groups; the request acts as them, system:authenticated added, headers removed', async () => {
  const r = req({ 'Impersonate-User': 'bob', 'Impersonate-Group': ['dev', 'qa'] });
  const u = await impersonate(r, admin, authz);
  assert.deepEqual(u, { username: 'bob', groups: ['dev', 'qa', 'system:authenticated'] });
  assert.equal(r.headers['impersonate-user'], undefined);
  assert.equal(r.headers['impersonate-group'], undefined);
});

test('a ServiceAccount comes with its groups; uid and extras are kept; system:anonymous is unauthenticated', async () => {
  assert.deepEqual(await impersonate(req({ 'Impersonate-User': 'system:serviceaccount:ns1:builder' }), admin, authz), {
    username: 'system:serviceaccount:ns1:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'],
  });
  assert.deepEqual(await impersonate(req({ 'Impersonate-User': 'carol', 'Impersonate-Uid': 'u-7', 'Impersonate-Extra-Scopes': ['view', 'edit'], 'Impersonate-Extra-acme.com%2Fproject': 'p1' }), admin, authz), {
    username: 'carol', uid: 'u-7', groups: ['system:authenticated'], extra: { scopes: ['view', 'edit'], 'acme.com/project': ['p1'] },
  });
  assert.deepEqual(await impersonate(req({ 'Impersonate-User': 'system:anonymous' }), admin, authz), { username: 'system:anonymous', groups: ['system:unauthenticated'] });
});

test('impersonating without the right is 403 naming what was asked for; nothing changes', async () => {
  const r = req({ 'Impersonate-User': 'admin' });
  const e = await impersonate(r, alice, authz).then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof ApiError);
  assert.equal(e.code, 403);
  assert.equal(e.message, 'users "admin" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
  const g = await impersonate(req({ 'Impersonate-User': 'alice', 'Impersonate-Group': 'system:masters' }), alice, {
    // alice may impersonate users but not groups
    authorize: async (a) => ({ decision: a.resource === 'users' ? 'allow' : 'noOpinion', reason: '' }),
  }).then(() => undefined, (x: unknown) => x);
  assert.ok(g instanceof ApiError);
  assert.equal(g.message, 'groups "system:masters" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope');
  const sa = await impersonate(req({ 'Impersonate-User': 'system:serviceaccount:kube-system:x' }), alice, authz).then(() => undefined, (x: unknown) => x);
  assert.equal((sa as ApiError).message, 'serviceaccounts "x" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "kube-system"');
});

test('groups, a uid or extras without a user are a bad request', async () => {
  for (const h of [{ 'Impersonate-Group': 'g' }, { 'Impersonate-Uid': 'u' }, { 'Impersonate-Extra-x': 'y' }] as Array<Record<string, string>>) {
    const e = await impersonate(req(h), admin, authz).then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof ApiError, JSON.stringify(h));
    assert.equal(e.code, 400);
    assert.match(e.message, /without impersonating a user$/);
  }
});

test('the chain: the first decision wins, no opinion from all is a denial; the dashboard files are open to everyone', async () => {
  const deny: Authorizer = { authorize: async () => ({ decision: 'deny', reason: 'denied by policy' }) };
  const allow: Authorizer = { authorize: async () => ({ decision: 'allow', reason: '' }) };
  const none: Authorizer = { authorize: async () => ({ decision: 'noOpinion', reason: 'nothing matched' }) };
  const a: Attributes = { user: alice, verb: 'get', isResourceRequest: true, path: '/api/v1/namespaces/x/secrets/s', apiGroup: '', apiVersion: 'v1', namespace: 'x', resource: 'secrets', subresource: '', name: 's' };
  assert.equal((await new AuthorizerChain([deny, allow]).authorize(a)).decision, 'deny');
  assert.equal((await new AuthorizerChain([none, allow]).authorize(a)).decision, 'allow');
  assert.deepEqual(await new AuthorizerChain([none]).authorize(a), { decision: 'noOpinion', reason: 'nothing matched' });
  const anon: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
  const chain = authorizationChain(staticPolicySource(bootstrapPolicy())).chain;
  const path = (p: string, verb = 'get', user = anon): Attributes => ({ ...a, user, verb, isResourceRequest: false, path: p, namespace: '', resource: '', name: '' });
  assert.equal((await chain.authorize(path('/dashboard/'))).decision, 'allow');
  assert.equal((await chain.authorize(path('/dashboard/assets/main.js', 'head'))).decision, 'allow');
  assert.equal((await chain.authorize(path('/dashboard/', 'post'))).decision, 'noOpinion');
  assert.equal((await chain.authorize(path('/healthz'))).decision, 'allow');
  assert.equal((await chain.authorize(path('/api'))).decision, 'noOpinion', 'discovery is for the authenticated');
  assert.equal((await chain.authorize(path('/api', 'get', alice))).decision, 'allow');
  assert.equal((await chain.authorize(path('/metrics', 'get', alice))).decision, 'noOpinion');
  assert.equal((await chain.authorize(a)).decision, 'noOpinion');
});

test('403 messages in Kubernetes\' words, with the group and kind in the details', () => {
  const base: Attributes = { user: alice, verb: 'list', isResourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', namespace: 'y', resource: 'pods', subresource: '', name: '' };
  assert.equal(forbidden(base, '').message, 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "y"');
  const named = forbidden({ ...base, verb: 'create', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', name: 'web', namespace: '' }, '');
  assert.equal(named.message, 'deployments.apps "web" is forbidden: User "alice" cannot create resource "deployments/scale" in API group "apps" at the cluster scope');
  assert.deepEqual(named.details, { name: 'web', group: 'apps', kind: 'deployments' });
  assert.equal(forbidden({ ...base, isResourceRequest: false, verb: 'get', path: '/metrics', resource: '' }, '').message, 'forbidden: User "alice" cannot get path "/metrics"');
  assert.equal(forbidden(base, 'no RBAC policy matched').message, 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "y": no RBAC policy matched');
});
