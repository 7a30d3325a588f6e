import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from './lines.js';
import { Session, tokenFromFragment, tokenHints } from './session.js';

test('the token comes out of the fragment, the rest of the fragment stays', () => {
  assert.deepEqual(tokenFromFragment('#token=abc.def'), { token: 'abc.def', rest: '' });
  assert.deepEqual(tokenFromFragment('#token=a%2Fb&x=1'), { token: 'a/b', rest: '#x=1' });
  assert.deepEqual(tokenFromFragment('#x=1'), { token: undefined, rest: '#x=1' });
  assert.deepEqual(tokenFromFragment(''), { rest: '' });
  assert.deepEqual(tokenFromFragment('#token='), { token: undefined, rest: '' });
});

test('a ServiceAccount JWT names its namespace and user (hints only, never trusted)', () => {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const jwt = `${b64({ alg: 'RS256' })}.${b64({ sub: 'system:serviceaccount:team-a:viewer', exp: 2000000000, 'kubernetes.io': { namespace: 'team-a', serviceaccount: { name: 'viewer' } } })}.sig`;
  assert.deepEqual(tokenHints(jwt), { namespace: 'team-a', username: 'system:serviceaccount:team-a:viewer', exp: 2000000000 });
  assert.deepEqual(tokenHints('not-a-jwt'), {});
  assert.deepEqual(tokenHints('a.!!!.c'), {});
  assert.deepEqual(tokenHints(undefined), {});
});

test('the session keeps the token in the given storage and says who is listening', () => {
  const store = new Map<string, string>();
  const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k) };
  const s = new Session(storage);
  assert.equal(s.authorization(), undefined);
  let changes = 0;
  s.subscribe(() => changes++);
  s.setToken('  t1  ');
  assert.equal(s.authorization(), 'Bearer t1');
  assert.equal(new Session(storage).token, 't1', 'a reload of the tab finds it');
  s.markUnauthorized();
  s.markUnauthorized();
  assert.equal(s.unauthorized, true);
  s.setToken(undefined);
  assert.equal(s.unauthorized, false);
  assert.equal(store.size, 0);
  assert.equal(changes, 3);
});

test('lines split across chunks are joined; blank lines dropped; the last line without a newline is flushed', () => {
  const l = new LineSplitter();
  assert.deepEqual(l.push('{"a":1}\n{"b"'), ['{"a":1}']);
  assert.deepEqual(l.push(':2}\n\n{"c":3}'), ['{"b":2}']);
  assert.deepEqual(l.flush(), ['{"c":3}']);
  assert.deepEqual(l.flush(), []);
});

test('a GET that fails on the network is sent again; a write is not', async () => {
  const { ApiClient } = await import('./client.js');
  let calls = 0;
  const flaky = async (_i: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    calls++;
    if (init?.method === 'GET' && calls < 3) throw new TypeError('Failed to fetch');
    if (init?.method !== 'GET') throw new TypeError('Failed to fetch');
    return new Response('{"kind":"Pod"}', { status: 200 });
  };
  const api = new ApiClient(new Session(), flaky);
  assert.deepEqual(await api.get('/api/v1/namespaces/default/pods/p'), { kind: 'Pod' });
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(api.json('POST', '/api/v1/namespaces/default/pods', { body: {} }), TypeError);
  assert.equal(calls, 1, 'a write is sent once');
});
