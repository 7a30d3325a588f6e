// The checks and defaults MutatingWebhookConfiguration and ValidatingWebhookConfiguration share, with Kubernetes'
// messages (pkg/apis/admissionregistration/validation): webhook names fully qualified and unique, rules well formed,
// the policies among their values, exactly one of url and service, an https URL without user, query or fragment.
import type { KubeObject } from '../../../lib/api/types.js';
import { AGE, NAME, age, type Printer } from '../../printers/columns.js';
import { asObj as asObjOrUndefined, child, duplicate, forbidden, index, invalid, notSupported, required, type FieldCause, type GoValue, goRaw, type Obj } from '../../validation/field.js';
import { validateLabelSelector } from '../../validation/meta.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPortNum } from '../../validation/names.js';

export const ACCEPTED_REVIEW_VERSIONS = ['v1', 'v1beta1'];
const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];
const FAILURE_POLICIES = ['Fail', 'Ignore'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
/** v1 accepts only these (Some and Unknown were v1beta1's, never served here). */
const SIDE_EFFECTS = ['None', 'NoneOnDryRun'];
const REINVOCATION_POLICIES = ['IfNeeded', 'Never'];

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** The object at v, or a fresh empty one (writes to it are lost) when v is none. */
const asObj = (v: unknown): Obj => asObjOrUndefined(v) ?? {};
const goStrings = (xs: unknown[]): GoValue => goRaw(`[]string{${xs.map((x) => JSON.stringify(String(x))).join(', ')}}`);

/** Kubernetes' v1 defaults: Fail, Equivalent, empty selectors, 10 s, scope "*", port 443, Never for mutating ones. */
export function defaultWebhooks(obj: Obj, mutating: boolean): void {
  for (const raw of list(obj.webhooks)) {
    const h = asObj(raw);
    h.failurePolicy ??= 'Fail';
    h.matchPolicy ??= 'Equivalent';
    h.namespaceSelector ??= {};
    h.objectSelector ??= {};
    h.timeoutSeconds ??= 10;
    if (mutating) h.reinvocationPolicy ??= 'Never';
    for (const r of list(h.rules)) asObj(r).scope ??= '*';
    const service = asObjOrUndefined(asObj(h.clientConfig).service);
    if (service && service.port === undefined) service.port = 443;
  }
}

function fullyQualifiedName(path: string, name: unknown): FieldCause[] {
  const n = typeof name === 'string' ? name : '';
  if (!n) return [required(path)];
  const errs = isDNS1123Subdomain(n);
  if (errs.length) return [invalid(path, n, errs.join(','))];
  if (n.split('.').length < 3) return [invalid(path, n, 'should be a domain with at least three segments separated by dots')];
  return [];
}

function wildcardAlone(path: string, values: unknown[], what: string): FieldCause[] {
  return values.length > 1 && values.includes('*') ? [invalid(path, goStrings(values), `if '*' is present, must not specify other ${what}`)] : [];
}

function validateResources(resources: unknown[], path: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (!resources.length) out.push(required(path));
  const wildSub = new Set<string>(); // x/*
  const wildRes = new Set<string>(); // */x
  let doubleWild = false;
  let singleWild = false;
  let plain = false;
  resources.forEach((raw, i) => {
    const rs = String(raw ?? '');
    if (!rs) return void out.push(required(index(path, i)));
    if (rs === '*/*') doubleWild = true;
    if (rs === '*') singleWild = true;
    const slash = rs.indexOf('/');
    if (slash < 0) return void (plain = rs !== '*');
    const [res, sub] = [rs.slice(0, slash), rs.slice(slash + 1)];
    if (wildSub.has(res)) out.push(invalid(index(path, i), rs, `if '${res}/*' is present, must not specify ${rs}`));
    if (wildRes.has(sub)) out.push(invalid(index(path, i), rs, `if '*/${sub}' is present, must not specify ${rs}`));
    if (sub === '*') wildSub.add(res);
    if (res === '*') wildRes.add(sub);
  });
  if (resources.length > 1 && doubleWild) out.push(invalid(path, goStrings(resources), "if '*/*' is present, must not specify other resources"));
  if (singleWild && plain) out.push(invalid(path, goStrings(resources), "if '*' is present, must not specify other resources without subresources"));
  return out;
}

function validateRule(rule: Obj, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const ops = list(rule.operations);
  if (!ops.length) out.push(required(child(path, 'operations')));
  if (ops.length > 1 && ops.includes('*')) out.push(invalid(child(path, 'operations'), goStrings(ops), "if '*' is present, must not specify other operations"));
  ops.forEach((op, i) => {
    if (!OPERATIONS.includes(String(op))) out.push(notSupported(index(child(path, 'operations'), i), op, OPERATIONS));
  });
  const groups = list(rule.apiGroups);
  if (!groups.length) out.push(required(child(path, 'apiGroups')));
  out.push(...wildcardAlone(child(path, 'apiGroups'), groups, 'API groups'));
  const versions = list(rule.apiVersions);
  if (!versions.length) out.push(required(child(path, 'apiVersions')));
  out.push(...wildcardAlone(child(path, 'apiVersions'), versions, 'API versions'));
  versions.forEach((v, i) => {
    if (!v) out.push(required(index(child(path, 'apiVersions'), i)));
  });
  out.push(...validateResources(list(rule.resources), child(path, 'resources')));
  if (rule.scope !== undefined && !SCOPES.includes(String(rule.scope))) out.push(notSupported(child(path, 'scope'), rule.scope, SCOPES));
  return out;
}

/** `url` the way Go's url.Parse sees it: https only, a host, no user, fragment nor query. */
export function validateWebhookURL(path: string, raw: string): FieldCause[] {
  const form = '; desired format: https://host[/path]';
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return [required(path, `url must be a valid URL: parse ${JSON.stringify(raw)}: invalid URI for request${form}`)];
  }
  const out: FieldCause[] = [];
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'https') out.push(invalid(path, scheme, `'https' is the only allowed URL scheme${form}`));
  if (!u.host) out.push(invalid(path, u.host, `host must be specified${form}`));
  if (u.username || u.password) out.push(invalid(path, u.password ? `${u.username}:${u.password}` : u.username, 'user information is not permitted in the URL'));
  if (u.hash || raw.includes('#')) out.push(invalid(path, u.hash.replace(/^#/, ''), 'fragments are not permitted in the URL'));
  if (u.search || /\?[^#]/.test(raw)) out.push(invalid(path, u.search.replace(/^\?/, ''), 'query parameters are not permitted in the URL'));
  return out;
}

function validateService(path: string, s: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  if (!s.name) out.push(required(child(path, 'name'), 'service name is required'));
  if (!s.namespace) out.push(required(child(path, 'namespace'), 'service namespace is required'));
  const port = typeof s.port === 'number' ? s.port : 443;
  const portErrs = isValidPortNum(port);
  if (portErrs.length) out.push(invalid(child(path, 'port'), port, `port is not valid: ${portErrs.join(', ')}`));
  const p = typeof s.path === 'string' ? s.path : undefined;
  if (p === undefined || p === '/' || p === '') return out;
  const field = child(path, 'path');
  if (p === '//') return [...out, invalid(field, p, 'segment[0] may not be empty')];
  if (!p.startsWith('/')) out.push(invalid(field, p, "must start with a '/'"));
  let rest = p.slice(1);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  rest.split('/').forEach((step, i) => {
    if (!step) return void out.push(invalid(field, p, `segment[${i}] may not be empty`));
    for (const e of isDNS1123Subdomain(step)) out.push(invalid(field, p, `segment[${i}]: ${e}`));
  });
  return out;
}

function validateReviewVersions(versions: unknown[], path: string): FieldCause[] {
  if (!versions.length) return [required(path, `must specify one of ${ACCEPTED_REVIEW_VERSIONS.join(', ')}`)];
  const out: FieldCause[] = [];
  const seen = new Set<string>();
  versions.forEach((raw, i) => {
    const v = String(raw);
    if (seen.has(v)) return void out.push(invalid(index(path, i), v, 'duplicate version'));
    seen.add(v);
    for (const e of isDNS1035Label(v)) out.push(invalid(index(path, i), v, e));
  });
  if (!versions.some((v) => ACCEPTED_REVIEW_VERSIONS.includes(String(v)))) {
    out.push(invalid(path, goStrings(versions), `must include at least one of ${ACCEPTED_REVIEW_VERSIONS.join(', ')}`));
  }
  return out;
}

function validateWebhook(h: Obj, path: string, mutating: boolean): FieldCause[] {
  const out = fullyQualifiedName(child(path, 'name'), h.name);
  list(h.rules).forEach((r, i) => out.push(...validateRule(asObj(r), index(child(path, 'rules'), i))));
  if (h.failurePolicy !== undefined && !FAILURE_POLICIES.includes(String(h.failurePolicy))) out.push(notSupported(child(path, 'failurePolicy'), h.failurePolicy, FAILURE_POLICIES));
  if (h.matchPolicy !== undefined && !MATCH_POLICIES.includes(String(h.matchPolicy))) out.push(notSupported(child(path, 'matchPolicy'), h.matchPolicy, MATCH_POLICIES));
  if (h.namespaceSelector) out.push(...validateLabelSelector(h.namespaceSelector, child(path, 'namespaceSelector')));
  if (h.objectSelector) out.push(...validateLabelSelector(h.objectSelector, child(path, 'objectSelector')));
  if (h.sideEffects === undefined || h.sideEffects === null) out.push(required(child(path, 'sideEffects'), `must specify one of ${SIDE_EFFECTS.join(', ')}`));
  else if (!SIDE_EFFECTS.includes(String(h.sideEffects))) out.push(notSupported(child(path, 'sideEffects'), h.sideEffects, SIDE_EFFECTS));
  if (typeof h.timeoutSeconds === 'number' && (h.timeoutSeconds > 30 || h.timeoutSeconds < 1)) {
    out.push(invalid(child(path, 'timeoutSeconds'), h.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
  }
  if (mutating && h.reinvocationPolicy !== undefined && !REINVOCATION_POLICIES.includes(String(h.reinvocationPolicy))) {
    out.push(notSupported(child(path, 'reinvocationPolicy'), h.reinvocationPolicy, REINVOCATION_POLICIES));
  }
  // refused rather than ignored: a webhook would otherwise be called for requests its conditions leave out
  if (list(h.matchConditions).length) out.push(forbidden(child(path, 'matchConditions'), 'matchConditions (CEL) are not supported by this server'));
  const cc = asObj(h.clientConfig);
  const ccPath = child(path, 'clientConfig');
  const hasURL = typeof cc.url === 'string';
  if (hasURL === (cc.service !== undefined && cc.service !== null)) out.push(required(ccPath, 'exactly one of url or service is required'));
  else if (hasURL) out.push(...validateWebhookURL(child(ccPath, 'url'), cc.url as string));
  else out.push(...validateService(child(ccPath, 'service'), asObj(cc.service)));
  out.push(...validateReviewVersions(list(h.admissionReviewVersions), child(path, 'admissionReviewVersions')));
  return out;
}

/** Every webhook's checks, and names unique in the configuration. */
export function validateWebhookConfiguration(obj: Obj, mutating: boolean): FieldCause[] {
  const out: FieldCause[] = [];
  const names = new Set<string>();
  list(obj.webhooks).forEach((raw, i) => {
    const h = asObj(raw);
    const path = index('webhooks', i);
    out.push(...validateWebhook(h, path, mutating));
    if (typeof h.name === 'string' && h.name) {
      if (names.has(h.name)) out.push(duplicate(child(path, 'name'), h.name));
      names.add(h.name);
    }
  });
  return out;
}

/** kubectl get: NAME, WEBHOOKS (how many), AGE, as Kubernetes prints both kinds. */
export const WEBHOOK_CONFIGURATION_PRINTER: Printer = {
  columns: [NAME, ['Webhooks', 'integer', 0, 'The number of webhooks in the configuration.'], AGE],
  row: (o: KubeObject, now) => [o.metadata.name ?? '', list(o.webhooks).length, age(o.metadata.creationTimestamp, now)],
};
