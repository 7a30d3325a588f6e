// The garbage collector: deletes objects whose owners (ownerReferences) are gone, and carries out the two
// propagation policies that need help after a delete:
//  - orphan: the owner carries the `orphan` finalizer; remove the owner from its dependents' ownerReferences,
//    then drop the finalizer.
//  - foreground: the owner carries `foregroundDeletion`; delete its dependents (themselves in the foreground), and
//    drop the finalizer once no dependent that blocks owner deletion is left.
// Background deletion needs nothing special: the owner is gone at once and its dependents become dangling.
// Before deleting anything it confirms with a live GET that the owner is really gone (informers can lag).
import { KINDS, apiVersionOf, type KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject, OwnerReference } from '../../lib/api/types.js';
import { CRD_KIND, customKindOf, isBuiltinGroup, resolveKind } from '../../lib/client/custom-kinds.js';
import { Informer, isConflict, isNotFound, Reconciler, release, setOwnerReferences } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';

export const ORPHAN = 'orphan';
export const FOREGROUND = 'foregroundDeletion';

/** Kinds the collector watches: everything except the high-volume, never-owning Events. */
const WATCHED = KINDS.filter((k) => k.kind !== 'Event' && k.kind !== 'Namespace' && !k.createOnly);

const itemKey = (k: KindInfo, o: KubeObject): string => `${apiVersionOf(k)}|${k.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;

export class GarbageCollector extends Reconciler {
  private readonly informers = new Map<KindInfo, Informer>();
  /** uid → where the object lives, for every watched object. */
  private readonly byUid = new Map<string, { kind: KindInfo; obj: KubeObject }>();
  /** The kinds of established CRDs (by CRD name), watched like the built-in ones once they appear. */
  private readonly custom = new Map<string, KindInfo>();
  private readonly crds: Informer;
  private started = false;

  constructor(private readonly ctx: ControllerContext) {
    super('garbage-collector');
    for (const kind of WATCHED) this.watch(kind);
    // custom objects own and are owned like any other (an operator's CR owning its Deployment): their kinds come
    // and go with their CRDs
    this.crds = ctx.informers.informerFor(CRD_KIND);
    this.crds.onAdd((c) => this.crdChanged(c)).onUpdate((_o, c) => this.crdChanged(c)).onDelete((c) => this.crdGone(c));
  }

  /** Built-in kinds through the shared informers; a custom kind through one of its own, stopped with its CRD. */
  private watch(kind: KindInfo, own = false): void {
    const inf = own ? new Informer(this.ctx.client, kind) : this.ctx.informers.informerFor(kind);
    if (!inf.hasIndex('owners')) inf.addIndex('owners', (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid));
    this.informers.set(kind, inf);
    inf.onAdd((o) => this.observe(kind, o)).onUpdate((_old, o) => this.observe(kind, o)).onDelete((o) => this.gone(kind, o));
  }

  private crdChanged(crd: KubeObject): void {
    const name = crd.metadata.name as string;
    const kind = customKindOf(crd);
    const had = this.custom.get(name);
    if (!kind || (had && had.group === kind.group && had.version === kind.version && had.kind === kind.kind && had.resource === kind.resource)) return;
    if (had) this.crdGone(crd);
    this.custom.set(name, kind);
    this.watch(kind, true);
    if (this.started) void this.informers.get(kind)?.start().catch((e: unknown) => this.log.warn('custom kind watch failed', { crd: name, error: String(e) }));
  }

  private crdGone(crd: KubeObject): void {
    const kind = this.custom.get(crd.metadata.name as string);
    if (!kind) return;
    this.custom.delete(crd.metadata.name as string);
    this.informers.get(kind)?.stop();
    this.informers.delete(kind);
  }

  /** A kind by an object's apiVersion and kind: built in, or one of an established CRD (any version of it). */
  private kindOf(apiVersion: string, kind: string): KindInfo | undefined {
    return resolveKind(apiVersion, kind, this.custom.values());
  }

  protected async sync(): Promise<void> {
    await this.crds.start();
    this.started = true;
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  private observe(kind: KindInfo, o: KubeObject): void {
    this.byUid.set(o.metadata.uid as string, { kind, obj: o });
    const fin = o.metadata.finalizers ?? [];
    const waiting = o.metadata.deletionTimestamp && (fin.includes(ORPHAN) || fin.includes(FOREGROUND));
    if (o.metadata.ownerReferences?.length || waiting) this.enqueue(itemKey(kind, o));
  }

  private gone(kind: KindInfo, o: KubeObject): void {
    const uid = o.metadata.uid as string;
    if (this.byUid.get(uid)?.kind === kind) this.byUid.delete(uid);
    // its dependents may now be dangling, and an owner in foreground deletion may be waiting for it
    for (const d of this.dependentsOf(uid)) this.enqueue(itemKey(d.kind, d.obj));
    for (const r of o.metadata.ownerReferences ?? []) {
      const owner = this.byUid.get(r.uid);
      if (owner) this.enqueue(itemKey(owner.kind, owner.obj));
    }
  }

  private dependentsOf(uid: string): Array<{ kind: KindInfo; obj: KubeObject }> {
    const out: Array<{ kind: KindInfo; obj: KubeObject }> = [];
    for (const [kind, inf] of this.informers) for (const obj of inf.byIndex('owners', uid)) out.push({ kind, obj });
    return out;
  }

  async reconcile(key: string): Promise<void> {
    const [apiVersion, kindName, namespace, name] = key.split('|') as [string, string, string, string];
    const kind = this.kindOf(apiVersion, kindName);
    const obj = kind && this.informers.get(kind)?.get(name, namespace || undefined);
    if (!kind || !obj) return;
    const fin = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp && fin.includes(ORPHAN)) await this.orphanDependents(kind, obj);
    if (obj.metadata.deletionTimestamp && fin.includes(FOREGROUND)) await this.deleteDependents(kind, obj);
    if (obj.metadata.ownerReferences?.length) await this.collectIfOwnersGone(kind, obj);
  }

  /** Deletes obj when every owner is gone; drops the dangling references when only some are. */
  private async collectIfOwnersGone(kind: KindInfo, obj: KubeObject): Promise<void> {
    const refs = obj.metadata.ownerReferences ?? [];
    const dangling: OwnerReference[] = [];
    const waitingForeground: OwnerReference[] = [];
    for (const r of refs) {
      const owner = await this.liveOwner(r, obj.metadata.namespace);
      if (owner === 'unknown') return; // a kind of no CRD (yet): whether the owner exists can't be told, so nothing goes
      if (!owner) dangling.push(r);
      else if (owner.metadata.deletionTimestamp && owner.metadata.finalizers?.includes(FOREGROUND)) waitingForeground.push(r);
    }
    if (!dangling.length && !waitingForeground.length) return;
    if (dangling.length + waitingForeground.length === refs.length) {
      if (obj.metadata.deletionTimestamp) return; // already going
      // an owner waiting in the foreground wants its dependents gone first, all the way down
      const policy = waitingForeground.length ? 'Foreground' : 'Background';
      this.log.info('deleting dependent whose owners are gone', { kind: kind.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, policy });
      await this.delete(kind, obj, policy);
      return;
    }
    if (dangling.length) {
      const keep = refs.filter((r) => !dangling.some((d) => d.uid === r.uid));
      await setOwnerReferences(this.ctx.client, kind, obj, keep);
    }
  }

  /**
   * The owner named by ref if it exists with the same uid: the informer first, then a live GET to be sure. A kind no
   * built-in group has and no established CRD serves is 'unknown' (its CRD may be on its way, as Kubernetes'
   * collector waits for a REST mapping); an unknown kind of a built-in group can't exist.
   */
  private async liveOwner(ref: OwnerReference, namespace: string | undefined): Promise<KubeObject | undefined | 'unknown'> {
    const kind = this.kindOf(ref.apiVersion, ref.kind);
    if (!kind) return isBuiltinGroup(ref.apiVersion, KINDS) ? undefined : 'unknown';
    const ns = kind.namespaced ? namespace : undefined;
    const cached = this.informers.get(kind)?.get(ref.name, ns);
    if (cached && cached.metadata.uid === ref.uid) return cached;
    try {
      const live = await this.ctx.client.get(kind, ref.name, { namespace: ns });
      return live.metadata.uid === ref.uid ? live : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async orphanDependents(kind: KindInfo, owner: KubeObject): Promise<void> {
    const uid = owner.metadata.uid as string;
    for (const d of this.dependentsOf(uid)) {
      await release(this.ctx.client, d.kind, d.obj, uid);
    }
    await this.removeFinalizer(kind, owner, ORPHAN);
  }

  private async deleteDependents(kind: KindInfo, owner: KubeObject): Promise<void> {
    const uid = owner.metadata.uid as string;
    let blocking = 0;
    for (const d of this.dependentsOf(uid)) {
      const ref = d.obj.metadata.ownerReferences?.find((r) => r.uid === uid);
      if (ref?.blockOwnerDeletion) blocking++;
      if (!d.obj.metadata.deletionTimestamp) await this.delete(d.kind, d.obj, 'Foreground');
    }
    // once no blocking dependent is left the owner may go; dependents' own deletions will enqueue us again
    if (!blocking) await this.removeFinalizer(kind, owner, FOREGROUND);
  }

  private async delete(kind: KindInfo, obj: KubeObject, policy: 'Foreground' | 'Background'): Promise<void> {
    try {
      await this.ctx.client.delete(kind, obj.metadata.name as string, { namespace: obj.metadata.namespace, propagationPolicy: policy,
        preconditions: { uid: obj.metadata.uid } });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  private async removeFinalizer(kind: KindInfo, obj: KubeObject, finalizer: string): Promise<void> {
    const rest = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      await this.ctx.client.patch(kind, obj.metadata.name as string, { metadata: { finalizers: rest.length ? rest : null, resourceVersion: obj.metadata.resourceVersion } }, 'merge', { namespace: obj.metadata.namespace });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
