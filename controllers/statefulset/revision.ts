// A StatefulSet's ControllerRevisions: each holds one pod template as the patch that restores it
// ({"spec":{"template":{...,"$patch":"replace"}}}, what `kubectl rollout undo sts` applies), is named <set>-<hash>
// and numbered; that name is the pods' controller-revision-hash label. A template equal to an older revision's
// (a rollback) reuses that revision with the next number, so `kubectl rollout history` lists each template once.
import { canonicalJson, LAST_APPLIED } from '../../lib/api/deployment.js';
import type { KubeObject } from '../../lib/api/types.js';
import { newControllerRef } from '../../lib/client/index.js';
import { computeHash } from '../deployment/hash.js';

export const REVISION_LABEL = 'controller-revision-hash';

/** The revision data of a set's current template. */
export function revisionData(set: KubeObject): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(set.spec?.template ?? {}), $patch: 'replace' } } };
}

/** The template a revision holds. */
export function templateOf(rev: KubeObject): Record<string, unknown> {
  const tpl = { ...((rev.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template ?? {}) };
  delete tpl.$patch;
  return tpl;
}

export const sameData = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

export const revisionNumber = (r: KubeObject): number => (typeof r.revision === 'number' ? r.revision : 0);

export function nextRevisionNumber(revs: KubeObject[]): number {
  return revs.reduce((m, r) => Math.max(m, revisionNumber(r)), 0) + 1;
}

/** A new ControllerRevision of the set's template, numbered `revision`, named with `collisionCount` mixed in. */
export function newRevision(set: KubeObject, revision: number, collisionCount: number): KubeObject {
  const data = revisionData(set);
  const annotations: Record<string, string> = {};
  // the set's annotations go along (kubernetes.io/change-cause is what `rollout history` prints), not apply's copy
  for (const [k, v] of Object.entries(set.metadata.annotations ?? {})) if (k !== LAST_APPLIED) annotations[k] = v;
  return {
    metadata: {
      name: `${set.metadata.name}-${computeHash(data, collisionCount || undefined)}`,
      namespace: set.metadata.namespace,
      labels: { ...(set.spec?.template?.metadata?.labels ?? {}) },
      annotations,
      ownerReferences: [newControllerRef(set, 'apps/v1', 'StatefulSet')],
    },
    data,
    revision,
  };
}

/** Revisions past the history limit, oldest first: never the current or update revision, nor one a pod still has. */
export function revisionsToDelete(revs: KubeObject[], limit: number, keep: Set<string>): KubeObject[] {
  const old = revs.filter((r) => !keep.has(r.metadata.name as string)).sort((a, b) => revisionNumber(a) - revisionNumber(b));
  return old.slice(0, Math.max(0, old.length - limit));
}
