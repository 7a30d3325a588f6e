// The audit log through the request gate on a real HTTP server: the policy's level per request, the Event shape
// (audit.k8s.io/v1), request bodies from Request level, response bodies from RequestResponse, Secrets never past
// Metadata, a refused authentication logged with the credentials attempted, and the policy file's errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';
import { toApiError } from '../../errors.js';
import { bodyReader } from '../../http/body.js';
import { requestInfo, requestTarget } from '../../http/request-info.js';
import { sendError, sendJson } from '../../http/respond.js';
import { authorizationChain, bootstrapPolicy, staticPolicySource } from '../rbac/chain.js';
import { RequestGate } from '../gate.js';
import { DEFAULT_AUDIT_POLICY } from './default-policy.js';
import { Auditor, type AuditEvent, type AuditSink } from './log.js';
import { evaluatePolicy, parsePolicy } from './policy.js';

const events: AuditEvent[] = [];
const sink: AuditSink = { write: (e) => void events.push(e), close: async () => undefined };
const POLICY = parsePolicy({
  apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['RequestReceived'],
  rules: [
    { level: 'None', users: ['quiet'] },
    { level: 'RequestResponse', resources: [{ group: '', resources: ['secrets', 'configmaps'] }] },
    { level: 'Metadata', nonResourceURLs: ['/healthz*'] },
    { level: 'Request' },
  ],
});

