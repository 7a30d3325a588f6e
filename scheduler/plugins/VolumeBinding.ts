// VolumeBinding, after kube-scheduler's: a pod's persistentVolumeClaim volumes decide where it may run. A missing
// claim or one being deleted rejects every node; a bound claim admits only the nodes its volume's nodeAffinity
// allows; an unbound claim of a WaitForFirstConsumer class admits any node (the claim is provisioned or bound for
// the node the pod lands on: bindClaims() writes volume.kubernetes.io/selected-node on it before the pod is bound),
// an unbound one of another class waits for the binder ("unbound immediate PersistentVolumeClaims").
import { SELECTED_NODE_ANNOTATION } from '../../lib/api/storage.js';
import type { KubeObject } from '../../lib/api/types.js';
import { SKIP, unresolvable, unschedulable, type CycleContext, type FilterPlugin } from '../framework.js';
import { anyTermMatches, type NodeSelectorTerm } from './helpers.js';

export const REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';

/** Where the plugin looks claims, volumes and classes up (the scheduler's informers). */
export interface VolumeCatalog {
  claim(namespace: string, name: string): KubeObject | undefined;
  volume(name: string): KubeObject | undefined;
  storageClass(name: string): KubeObject | undefined;
}

let catalog: VolumeCatalog | undefined;

/** The scheduler sets its catalog once its informers run; without one (plugin tests) pods with claims are not looked at. */
export function setVolumeCatalog(c: VolumeCatalog | undefined): void {
  catalog = c;
}

type Claims = { bound: KubeObject[]; delayed: KubeObject[] };

const claimNamesOf = (pod: KubeObject): string[] =>
  ((pod.spec?.volumes ?? []) as Array<{ name: string; persistentVolumeClaim?: { claimName?: string }; ephemeral?: unknown }>)
    .flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : v.ephemeral ? [`${pod.metadata.name}-${v.name}`] : []));

/** Does the claim wait for its first consumer (its class's volumeBindingMode)? */
export function isDelayedBinding(c: VolumeCatalog, pvc: KubeObject): boolean {
  const cls = pvc.spec?.storageClassName as string | undefined;
  return !!cls && c.storageClass(cls)?.volumeBindingMode === 'WaitForFirstConsumer';
}

function classify(cx: CycleContext, c: VolumeCatalog): Claims | ReturnType<typeof unresolvable> {
  const out: Claims = { bound: [], delayed: [] };
  for (const name of claimNamesOf(cx.pod)) {
    const pvc = c.claim(cx.namespace, name);
    if (!pvc) return unresolvable(`persistentvolumeclaim "${name}" not found`);
    if (pvc.metadata.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
    if (pvc.spec?.volumeName) out.bound.push(pvc);
    else if (isDelayedBinding(c, pvc)) out.delayed.push(pvc);
    else return unresolvable(REASON_UNBOUND_IMMEDIATE);
  }
  return out;
}

export function volumeBinding(): FilterPlugin {
  return {
    name: 'VolumeBinding',
    events: ['NodeAdd', 'NodeLabelChange', 'VolumeChange'],
    preFilter(cx) {
      if (!catalog || !claimNamesOf(cx.pod).length) return SKIP;
      const r = classify(cx, catalog);
      if (!('bound' in r)) return r;
      cx.state.set('VolumeBinding', r);
      return undefined;
    },
    filter(cx, node) {
      const claims = cx.state.get('VolumeBinding') as Claims | undefined;
      if (!claims || !node.node || !catalog) return undefined;
      for (const pvc of claims.bound) {
        const pv = catalog.volume(pvc.spec?.volumeName as string);
        if (!pv) return unschedulable(`pvc(s) bound to non-existent pv(s)`);
        const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms as NodeSelectorTerm[] | undefined;
        if (terms && !anyTermMatches(terms, node.node)) return unresolvable(REASON_NODE_CONFLICT);
      }
      // a delayed claim already promised to a node (an earlier try of this pod) keeps the pod there
      for (const pvc of claims.delayed) {
        const selected = pvc.metadata.annotations?.[SELECTED_NODE_ANNOTATION];
        if (selected && selected !== node.node.metadata.name) return unresolvable(REASON_NODE_CONFLICT);
      }
      return undefined;
    },
  };
}

/** The pod's unbound WaitForFirstConsumer claims, for bindClaims(). */
export function delayedClaims(pod: KubeObject): KubeObject[] {
  if (!catalog) return [];
  const c = catalog;
  return claimNamesOf(pod).map((n) => c.claim(pod.metadata.namespace ?? 'default', n))
    .filter((p): p is KubeObject => !!p && !p.spec?.volumeName && isDelayedBinding(c, p));
}
