// A service's storage: named volumes → PersistentVolumeClaims, anonymous volumes and tmpfs → emptyDir (tmpfs in
// memory), configs → ConfigMaps and secrets → Secrets (their file: sources read now, at convert time), bind mounts
// refused unless --allow-host-paths (then hostPath: the node's directory, which is the host compose would use only
// on a one-node cluster).
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { KubeObject } from '../../../lib/api/types.js';
import type { Json, JsonObject } from './parse.js';
import { quantity } from './units.js';

export class StorageError extends Error {}

/** A piece of a Kubernetes object being built (optional fields may be left undefined: they are not sent). */
export type Obj = Record<string, unknown>;

export interface Mounts {
  volumes: Obj[];
  volumeMounts: Obj[];
}

export interface StorageContext {
  dir: string;
  model: JsonObject;
  allowHostPaths: boolean;
  env: Record<string, string | undefined>;
}

/** A Kubernetes name from a compose one (compose allows `_` and upper case; object names do not). */
export const k8sName = (s: string) => s.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 63) || 'x';

const top = (ctx: StorageContext, kind: 'volumes' | 'configs' | 'secrets') => (ctx.model[kind] ?? {}) as Record<string, JsonObject | null>;

interface VolumeRef {
  type: string;
  source?: string;
  target: string;
  readOnly: boolean;
  size?: string;
}

function parseVolume(v: Json): VolumeRef {
  if (typeof v === 'string') {
    const parts = v.split(':');
    if (parts.length === 1) return { type: 'volume', target: parts[0] as string, readOnly: false };
    const [source, target, mode = ''] = parts as [string, string, string?];
    const bind = /^[./~]/.test(source) || isAbsolute(source);
    return { type: bind ? 'bind' : 'volume', source, target, readOnly: mode.split(',').includes('ro') };
  }
  const o = v as JsonObject;
  const tmpfs = (o.tmpfs ?? {}) as JsonObject;
  return { type: String(o.type), source: o.source === undefined ? undefined : String(o.source), target: String(o.target), readOnly: o.read_only === true || o.read_only === 'true', size: tmpfs.size === undefined ? undefined : String(tmpfs.size) };
}

/** Named volumes → claims (ReadWriteOnce; size from x-flotilla-size or driver_opts.size, else 1Gi). */
export function claims(ctx: StorageContext, labels: Record<string, string>): KubeObject[] {
  return Object.entries(top(ctx, 'volumes')).filter(([, v]) => !v?.external).map(([name, v]) => {
    const opts = (v?.driver_opts ?? {}) as JsonObject;
    const size = quantity((v?.['x-flotilla-size'] ?? opts.size ?? '1Gi') as Json, `volume "${name}" size`) as string;
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: k8sName(String(v?.name ?? name)), labels: { ...labels, 'com.docker.compose.volume': k8sName(name) } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: /^\d+$/.test(size) ? size : size } } },
    };
  });
}

function fileSource(ctx: StorageContext, kind: 'configs' | 'secrets', name: string): Buffer {
  const def = top(ctx, kind)[name];
  if (def === undefined) throw new StorageError(`${kind.slice(0, -1)} "${name}" is not defined in the top-level ${kind}`);
  if (def?.external) throw new StorageError(`${kind.slice(0, -1)} "${name}" is external: create the ${kind === 'configs' ? 'ConfigMap' : 'Secret'} "${k8sName(name)}" in the project's namespace yourself`);
  if (typeof def?.file === 'string') {
    try {
      return readFileSync(resolve(ctx.dir, def.file));
    } catch (e) {
      throw new StorageError(`${kind.slice(0, -1)} "${name}": cannot read file ${def.file}: ${(e as Error).message}`);
    }
  }
  if (typeof def?.content === 'string') return Buffer.from(def.content);
  if (typeof def?.environment === 'string') {
    const v = ctx.env[def.environment];
    if (v === undefined) throw new StorageError(`${kind.slice(0, -1)} "${name}": environment variable ${def.environment} is not set`);
    return Buffer.from(v);
  }
  throw new StorageError(`${kind.slice(0, -1)} "${name}" has no file, content or environment source`);
}

