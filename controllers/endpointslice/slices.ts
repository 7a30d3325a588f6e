// From a Service's desired endpoints and the slices it has, the writes that make them agree, the way Kubernetes'
// EndpointSlice reconciler does: at most 100 endpoints per slice; an endpoint stays in the slice it is in (a change
// rewrites one slice, not every one); new endpoints fill the slices with room before a slice is created; a Service
// without endpoints keeps one empty placeholder slice. Also the v1 Endpoints object older clients and
// `kubectl get endpoints` read.
import type { KubeObject, OwnerReference } from '../../lib/api/types.js';
import { addressTypeOf, portsKey, type Endpoint, type EndpointGroup, type EndpointPort } from './endpoints.js';

export const MAX_ENDPOINTS_PER_SLICE = 100;
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export interface SlicePlan {
  create: KubeObject[];
  update: KubeObject[];
  delete: KubeObject[];
}

const isHeadless = (svc: KubeObject): boolean => svc.spec?.clusterIP === 'None';

/** The labels a Service's slices carry: the Service's own, its name, who manages them, and the headless mark. */
export function sliceLabels(svc: KubeObject): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  delete labels[HEADLESS_LABEL];
  labels[SERVICE_NAME_LABEL] = svc.metadata.name ?? '';
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  return labels;
}

function ownerRef(svc: KubeObject): OwnerReference {
  return { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name ?? '', uid: svc.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

function newSlice(svc: KubeObject, ports: EndpointPort[], endpoints: Endpoint[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { generateName: `${svc.metadata.name}-`, namespace: svc.metadata.namespace, labels: sliceLabels(svc), ownerReferences: [ownerRef(svc)] },
    addressType: addressTypeOf(svc),
    endpoints,
    ports,
  };
}

const endpointId = (e: Endpoint): string => e.targetRef.uid || (e.addresses[0] ?? '');

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The writes bringing `existing` (the slices this controller manages for `svc`) to `groups`. */
export function planSlices(svc: KubeObject, groups: EndpointGroup[], existing: KubeObject[], max = MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const addressType = addressTypeOf(svc);
  const labels = sliceLabels(svc);
  const usable = existing.filter((s) => s.addressType === addressType);
  plan.delete.push(...existing.filter((s) => s.addressType !== addressType));
  const total = groups.reduce((n, g) => n + g.endpoints.length, 0);
  const byKey = new Map<string, KubeObject[]>();
  for (const s of usable) {
    const key = portsKey((s.ports ?? []) as EndpointPort[]);
    byKey.set(key, [...(byKey.get(key) ?? []), s]);
  }
  const next = new Map<KubeObject, Endpoint[]>();
  const portsOf = new Map<KubeObject, EndpointPort[]>();
  for (const g of groups) {
    const slices = byKey.get(portsKey(g.ports)) ?? [];
    byKey.delete(portsKey(g.ports));
    const wanted = new Map(g.endpoints.map((e) => [endpointId(e), e]));
    // endpoints stay where they are, with their new conditions
    for (const s of slices) {
      const kept: Endpoint[] = [];
      for (const e of (s.endpoints ?? []) as Endpoint[]) {
        const id = endpointId(e);
        const w = wanted.get(id);
        if (w && kept.length < max) {
          kept.push(w);
          wanted.delete(id);
        }
      }
      next.set(s, kept);
      portsOf.set(s, g.ports);
    }
    // the rest fill the slices with room, fullest first (fewer slices to rewrite later), then new ones
    const rest = [...wanted.values()];
    for (const s of [...slices].sort((a, b) => (next.get(b)?.length ?? 0) - (next.get(a)?.length ?? 0))) {
      const eps = next.get(s) as Endpoint[];
      while (rest.length && eps.length < max && eps.length > 0) eps.push(rest.shift() as Endpoint);
    }
    for (const s of slices) {
      const eps = next.get(s) as Endpoint[];
      while (rest.length && eps.length < max) eps.push(rest.shift() as Endpoint);
    }
    for (let i = 0; i < rest.length; i += max) plan.create.push(newSlice(svc, g.ports, rest.slice(i, i + max)));
  }
  // slices whose ports no endpoint has any more are emptied
  for (const slices of byKey.values()) for (const s of slices) next.set(s, []);
  let placeholder: KubeObject | undefined;
  if (total === 0 && !plan.create.length) {
    // no endpoints at all: one empty slice stays, so clients see the Service has been looked at
    placeholder = usable.find((s) => !((s.ports ?? []) as unknown[]).length) ?? usable[0];
    if (placeholder) portsOf.set(placeholder, []);
    else plan.create.push(newSlice(svc, [], []));
  }
  for (const [s, eps] of next) {
    if (!eps.length && s !== placeholder) {
      plan.delete.push(s);
      continue;
    }
    const ports = portsOf.get(s) ?? ((s.ports ?? []) as EndpointPort[]);
    const changed = !sameJson(s.endpoints ?? [], eps) || !sameJson(s.ports ?? [], ports) || !sameJson(s.metadata.labels ?? {}, labels) || !ownedBy(s, svc);
    if (changed) {
      plan.update.push({ ...s, metadata: { ...s.metadata, labels, ownerReferences: [ownerRef(svc)] }, endpoints: eps, ports });
    }
  }
  return plan;
}

function ownedBy(slice: KubeObject, svc: KubeObject): boolean {
  const refs = (slice.metadata.ownerReferences ?? []) as Array<{ uid?: string; controller?: boolean }>;
  return refs.length === 1 && refs[0]?.uid === svc.metadata.uid && refs[0]?.controller === true;
}

interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: Endpoint['targetRef'];
}

/** The v1 Endpoints object for `svc` (ready addresses, not-ready ones; terminating pods are left out). */
export function desiredEndpointsObject(svc: KubeObject, groups: EndpointGroup[]): KubeObject {
  const subsets: Record<string, unknown>[] = [];
  for (const g of groups) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const e of g.endpoints) {
      const a: EndpointAddress = { ip: e.addresses[0] as string, targetRef: e.targetRef };
      if (e.hostname) a.hostname = e.hostname;
      if (e.nodeName) a.nodeName = e.nodeName;
      if (e.conditions.ready) ready.push(a);
      else if (!e.conditions.terminating) notReady.push(a);
    }
    if (!ready.length && !notReady.length) continue;
    const byIp = (a: EndpointAddress, b: EndpointAddress): number => a.ip.localeCompare(b.ip, 'en', { numeric: true });
    const subset: Record<string, unknown> = {};
    if (ready.length) subset.addresses = ready.sort(byIp);
    if (notReady.length) subset.notReadyAddresses = notReady.sort(byIp);
    if (g.ports.length) subset.ports = g.ports.map((p) => ({ ...p }));
    subsets.push(subset);
  }
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  const obj: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, labels } };
  if (subsets.length) obj.subsets = subsets;
  return obj;
}
