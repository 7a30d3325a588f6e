// The history of DaemonSets and StatefulSets as kubectl reads it: the ControllerRevisions the set controls (listed
// with the set's selector), each numbered by `.revision` and holding the set's pod template as a strategic merge
// patch in `.data` ({"spec":{"template":{...,"$patch":"replace"}}}). A revision's template is what that patch makes
// of the set; `rollout undo` sends the same patch to the server.
import type { KindInfo } from '../../../lib/api/kinds.js';
import { findByKind } from '../../../lib/api/kinds.js';
import { canonicalJson, semantic } from '../../../lib/api/deployment.js';
import { strategicMergePatch } from '../../../lib/api/patch/index.js';
import { labelSelectorFromObject, labelSelectorToString } from '../../../lib/api/selectors/index.js';
import type { KubeObject } from '../../../lib/api/types.js';
import type { Ctx } from '../context.js';

const CONTROLLER_REVISION = findByKind('apps/v1', 'ControllerRevision') as KindInfo;

export const CHANGE_CAUSE = 'kubernetes.io/change-cause';

export const isSet = (k: KindInfo): boolean => k.group === 'apps' && (k.kind === 'DaemonSet' || k.kind === 'StatefulSet');

export const revisionOf = (r: KubeObject): number => (typeof r.revision === 'number' ? r.revision : 0);

/** The revisions among `all` the set controls (a controller ownerReference with its uid), oldest first. */
export function controlled(set: KubeObject, all: KubeObject[]): KubeObject[] {
  return all.filter((r) => r.metadata.ownerReferences?.some((o) => o.controller && o.uid === set.metadata.uid)).sort((a, b) => revisionOf(a) - revisionOf(b));
}

/** The set's ControllerRevisions, oldest first. */
export async function setRevisions(ctx: Ctx, set: KubeObject): Promise<KubeObject[]> {
  const labelSelector = labelSelectorToString(labelSelectorFromObject(set.spec?.selector ?? {}));
  const list = await ctx.client.listAll(CONTROLLER_REVISION, { namespace: set.metadata.namespace ?? '', labelSelector });
  return controlled(set, list.items);
}

/** The set as revision r would make it: r's data applied to it as a strategic merge patch. */
export function applyRevision(set: KubeObject, r: KubeObject): KubeObject {
  return strategicMergePatch(set, r.data ?? null, undefined, () => undefined) as KubeObject;
}

/** The revision `undo` goes back to: `to` itself (the first listed), or (0) the second newest; undefined when none. */
export function findRevision(revs: KubeObject[], to: number): KubeObject | undefined {
  if (to === 0) return revs.length > 1 ? [...revs].sort((a, b) => revisionOf(a) - revisionOf(b))[revs.length - 2] : undefined;
  return revs.find((r) => revisionOf(r) === to);
}

/**
 * Whether the set already runs revision r's template. kubectl compares the revision's bytes with the set's template
 * marshalled as the same patch; we compare the two templates as JSON values, so key order and Go's zero values
 * (`creationTimestamp: null`) don't count.
 */
export function alreadyCurrent(set: KubeObject, r: KubeObject): boolean {
  const mine = { spec: { template: { ...(set.spec?.template ?? {}), $patch: 'replace' } } };
  return canonicalJson(semantic(mine)) === canonicalJson(semantic(r.data));
}

type Obj = Record<string, unknown>;

/** Status fields Go leaves out when zero (`omitempty` in apps/v1's types); the others are always printed. */
const OMIT_EMPTY: Record<string, string[]> = {
  DaemonSet: ['observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'conditions'],
  StatefulSet: ['observedGeneration', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision', 'conditions'],
};

/**
 * A set as kubectl prints a revision with -o: decoded into apps/v1's Go type and encoded again, which gives the
 * template `creationTimestamp: null`, drops zero-valued omitempty status fields and the managed fields.
 */
export function typedView(kind: 'DaemonSet' | 'StatefulSet', set: KubeObject): KubeObject {
  const out = structuredClone(set) as KubeObject & { spec?: Obj; status?: Obj };
  delete out.metadata.managedFields;
  const spec = (out.spec ?? {}) as Obj;
  const template = (spec.template ?? {}) as Obj;
  template.metadata = { creationTimestamp: null, ...((template.metadata ?? {}) as Obj) };
  spec.template = template;
  out.spec = spec;
  const status = (out.status ?? {}) as Obj;
  for (const k of OMIT_EMPTY[kind] ?? []) {
    const v = status[k];
    if (v === 0 || v === '' || v === null || (Array.isArray(v) && !v.length)) delete status[k];
  }
  out.status = status;
  return { apiVersion: 'apps/v1', kind, ...out } as KubeObject;
}

/** The revision's template, as `--revision=N` describes it (no change-cause added: kubectl adds none for sets). */
export function templateAt(set: KubeObject, r: KubeObject): unknown {
  return applyRevision(set, r).spec?.template ?? {};
}
