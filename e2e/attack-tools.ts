// The tools of e2e/attacks.test.ts: raw HTTPS requests (the path sent as given, credentials of any kind), the
// checks of a refusal (401 and 403 exactly as Kubernetes answers them, and nothing changed), and JWTs forged from
// a real token's parts.
import assert from 'node:assert/strict';
import { sign as rsaSign, type KeyObject } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import type { Credentials } from './harness.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

export interface Answer {
  status: number;
  body: Json;
  text: string;
}

export interface SendOptions { creds?: Credentials; headers?: Record<string, string>; body?: unknown }

/** One HTTPS request to the server at `url` (trusting `ca`) with the path sent byte for byte as given. */
export function sendRaw(url: string, ca: Buffer, method: string, path: string, o: SendOptions = {}): Promise<Answer> {
  const creds = o.creds ?? {};
  const headers: Record<string, string> = { Accept: 'application/json', ...o.headers };
  if (creds.token) headers.Authorization = `Bearer ${creds.token}`;
  const body = o.body === undefined ? undefined : Buffer.from(typeof o.body === 'string' ? o.body : JSON.stringify(o.body));
  if (body) {
    headers['Content-Type'] ??= 'application/json';
    headers['Content-Length'] = String(body.length);
  }
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: u.hostname, port: u.port, method, path, headers, ca, cert: creds.cert, key: creds.key, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Json = {};
        try {
          parsed = JSON.parse(text) as Json;
        } catch {
          parsed = {};
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const UNAUTHORIZED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };

type AsAdmin = (method: string, path: string, body?: unknown) => Promise<Answer>;

/** Everything an attack could change: names and resourceVersions of the objects of every kind they aim at. */
async function fingerprint(asAdmin: AsAdmin, NS: string): Promise<string> {
  const paths = ['pods', 'secrets', 'configmaps', 'serviceaccounts'].map((r) => `/api/v1/namespaces/${NS}/${r}`).concat(
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`, `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`,
    `/apis/apps/v1/namespaces/${NS}/deployments`, '/api/v1/nodes', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    '/apis/rbac.authorization.k8s.io/v1/clusterroles', '/api/v1/namespaces');
  const out: string[] = [];
  for (const p of paths) {
    const r = await asAdmin('GET', p);
    assert.equal(r.status, 200, `${p}: ${r.text}`);
    out.push(p, ...(r.body.items as Json[]).map((i) => `${i.metadata.name}@${i.metadata.resourceVersion}`).sort());
  }
  return out.join('\n');
}

/** Runs the attack, then checks that nothing changed and that the server still answers. */
export async function unchanged(asAdmin: AsAdmin, ns: string, attack: () => Promise<void>): Promise<void> {
  const beforeState = await fingerprint(asAdmin, ns);
  await attack();
  assert.equal(await fingerprint(asAdmin, ns), beforeState, 'the attack changed nothing');
}

export function expect401(r: Answer, what: string): void {
  assert.equal(r.status, 401, `${what}: ${r.status} ${r.text}`);
  assert.deepEqual(r.body, UNAUTHORIZED, what);
}

export function expect403(r: Answer, message: string | RegExp, what = ''): void {
  assert.equal(r.status, 403, `${what}: ${r.status} ${r.text}`);
  assert.equal(r.body.reason, 'Forbidden', what);
  if (typeof message === 'string') assert.equal(r.body.message, message, what);
  else assert.match(r.body.message as string, message, what);
  assert.ok(!r.text.includes('crown-jewel'), `${what}: no secret data`);
}

// --- JWT helpers -------------------------------------------------------------------------------------------------
export const b64u = (v: string | Buffer) => Buffer.from(v).toString('base64url');
export const parts = (t: string) => t.split('.') as [string, string, string];
export const headerOf = (t: string): Json => JSON.parse(Buffer.from(parts(t)[0], 'base64url').toString('utf8')) as Json;
export const claimsOf = (t: string): Json => JSON.parse(Buffer.from(parts(t)[1], 'base64url').toString('utf8')) as Json;

/** A JWT with this header and payload, signed RS256 (or ES256) with `key`. */
export function signJwt(header: Json, payload: Json, key: KeyObject): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  const alg = header.alg as string;
  const sig = alg.startsWith('ES')
    ? rsaSign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
    : rsaSign('sha256', Buffer.from(input), key);
  return `${input}.${b64u(sig)}`;
}
