// Preact hooks over the live collections, access reviews and discovery.
import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import type { Answer, ResourceAttributes } from '../api/access.js';
import { attributesKey } from '../api/access.js';
import { collectionPath, type ResourceType } from '../api/resources.js';
import type { KubeObject, TableRow } from '../api/types.js';
import type { Snapshot, WatchOptions } from '../api/watch.js';
import { useApp } from './app.js';
import { watchKey } from './watches.js';

const EMPTY: Snapshot<KubeObject | TableRow> = { items: new Map<string, KubeObject | TableRow>(), synced: false, version: 0, updates: 0, lists: 0 };

/** A live collection; re-renders at most once per frame while it changes. Pass undefined to watch nothing. */
export function useWatchPath<T extends KubeObject | TableRow = KubeObject>(o: WatchOptions | undefined): Snapshot<T> {
  const { watches } = useApp();
  const key = o ? watchKey(o) : '';
  const [snap, setSnap] = useState<Snapshot<T>>(EMPTY as unknown as Snapshot<T>);
  // a layout effect: the list request leaves before the first paint, not after it
  useLayoutEffect(() => {
    if (!o) {
      setSnap(EMPTY as unknown as Snapshot<T>);
      return undefined;
    }
    const { watcher, release } = watches.acquire<T>(o);
    setSnap(watcher.snapshot);
    const unsubscribe = watcher.subscribe(setSnap);
    return () => {
      unsubscribe();
      release();
    };
  }, [key]);
  return snap;
}

/** The objects of a type in a namespace ('' = all namespaces), live. */
export function useObjects(type: ResourceType | undefined, ns: string, extra: Partial<WatchOptions> = {}): Snapshot<KubeObject> {
  return useWatchPath<KubeObject>(type ? { path: collectionPath(type, ns), ...extra } : undefined);
}

/** The server's Table rows of a type in a namespace, live. */
export function useTableRows(type: ResourceType | undefined, ns: string): Snapshot<TableRow> {
  return useWatchPath<TableRow>(type ? { path: collectionPath(type, ns), table: true } : undefined);
}

/** One object, live (a watch on its name). */
export function useObject(type: ResourceType | undefined, ns: string | undefined, name: string | undefined): { obj?: KubeObject; synced: boolean; error?: Snapshot<KubeObject>['error'] } {
  const snap = useWatchPath<KubeObject>(type && name ? { path: collectionPath(type, type.namespaced ? ns : undefined), fieldSelector: `metadata.name=${name}` } : undefined);
  const obj = useMemo(() => [...snap.items.values()][0], [snap.version, snap.items]);
  return { obj, synced: snap.synced, error: snap.error };
}

/**
 * May the user do this? undefined while the review is on its way; 'unknown' when the API has no access reviews yet
 * (show the action). Pass undefined to skip.
 */
export function useCan(a: ResourceAttributes | undefined): Answer | undefined {
  const { access } = useApp();
  const key = a ? attributesKey(a) : '';
  const [answer, setAnswer] = useState<Answer | undefined>(undefined);
  useEffect(() => {
    if (!a) return undefined;
    let live = true;
    setAnswer(undefined);
    void access.can(a).then((r) => live && setAnswer(r));
    return () => {
      live = false;
    };
  }, [key]);
  return answer;
}

/** Whether to show an action: the review allowed it, or couldn't say. */
export const shows = (a: Answer | undefined): boolean => a === 'allowed' || a === 'unknown';

export function useDiscovery(): ResourceType[] | undefined {
  const { discovery } = useApp();
  const [types, setTypes] = useState<ResourceType[] | undefined>(undefined);
  useEffect(() => {
    let live = true;
    discovery().then((t) => live && setTypes(t), () => live && setTypes([]));
    return () => {
      live = false;
    };
  }, [discovery]);
  return types;
}

/** Re-renders every `ms` (ages in tables move on without any event). */
export function useTick(ms: number): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setN((x) => x + 1), ms);
    return () => clearInterval(t);
  }, [ms]);
  return n;
}
