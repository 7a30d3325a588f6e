import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../lib/api/types.js';
import { ApiError } from '../../errors.js';
import { admitMutating, admitValidating, type DispatchDeps } from './dispatcher.js';
import { WebhookCallError } from './review.js';
import { hook, podCreate } from './testing.js';
import type { Webhook } from './types.js';

type Review = { request: { uid: string; object: KubeObject; dryRun: boolean; operation: string; userInfo: { username: string } } };
type Answer = (r: Review) => Record<string, unknown> | Error;

/** Deps whose webhooks answer with `answers[name]`; calls records who was called, in order. */
function fake(hooks: Webhook[], answers: Record<string, Answer>, mutating = true) {
  const calls: string[] = [];
  const deps: DispatchDeps = {
    mutating: () => (mutating ? hooks : []),
    validating: () => (mutating ? [] : hooks),
    namespaceLabels: async () => ({}),
    async post(h, review) {
      calls.push(h.name);
      const r = review as Review;
      const out = (answers[h.name] as Answer)(r);
      if (out instanceof Error) throw out;
      return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: r.request.uid, ...out } };
    },
  };
  return { deps, calls };
}

const patch = (ops: unknown[]) => ({ allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') });
const addLabel = (k: string, v: string) => (r: Review) => (r.request.object.metadata.labels?.[k] === v ? { allowed: true }
  : patch([{ op: 'add', path: `/metadata/labels/${k.replace('/', '~1')}`, value: v }]));

test('a JSONPatch answer changes the object; the next webhook sees the change', async () => {
  let seen: KubeObject | undefined;
  const { deps } = fake([hook({ name: 'a.example.com' }), hook({ name: 'b.example.com' })], {
    'a.example.com': addLabel('team', 'blue'),
    'b.example.com': (r) => {
      seen = r.request.object;
      return { allowed: true };
    },
  });
  const a = podCreate({ app: 'web' });
  const out = await admitMutating(a, deps);
  assert.deepEqual(out?.metadata.labels, { app: 'web', team: 'blue' });
  assert.deepEqual(seen?.metadata.labels, { app: 'web', team: 'blue' });
});

test('reinvocation: an IfNeeded webhook is called again when a later one changed the object; a Never one is not', async () => {
  const hooks = [hook({ name: 'first.example.com', reinvocationPolicy: 'IfNeeded' }), hook({ name: 'never.example.com' }), hook({ name: 'last.example.com' })];
  const { deps, calls } = fake(hooks, { 'first.example.com': () => ({ allowed: true }), 'never.example.com': () => ({ allowed: true }), 'last.example.com': addLabel('x', '1') });
  await admitMutating(podCreate(), deps);
  assert.deepEqual(calls, ['first.example.com', 'never.example.com', 'last.example.com', 'first.example.com']);
  // nothing changed: nobody is called twice
  const quiet = fake(hooks, { 'first.example.com': () => ({ allowed: true }), 'never.example.com': () => ({ allowed: true }), 'last.example.com': () => ({ allowed: true }) });
  await admitMutating(podCreate(), quiet.deps);
  assert.equal(quiet.calls.length, 3);
  // a built-in plugin changing the object in the second round reinvokes IfNeeded webhooks too
  const builtin = fake([hook({ name: 'only.example.com', reinvocationPolicy: 'IfNeeded' }), hook({ name: 'changer.example.com' })],
    { 'only.example.com': () => ({ allowed: true }), 'changer.example.com': addLabel('y', '1') });
  await admitMutating(podCreate(), builtin.deps, async (o) => void ((o.metadata.annotations ??= {}).builtin = 'ran'));
  assert.deepEqual(builtin.calls, ['only.example.com', 'changer.example.com', 'only.example.com']);
});

test('a denial is worded as Kubernetes does, with the webhook\'s code (400 when it gives none below 400)', async () => {
  const deny = (status: Record<string, unknown>) => () => ({ allowed: false, status });
  const cases: Array<[Record<string, unknown>, number, string]> = [
    [{ message: 'image "evil.io/x" is not from 127.0.0.1:5000', code: 403, reason: 'Forbidden' }, 403, 'admission webhook "deny.example.com" denied the request: image "evil.io/x" is not from 127.0.0.1:5000'],
    [{ message: 'no' }, 400, 'admission webhook "deny.example.com" denied the request: no'],
    [{ code: 200, reason: 'NotAllowed' }, 400, 'admission webhook "deny.example.com" denied the request: NotAllowed'],
    [{}, 400, 'admission webhook "deny.example.com" denied the request without explanation'],
  ];
  for (const [status, code, message] of cases) {
    const { deps } = fake([hook({ name: 'deny.example.com' })], { 'deny.example.com': deny(status) }, false);
    await assert.rejects(admitValidating(podCreate(), deps), (e: ApiError) => e.code === code && e.message === message && e.toStatus().status === 'Failure');
  }
});

test('a webhook that cannot be called: Fail refuses with Kubernetes\' message, Ignore lets the write through', async () => {
  const down = () => new WebhookCallError('down.example.com', 'failed to call webhook: Post "https://127.0.0.1:9/x?timeout=10s": dial tcp 127.0.0.1:9: connect: connection refused');
  const fail = fake([hook({ name: 'down.example.com' })], { 'down.example.com': down }, false);
  await assert.rejects(admitValidating(podCreate(), fail.deps), (e: ApiError) => e.code === 500 && e.reason === 'InternalError'
    && e.message === 'Internal error occurred: failed calling webhook "down.example.com": failed to call webhook: Post "https://127.0.0.1:9/x?timeout=10s": dial tcp 127.0.0.1:9: connect: connection refused');
  const ignore = fake([hook({ name: 'down.example.com', failurePolicy: 'Ignore' })], { 'down.example.com': down }, false);
  await admitValidating(podCreate(), ignore.deps);
  const mutIgnore = fake([hook({ name: 'down.example.com', failurePolicy: 'Ignore' })], { 'down.example.com': down });
  assert.ok(await admitMutating(podCreate(), mutIgnore.deps));
});

test('an answer breaking the protocol counts as a failure to call (failurePolicy decides)', async () => {
  const wrongUid = () => ({ uid: 'other', allowed: true });
  const { deps } = fake([hook({ name: 'bad.example.com' })], { 'bad.example.com': wrongUid }, false);
  await assert.rejects(admitValidating(podCreate(), deps), /failed calling webhook "bad.example.com": received invalid webhook response: expected response.uid="[0-9a-f-]+", got "other"/);
  const patching = fake([hook({ name: 'v.example.com' })], { 'v.example.com': () => patch([]) }, false);
  await assert.rejects(admitValidating(podCreate(), patching.deps), /validating webhook may not return response.patch or response.patchType/);
  const ignored = fake([hook({ name: 'bad.example.com', failurePolicy: 'Ignore' })], { 'bad.example.com': wrongUid }, false);
  await admitValidating(podCreate(), ignored.deps);
});

test('validating webhooks are all called, at once; warnings reach the response', async () => {
  const started: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const hooks = [hook({ name: 'one.example.com' }), hook({ name: 'two.example.com' })];
  const deps: DispatchDeps = {
    mutating: () => [], validating: () => hooks, namespaceLabels: async () => ({}),
    async post(h, review) {
      started.push(h.name);
      if (started.length === 2) release();
      await gate; // both must be in flight for either to answer
      return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: (review as Review).request.uid, allowed: true, warnings: [`${h.name} says hi`] } };
    },
  };
  const a = podCreate();
  await admitValidating(a, deps);
  assert.deepEqual(a.warnings.sort(), ['one.example.com says hi', 'two.example.com says hi']);
});

