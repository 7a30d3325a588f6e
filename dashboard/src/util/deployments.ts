// Deployments as `kubectl rollout` sees them: the status message of `rollout status`, the revision history (the
// Deployment's ReplicaSets by their deployment.kubernetes.io/revision annotation), and the patches for
// `rollout restart` and `rollout undo` (undo puts a revision's ReplicaSet template back, as kubectl does).
import type { KubeObject } from '../api/types.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const HASH_LABEL = 'pod-template-hash';
/** Deployment annotations undo keeps and never copies from the ReplicaSet (kubectl's list). */
const KEEP = ['kubectl.kubernetes.io/last-applied-configuration', REVISION, 'deployment.kubernetes.io/revision-history', 'deployment.kubernetes.io/desired-replicas', 'deployment.kubernetes.io/max-replicas', 'deprecated.deployment.rollback.to'];

export interface Rollout {
  done: boolean;
  failed: boolean;
  message: string;
}

/** `kubectl rollout status`'s message for the Deployment as it is now. */
export function rolloutStatus(d: KubeObject): Rollout {
  const name = d.metadata.name;
  const st = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (st.observedGeneration ?? 0)) return { done: false, failed: false, message: 'Waiting for deployment spec update to be observed...' };
  const progressing = (st.conditions as Array<{ type: string; reason?: string }> | undefined)?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
  const want = d.spec?.replicas ?? 1;
  const updated = st.updatedReplicas ?? 0;
  const replicas = st.replicas ?? 0;
  const available = st.availableReplicas ?? 0;
  if (updated < want) return { done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...` };
  if (replicas > updated) return { done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${replicas - updated} old replicas are pending termination...` };
  if (available < updated) return { done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...` };
  return { done: true, failed: false, message: `deployment "${name}" successfully rolled out` };
}

export interface Revision {
  revision: number;
  rs: KubeObject;
  images: string[];
  changeCause?: string;
  current: boolean;
}

const images = (template: { spec?: { containers?: Array<{ image?: string }> } } | undefined): string[] => (template?.spec?.containers ?? []).map((c) => c.image ?? '');

/** A pod template without the pod-template-hash label the controller adds to its ReplicaSets. */
export function withoutHash<T>(template: T): T {
  const t = structuredClone(template ?? ({} as T)) as { metadata?: { labels?: Record<string, string> } };
  if (t.metadata?.labels) {
    delete t.metadata.labels[HASH_LABEL];
    if (!Object.keys(t.metadata.labels).length) delete t.metadata.labels;
  }
  return t as T;
}

/** Deep equality of two JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The Deployment's revisions, newest first; `current` marks the one whose template the Deployment runs. */
export function revisions(d: KubeObject, replicaSets: Iterable<KubeObject>): Revision[] {
  const out: Revision[] = [];
  for (const rs of replicaSets) {
    if (rs.metadata.namespace !== d.metadata.namespace) continue;
    if (!rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === d.metadata.uid)) continue;
    const raw = rs.metadata.annotations?.[REVISION];
    if (raw === undefined || !/^\d+$/.test(raw)) continue;
    out.push({ revision: Number(raw), rs, images: images(rs.spec?.template), changeCause: rs.metadata.annotations?.[CHANGE_CAUSE],
      current: jsonEqual(withoutHash(rs.spec?.template), withoutHash(d.spec?.template)) });
  }
  return out.sort((a, b) => b.revision - a.revision);
}

/** The revision `undo` goes back to: the given one, or the one before the newest. */
export function undoTarget(revs: Revision[], to?: number): Revision {
  if (to !== undefined) {
    const r = revs.find((x) => x.revision === to);
    if (!r) throw new Error(`unable to find specified revision ${to} in history`);
    return r;
  }
  if (revs.length < 2) throw new Error('no rollout history found: there is no previous revision');
  return revs[1] as Revision;
}

/** kubectl's undo: one JSON patch that puts the revision's template and annotations back. */
export function undoPatch(d: KubeObject, target: Revision): Array<{ op: string; path: string; value?: unknown }> {
  if (d.spec?.paused) throw new Error('you cannot roll back a paused deployment; resume it first');
  const annotations: Record<string, string> = {};
  for (const k of KEEP) if (d.metadata.annotations?.[k] !== undefined) annotations[k] = d.metadata.annotations[k] as string;
  for (const [k, v] of Object.entries(target.rs.metadata.annotations ?? {})) if (!KEEP.includes(k)) annotations[k] = v;
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: d.metadata.resourceVersion },
    { op: 'replace', path: '/spec/template', value: withoutHash(target.rs.spec?.template) },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
}

/** `kubectl rollout restart`: a new annotation on the pod template, so every pod is replaced. */
export function restartPatch(d: KubeObject, now = new Date()): object {
  if (d.spec?.paused) throw new Error("can't restart a paused deployment (resume it first)");
  return { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: now.toISOString().replace(/\.\d+Z$/, 'Z') } } } } };
}
