// The EndpointSlice controller: for every Service with a selector, EndpointSlices (discovery.k8s.io/v1) listing the
// pods the selector matches, with their readiness, and the v1 Endpoints object of the same content. Pods entering,
// leaving or changing readiness requeue the Services that select them; a slice changed or deleted by someone else
// requeues its Service, which puts it back. Slices are owned by their Service, so the garbage collector removes them
// with it. Services without a selector are left alone: their endpoints are written by whoever manages them (the API
// server for `kubernetes`).
import { findByKind } from '../../lib/api/kinds.js';
import { matchesLabels, selectorFromSet } from '../../lib/api/selectors/index.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isAlreadyExists, isConflict, isNotFound, keyOf, Reconciler, splitKey, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';
import { desiredEndpoints, zoneOf } from './endpoints.js';
import { CONTROLLER_NAME, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, desiredEndpointsObject, planSlices } from './slices.js';

const SERVICE = findByKind('v1', 'Service')!;
const POD = findByKind('v1', 'Pod')!;
const NODE = findByKind('v1', 'Node')!;
const SLICE = findByKind('discovery.k8s.io/v1', 'EndpointSlice')!;
const ENDPOINTS = findByKind('v1', 'Endpoints')!;

const selectorOf = (svc: KubeObject): Record<string, string> | undefined => {
  const sel = svc.spec?.selector as Record<string, string> | undefined;
  return sel && Object.keys(sel).length ? sel : undefined;
};

export class EndpointSliceController extends Reconciler {
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly slices: Informer;
  private readonly endpoints: Informer;
  private readonly nodes: Informer;
  /**
   * The slices each Service's last sync wrote (name -> resourceVersion, '' for deleted) and when: until the informer
   * has seen them, a sync would plan from a stale cache and create a second slice for the same endpoints (as
   * Kubernetes' EndpointSliceTracker prevents). Given up on after a few seconds (someone else deleted one meanwhile).
   */
  private readonly written = new Map<string, { at: number; slices: Map<string, string> }>();

