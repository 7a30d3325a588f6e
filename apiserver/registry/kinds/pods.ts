// Pods (core/v1): Pending with a QoS class on creation; after that only images, the active deadline, tolerations
// (added), scheduling gates (removed) and a negative grace period may change; deletion is graceful once a pod is on
// a node (the node agent finishes it with grace 0); bound through /binding; evicted through /eviction
// (pods-eviction.ts, honouring PodDisruptionBudgets); log, exec, attach and portforward are
// relayed to the node.
import type { KindInfo } from '../../../lib/api/kinds.js';
import { rfc3339 } from '../../../lib/api/time.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { errors } from '../../errors.js';
import { formatInvalidMessage } from '../../validation/index.js';
import { proxyLogs, proxyStream, type StreamSubresource } from '../../http/node-proxy.js';
import { AGE, NAME, age, none } from '../../printers/columns.js';
import { podReadyRestartsStatus } from '../../printers/pods.js';
import { validateContainersOnlyForPod } from '../../validation/container.js';
import { defaultPodSpec, ensureObject, setDefault } from '../../validation/defaults.js';
import {
  asArr, asObj, asStr, forbidden, index, invalid, isObj, objects, optNum, required, type FieldCause, type Obj,
} from '../../validation/field.js';
import { validatePodSpec, validateTolerations } from '../../validation/podspec.js';
import { describeDiff, semanticEqual } from '../../validation/update.js';
import { defineKind, identity, type SubresourceDefinition } from '../kind.js';
import type { Store } from '../store.js';
import { statusSubresource } from '../subresources.js';
import { eviction } from './pods-eviction.js';
import type { WriteScope } from '../types.js';

type Resources = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
type Container = { resources?: Resources };

