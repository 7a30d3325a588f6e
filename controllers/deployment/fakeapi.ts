// An in-memory stand-in for the API server and the ReplicaSet controller, enough to drive DeploymentSync through
// whole rollouts in unit tests: optimistic concurrency (409 on a stale resourceVersion), AlreadyExists,
// generation bumps on spec changes, merge patches, and events. Used only by the *.test.ts files.
import type { KubeObject, Status } from '../../lib/api/types.js';
import type { EventRecorder } from '../../lib/client/events.js';
import { ApiError, type Client } from '../../lib/client/index.js';
import type { KindInfo } from '../../lib/api/kinds.js';
import { canonicalJson } from './hash.js';
import { DeploymentSync } from './sync.js';
import { controllerRef } from '../../lib/client/index.js';

const fail = (code: number, reason: string, message: string): ApiError => new ApiError(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message } as Status);

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class FakeApi {
  readonly store = new Map<string, KubeObject>();
  readonly events: string[] = [];
  /** Extra pods per ReplicaSet name still terminating after the RS reached 0 (for Recreate). */
  readonly lingering = new Map<string, number>();
  now = Date.parse('2026-11-23T08:00:00Z');
  private rv = 1;
  private uid = 1;

  private key = (kind: string, ns: string | undefined, name: string | undefined): string => `${kind}/${ns ?? 'default'}/${name}`;

  put(kind: string, o: KubeObject): KubeObject {
    const obj = structuredClone(o);
    obj.metadata.namespace ??= 'default';
    obj.metadata.uid ??= `uid-${this.uid++}`;
    obj.metadata.resourceVersion = String(this.rv++);
    obj.metadata.generation ??= 1;
    obj.metadata.creationTimestamp ??= new Date(this.now + this.uid * 1000).toISOString();
    this.store.set(this.key(kind, obj.metadata.namespace, obj.metadata.name), obj);
    return structuredClone(obj);
  }

  get(kind: string, name: string): KubeObject | undefined {
    const o = this.store.get(this.key(kind, 'default', name));
    return o && structuredClone(o);
  }

  list(kind: string): KubeObject[] {
    return [...this.store.entries()].filter(([k]) => k.startsWith(`${kind}/`)).map(([, o]) => structuredClone(o));
  }

  /** A main-resource write: status kept, generation bumped when the spec changes. */
  private write(kind: string, next: KubeObject, statusOnly: boolean): KubeObject {
    const cur = this.store.get(this.key(kind, next.metadata.namespace, next.metadata.name));
    if (!cur) throw fail(404, 'NotFound', `${next.metadata.name} not found`);
    if (next.metadata.resourceVersion && next.metadata.resourceVersion !== cur.metadata.resourceVersion) throw fail(409, 'Conflict', 'the object has been modified');
    const obj: KubeObject = statusOnly ? { ...structuredClone(cur), status: structuredClone(next.status) } : { ...structuredClone(next),
      status: structuredClone(cur.status) };
    if (!statusOnly) obj.metadata = { ...structuredClone(next.metadata), uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp,
      generation: cur.metadata.generation };
    if (!statusOnly && canonicalJson(obj.spec) !== canonicalJson(cur.spec)) obj.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    obj.metadata.resourceVersion = String(this.rv++);
    this.store.set(this.key(kind, obj.metadata.namespace, obj.metadata.name), obj);
    return structuredClone(obj);
  }

  client(): Client {
    const c = {
      create: async (k: KindInfo, o: KubeObject) => {
        if (this.store.has(this.key(k.kind, o.metadata.namespace, o.metadata.name))) throw fail(409, 'AlreadyExists', `${o.metadata.name} already exists`);
        return this.put(k.kind, o);
      },
      get: async (k: KindInfo, name: string) => {
        const o = this.get(k.kind, name);
        if (!o) throw fail(404, 'NotFound', `${name} not found`);
        return o;
      },
      update: async (k: KindInfo, o: KubeObject) => this.write(k.kind, o, false),
      updateStatus: async (k: KindInfo, o: KubeObject) => this.write(k.kind, o, true),
      patch: async (k: KindInfo, name: string, patch: unknown) => {
        const cur = this.get(k.kind, name);
        if (!cur) throw fail(404, 'NotFound', `${name} not found`);
        return this.write(k.kind, mergePatch(cur, patch) as KubeObject, false);
      },
      delete: async (k: KindInfo, name: string) => {
        const key = this.key(k.kind, 'default', name);
        const o = this.store.get(key);
        if (!o) throw fail(404, 'NotFound', `${name} not found`);
        this.store.delete(key);
        return o;
      },
    };
    return c as unknown as Client;
  }

  recorder(): EventRecorder {
    return { event: (_o: KubeObject, type: string, reason: string, message: string) => this.events.push(`${type} ${reason} ${message}`) } as unknown as EventRecorder;
  }

  /** The ReplicaSet controller, instantly: every RS runs spec.replicas pods, all available. */
  replicaSetController(): void {
    for (const rs of this.list('ReplicaSet')) {
      const n = rs.spec.replicas ?? 1;
      const status = { replicas: n, readyReplicas: n, availableReplicas: n, observedGeneration: rs.metadata.generation };
      if (canonicalJson(status) !== canonicalJson(rs.status)) this.write('ReplicaSet', { ...rs, status }, true);
    }
  }

  /** One reconcile of deployment `web` from the current state, as the controller would do it. */
  async reconcile(): Promise<DeploymentSync> {
    const d = this.get('Deployment', 'web') as KubeObject;
    const rsList = this.list('ReplicaSet').filter((rs) => controllerRef(rs)?.uid === d.metadata.uid);
    const podsByRS = (): Map<string, KubeObject[]> => new Map(rsList.map((rs) => {
      const n = (rs.status?.replicas ?? 0) + (this.lingering.get(rs.metadata.name as string) ?? 0);
      return [rs.metadata.uid as string, Array.from({ length: n }, (_, i) => ({ metadata: { name: `${rs.metadata.name}-${i}` }, status: { phase: 'Running' } }))];
    }));
    const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const sync = new DeploymentSync({ client: this.client(), recorder: this.recorder(), log, cachedRS: (n) => this.get('ReplicaSet', n), podsByRS, now: () => this.now }, d, rsList);
    await sync.run();
    return sync;
  }

  /** Reconciles and lets the ReplicaSets catch up until nothing changes any more. */
  async settle(rounds = 30): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      const before = this.rv;
      await this.reconcile();
      this.replicaSetController();
      this.now += 1000;
      if (this.rv === before) return;
    }
    throw new Error('did not settle');
  }
}
