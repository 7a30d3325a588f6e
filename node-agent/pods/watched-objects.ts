// The ConfigMaps and Secrets this node's pods use, each watched on its own (`fieldSelector=metadata.name=x` in its
// namespace), as the kubelet does: a node may read only the objects its pods use (the API server's Node authorizer),
// so it cannot watch them all. A watch starts when the first pod here uses the object and stops with the last one.
import { findByKind } from '../../lib/api/kinds.js';
import type { PodReferences } from '../../lib/api/pod-refs.js';
import type { KubeObject } from '../../lib/api/types.js';
import { Informer, type Client } from '../../lib/client/index.js';
import { logger } from '../../lib/util/log.js';

const log = logger('node-agent');
const KINDS = { configMaps: findByKind('v1', 'ConfigMap')!, secrets: findByKind('v1', 'Secret')! };

export type WatchedField = keyof typeof KINDS;

interface Watch {
  informer: Informer;
  /** The uids of the pods that use the object. */
  users: Set<string>;
}

export class WatchedObjects {
  /** `<field>|<namespace>/<name>` -> its watch. */
  private readonly watches = new Map<string, Watch>();
  /** pod uid -> the watch keys it holds. */
  private readonly byPod = new Map<string, Set<string>>();

  /** onChange(field, `ns/name`): the object was added, deleted, or its data changed. */
  constructor(private readonly client: Client, private readonly onChange: (field: WatchedField, key: string) => void) {}

  /** What a pod uses now: watches start for new objects and stop for those no pod uses any more. */
  track(uid: string, refs: Pick<PodReferences, WatchedField>): void {
    const want = new Set<string>();
    for (const field of Object.keys(KINDS) as WatchedField[]) for (const key of refs[field]) want.add(`${field}|${key}`);
    const had = this.byPod.get(uid) ?? new Set<string>();
    for (const w of want) if (!had.has(w)) this.acquire(w, uid);
    for (const w of had) if (!want.has(w)) this.release(w, uid);
    if (want.size) this.byPod.set(uid, want);
    else this.byPod.delete(uid);
  }

  /** The pod is gone from this node. */
  forget(uid: string): void {
    this.track(uid, { configMaps: new Set(), secrets: new Set() });
  }

  /** The object as its watch has it ({} when it doesn't exist), or undefined when it isn't watched or synced yet. */
  cached(field: WatchedField, namespace: string, name: string): { obj?: KubeObject } | undefined {
    const w = this.watches.get(`${field}|${namespace}/${name}`);
    return w?.informer.hasSynced() ? { obj: w.informer.get(name, namespace) } : undefined;
  }

  get size(): number {
    return this.watches.size;
  }

  stop(): void {
    for (const w of this.watches.values()) w.informer.stop();
    this.watches.clear();
    this.byPod.clear();
  }

  private acquire(watchKey: string, uid: string): void {
    let w = this.watches.get(watchKey);
    if (!w) {
      const field = watchKey.slice(0, watchKey.indexOf('|')) as WatchedField;
      const key = watchKey.slice(field.length + 1);
      const namespace = key.slice(0, key.indexOf('/'));
      const name = key.slice(namespace.length + 1);
      const informer = new Informer(this.client, KINDS[field], { namespace, fieldSelector: `metadata.name=${name}` });
      const changed = () => this.onChange(field, key);
      const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
      informer.onAdd(changed).onDelete(changed).onUpdate((old, cur) => {
        if (!same(old.data, cur.data) || !same(old.binaryData, cur.binaryData)) changed();
      });
      informer.start().catch((e: Error) => log.warn('watching an object failed', { kind: KINDS[field].kind, namespace, name, error: e.message }));
      w = { informer, users: new Set() };
      this.watches.set(watchKey, w);
    }
    w.users.add(uid);
  }

  private release(watchKey: string, uid: string): void {
    const w = this.watches.get(watchKey);
    if (!w) return;
    w.users.delete(uid);
    if (w.users.size) return;
    w.informer.stop();
    this.watches.delete(watchKey);
  }
}
