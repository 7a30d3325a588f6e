// The node agent's pod tokens: asked for once, kept, asked for again at 80% of their lifetime (or after 24 h), the
// pod woken when one is due, the old token kept while valid when a refresh fails, forgotten with the pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import { ServiceAccountTokenManager, type PodTokenRequester } from './service-account-token.js';
import { VolumeSetupError } from './projection.js';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'uid-1' }, spec: { serviceAccountName: 'sa' } } as KubeObject;

function requester(now: () => number): PodTokenRequester & { calls: Array<{ audiences: string[]; seconds: number }>; fail: boolean } {
  const f = Object.assign(async (_pod: KubeObject, audiences: string[], seconds: number) => {
    f.calls.push({ audiences, seconds });
    if (f.fail) throw new Error('API server unreachable');
    return { token: `t${f.calls.length}`, expirationTimestamp: new Date(now() + seconds * 1000).toISOString(), expirationSeconds: seconds };
  }, { calls: [] as Array<{ audiences: string[]; seconds: number }>, fail: false });
  return f;
}

test('a token is kept until 80% of its lifetime, then asked for again; a due token wakes its pod', async (t) => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const req = requester(() => now);
  const woken: string[] = [];
  const m = new ServiceAccountTokenManager({ request: req, now: () => now, onRefreshDue: (uid) => woken.push(uid) });
  t.after(() => m.stop());
  assert.equal(await m.tokenFor(pod, { path: 'token', expirationSeconds: 1000 }), 't1');
  assert.deepEqual(req.calls, [{ audiences: [], seconds: 1000 }]);
  now += 799_000;
  assert.equal(await m.tokenFor(pod, { path: 'token', expirationSeconds: 1000 }), 't1');
  now += 2_000;
  assert.equal(await m.tokenFor(pod, { path: 'token', expirationSeconds: 1000 }), 't2');
  // another audience is another token
  assert.equal(await m.tokenFor(pod, { path: 'vault', audience: 'vault', expirationSeconds: 1000 }), 't3');
  assert.deepEqual(req.calls[2], { audiences: ['vault'], seconds: 1000 });

  // the wake-up timer (real time): a token whose refresh is due at once
  const quick = new ServiceAccountTokenManager({ request: async () => ({ token: 'q', expirationTimestamp: new Date(Date.now() + 100).toISOString(), expirationSeconds: 0.1 }),
    onRefreshDue: (uid) => woken.push(uid) });
  t.after(() => quick.stop());
  await quick.tokenFor(pod, { path: 'token', expirationSeconds: 600 });
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(woken.includes('uid-1'));
});

test('a year-long (extended) token is refreshed after 24 hours', async (t) => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const req = requester(() => now);
  const m = new ServiceAccountTokenManager({ request: async (p, a, s) => ({ ...(await req(p, a, s)), expirationSeconds: 365 * 86400,
    expirationTimestamp: new Date(now + 365 * 86400_000).toISOString() }), now: () => now });
  t.after(() => m.stop());
  await m.tokenFor(pod, { path: 'token', expirationSeconds: 3607 });
  now += 23 * 3600_000;
  await m.tokenFor(pod, { path: 'token', expirationSeconds: 3607 });
  assert.equal(req.calls.length, 1);
  now += 2 * 3600_000;
  await m.tokenFor(pod, { path: 'token', expirationSeconds: 3607 });
  assert.equal(req.calls.length, 2);
});

test('a failed refresh keeps the token while it is valid; without one it is a volume setup error', async (t) => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const req = requester(() => now);
  const m = new ServiceAccountTokenManager({ request: req, now: () => now });
  t.after(() => m.stop());
  await m.tokenFor(pod, { path: 'token', expirationSeconds: 1000 });
  req.fail = true;
  now += 900_000;
  assert.equal(await m.tokenFor(pod, { path: 'token', expirationSeconds: 1000 }), 't1');
  now += 200_000;
  await assert.rejects(m.tokenFor(pod, { path: 'token', expirationSeconds: 1000 }), (e: Error) => e instanceof VolumeSetupError && /failed to fetch token: API server unreachable/.test(e.message));
  m.retain(new Set());
  req.fail = false;
  assert.equal(await m.tokenFor(pod, { path: 'token', expirationSeconds: 1000 }), `t${req.calls.length}`);
});
