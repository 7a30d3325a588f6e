// The API objects a pod's containers and volumes are made from (ConfigMaps, Secrets, the ServiceAccount), as the
// pod workers read them. The agent serves ConfigMaps and Secrets from informer caches (a change reaches the pods
// that use it at once, with no request per sync); ClientObjects reads them straight from the API (unit tests, and
// while an informer has not synced yet).
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isNotFound, type Client, type Informer } from '../../lib/client/index.js';

const CONFIGMAP = findByKind('v1', 'ConfigMap')!;
const SECRET = findByKind('v1', 'Secret')!;

/** Reads the objects a pod refers to; undefined means it does not exist (404). Other failures throw. */
export interface PodObjects {
  configMap(namespace: string, name: string): Promise<KubeObject | undefined>;
  secret(namespace: string, name: string): Promise<KubeObject | undefined>;
  /**
   * The pod's ServiceAccount, for its imagePullSecrets. The ServiceAccount kind may not be served yet: a 404 (no
   * such object, or no such resource) reads as undefined.
   */
  serviceAccount(namespace: string, name: string): Promise<KubeObject | undefined>;
}

async function orUndefined(p: Promise<KubeObject>): Promise<KubeObject | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Every read is a GET. */
export class ClientObjects implements PodObjects {
  constructor(private readonly client: Client) {}

  configMap(namespace: string, name: string): Promise<KubeObject | undefined> {
    return orUndefined(this.client.get(CONFIGMAP, name, { namespace }));
  }

  secret(namespace: string, name: string): Promise<KubeObject | undefined> {
    return orUndefined(this.client.get(SECRET, name, { namespace }));
  }

  serviceAccount(namespace: string, name: string): Promise<KubeObject | undefined> {
    // by path: the kind is not in our registry until the security work serves it
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}`;
    return orUndefined(this.client.request<KubeObject>({ method: 'GET', path }));
  }
}

/** ConfigMaps and Secrets from informer caches once they have synced (GETs before that); the ServiceAccount by GET. */
export class CachedObjects implements PodObjects {
  private readonly direct: ClientObjects;

  constructor(client: Client, private readonly configMaps: Informer, private readonly secrets: Informer) {
    this.direct = new ClientObjects(client);
  }

  async configMap(namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.configMaps.hasSynced() ? this.configMaps.get(name, namespace) : this.direct.configMap(namespace, name);
  }

  async secret(namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.secrets.hasSynced() ? this.secrets.get(name, namespace) : this.direct.secret(namespace, name);
  }

  serviceAccount(namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.direct.serviceAccount(namespace, name);
  }
}

/** The keys of a ConfigMap (data and binaryData) or Secret (data, base64) with their bytes. */
export function objectData(obj: KubeObject, kind: 'configMap' | 'secret'): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const data = (obj.data ?? {}) as Record<string, string>;
  if (kind === 'secret') {
    for (const [k, v] of Object.entries(data)) out.set(k, Buffer.from(v, 'base64'));
    return out;
  }
  for (const [k, v] of Object.entries(data)) out.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries((obj.binaryData ?? {}) as Record<string, string>)) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

/** The ConfigMaps and Secrets a pod uses (env, envFrom, volumes, projected sources, imagePullSecrets), as `ns/name`. */
export function referencedObjects(pod: KubeObject): { configMaps: Set<string>; secrets: Set<string> } {
  const ns = pod.metadata.namespace as string;
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const spec = pod.spec ?? {};
  type Ref = { name?: string } | undefined;
  const cm = (r: Ref) => r?.name && configMaps.add(`${ns}/${r.name}`);
  const sec = (r: Ref) => r?.name && secrets.add(`${ns}/${r.name}`);
  for (const list of [spec.containers, spec.initContainers, spec.ephemeralContainers] as Array<Array<Record<string, any>> | undefined>) { // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const c of list ?? []) {
      for (const e of c.env ?? []) {
        cm(e.valueFrom?.configMapKeyRef);
        sec(e.valueFrom?.secretKeyRef);
      }
      for (const e of c.envFrom ?? []) {
        cm(e.configMapRef);
        sec(e.secretRef);
      }
    }
  }
  for (const v of (spec.volumes ?? []) as Array<Record<string, any>>) { // eslint-disable-line @typescript-eslint/no-explicit-any
    cm(v.configMap);
    if (v.secret?.secretName) secrets.add(`${ns}/${v.secret.secretName}`);
    for (const s of v.projected?.sources ?? []) {
      cm(s.configMap);
      sec(s.secret);
    }
  }
  for (const s of (spec.imagePullSecrets ?? []) as Ref[]) sec(s);
  return { configMaps, secrets };
}
