// Which PersistentVolume a claim may bind to, as Kubernetes' binder chooses: same class, enough capacity, every
// requested access mode, same volume mode, the claim's selector, not promised to another claim (a volume pre-bound
// to this claim wins); among the candidates, the smallest.
import { parseQuantity } from '../../lib/api/quantity.js';
import { labelSelectorFromObject, matchesLabels } from '../../lib/api/selectors/index.js';
import type { KubeObject } from '../../lib/api/types.js';

type ClaimRef = { namespace?: string; name?: string; uid?: string };

export const claimRefOf = (pv: KubeObject): ClaimRef | undefined => pv.spec?.claimRef as ClaimRef | undefined;

/** Is the volume promised to this claim (claimRef by namespace and name, and uid when it has one)? */
export function isPreBoundTo(pv: KubeObject, pvc: KubeObject): boolean {
  const ref = claimRefOf(pv);
  return !!ref && ref.namespace === pvc.metadata.namespace && ref.name === pvc.metadata.name && (!ref.uid || ref.uid === pvc.metadata.uid);
}

export const storageOf = (list: unknown): number => parseQuantity((list as { storage?: unknown } | undefined)?.storage) ?? 0;

/** Does the volume satisfy the claim (not looking at whom it is promised to)? */
export function satisfies(pv: KubeObject, pvc: KubeObject): boolean {
  if ((pv.spec?.storageClassName ?? '') !== (pvc.spec?.storageClassName ?? '')) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem')) return false;
  if (storageOf(pv.spec?.capacity) < storageOf(pvc.spec?.resources?.requests)) return false;
  const modes = (pv.spec?.accessModes ?? []) as string[];
  if (!((pvc.spec?.accessModes ?? []) as string[]).every((m) => modes.includes(m))) return false;
  if (pvc.spec?.selector) {
    try {
      if (!matchesLabels(labelSelectorFromObject(pvc.spec.selector), pv.metadata.labels)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The volume the claim should bind to, or undefined. `nodeOk` narrows to volumes reachable from a selected node. */
export function findMatchingVolume(pvc: KubeObject, volumes: KubeObject[], nodeOk: (pv: KubeObject) => boolean = () => true): KubeObject | undefined {
  const usable = volumes.filter((pv) => !pv.metadata.deletionTimestamp && satisfies(pv, pvc) && nodeOk(pv));
  const preBound = usable.find((pv) => isPreBoundTo(pv, pvc));
  if (preBound) return preBound;
  // a new volume is Pending until the binder has seen it: free all the same
  return usable.filter((pv) => !claimRefOf(pv) && ['Available', 'Pending'].includes(pv.status?.phase ?? 'Available'))
    .sort((a, b) => storageOf(a.spec?.capacity) - storageOf(b.spec?.capacity) || String(a.metadata.name).localeCompare(String(b.metadata.name)))[0];
}
