import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApi, json, status } from '../testing/fake-api.js';
import { AccessReviews, SSAR_PATH } from './access.js';

test('the API\'s answer decides; a review API that isn\'t served (404) or fails is "unknown": show and let the API decide', async () => {
  const api = new FakeApi('tok');
  api.on((r) => {
    if (r.url.pathname !== SSAR_PATH) return undefined;
    const a = JSON.parse(r.body ?? '{}').spec.resourceAttributes;
    if (a.resource === 'secrets') return status(500, 'boom');
    return json(201, { status: { allowed: a.verb === 'get' } });
  });
  const reviews = new AccessReviews(api.client);
  assert.equal(await reviews.can({ verb: 'get', resource: 'pods', namespace: 'a' }), 'allowed');
  assert.equal(await reviews.can({ verb: 'delete', resource: 'pods', namespace: 'a' }), 'denied');
  assert.equal(await reviews.can({ verb: 'get', resource: 'secrets', namespace: 'a' }), 'unknown');
  const body = JSON.parse(api.requests[1]?.body ?? '{}');
  assert.deepEqual(body, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'delete', group: '', resource: 'pods', namespace: 'a' } } });
  assert.equal(api.requests[0]?.headers.get('authorization'), 'Bearer tok');
  assert.equal(api.requests[0]?.method, 'POST');

  const none = new FakeApi(); // today's API: no access reviews
  const r2 = new AccessReviews(none.client);
  assert.equal(await r2.can({ verb: 'delete', resource: 'pods' }), 'unknown');
});

test('the same question within a minute is asked once', async () => {
  const api = new FakeApi();
  api.on(() => json(201, { status: { allowed: true } }));
  let now = 0;
  const reviews = new AccessReviews(api.client, () => now);
  await Promise.all([reviews.can({ verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'x' }), reviews.can({ verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'x' })]);
  assert.equal(api.requests.length, 1);
  await reviews.can({ verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'y' });
  assert.equal(api.requests.length, 2, 'another namespace is another question');
  now = 61_000;
  await reviews.can({ verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'x' });
  assert.equal(api.requests.length, 3, 'asked again after a minute');
});