test('a dry run is refused by a webhook with side effects, and reaches one with None', async () => {
  const some = fake([hook({ name: 'fx.example.com', sideEffects: 'Some' })], { 'fx.example.com': () => ({ allowed: true }) }, false);
  await assert.rejects(admitValidating(podCreate({}, { dryRun: true }), some.deps), (e: ApiError) => e.code === 400 && e.message === 'admission webhook "fx.example.com" does not support dry run');
  assert.equal(some.calls.length, 0);
  let dry: boolean | undefined;
  const none = fake([hook({ name: 'ok.example.com', sideEffects: 'NoneOnDryRun' })], { 'ok.example.com': (r) => ((dry = r.request.dryRun), { allowed: true }) }, false);
  await admitValidating(podCreate({}, { dryRun: true }), none.deps);
  assert.equal(dry, true);
});

test('a patch on a delete (no object) or one that fails to apply is an internal error, whatever failurePolicy says', async () => {
  const h = hook({ name: 'p.example.com', failurePolicy: 'Ignore' });
  const del = fake([h], { 'p.example.com': () => patch([{ op: 'add', path: '/metadata/labels/x', value: 'y' }]) });
  await assert.rejects(admitMutating(podCreate({}, { operation: 'DELETE', object: undefined }), del.deps),
    /Internal error occurred: admission webhook "p.example.com" attempted to modify the object, which is not supported for this operation/);
  const broken = fake([h], { 'p.example.com': () => patch([{ op: 'replace', path: '/spec/nothing/here', value: 1 }]) });
  await assert.rejects(admitMutating(podCreate(), broken.deps), (e: ApiError) => e.code === 500);
});
