// A StatefulSet's pods and claims: the pod of ordinal i is <set>-i, labelled with its name, its index and the
// revision it was made from, with hostname <set>-i and subdomain serviceName (its DNS name in the governing Service),
// and one claim per volume claim template, <template>-<set>-i, mounted in place of the template's volume of that name.
import type { KubeObject, OwnerReference } from '../../lib/api/types.js';
import { newControllerRef } from '../../lib/client/index.js';
import { REVISION_LABEL } from './revision.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

type Volume = { name: string; [k: string]: unknown };

export const startOrdinal = (set: KubeObject): number => (set.spec?.ordinals?.start as number | undefined) ?? 0;
export const replicasOf = (set: KubeObject): number => (set.spec?.replicas as number | undefined) ?? 1;

/** The ordinal of a pod of this set by its name (`web-3` -> 3), or undefined when the name isn't one of the set's. */
export function ordinalOf(set: KubeObject, pod: KubeObject): number | undefined {
  const prefix = `${set.metadata.name}-`;
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

export const podName = (set: KubeObject, ordinal: number): string => `${set.metadata.name}-${ordinal}`;
export const claimName = (template: KubeObject, set: KubeObject, ordinal: number): string => `${template.metadata.name}-${set.metadata.name}-${ordinal}`;
export const claimTemplates = (set: KubeObject): KubeObject[] => (set.spec?.volumeClaimTemplates ?? []) as KubeObject[];

/** The set's pod of `ordinal` from `template` (a revision's), labelled with that revision. */
export function newPod(set: KubeObject, template: Record<string, unknown>, revisionName: string, ordinal: number): KubeObject {
  type Meta = { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };
  const tpl = structuredClone(template) as { metadata?: Meta; spec?: Record<string, unknown> };
  const name = podName(set, ordinal);
  const spec = tpl.spec ?? {};
  const volumes = ((spec.volumes ?? []) as Volume[]).filter((v) => !claimTemplates(set).some((c) => c.metadata.name === v.name));
  for (const c of claimTemplates(set)) volumes.push({ name: c.metadata.name as string, persistentVolumeClaim: { claimName: claimName(c, set, ordinal) } });
  if (volumes.length) spec.volumes = volumes;
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  return {
    metadata: {
      name,
      namespace: set.metadata.namespace,
      labels: { ...(tpl.metadata?.labels ?? {}), [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_LABEL]: revisionName },
      annotations: tpl.metadata?.annotations,
      finalizers: tpl.metadata?.finalizers,
      ownerReferences: [newControllerRef(set, 'apps/v1', 'StatefulSet')],
    },
    spec,
  };
}

/** The owner references a claim should carry under the set's retention policy (whenDeleted: Delete -> the set). */
export function claimOwnerRefs(set: KubeObject, claim: KubeObject | undefined): OwnerReference[] {
  const others = (claim?.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.metadata.uid);
  if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted !== 'Delete') return others;
  return [...others, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata.name as string, uid: set.metadata.uid as string, blockOwnerDeletion: true }];
}

/** The claim of `template` for the pod of `ordinal`: the template's labels and the set's selector labels. */
export function newClaim(set: KubeObject, template: KubeObject, ordinal: number): KubeObject {
  const refs = claimOwnerRefs(set, undefined);
  return {
    metadata: {
      name: claimName(template, set, ordinal),
      namespace: set.metadata.namespace,
      labels: { ...(template.metadata.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) },
      annotations: template.metadata.annotations,
      ...(refs.length ? { ownerReferences: refs } : {}),
    },
    spec: structuredClone(template.spec ?? {}),
  };
}

export const revisionOfPod = (p: KubeObject): string => p.metadata.labels?.[REVISION_LABEL] ?? '';
