// The files of configMap, secret, downwardAPI and projected volumes, computed from the API objects: every key (or
// the listed items) at its path with its mode. What the kubelet refuses (a missing object or key that is not
// optional) is a VolumeSetupError, shown as FailedMount.
import type { KubeObject } from '../../../lib/api/types.js';
import { fieldRef, type PodEnvFacts } from '../env.js';
import { objectData, type PodObjects } from '../objects.js';
import { resourceFieldValue, type NodeAllocatable } from '../resources.js';
import { specOf, type DownwardAPIVolumeFile, type KeyToPath, type ServiceAccountTokenProjection, type VolumeProjection } from '../spec.js';
import type { Payload } from './atomic-writer.js';

/** A volume that cannot be set up now (the pod waits in ContainerCreating with a FailedMount event). */
export class VolumeSetupError extends Error {}

/**
 * Fills a projected `serviceAccountToken` source: the token's bytes for this pod. The security work provides it (the
 * TokenRequest API); until then a pod asking for one waits with a FailedMount that says so.
 */
export type ServiceAccountTokenSource = (pod: KubeObject, source: ServiceAccountTokenProjection) => Promise<Buffer>;

export interface ProjectionContext {
  pod: KubeObject;
  objects: PodObjects;
  facts: PodEnvFacts;
  allocatable: NodeAllocatable;
  serviceAccountToken?: ServiceAccountTokenSource;
}

const DEFAULT_MODE = 0o644;

async function keyedFiles(ctx: ProjectionContext, kind: 'configMap' | 'secret', name: string, items: KeyToPath[] | undefined, optional: boolean | undefined, mode: number, out: Payload): Promise<void> {
  const ns = ctx.pod.metadata.namespace as string;
  const obj = kind === 'configMap' ? await ctx.objects.configMap(ns, name) : await ctx.objects.secret(ns, name);
  if (!obj) {
    if (optional) return;
    throw new VolumeSetupError(`${kind === 'configMap' ? 'configmap' : 'secret'} "${name}" not found`);
  }
  const data = objectData(obj, kind);
  if (!items?.length) {
    for (const [k, v] of data) out.set(k, { data: v, mode });
    return;
  }
  for (const item of items) {
    const v = data.get(item.key);
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeSetupError(kind === 'configMap' ? `configmap references non-existent config key: ${item.key}` : `references non-existent secret key: ${item.key}`);
    }
    out.set(item.path, { data: v, mode: item.mode ?? mode });
  }
}

function downwardFiles(ctx: ProjectionContext, items: DownwardAPIVolumeFile[] | undefined, mode: number, out: Payload): void {
  const { containers, initContainers } = specOf(ctx.pod);
  for (const item of items ?? []) {
    let value: string;
    if (item.fieldRef) {
      try {
        value = fieldRef(ctx.pod, item.fieldRef.fieldPath, ctx.facts);
      } catch (e) {
        throw new VolumeSetupError((e as Error).message);
      }
    } else if (item.resourceFieldRef) {
      const r = resourceFieldValue(item.resourceFieldRef, containers.concat(initContainers), undefined, ctx.allocatable);
      if ('error' in r) throw new VolumeSetupError(r.error);
      value = r.value;
    } else continue;
    out.set(item.path, { data: Buffer.from(value, 'utf8'), mode: item.mode ?? mode });
  }
}

export async function configMapPayload(ctx: ProjectionContext,
  src: { name: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean }): Promise<Payload> {
  const out: Payload = new Map();
  await keyedFiles(ctx, 'configMap', src.name, src.items, src.optional, src.defaultMode ?? DEFAULT_MODE, out);
  return out;
}

export async function secretPayload(ctx: ProjectionContext,
  src: { secretName: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean }): Promise<Payload> {
  const out: Payload = new Map();
  await keyedFiles(ctx, 'secret', src.secretName, src.items, src.optional, src.defaultMode ?? DEFAULT_MODE, out);
  return out;
}

export function downwardAPIPayload(ctx: ProjectionContext, src: { items?: DownwardAPIVolumeFile[]; defaultMode?: number }): Payload {
  const out: Payload = new Map();
  downwardFiles(ctx, src.items, src.defaultMode ?? DEFAULT_MODE, out);
  return out;
}

/** The sources in order, later paths overriding earlier ones. */
export async function projectedPayload(ctx: ProjectionContext, src: { sources?: VolumeProjection[]; defaultMode?: number }): Promise<Payload> {
  const out: Payload = new Map();
  const mode = src.defaultMode ?? DEFAULT_MODE;
  for (const s of src.sources ?? []) {
    if (s.configMap) await keyedFiles(ctx, 'configMap', s.configMap.name, s.configMap.items, s.configMap.optional, mode, out);
    if (s.secret) await keyedFiles(ctx, 'secret', s.secret.name, s.secret.items, s.secret.optional, mode, out);
    if (s.downwardAPI) downwardFiles(ctx, s.downwardAPI.items, mode, out);
    if (s.serviceAccountToken) {
      if (!ctx.serviceAccountToken) throw new VolumeSetupError('serviceAccountToken projections are not served by this node yet (no TokenRequest source)');
      out.set(s.serviceAccountToken.path, { data: await ctx.serviceAccountToken(ctx.pod, s.serviceAccountToken), mode });
    }
  }
  return out;
}
