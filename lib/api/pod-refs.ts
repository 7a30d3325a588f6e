// The API objects a pod refers to by name: the ConfigMaps and Secrets of its env, envFrom, volumes, projected sources
// and imagePullSecrets, its PersistentVolumeClaims and its ServiceAccount. The node agent watches what its pods use;
// the API server's Node authorizer lets a node read exactly these objects of the pods bound to it.
import type { KubeObject } from './types.js';

export interface PodReferences {
  /** `namespace/name` of each. */
  configMaps: Set<string>;
  secrets: Set<string>;
  persistentVolumeClaims: Set<string>;
  /** `namespace/name` of the pod's ServiceAccount (`default` when unset). */
  serviceAccount: string;
}

type Ref = { name?: unknown } | undefined;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

export function referencedObjects(pod: KubeObject): PodReferences {
  const ns = String(pod.metadata.namespace ?? '');
  const spec = (pod.spec ?? {}) as Loose;
  const out: PodReferences = { configMaps: new Set(), secrets: new Set(), persistentVolumeClaims: new Set(), serviceAccount: `${ns}/${nameOf(spec.serviceAccountName) || 'default'}` };
  const add = (set: Set<string>, name: unknown) => {
    const n = nameOf(name);
    if (n) set.add(`${ns}/${n}`);
  };
  const cm = (r: Ref) => add(out.configMaps, r?.name);
  const sec = (r: Ref) => add(out.secrets, r?.name);
  for (const list of [spec.containers, spec.initContainers, spec.ephemeralContainers] as Array<Loose[] | undefined>) {
    for (const c of arrayOf(list)) {
      for (const e of arrayOf(c.env)) {
        cm(e.valueFrom?.configMapKeyRef);
        sec(e.valueFrom?.secretKeyRef);
      }
      for (const e of arrayOf(c.envFrom)) {
        cm(e.configMapRef);
        sec(e.secretRef);
      }
    }
  }
  for (const v of arrayOf(spec.volumes)) {
    cm(v.configMap);
    add(out.secrets, v.secret?.secretName);
    add(out.persistentVolumeClaims, v.persistentVolumeClaim?.claimName);
    // a generic ephemeral volume's claim is named <pod>-<volume>
    if (v.ephemeral && typeof v.name === 'string') add(out.persistentVolumeClaims, `${pod.metadata.name}-${v.name}`);
    sec(v.csi?.nodePublishSecretRef);
    for (const s of arrayOf(v.projected?.sources)) {
      cm(s.configMap);
      sec(s.secret);
    }
  }
  for (const s of arrayOf(spec.imagePullSecrets)) sec(s);
  return out;
}

function nameOf(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function arrayOf(v: unknown): Loose[] {
  return Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Loose[]) : [];
}
