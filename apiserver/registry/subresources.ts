// The generic subresources a kind file picks for its identity's subresource names: status and scale (as Kubernetes'
// StatusREST and ScaleREST, and as a CustomResourceDefinition declares them). Kinds with their own (a pod's binding,
// a namespace's finalize) define them in their kind file.
import { labelSelectorFromObject, labelSelectorToString } from '../../lib/api/selectors/index.js';
import { SCALE_SCHEMA } from '../../lib/api/schema/index.js';
import type { KubeObject, LabelSelector } from '../../lib/api/types.js';
import { errors } from '../errors.js';
import { checkName } from '../http/patch.js';
import { scaleDecodeErrorMessage } from '../validation/index.js';
import type { SubresourceCall, SubresourceDefinition } from './kind.js';
import { clone } from './meta.js';
import type { WriteScope } from './types.js';

/** A status write keeps everything but status from the stored object. */
export const STATUS_WRITE: WriteScope = {
  merge: (next, old) => ({ ...clone(old), status: next.status }),
  updateChecks: true,
};

/**
 * A kind's own check of a subresource write, beyond RBAC on the subresource: given the request, it answers (after any
 * lookups it needs) with a check of each attempt's new object against the stored one, which throws to refuse.
 */
export type SubresourceAdmit = (c: SubresourceCall) => Promise<(next: KubeObject, old: KubeObject) => void>;

/**
 * /status: GET reads the object, PUT and PATCH change its status only (the main resource's writes then keep the
 * stored status). `write` says what else a status write may change, for kinds that differ (a pod's ephemeralcontainers
 * subresource and a CertificateSigningRequest's approval are the same shape of write, with their own scopes);
 * `admit` is a kind's own check of the write.
 */
export function statusSubresource(write: WriteScope = STATUS_WRITE, admit?: SubresourceAdmit): SubresourceDefinition {
  return {
    verbs: ['get', 'patch', 'update'],
    async serve(c) {
      if (c.method === 'GET') return c.sendObject(200, await c.store.get(c.ctx.namespace, c.name));
      let mutate: (cur: KubeObject) => KubeObject;
      if (c.method === 'PUT') {
        const obj = await c.body(true);
        checkName(obj, c.name);
        mutate = () => obj;
      } else if (c.method === 'PATCH') {
        const apply = await c.patch({ strict: true });
        mutate = (cur) => {
          const next = apply(cur);
          checkName(next, c.name);
          return next;
        };
      } else throw errors.methodNotAllowed();
      const check = admit ? await admit(c) : undefined;
      c.sendObject(200, (await c.store.update(c.ctx, c.name, (cur) => {
        const next = mutate(cur);
        check?.(next, cur);
        return next;
      }, write)).obj);
    },
  };
}

/** Paths in the object, as a CustomResourceDefinition's scale subresource names them (`.spec.replicas`). */
export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  /** A label selector, as a string (CRDs) or a LabelSelector object (Deployments, ReplicaSets). */
  labelSelectorPath?: string;
}

/**
 * /scale: the autoscaling/v1 Scale view of the object. A write changes only the replicas at specReplicasPath, as a
 * write of the main resource (generation and all).
 */
export function scaleSubresource(paths: ScalePaths): SubresourceDefinition {
  const toScale = (obj: KubeObject): KubeObject => scaleOf(obj, paths);
  return {
    kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
    schema: SCALE_SCHEMA,
    verbs: ['get', 'patch', 'update'],
    async serve(c) {
      if (c.method === 'GET') return c.sendJson(200, toScale(await c.store.get(c.ctx.namespace, c.name)));
      let replicasOf: (cur: KubeObject) => { replicas: unknown; rv?: string };
      if (c.method === 'PUT') {
        const scale = await c.body();
        replicasOf = () => ({ replicas: scale.spec?.replicas, rv: scale.metadata?.resourceVersion });
      } else if (c.method === 'PATCH') {
        const apply = await c.patch({ schema: SCALE_SCHEMA });
        replicasOf = (cur) => {
          const patched = apply(toScale(cur));
          return { replicas: patched.spec?.replicas,
            rv: patched.metadata?.resourceVersion !== cur.metadata.resourceVersion ? patched.metadata?.resourceVersion : undefined };
        };
      } else throw errors.methodNotAllowed();
      const out = await c.store.update(c.ctx, c.name, (cur) => {
        const { replicas, rv } = replicasOf(cur);
        checkReplicas(replicas, c.name);
        const next = setPath(cur, paths.specReplicasPath, replicas);
        if (rv) next.metadata = { ...cur.metadata, resourceVersion: rv };
        return next;
      });
      c.sendJson(200, toScale(out.obj));
    },
  };
}

/** replicas is an int32: a fraction or a larger number fails decoding (400), a negative one validation (422). */
function checkReplicas(replicas: unknown, name: string): void {
  const undecodable = scaleDecodeErrorMessage({ spec: { replicas } });
  if (undecodable) throw errors.badRequest(undecodable);
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    const shown = JSON.stringify(replicas);
    const message = `Invalid value: ${shown}: must be greater than or equal to 0`;
    throw errors.invalid({ group: 'autoscaling', kind: 'Scale' }, name, `Scale.autoscaling "${name}" is invalid: spec.replicas: ${message}`, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message }]);
  }
}

function scaleOf(obj: KubeObject, paths: ScalePaths): KubeObject {
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: getPath(obj, paths.specReplicasPath) ?? 0 },
    status: { replicas: getPath(obj, paths.statusReplicasPath) ?? 0, selector: paths.labelSelectorPath ? selectorString(getPath(obj, paths.labelSelectorPath)) : '' },
  };
}

function selectorString(sel: unknown): string {
  if (typeof sel === 'string') return sel;
  if (!sel || typeof sel !== 'object') return '';
  try {
    return labelSelectorToString(labelSelectorFromObject(sel as LabelSelector));
  } catch {
    return '';
  }
}

const segments = (path: string): string[] => path.replace(/^\./, '').split('.');

function getPath(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const s of segments(path)) v = v && typeof v === 'object' && Object.hasOwn(v, s) ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

/** A copy of obj with the value at path set, the objects on the way copied too. */
function setPath(obj: KubeObject, path: string, value: unknown): KubeObject {
  const [head, ...rest] = segments(path);
  const set = (o: Record<string, unknown>, keys: string[], k: string): Record<string, unknown> => {
    if (!keys.length) return { ...o, [k]: value };
    const inner = o[k];
    return { ...o, [k]: set(inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : {}, keys.slice(1), keys[0] as string) };
  };
  return set(obj, rest, head as string) as KubeObject;
}
