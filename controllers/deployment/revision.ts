// Revisions: which ReplicaSet is the current one, which number it carries, and which old ones to delete.
// The new ReplicaSet always gets the highest revision (max of the old ones + 1), also when it is an old
// ReplicaSet brought back by `kubectl rollout undo` (its earlier numbers go to revision-history), so
// `kubectl rollout history` lists every template once, at its latest position.
import type { KubeObject } from '../../lib/api/types.js';
import { equalIgnoreHash } from './hash.js';
import { byCreation, DEPRECATED_ROLLBACK_TO, DESIRED_REPLICAS, LAST_APPLIED, MAX_REPLICAS, replicasOf, REVISION, REVISION_HISTORY, revisionHistoryLimit, revisionOf, rsStatus } from './types.js';
import { replicasAnnotations } from './scale.js';

/** Keep revision-history under this many characters (about 100 entries), dropping the oldest. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/** Deployment annotations never copied to a ReplicaSet: they belong to one object only. */
const SKIP = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, DEPRECATED_ROLLBACK_TO]);

export function maxRevision(rss: KubeObject[]): number {
  return rss.reduce((m, rs) => {
    const r = revisionOf(rs);
    return Number.isNaN(r) ? m : Math.max(m, r);
  }, 0);
}

/**
 * The ReplicaSet whose template is the deployment's (ignoring the hash label). Should there be several (an old
 * upgrade bug upstream), the oldest wins, deterministically.
 */
export function findNewReplicaSet(d: KubeObject, rss: KubeObject[]): KubeObject | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export function findOldReplicaSets(d: KubeObject, rss: KubeObject[]): KubeObject[] {
  const cur = findNewReplicaSet(d, rss);
  return rss.filter((rs) => rs !== cur);
}

/**
 * The annotations the new ReplicaSet should carry: the deployment's own (e.g. kubernetes.io/change-cause, so
 * rollout history shows why), the new revision if it is higher than the one it has, with the replaced number
 * appended to revision-history; and, for an RS about to be created, the size annotations. Returns undefined when
 * nothing changes.
 */
export function newRSAnnotations(d: KubeObject, rs: KubeObject, newRevision: number, exists: boolean): Record<string, string> | undefined {
  const out: Record<string, string> = { ...(rs.metadata.annotations ?? {}) };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (SKIP.has(k) || out[k] === v) continue;
    out[k] = v;
    changed = true;
  }
  const had = out[REVISION];
  const old = revisionOf(rs);
  if (Number.isNaN(old)) return changed ? out : undefined; // someone wrote a non-number: leave the revision alone
  if (old < newRevision) {
    out[REVISION] = String(newRevision);
    changed = true;
    // a ReplicaSet that already had a revision is being rolled back to: keep its earlier numbers
    if (had !== undefined && had !== '') out[REVISION_HISTORY] = appendHistory(out[REVISION_HISTORY], had);
  }
  if (!exists) {
    const sized = replicasAnnotations({ ...rs, metadata: { ...rs.metadata, annotations: out } }, d);
    if (sized) return sized;
  }
  return changed ? out : undefined;
}

function appendHistory(history: string | undefined, revision: string): string {
  if (!history) return revision;
  const entries = history.split(',');
  let len = history.length + revision.length + 1;
  let start = 0;
  while (len > MAX_REVISION_HISTORY_CHARS && start < entries.length) len -= (entries[start++] as string).length + 1;
  return [...entries.slice(start), revision].join(',');
}

/** Lowest revision first; unparseable or equal revisions fall back to creation order. */
export function byRevision(a: KubeObject, b: KubeObject): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (Number.isNaN(ra) || Number.isNaN(rb) || ra === rb) return byCreation(a, b);
  return ra - rb;
}

/**
 * Old ReplicaSets past spec.revisionHistoryLimit to delete now, oldest revision first. One that still has (or is
 * asked to have) pods, or whose latest spec its controller hasn't seen yet, keeps its place and is skipped: it
 * goes on a later sync, and a newer one isn't deleted in its stead.
 */
export function replicaSetsToCleanup(d: KubeObject, oldRSs: KubeObject[]): KubeObject[] {
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - revisionHistoryLimit(d);
  if (diff <= 0) return [];
  return [...alive].sort(byRevision).slice(0, diff).filter((rs) =>
    rsStatus(rs, 'replicas') === 0 && replicasOf(rs) === 0 && (rs.metadata.generation ?? 0) <= rsStatus(rs, 'observedGeneration'));
}
