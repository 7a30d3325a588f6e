// The volume manager: makes each volume of a pod exist on the node before its containers are created, keeps
// configMap/secret/downwardAPI/projected contents current (atomically, on every sync: a changed object is written
// within the sync that follows its change), and removes a pod's directory (unmounting its tmpfs first) when the pod
// goes - also for pods that went while the agent was down (cleanupOrphans at start).
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parseQuantity } from '../../../lib/api/quantity.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { logger } from '../../../lib/util/log.js';
import type { PodEnvFacts } from '../env.js';
import type { PodObjects } from '../objects.js';
import type { NodeAllocatable } from '../resources.js';
import { specOf, type Volume } from '../spec.js';
import { hasPayload, writePayload, type Payload } from './atomic-writer.js';
import { checkHostPath } from './hostpath.js';
import type { Mounter } from './mounter.js';
import { podDir, volumeDir, type VolumePlugin } from './paths.js';
import { configMapPayload, downwardAPIPayload, projectedPayload, secretPayload, VolumeSetupError, type ProjectionContext, type ServiceAccountTokenSource } from './projection.js';
import { diskUsageBytes } from './usage.js';

const log = logger('node-agent');

/** Where a persistentVolumeClaim volume is on this node; the workloads work binds claims to volumes and fills it. */
export type PersistentVolumeClaimSource = (pod: KubeObject, claimName: string) => Promise<string>;

export interface VolumeManagerOptions {
  podsDir: string;
  objects: PodObjects;
  mounter: Mounter;
  allocatable: NodeAllocatable;
  serviceAccountToken?: ServiceAccountTokenSource;
  persistentVolumeClaim?: PersistentVolumeClaimSource;
}

/** A volume ready on the node. */
export interface PodVolume {
  name: string;
  hostPath: string;
  /** configMap, secret, downwardAPI and projected volumes are always mounted read-only. */
  readOnly: boolean;
  /** Files that the agent rewrites on change (a subPath into one keeps the version it was mounted with). */
  managed: boolean;
}

export interface VolumeError {
  volume: string;
  message: string;
}

export type VolumeSetup = { volumes: Map<string, PodVolume>; errors: VolumeError[] };

const plugins: Array<[keyof Volume, VolumePlugin]> = [['emptyDir', 'empty-dir'], ['configMap', 'configmap'], ['secret', 'secret'], ['downwardAPI', 'downward-api'], ['projected', 'projected']];