/** Guaranteed, Burstable or BestEffort, as the kubelet classifies a pod from its containers' resources. */
export function qosClass(spec: { containers?: Container[]; initContainers?: Container[] } | undefined): string {
  const all = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined) guaranteed = false;
      else if (req[r] !== undefined && String(req[r]) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function defaults(pod: Obj): void {
  const spec = ensureObject(pod, 'spec');
  if (!spec) return;
  defaultPodSpec(spec);
  for (const f of ['containers', 'initContainers']) {
    for (const [c] of objects(spec[f])) {
      const res = asObj(c.resources);
      const limits = asObj(res?.limits);
      if (!res || !limits) continue;
      const requests = ensureObject(res, 'requests');
      if (requests) for (const [k, q] of Object.entries(limits)) if (!(k in requests)) requests[k] = q;
    }
  }
  setDefault(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    for (const f of ['containers', 'initContainers']) {
      for (const [c] of objects(spec[f])) for (const [p] of objects(c.ports)) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

function validate(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const out = validatePodSpec(spec, 'spec');
  if (!asStr(spec.serviceAccountName)) {
    for (const [v, vi] of objects(spec.volumes)) {
      for (const [s, si] of objects(asObj(v.projected)?.sources)) {
        if (isObj(s.serviceAccountToken)) out.push(forbidden(`spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`, 'must not be specified when serviceAccountName is not set'));
      }
    }
  }
  out.push(...validateContainersOnlyForPod(spec.containers, 'spec.containers'), ...validateContainersOnlyForPod(spec.initContainers, 'spec.initContainers'));
  return out;
}

const UPDATABLE_POD_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function containerUpdates(newList: unknown, oldList: unknown, path: string): { causes: FieldCause[]; stop: boolean } {
  if (asArr(newList).length !== asArr(oldList).length) return { causes: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const causes: FieldCause[] = [];
  for (const [c, i] of objects(newList)) {
    const image = asStr(c.image);
    if (!image) causes.push(required(`${index(path, i)}.image`));
    if (image.trim() !== image) causes.push(invalid(`${index(path, i)}.image`, image, 'must not have leading or trailing whitespace'));
  }
  return { causes, stop: false };
}

function tolerationKey(t: Obj): string {
  return JSON.stringify([asStr(t.key), asStr(t.operator), asStr(t.value), asStr(t.effect)]);
}

function validateUpdate(obj: Obj, old: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const oldSpec = asObj(old.spec) ?? {};
  const out: FieldCause[] = [];
  for (const f of ['containers', 'initContainers']) {
    const r = containerUpdates(spec[f], oldSpec[f], `spec.${f}`);
    out.push(...r.causes);
    if (r.stop) return out;
  }
  const ads = optNum(spec.activeDeadlineSeconds);
  const oldAds = optNum(oldSpec.activeDeadlineSeconds);
  if (ads !== undefined) {
    if (ads < 0 || ads > 2147483647) out.push(invalid('spec.activeDeadlineSeconds', ads, 'must be between 0 and 2147483647, inclusive'));
    if (oldAds !== undefined && oldAds < ads) out.push(invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value'));
  } else if (oldAds !== undefined) {
    out.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  const newTols = new Set(objects(spec.tolerations).map(([t]) => tolerationKey(t)));
  if (objects(oldSpec.tolerations).some(([t]) => !newTols.has(tolerationKey(t)))) {
    out.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  } else {
    out.push(...validateTolerations(spec.tolerations, 'spec.tolerations'));
  }
  const oldGates = new Set(objects(oldSpec.schedulingGates).map(([g]) => asStr(g.name)));
  for (const [g, i] of objects(spec.schedulingGates)) {
    if (!oldGates.has(asStr(g.name))) out.push(forbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${asStr(g.name)}'`));
  }
  if (semanticEqual(spec, oldSpec)) return out;
  // Put back what may change, then anything left over is a forbidden change.
  const munged: Obj = JSON.parse(JSON.stringify(spec)) as Obj;
  for (const f of ['containers', 'initContainers']) {
    const oldList = asArr(oldSpec[f]);
    munged[f] = asArr(munged[f]).map((c, i) => (isObj(c) && isObj(oldList[i]) ? { ...c, image: (oldList[i] as Obj).image } : c));
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  const oldTgp = optNum(oldSpec.terminationGracePeriodSeconds);
  if (oldTgp !== undefined && oldTgp < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldTgp;
  if (asArr(oldSpec.schedulingGates).length) munged.nodeSelector = oldSpec.nodeSelector;
  if (!semanticEqual(munged, oldSpec)) {
    const diff = describeDiff(oldSpec, munged, 'spec').join('\n');
    out.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_FIELDS.join(',')}\n${diff}`));
  }
  return out;
}

/** A binding sets spec.nodeName and the PodScheduled condition: spec and status, nothing else. */
const BINDING_WRITE: WriteScope = {
  merge: (next, old) => ({ ...structuredClone(old), spec: next.spec, status: next.status }),
  updateChecks: false,
};

/** POST pods/NAME/binding: assigns the pod to the node the Binding names, once. */
const binding: SubresourceDefinition = {
  kind: { group: '', version: 'v1', kind: 'Binding' },
  schema: 'io.k8s.api.core.v1.Binding',
  verbs: ['create'],
  async serve(c) {
    if (c.method !== 'POST') throw errors.methodNotAllowed();
    const { name } = c;
    const target = ((await c.body()) as { target?: { name?: string; kind?: string } }).target;
    if (!target?.name) {
      throw errors.invalid({ group: '', kind: 'Binding' }, name, `Binding "${name}" is invalid: target.name: Required value`, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
    }
    await c.store.update(c.ctx, name, (cur) => {
      if (cur.metadata.deletionTimestamp) throw errors.conflict({ group: '', resource: 'pods/binding' }, name, 'pod is being deleted, cannot be assigned to a host');
      if (cur.spec?.nodeName) throw errors.conflict({ group: '', resource: 'pods/binding' }, name, `pod ${name} is already assigned to node "${String(cur.spec.nodeName)}"`);
      const bound: KubeObject = { ...cur, spec: { ...cur.spec, nodeName: target.name } };
      const conditions = ((cur.status?.conditions ?? []) as Array<{ type: string }>).filter((cond) => cond.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339() } as { type: string });
      bound.status = { ...cur.status, conditions };
      return bound;
    }, BINDING_WRITE);
    c.sendJson(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  },
};

/**
 * An ephemeral-containers write takes only spec.ephemeralContainers from what the client sent; containers already
 * there may be neither removed nor changed (Kubernetes' ValidatePodEphemeralContainersUpdate). The whole pod is then
 * validated as on create, which checks the new containers (no ports, probes, resources; a known target).
 */
const EPHEMERAL_WRITE: WriteScope = {
  merge(next, old) {
    const name = old.metadata.name as string;
    if (old.metadata.deletionTimestamp) throw errors.conflict({ group: '', resource: 'pods' }, name, 'pod is being deleted');
    const wanted = asArr(asObj(next.spec)?.ephemeralContainers);
    const byName = new Map(wanted.filter(isObj).map((c) => [c.name, c]));
    const causes: FieldCause[] = [];
    for (const had of asArr(asObj(old.spec)?.ephemeralContainers).filter(isObj)) {
      const now = byName.get(had.name);
      if (!now) causes.push(forbidden('spec.ephemeralContainers', `existing ephemeral containers ${JSON.stringify(had.name)} may not be removed\n`));
      else if (!semanticEqual(had, now)) {
        const diff = describeDiff(had, now, `spec.ephemeralContainers[${String(had.name)}]`).join('\n');
        causes.push(forbidden(`spec.ephemeralContainers[${String(had.name)}]`, `existing ephemeral containers ${JSON.stringify(had.name)} may not be changed\n${diff}`));
      }
    }
    if (causes.length) throw errors.invalid({ group: '', kind: 'Pod' }, name, formatInvalidMessage('Pod', name, causes), causes);
    const merged = structuredClone(old);
    merged.spec = { ...merged.spec, ephemeralContainers: wanted };
    return merged;
  },
  updateChecks: false,
};

/**
 * pods/NAME/ephemeralcontainers (GET, PUT, PATCH): how `kubectl debug` adds a container to a running pod; the node
 * agent starts it in the pod's sandbox (sharing a target container's process namespace when one is named).
 */
const ephemeralcontainers: SubresourceDefinition = statusSubresource(EPHEMERAL_WRITE);

/** GET pods/NAME/log: relayed to the node agent (http/node-proxy.ts). */
const log: SubresourceDefinition = {
  kind: { group: '', version: 'v1', kind: 'Pod' },
  documented: false,
  verbs: ['get'],
  async serve(c) {
    if (c.method !== 'GET') throw errors.methodNotAllowed();
    const abort = new AbortController();
    c.res.on('close', () => abort.abort());
    // every store is a Store; the call names them by the little subresources need
    return proxyLogs(c.stores as Map<KindInfo, Store>, c.ctx.namespace as string, c.name, c.query, c.res, abort.signal);
  },
};

/** A streaming subresource served on an upgraded connection (http/upgrade.ts); a plain request can't carry it. */
/**
 * exec, attach and portforward: served only on an upgraded connection, which goes on to the pod's node agent
 * whatever its protocol (WebSocket with any subprotocol, or SPDY/3.1: kubectl 1.27-1.29 speaks SPDY only, and 1.30+
 * falls back to it), so that the agent's answer, with its real reason for a refusal, reaches the client.
 */
const stream = (sub: StreamSubresource, kind: string): SubresourceDefinition => ({
  kind: { group: '', version: 'v1', kind },
  documented: false,
  verbs: ['create', 'get'],
  serve: async () => {
    throw errors.badRequest('Upgrade request required');
  },
  upgrade: (u) => proxyStream(sub, u.stores as Map<KindInfo, Store>, u.namespace as string, u.name, u.query, u.req, u.socket, u.head),
});

export default defineKind(identity('v1', 'Pod'), {
  defaults,
  prepareForCreate(obj: KubeObject) {
    obj.status = { phase: 'Pending', qosClass: qosClass(obj.spec) };
  },
  validate,
  validateUpdate,
  gracePeriod(obj: KubeObject, requested: number | undefined) {
    const phase = obj.status?.phase as string | undefined;
    if (!obj.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    // Kubernetes turns an explicit 0 into 1 s for pods on a node unless forced; the agent still gets to clean up.
    return requested ?? (obj.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30;
  },
  printer: {
    columns: [NAME, ['Ready', 'string', 0, 'The number of ready containers out of all containers.'], ['Status', 'string', 0, 'The aggregate status of the pod.'],
      ['Restarts', 'string', 0, 'Container restarts, and how long ago the last one was.'], AGE,
      ['IP', 'string', 1, 'The pod IP.'], ['Node', 'string', 1, 'The node the pod is bound to.'], ['Nominated Node', 'string', 1, 'The node nominated for preemption.'],
      ['Readiness Gates', 'string', 1, 'Readiness gates that are true out of all.']],
    row(o, now) {
      const p = podReadyRestartsStatus(o, now);
      const gates = (o.spec?.readinessGates ?? []) as Array<{ conditionType: string }>;
      const conds = (o.status?.conditions ?? []) as Array<{ type: string; status: string }>;
      const gatesCell = gates.length ? `${gates.filter((g) => conds.some((c) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}` : '<none>';
      return [o.metadata.name ?? '', p.ready, p.status, p.restarts, age(o.metadata.creationTimestamp, now), none(o.status?.podIP), none(o.spec?.nodeName),
        none(o.status?.nominatedNodeName), gatesCell];
    },
  },
  selectableFields: {
    values(o) {
      const spec = (o.spec ?? {}) as Obj;
      const status = (o.status ?? {}) as Obj;
      const ips = Array.isArray(status.podIPs) ? (status.podIPs as unknown[]) : [];
      const firstIp = asObj(ips[0])?.ip;
      const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
      return {
        'spec.nodeName': str(spec.nodeName),
        'spec.restartPolicy': str(spec.restartPolicy),
        'spec.schedulerName': str(spec.schedulerName),
        'spec.serviceAccountName': str(spec.serviceAccountName),
        'spec.hostNetwork': String(spec.hostNetwork === true),
        'status.phase': str(status.phase),
        'status.podIP': ips.length ? str(firstIp) : str(status.podIP),
        'status.nominatedNodeName': str(status.nominatedNodeName),
      };
    },
    aliases: { 'spec.host': 'spec.nodeName' },
  },
  subresources: {
    status: statusSubresource(),
    binding,
    eviction,
    ephemeralcontainers,
    log,
    exec: stream('exec', 'PodExecOptions'),
    attach: stream('attach', 'PodAttachOptions'),
    portforward: stream('portforward', 'PodPortForwardOptions'),
  },
});