let server: Server;
let base: string;
before(async () => {
  // "Authorization: User name[,group...]" stands in for a real authenticator; no header is no credentials
  const gate = new RequestGate({
    authenticators: [{
      method: 'bearer',
      authenticate: async (req) => {
        const h = req.headers.authorization;
        if (!h) return undefined;
        if (!h.startsWith('User ')) throw new Error('invalid bearer token');
        const [name, ...groups] = h.slice(5).split(',');
        return { user: { username: name as string, groups } };
      },
    }],
    authorizer: authorizationChain(staticPolicySource(bootstrapPolicy())).chain,
    auditor: new Auditor(POLICY, sink),
  });
  server = createServer((req, res) => {
    const url = requestTarget(req.url) as URL;
    const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    gate.admit(req, res, info, url.searchParams).then(async (a) => {
      const body = await a.body(bodyReader(req))();
      sendJson(res, req.method === 'POST' ? 201 : 200, { kind: 'Secret', apiVersion: 'v1', echoed: body.length ? JSON.parse(body.toString()) : null });
    }).catch((e) => sendError(res, toApiError(e)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise((r) => server.close(() => r(undefined))));

async function send(method: string, path: string, user?: string, body?: unknown): Promise<AuditEvent[]> {
  events.length = 0;
  const r = await fetch(base + path, { method, headers: { ...(user ? { Authorization: `User ${user}` } : {}), 'Content-Type': 'application/json', 'User-Agent': 'audit-test/1' }, body: body === undefined ? undefined : JSON.stringify(body) });
  await r.text();
  // ResponseComplete is written when the response closes
  for (let i = 0; i < 100 && !events.some((e) => e.stage === 'ResponseComplete' || e.stage === 'ResponseStarted'); i++) await new Promise((res) => setTimeout(res, 10));
  await new Promise((res) => setTimeout(res, 20));
  return [...events];
}

test('Request level: who did what to which object, with the request body, the answer and the decision', async () => {
  const [ev, ...more] = await send('POST', '/apis/apps/v1/namespaces/ns1/deployments', 'root,system:masters', { kind: 'Deployment', metadata: { name: 'web' } });
  assert.equal(more.length, 0, 'RequestReceived omitted: one event');
  assert.ok(ev);
  assert.equal(ev.kind, 'Event');
  assert.equal(ev.apiVersion, 'audit.k8s.io/v1');
  assert.equal(ev.level, 'Request');
  assert.equal(ev.stage, 'ResponseComplete');
  assert.equal(ev.verb, 'create');
  assert.equal(ev.requestURI, '/apis/apps/v1/namespaces/ns1/deployments');
  assert.deepEqual(ev.user, { username: 'root', groups: ['system:masters', 'system:authenticated'] });
  assert.deepEqual(ev.objectRef, { resource: 'deployments', namespace: 'ns1', apiGroup: 'apps', apiVersion: 'v1' });
  assert.deepEqual(ev.responseStatus, { metadata: {}, code: 201 });
  assert.deepEqual(ev.requestObject, { kind: 'Deployment', metadata: { name: 'web' } });
  assert.equal(ev.responseObject, undefined, 'no response body below RequestResponse');
  assert.equal(ev.userAgent, 'audit-test/1');
  assert.deepEqual(ev.sourceIPs, ['127.0.0.1']);
  assert.match(ev.auditID, /^[0-9a-f-]{36}$/);
  assert.match(ev.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(ev.annotations?.['authorization.k8s.io/decision'], 'allow');
});

test('Secrets never get past Metadata, whatever the policy says; ConfigMaps get the full RequestResponse', async () => {
  const [secret] = await send('POST', '/api/v1/namespaces/ns1/secrets', 'root,system:masters', { kind: 'Secret', data: { password: 'aHVudGVyMg==' } });
  assert.equal(secret?.level, 'Metadata');
  assert.equal(secret?.requestObject, undefined);
  assert.equal(secret?.responseObject, undefined);
  assert.ok(!JSON.stringify(secret).includes('aHVudGVyMg=='), 'no secret data anywhere in the event');
  const [cm] = await send('POST', '/api/v1/namespaces/ns1/configmaps', 'root,system:masters', { kind: 'ConfigMap', data: { a: 'b' } });
  assert.equal(cm?.level, 'RequestResponse');
  assert.deepEqual(cm?.requestObject, { kind: 'ConfigMap', data: { a: 'b' } });
  assert.deepEqual(cm?.responseObject, { kind: 'Secret', apiVersion: 'v1', echoed: { kind: 'ConfigMap', data: { a: 'b' } } });
});

test('a denied request is logged with its 403 Status and the decision; None logs nothing', async () => {
  const [ev] = await send('GET', '/api/v1/namespaces/ns1/pods', 'alice');
  assert.equal(ev?.responseStatus?.code, 403);
  assert.equal(ev?.responseStatus?.reason, 'Forbidden');
  assert.equal(ev?.responseStatus?.message, 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "ns1"');
  assert.equal(ev?.annotations?.['authorization.k8s.io/decision'], 'forbid');
  assert.deepEqual(await send('GET', '/api/v1/pods', 'quiet,system:masters'), []);
});

test('refused credentials: one event, no user, the credentials attempted; anonymous health checks as system:anonymous', async () => {
  const [ev] = await send('GET', '/api/v1/pods', 'x');
  assert.ok(ev);
  events.length = 0;
  const r = await fetch(`${base}/api/v1/pods`, { headers: { Authorization: 'Bearer forged' } });
  assert.equal(r.status, 401);
  await r.text();
  await new Promise((res) => setTimeout(res, 20));
  assert.equal(events.length, 1);
  assert.deepEqual(events[0]?.user, {});
  assert.equal(events[0]?.stage, 'ResponseStarted');
  assert.deepEqual(events[0]?.responseStatus, { metadata: {}, code: 401, message: 'Authentication failed, attempted: bearer' });
  const [h] = await send('GET', '/healthz');
  assert.equal(h?.level, 'Metadata');
  assert.deepEqual(h?.user, { username: 'system:anonymous', groups: ['system:unauthenticated'] });
  assert.equal(h?.objectRef, undefined);
});

test('policy rules match by user, group, verb, resource (subresources, names), namespace and URL; the first match wins', () => {
  const p = parsePolicy({
    apiVersion: 'audit.k8s.io/v1', kind: 'Policy',
    rules: [
      { level: 'None', userGroups: ['system:nodes'], verbs: ['get'] },
      { level: 'RequestResponse', resources: [{ group: '', resources: ['pods/log', 'configmaps'], resourceNames: ['cfg'] }], namespaces: ['prod'] },
      { level: 'Request', resources: [{ group: 'apps', resources: ['deployments/*'] }] },
      { level: 'Metadata', nonResourceURLs: ['/metrics', '/debug/*'] },
    ],
  });
  const a = { user: { username: 'u', groups: ['g'] }, verb: 'get', isResourceRequest: true, path: '', apiGroup: '', namespace: 'prod', resource: 'configmaps', subresource: '', name: 'cfg' };
  assert.equal(evaluatePolicy(p, a).level, 'RequestResponse');
  assert.equal(evaluatePolicy(p, { ...a, name: 'other' }).level, 'None');
  assert.equal(evaluatePolicy(p, { ...a, user: { username: 'n', groups: ['system:nodes'] } }).level, 'None');
  assert.equal(evaluatePolicy(p, { ...a, namespace: 'dev' }).level, 'None');
  assert.equal(evaluatePolicy(p, { ...a, apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }).level, 'Request');
  // "resource/*" takes in the resource itself too, as Kubernetes' policy checker does
  assert.equal(evaluatePolicy(p, { ...a, apiGroup: 'apps', resource: 'deployments', subresource: '' }).level, 'Request');
  assert.equal(evaluatePolicy(p, { ...a, apiGroup: 'apps', resource: 'replicasets', subresource: 'scale' }).level, 'None');
  assert.equal(evaluatePolicy(p, { ...a, isResourceRequest: false, path: '/debug/pprof', resource: '' }).level, 'Metadata');
  assert.equal(evaluatePolicy(p, { ...a, isResourceRequest: false, path: '/metricsx', resource: '' }).level, 'None');
});

test('policy errors name the field; the default policy flotilla up writes parses', () => {
  const bad = (rules: unknown[]) => () => parsePolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules }, 'p.yaml');
  assert.throws(bad([{ level: 'Everything' }]), /invalid audit policy p\.yaml: rules\[0\]\.level: Unsupported value: "Everything"/);
  assert.throws(bad([{ level: 'None', nonResourceURLs: ['/x'], resources: [{ group: '' }] }]), /cannot apply to both regular resources and non-resource URLs/);
  assert.throws(bad([{ level: 'None', nonResourceURLs: ['/a*b'] }]), /wildcards '\*' must be the final character/);
  assert.throws(bad([{ level: 'None', omitStages: ['Later'] }]), /omitStages\[0\]: Unsupported value: "Later"/);
  assert.throws(() => parsePolicy({ apiVersion: 'audit.k8s.io/v1beta1', kind: 'Policy', rules: [] }), /apiVersion must be "audit.k8s.io\/v1"/);
  const def = parsePolicy(parse(DEFAULT_AUDIT_POLICY));
  const secretRead = { user: { username: 'alice', groups: [] }, verb: 'get', isResourceRequest: true, path: '', apiGroup: '', namespace: 'x', resource: 'secrets', subresource: '', name: 's' };
  assert.equal(evaluatePolicy(def, secretRead).level, 'Metadata');
  assert.equal(evaluatePolicy(def, { ...secretRead, verb: 'create', resource: 'configmaps' }).level, 'Request');
  assert.equal(evaluatePolicy(def, { ...secretRead, apiGroup: 'coordination.k8s.io', resource: 'leases', verb: 'update' }).level, 'None');
});