function digest(p: Payload): string {
  const h = createHash('sha256');
  for (const [k, f] of [...p].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(`${k}\0${f.mode}\0${f.data.length}\0`).update(f.data);
  return h.digest('hex');
}

export class VolumeManager {
  /** Volume dirs set up (mkdir, tmpfs) since the agent started. */
  private readonly prepared = new Set<string>();
  /** Digest of what each managed volume dir holds, to skip unchanged rewrites. */
  private readonly written = new Map<string, string>();

  constructor(private readonly o: VolumeManagerOptions) {}

  get podsDir(): string {
    return this.o.podsDir;
  }

  /**
   * Sets up every volume it can; the ones it cannot are in errors (a pod not started yet must wait for them; one
   * already running keeps the contents it had, which are in volumes too).
   */
  async setup(pod: KubeObject, facts: PodEnvFacts): Promise<VolumeSetup> {
    const uid = pod.metadata.uid as string;
    const volumes = new Map<string, PodVolume>();
    const errors: VolumeError[] = [];
    const ctx: ProjectionContext = { pod, objects: this.o.objects, facts, allocatable: this.o.allocatable, serviceAccountToken: this.o.serviceAccountToken };
    for (const v of specOf(pod).volumes) {
      try {
        volumes.set(v.name, await this.setupOne(pod, uid, v, ctx));
      } catch (e) {
        if (!(e instanceof VolumeSetupError)) log.warn('volume setup failed', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, volume: v.name, error: (e as Error).message });
        errors.push({ volume: v.name, message: (e as Error).message });
        // a volume set up before (its ConfigMap deleted since, say) keeps what it had: running containers go on
        const before = this.previous(uid, v);
        if (before) volumes.set(v.name, before);
      }
    }
    return { volumes, errors };
  }

  private async setupOne(pod: KubeObject, uid: string, v: Volume, ctx: ProjectionContext): Promise<PodVolume> {
    if (v.hostPath) {
      checkHostPath(v.hostPath.path, v.hostPath.type);
      return { name: v.name, hostPath: v.hostPath.path, readOnly: false, managed: false };
    }
    if (v.persistentVolumeClaim) {
      if (!this.o.persistentVolumeClaim) throw new VolumeSetupError(`persistentVolumeClaim "${v.persistentVolumeClaim.claimName}": persistent volumes are not served by this node yet`);
      return { name: v.name, hostPath: await this.o.persistentVolumeClaim(pod, v.persistentVolumeClaim.claimName),
        readOnly: !!v.persistentVolumeClaim.readOnly, managed: false };
    }
    const plugin = plugins.find(([field]) => v[field] !== undefined)?.[1];
    if (!plugin) throw new VolumeSetupError(`volume ${v.name}: this volume type is not supported by this node`);
    const dir = volumeDir(this.o.podsDir, uid, plugin, v.name);
    const memory = (plugin === 'empty-dir' && v.emptyDir?.medium === 'Memory') || plugin === 'secret' || plugin === 'projected';
    await this.prepare(dir, memory, plugin === 'empty-dir' ? this.tmpfsSize(pod, v) : undefined);
    if (plugin === 'empty-dir') return { name: v.name, hostPath: dir, readOnly: false, managed: false };
    let payload: Payload;
    if (v.configMap) payload = await configMapPayload(ctx, v.configMap);
    else if (v.secret) payload = await secretPayload(ctx, v.secret);
    else if (v.downwardAPI) payload = downwardAPIPayload(ctx, v.downwardAPI);
    else payload = await projectedPayload(ctx, v.projected ?? {});
    const d = digest(payload);
    if (this.written.get(dir) !== d) {
      try {
        if (writePayload(dir, payload)) log.info('volume contents written', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, volume: v.name });
      } catch (e) {
        throw new VolumeSetupError((e as Error).message);
      }
      this.written.set(dir, d);
    }
    return { name: v.name, hostPath: dir, readOnly: true, managed: true };
  }

  /** A configMap/secret/downwardAPI/projected volume as an earlier sync wrote it, if one did. */
  private previous(uid: string, v: Volume): PodVolume | undefined {
    const plugin = plugins.find(([field]) => v[field] !== undefined)?.[1];
    if (!plugin || plugin === 'empty-dir') return undefined;
    const dir = volumeDir(this.o.podsDir, uid, plugin, v.name);
    return hasPayload(dir) ? { name: v.name, hostPath: dir, readOnly: true, managed: true } : undefined;
  }

  /** A tmpfs emptyDir is as big as its sizeLimit, else the pod's memory limit when every container has one. */
  private tmpfsSize(pod: KubeObject, v: Volume): number | undefined {
    const limit = parseQuantity(v.emptyDir?.sizeLimit);
    if (limit) return limit;
    const cs = specOf(pod).containers;
    const limits = cs.map((c) => parseQuantity(c.resources?.limits?.memory));
    return limits.length && limits.every((l) => l) ? limits.reduce((a, b) => (a as number) + (b as number), 0) : undefined;
  }

  private async prepare(dir: string, memory: boolean, sizeBytes: number | undefined): Promise<void> {
    if (this.prepared.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    // any user in any container may write an emptyDir
    chmodSync(dir, 0o777);
    if (memory && !this.o.mounter.isMountPoint(dir)) await this.o.mounter.mountTmpfs(dir, sizeBytes);
    this.prepared.add(dir);
  }

  /** emptyDir volumes on disk whose usage exceeds their sizeLimit: the kubelet evicts their pod. */
  overLimit(pod: KubeObject): { volume: string; limit: string } | undefined {
    const uid = pod.metadata.uid as string;
    for (const v of specOf(pod).volumes) {
      if (!v.emptyDir || v.emptyDir.medium === 'Memory' || !v.emptyDir.sizeLimit) continue;
      const limit = parseQuantity(v.emptyDir.sizeLimit);
      const dir = volumeDir(this.o.podsDir, uid, 'empty-dir', v.name);
      if (limit !== undefined && existsSync(dir) && diskUsageBytes(dir) > limit) return { volume: v.name, limit: v.emptyDir.sizeLimit };
    }
    return undefined;
  }

  /** Unmounts and removes everything the pod had on the node. Idempotent. */
  async teardown(uid: string): Promise<void> {
    const dir = podDir(this.o.podsDir, uid);
    if (!existsSync(dir)) return;
    await this.o.mounter.unmountAllUnder(dir);
    // never remove through a mount: a tmpfs that would not go keeps the directory (the next cleanup tries again)
    if (this.o.mounter.mountsUnder(dir).length) throw new Error(`${dir} is still mounted`);
    rmSync(dir, { recursive: true, force: true });
    for (const k of [...this.prepared]) if (k.startsWith(`${dir}/`)) this.prepared.delete(k);
    for (const k of [...this.written.keys()]) if (k.startsWith(`${dir}/`)) this.written.delete(k);
    log.info('pod volumes removed', { uid });
  }

  /** Removes the directories of pods not in `active` (gone while the agent was down, or left by a failed teardown). */
  async cleanupOrphans(active: Set<string>): Promise<string[]> {
    if (!existsSync(this.o.podsDir)) return [];
    const removed: string[] = [];
    for (const uid of readdirSync(this.o.podsDir)) {
      if (active.has(uid)) continue;
      try {
        await this.teardown(uid);
        removed.push(uid);
      } catch (e) {
        log.warn('orphaned pod directory not removed', { uid, error: (e as Error).message });
      }
    }
    return removed;
  }
}
