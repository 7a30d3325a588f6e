// The Deployment vocabulary every client shares with the deployment controller: the annotation and label keys
// Kubernetes puts on Deployments and their ReplicaSets, and how a ReplicaSet's template is recognised as a
// Deployment's (flotctl's rollout history and undo, the controller's revisions).

export const HASH_LABEL = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** extensions/v1beta1's rollbackTo, still in the skip list upstream so an old annotation never leaks onto an RS. */
export const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';

/** JSON with object keys sorted at every level and undefined dropped: equal values always give equal text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const parts = Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`);
  return `{${parts.join(',')}}`;
}

/**
 * Drops what Kubernetes' semantic equality ignores: null, undefined, empty maps and empty lists (a nil map and an
 * empty one are the same template).
 */
export function semantic(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(semantic) : undefined;
  if (v === null || typeof v !== 'object') return v ?? undefined;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const s = semantic(x);
    if (s !== undefined) out[k] = s;
  }
  return Object.keys(out).length ? out : undefined;
}

function withoutHashLabel(template: unknown): unknown {
  const t = (template ?? {}) as { metadata?: { labels?: Record<string, string> } };
  if (!t.metadata?.labels || !(HASH_LABEL in t.metadata.labels)) return t;
  const { [HASH_LABEL]: _drop, ...labels } = t.metadata.labels;
  return { ...t, metadata: { ...t.metadata, labels } };
}

/**
 * Are two pod templates the same apart from the pod-template-hash label? This is how a Deployment recognises its
 * current ReplicaSet, including an old one after `kubectl rollout undo` copied its template back.
 */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return canonicalJson(semantic(withoutHashLabel(a)) ?? {}) === canonicalJson(semantic(withoutHashLabel(b)) ?? {});
}