  constructor(private readonly ctx: ControllerContext) {
    super('endpointslice-controller', { baseDelayMs: 5, maxDelayMs: 10_000 });
    this.services = ctx.informers.informerFor(SERVICE);
    this.pods = ctx.informers.informerFor(POD);
    this.slices = ctx.informers.informerFor(SLICE);
    this.endpoints = ctx.informers.informerFor(ENDPOINTS);
    this.nodes = ctx.informers.informerFor(NODE);
    this.pods.indexByNamespace();
    if (!this.slices.hasIndex('service')) this.slices.addIndex('service', (s) => (s.metadata.labels?.[SERVICE_NAME_LABEL] ? [`${s.metadata.namespace}/${s.metadata.labels[SERVICE_NAME_LABEL]}`] : []));
    this.services.onAdd((s) => this.enqueue(keyOf(s))).onUpdate((_o, s) => this.enqueue(keyOf(s))).onDelete((s) => this.enqueue(keyOf(s)));
    const podChanged = (p: KubeObject): void => {
      for (const svc of this.selecting(p)) this.enqueue(keyOf(svc));
    };
    this.pods
      .onAdd(podChanged)
      .onUpdate((old, p) => {
        // a pod whose labels changed may have left Services it no longer matches
        if (JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(p.metadata.labels ?? {})) podChanged(old);
        podChanged(p);
      })
      .onDelete(podChanged);
    const sliceChanged = (s: KubeObject): void => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME) this.enqueue(`${s.metadata.namespace}/${svc}`);
    };
    this.slices.onAdd(sliceChanged).onUpdate((_o, s) => sliceChanged(s)).onDelete(sliceChanged);
    this.endpoints.onDelete((e) => this.enqueue(keyOf(e)));
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.services.start(), this.pods.start(), this.slices.start(), this.endpoints.start(), this.nodes.start()]);
  }

  private selecting(pod: KubeObject): KubeObject[] {
    return this.services.list({ namespace: pod.metadata.namespace }).filter((svc) => {
      const sel = selectorOf(svc);
      return sel !== undefined && matchesLabels(selectorFromSet(sel), pod.metadata.labels);
    });
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [namespace, name] = splitKey(key);
    const svc = this.services.get(name, namespace);
    // a deleted Service's slices and Endpoints go with it (garbage collector, ownerReferences; Endpoints below)
    if (!svc) return this.deleteEndpoints(namespace as string, name);
    const sel = selectorOf(svc);
    if (!sel || svc.spec?.type === 'ExternalName' || svc.metadata.deletionTimestamp) return;
    if (this.cacheBehind(key, namespace as string)) return { requeueAfter: 50 };
    const selector = selectorFromSet(sel);
    const pods = this.pods.byIndex('namespace', namespace as string).filter((p) => matchesLabels(selector, p.metadata.labels));
    const groups = desiredEndpoints(svc, pods, (node) => zoneOf(this.nodes.get(node)));
    const mine = this.slices.byIndex('service', key).filter((s) => s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME);
    const plan = planSlices(svc, groups, mine);
    const client = this.ctx.client;
    const wrote = new Map<string, string>();
    this.written.set(key, { at: Date.now(), slices: wrote });
    // deletes last, so an endpoint moving between slices is never missing from all of them
    for (const s of plan.create) {
      const made = await client.create(SLICE, s, { namespace });
      wrote.set(made.metadata.name as string, made.metadata.resourceVersion as string);
    }
    for (const s of plan.update) {
      try {
        const done = await client.update(SLICE, s);
        wrote.set(done.metadata.name as string, done.metadata.resourceVersion as string);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        this.enqueue(key); // deleted under us: the next pass creates what is missing
      }
    }
    for (const s of plan.delete) {
      try {
        await client.delete(SLICE, s.metadata.name as string, { namespace, preconditions: { uid: s.metadata.uid as string } });
        wrote.set(s.metadata.name as string, '');
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
    }
    if (plan.create.length || plan.update.length || plan.delete.length) {
      this.log.debug('endpoint slices synced', { service: key, created: plan.create.length, updated: plan.update.length, deleted: plan.delete.length });
    }
    await this.syncEndpoints(svc, desiredEndpointsObject(svc, groups));
  }

  /** Whether the slice cache has yet to see what the last sync of this Service wrote. */
  private cacheBehind(key: string, namespace: string): boolean {
    const w = this.written.get(key);
    if (!w) return false;
    if (Date.now() - w.at > 5000) {
      this.written.delete(key);
      return false;
    }
    for (const [name, rv] of w.slices) {
      const cached = this.slices.get(name, namespace);
      if (rv === '' ? cached !== undefined : !cached || revision(cached) < revision({ metadata: { resourceVersion: rv } })) return true;
    }
    this.written.delete(key);
    return false;
  }

  private async syncEndpoints(svc: KubeObject, want: KubeObject): Promise<void> {
    const cur = this.endpoints.get(svc.metadata.name as string, svc.metadata.namespace);
    if (!cur) {
      try {
        await this.ctx.client.create(ENDPOINTS, want, { namespace: svc.metadata.namespace });
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        throw new Error(`Endpoints ${keyOf(svc)} exist but are not in the cache yet; retrying`);
      }
      return;
    }
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    if (same(cur.subsets ?? [], want.subsets ?? []) && same(cur.metadata.labels ?? {}, want.metadata.labels ?? {})) return;
    const next: KubeObject = { ...cur, metadata: { ...cur.metadata, labels: want.metadata.labels } };
    if (want.subsets) next.subsets = want.subsets;
    else delete next.subsets;
    await this.ctx.client.update(ENDPOINTS, next);
  }

  private async deleteEndpoints(namespace: string, name: string): Promise<void> {
    if (!this.endpoints.get(name, namespace)) return;
    try {
      await this.ctx.client.delete(ENDPOINTS, name, { namespace });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

function revision(o: Pick<KubeObject, 'metadata'>): bigint {
  try {
    return BigInt(o.metadata.resourceVersion ?? '0');
  } catch {
    return 0n;
  }
}
