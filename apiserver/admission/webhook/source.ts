// The webhooks of every MutatingWebhookConfiguration or ValidatingWebhookConfiguration, as the dispatchers use them:
// sorted by configuration name, then in each configuration's order (Kubernetes' order), defaults applied, selectors
// parsed and caBundle decoded. Read from the watch cache (the API server's informer of the kind) and compiled again
// only when a configuration changed, never per request.
import { labelSelectorFromObject, type LabelSelectorParsed } from '../../../lib/api/selectors/index.js';
import type { KubeObject, LabelSelector } from '../../../lib/api/types.js';
import type { RuleWithOperations, Webhook } from './types.js';

type Raw = Record<string, unknown>;
const asRaw = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function selector(v: unknown): LabelSelectorParsed | undefined {
  try {
    return labelSelectorFromObject((v ?? {}) as LabelSelector);
  } catch {
    return undefined;
  }
}

function compileOne(cfg: KubeObject, raw: Raw, i: number, mutating: boolean): Webhook {
  const cc = asRaw(raw.clientConfig);
  const svc = cc.service ? asRaw(cc.service) : undefined;
  const rules: RuleWithOperations[] = (Array.isArray(raw.rules) ? raw.rules : []).map((r) => {
    const rr = asRaw(r);
    return { operations: strings(rr.operations), apiGroups: strings(rr.apiGroups), apiVersions: strings(rr.apiVersions), resources: strings(rr.resources),
      scope: typeof rr.scope === 'string' ? rr.scope : '*' };
  });
  return {
    name: String(raw.name ?? ''),
    configuration: String(cfg.metadata.name ?? ''),
    uid: `${String(cfg.metadata.name ?? '')}/${i}`,
    clientConfig: {
      url: typeof cc.url === 'string' ? cc.url : undefined,
      service: svc ? { namespace: String(svc.namespace ?? ''), name: String(svc.name ?? ''), path: typeof svc.path === 'string' ? svc.path : undefined,
        port: typeof svc.port === 'number' ? svc.port : 443 } : undefined,
      caBundle: typeof cc.caBundle === 'string' ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : '',
    },
    rules,
    failurePolicy: raw.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    matchPolicy: raw.matchPolicy === 'Exact' ? 'Exact' : 'Equivalent',
    namespaceSelector: selector(raw.namespaceSelector),
    objectSelector: selector(raw.objectSelector),
    sideEffects: String(raw.sideEffects ?? 'Unknown'),
    timeoutSeconds: typeof raw.timeoutSeconds === 'number' && raw.timeoutSeconds >= 1 && raw.timeoutSeconds <= 30 ? raw.timeoutSeconds : 10,
    admissionReviewVersions: strings(raw.admissionReviewVersions),
    reinvocationPolicy: mutating && raw.reinvocationPolicy === 'IfNeeded' ? 'IfNeeded' : 'Never',
  };
}

/** Every webhook of the configurations, in Kubernetes' order. */
export function compileWebhooks(configs: KubeObject[], mutating: boolean): Webhook[] {
  // byte order, as Go sorts names
  const name = (c: KubeObject) => String(c.metadata.name ?? '');
  const sorted = [...configs].sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  return sorted.flatMap((cfg) => (Array.isArray(cfg.webhooks) ? cfg.webhooks : []).map((w, i) => compileOne(cfg, asRaw(w), i, mutating)));
}

/** The compiled webhooks of one kind of configuration, recompiled when the cached configurations change. */
export function webhookSource(list: () => KubeObject[], mutating: boolean): () => Webhook[] {
  let key = '';
  let compiled: Webhook[] = [];
  return () => {
    const configs = list();
    const k = configs.map((c) => `${c.metadata.name}@${c.metadata.resourceVersion}`).sort().join(',');
    if (k !== key) {
      compiled = compileWebhooks(configs, mutating);
      key = k;
    }
    return compiled;
  };
}
