// A DaemonSet's ControllerRevisions: each holds one template as the strategic merge patch `kubectl rollout undo`
// applies to go back to it ({"spec":{"template":{...,"$patch":"replace"}}}), is named <ds>-<hash> and carries the
// template's labels plus controller-revision-hash. The current template's revision always has the highest number:
// an undo brings an old revision back by renumbering it, so `kubectl rollout history` lists each template once.
import { canonicalJson } from '../../lib/api/deployment.js';
import type { KubeObject } from '../../lib/api/types.js';
import { computeHash } from '../deployment/hash.js';
import { REVISION_HASH_LABEL } from './placement.js';

/** The revision data for the DaemonSet's current template. */
export function revisionData(ds: KubeObject): Record<string, unknown> {
  return { spec: { template: { ...(ds.spec?.template ?? {}), $patch: 'replace' } } };
}

export const sameData = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

export const revisionNumber = (r: KubeObject): number => (typeof r.revision === 'number' ? r.revision : 0);

/** What to do about the revisions so the current template has the newest one. */
export type HistoryPlan =
  | { kind: 'current'; revision: KubeObject; duplicates: KubeObject[] }
  | { kind: 'renumber'; revision: KubeObject; to: number; duplicates: KubeObject[] }
  | { kind: 'create'; revision: KubeObject };

/** The revision for ds's template: an existing one (renumbered when older than the newest), or a new one. */
export function planHistory(ds: KubeObject, revisions: KubeObject[]): HistoryPlan {
  const data = revisionData(ds);
  const max = revisions.reduce((m, r) => Math.max(m, revisionNumber(r)), 0);
  const matching = revisions.filter((r) => sameData(r.data, data)).sort((a, b) => revisionNumber(b) - revisionNumber(a));
  const [cur, ...duplicates] = matching;
  if (cur) return revisionNumber(cur) < max ? { kind: 'renumber', revision: cur, to: max + 1, duplicates } : { kind: 'current', revision: cur, duplicates };
  const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
  return {
    kind: 'create',
    revision: {
      metadata: {
        name: `${ds.metadata.name as string}-${hash}`,
        namespace: ds.metadata.namespace,
        labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
        annotations: { ...changeCause(ds) },
      },
      data,
      revision: max + 1,
    } as KubeObject,
  };
}

/** The DaemonSet's change-cause annotation, which rollout history shows beside the revision. */
function changeCause(ds: KubeObject): Record<string, string> {
  const cause = ds.metadata.annotations?.['kubernetes.io/change-cause'];
  return cause ? { 'kubernetes.io/change-cause': cause } : {};
}

/** The hash pods of revision r carry. */
export const hashOf = (r: KubeObject): string => r.metadata.labels?.[REVISION_HASH_LABEL] ?? (r.metadata.name as string).split('-').pop() ?? '';

/** Old revisions beyond revisionHistoryLimit that no live pod still runs, oldest first. */
export function revisionsToPrune(ds: KubeObject, revisions: KubeObject[], current: KubeObject, podHashes: Set<string>): KubeObject[] {
  const limit = typeof ds.spec?.revisionHistoryLimit === 'number' ? ds.spec.revisionHistoryLimit : 10;
  const old = revisions.filter((r) => r.metadata.name !== current.metadata.name && !podHashes.has(hashOf(r)))
    .sort((a, b) => revisionNumber(a) - revisionNumber(b));
  return old.slice(0, Math.max(0, old.length - limit));
}
