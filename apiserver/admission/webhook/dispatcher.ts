// The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins: which webhooks a write goes to, calling them
// (mutating ones one after another, each seeing the previous one's patch; validating ones all at once), and what
// their answers mean for the write. Reinvocation as Kubernetes does it: when a webhook changes the object, the
// webhooks with reinvocationPolicy IfNeeded that ran before it are called once more, after the built-in mutating
// plugins ran again.
import { deepEqual } from '../../../lib/api/patch/errors.js';
import { logger } from '../../../lib/util/log.js';
import { ApiError, errors } from '../../errors.js';
import { applyWebhookPatch, buildReview, denial, reviewVersion, verifyResponse, WebhookCallError, type AdmissionResponse } from './review.js';
import { namespaceSelectorMatches, objectSelectorMatches, rulesMatch } from './rules.js';
import type { AdmissionAttributes, Webhook } from './types.js';

const log = logger('admission-webhook');

export interface DispatchDeps {
  mutating(): Webhook[];
  validating(): Webhook[];
  /** The labels of a namespace (watch cache first); undefined when there is no such namespace. */
  namespaceLabels(namespace: string): Promise<Record<string, string> | undefined>;
  /** POSTs a review to the webhook and resolves to its decoded answer; rejects with WebhookCallError. */
  post(h: Webhook, review: unknown): Promise<unknown>;
}

/** The webhooks a write goes to, in order: rules first, then the selectors (the namespace's labels looked up once). */
async function relevant(hooks: Webhook[], a: AdmissionAttributes, deps: DispatchDeps): Promise<Webhook[]> {
  const byRules = hooks.filter((h) => rulesMatch(h, a) && objectSelectorMatches(h, a));
  if (!byRules.length) return [];
  let labels: Record<string, string> | undefined;
  const needsNamespace = a.namespace !== '' && !(a.kind.group === '' && a.kind.resource === 'namespaces') && byRules.some((h) => h.namespaceSelector?.length);
  if (needsNamespace) labels = await deps.namespaceLabels(a.namespace);
  return byRules.filter((h) => namespaceSelectorMatches(h, a, labels));
}

/** One call: the review out, the answer checked; refusals and protocol breaks thrown (WebhookCallError for the latter). */
async function call(h: Webhook, a: AdmissionAttributes, deps: DispatchDeps, mutating: boolean): Promise<AdmissionResponse> {
  // a dry run must not reach a webhook that may act on what it is told
  if (a.dryRun && h.sideEffects !== 'None' && h.sideEffects !== 'NoneOnDryRun') {
    throw errors.badRequest(`admission webhook ${JSON.stringify(h.name)} does not support dry run`);
  }
  const version = reviewVersion(h);
  if (!version) throw new WebhookCallError(h.name, `failed to call webhook: webhook does not accept known AdmissionReview versions (${h.admissionReviewVersions.join(', ')})`);
  const review = buildReview(a, version);
  const answer = await deps.post(h, review.body);
  const resp = verifyResponse(h, review.uid, version, answer, mutating);
  a.warnings.push(...resp.warnings);
  if (!resp.allowed) throw denial(h.name, resp.status);
  return resp;
}

/** A failure to call: with failurePolicy Ignore the write goes on; with Fail it is refused as an internal error. */
function failed(h: Webhook, e: unknown): ApiError | undefined {
  if (e instanceof WebhookCallError) {
    if (h.failurePolicy === 'Ignore') {
      log.warn('failed calling webhook, failing open', { webhook: h.name, error: e.message });
      return undefined;
    }
    log.warn('failed calling webhook, failing closed', { webhook: h.name, error: e.message });
    return errors.internal(e.message);
  }
  if (e instanceof ApiError) return e;
  // anything else is our bug: refuse this write, keep the server
  log.error('admission webhook dispatch failed', { webhook: h.name, error: (e as Error).message });
  return errors.internal((e as Error).message);
}

/**
 * Runs the mutating webhooks on `a.object` (replaced by their patches). `builtin` reruns the built-in mutating
 * plugins for a reinvocation round. Returns the object to go on with.
 */
export async function admitMutating(a: AdmissionAttributes, deps: DispatchDeps, builtin?: (obj: NonNullable<AdmissionAttributes['object']>) => Promise<void>): Promise<AdmissionAttributes['object']> {
  const hooks = await relevant(deps.mutating(), a, deps);
  if (!hooks.length) return a.object;
  const ranIfNeeded = new Set<string>();
  const reinvoke = new Set<string>();
  let changedAny = false;
  const run = async (h: Webhook): Promise<void> => {
    let changed = false;
    try {
      const resp = await call(h, a, deps, true);
      if (resp.patch) changed = applyWebhookPatch(h, a, resp.patch);
    } catch (e) {
      const refusal = failed(h, e);
      if (refusal) throw refusal;
    }
    if (changed) {
      changedAny = true;
      for (const uid of ranIfNeeded) reinvoke.add(uid);
    }
    if (h.reinvocationPolicy === 'IfNeeded') ranIfNeeded.add(h.uid);
  };
  for (const h of hooks) await run(h);
  if (!changedAny) return a.object;
  // the reinvocation round: the built-in plugins again, then the webhooks owed a second call (once each)
  if (builtin && a.object) {
    const before = structuredClone(a.object);
    await builtin(a.object);
    if (!deepEqual(before, a.object)) for (const uid of ranIfNeeded) reinvoke.add(uid);
  }
  const second = hooks.filter((h) => reinvoke.has(h.uid));
  reinvoke.clear();
  for (const h of second) await run(h);
  return a.object;
}

/** Runs the validating webhooks, all at once; the first refusal (in webhook order) is the answer. */
export async function admitValidating(a: AdmissionAttributes, deps: DispatchDeps): Promise<void> {
  const hooks = await relevant(deps.validating(), a, deps);
  if (!hooks.length) return;
  const results = await Promise.all(hooks.map(async (h) => {
    try {
      await call(h, a, deps, false);
      return undefined;
    } catch (e) {
      return failed(h, e);
    }
  }));
  const refusal = results.find((r) => r !== undefined);
  if (refusal) throw refusal;
}
