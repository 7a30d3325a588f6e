import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import { decodeContinue, encodeContinue } from './list-options.js';

const PREFIX = '/registry/configmaps/default/';
const token = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

test('a continue token round-trips; its start key stays under the prefix of the list it continues', () => {
  const t = encodeContinue(42, `${PREFIX}web`, PREFIX);
  assert.deepEqual(decodeContinue(t, PREFIX), { rev: 42, startKey: `${PREFIX}web\u0000` });
  // used on another list, it can only start inside that list's prefix
  assert.deepEqual(decodeContinue(t, '/registry/configmaps/other/'), { rev: 42, startKey: '/registry/configmaps/other/web\u0000' });
});

test('forged tokens are 400 with Kubernetes\' "invalid continue token" wording', () => {
  const cases: Array<[string, RegExp]> = [
    ['not*base64', /^invalid continue token: continue key is not valid: illegal base64 data at input byte 3$/],
    ['e30=', /illegal base64 data at input byte 3/], // padding is not base64url
    [Buffer.from('garbage').toString('base64url'), /^invalid continue token: continue key is not valid: /],
    [token(null), /server does not recognize this encoded version/],
    [token({ v: 'meta.k8s.io/v2', rv: 1, start: 'a' }), /server does not recognize this encoded version meta.k8s.io\/v2$/],
    [token({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }), /incorrect encoded start resourceVersion/],
    [token({ v: 'meta.k8s.io/v1', rv: 1.5, start: 'a' }), /incorrect encoded start resourceVersion/],
    [token({ v: 'meta.k8s.io/v1', rv: '7', start: 'a' }), /incorrect encoded start resourceVersion/],
    [token({ v: 'meta.k8s.io/v1', rv: 7, start: '' }), /encoded start key empty/],
    [token({ v: 'meta.k8s.io/v1', rv: 7, start: '../../secrets/default/s' }), /not valid: "..\/..\/secrets/],
    [token({ v: 'meta.k8s.io/v1', rv: 7, start: '/registry/secrets/default/s' }), /not valid: "\/registry\/secrets/],
    [token({ v: 'meta.k8s.io/v1', rv: 7, start: 'a//b' }), /not valid/],
    [token({ v: 'meta.k8s.io/v1', rv: 7, start: './a' }), /not valid/],
  ];
  for (const [raw, re] of cases) {
    assert.throws(() => decodeContinue(raw, PREFIX), (e) => e instanceof ApiError && e.code === 400 && re.test(e.message), raw);
  }
});