/** The project's configs and secrets that some service uses, as ConfigMaps and Secrets (one key: the name). */
export function configObjects(ctx: StorageContext, used: { configs: Set<string>; secrets: Set<string> }, labels: Record<string, string>): KubeObject[] {
  const out: KubeObject[] = [];
  for (const name of [...used.configs].sort()) {
    if (top(ctx, 'configs')[name]?.external) continue;
    const data = fileSource(ctx, 'configs', name);
    out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: k8sName(name), labels }, binaryData: undefined, data: { content: data.toString('utf8') } });
  }
  for (const name of [...used.secrets].sort()) {
    if (top(ctx, 'secrets')[name]?.external) continue;
    out.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: k8sName(name), labels }, type: 'Opaque', data: { content: fileSource(ctx, 'secrets', name).toString('base64') } });
  }
  for (const o of out) delete o.binaryData;
  return out;
}

/** The pod volumes and container mounts of one service; records which configs and secrets it uses. */
export function mountsOf(ctx: StorageContext, svc: JsonObject, used: { configs: Set<string>; secrets: Set<string> }): Mounts {
  const m: Mounts = { volumes: [], volumeMounts: [] };
  const add = (name: string, source: Obj, mount: Obj) => {
    if (!m.volumes.some((v) => v.name === name)) m.volumes.push({ name, ...source });
    m.volumeMounts.push({ name, ...mount });
  };
  const named = top(ctx, 'volumes');
  let anon = 0;
  for (const raw of (svc.volumes ?? []) as Json[]) {
    const v = parseVolume(raw);
    const ro = v.readOnly ? { readOnly: true } : {};
    if (v.type === 'volume' && v.source) {
      if (!(v.source in named)) throw new StorageError(`service refers to undefined volume ${v.source}: add it to the top-level volumes`);
      const claim = k8sName(String(named[v.source]?.name ?? v.source));
      add(`vol-${k8sName(v.source)}`, { persistentVolumeClaim: { claimName: claim } }, { mountPath: v.target, ...ro });
    } else if (v.type === 'volume' || v.type === 'tmpfs') {
      const medium = v.type === 'tmpfs' ? { medium: 'Memory', ...(v.size ? { sizeLimit: quantity(v.size, 'tmpfs size') } : {}) } : {};
      add(`${v.type === 'tmpfs' ? 'tmpfs' : 'anon'}-${anon++}`, { emptyDir: medium }, { mountPath: v.target, ...ro });
    } else if (v.type === 'bind') {
      if (!ctx.allowHostPaths) throw new StorageError(`bind mount ${v.source}:${v.target} is refused: a pod runs on any node, where ${v.source} is not your directory. Use a named volume, a config or a secret, or pass --allow-host-paths to mount the node's path as a hostPath`);
      add(`host-${anon++}`, { hostPath: { path: resolve(ctx.dir, (v.source as string).replace(/^~/, process.env.HOME ?? '~')) } }, { mountPath: v.target, ...ro });
    } else throw new StorageError(`volume type ${v.type} is not supported`);
  }
  const tmpfs = svc.tmpfs === undefined ? [] : Array.isArray(svc.tmpfs) ? svc.tmpfs : [svc.tmpfs];
  for (const t of tmpfs) add(`tmpfs-${anon++}`, { emptyDir: { medium: 'Memory' } }, { mountPath: String(t).split(':')[0] as string });
  for (const kind of ['configs', 'secrets'] as const) {
    for (const raw of (svc[kind] ?? []) as Json[]) {
      const ref = typeof raw === 'string' ? { source: raw } : (raw as JsonObject);
      const source = String(ref.source);
      if (!(source in top(ctx, kind))) throw new StorageError(`service refers to undefined ${kind.slice(0, -1)} ${source}`);
      used[kind].add(source);
      let target = ref.target === undefined ? undefined : String(ref.target);
      // compose's defaults: a config at /<name>, a secret at /run/secrets/<name> (a relative target goes there too)
      if (kind === 'configs') target ??= `/${source}`;
      else target = target === undefined ? `/run/secrets/${source}` : target.startsWith('/') ? target : `/run/secrets/${target}`;
      // modes are written in octal (`0440`); YAML 1.2 reads that as decimal 440, so the digits are taken as octal
      const mode = ref.mode === undefined ? {} : { mode: /^0?[0-7]{1,4}$/.test(String(ref.mode)) ? parseInt(String(ref.mode), 8) : Number(ref.mode) };
      const item = { items: [{ key: 'content', path: 'content', ...mode }] };
      const src = kind === 'configs' ? { configMap: { name: k8sName(source), ...item } } : { secret: { secretName: k8sName(source), ...item } };
      add(`${kind === 'configs' ? 'cfg' : 'sec'}-${k8sName(source)}`, src, { mountPath: target, subPath: 'content', readOnly: true });
    }
  }
  return m;
}
