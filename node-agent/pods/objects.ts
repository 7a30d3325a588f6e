// The API objects a pod's containers and volumes are made from (ConfigMaps, Secrets, the ServiceAccount), as the
// pod workers read them. The agent serves ConfigMaps and Secrets from one watch per object its pods use
// (watched-objects.ts: a change reaches the pods that use it at once, with no request per sync); ClientObjects reads
// them straight from the API (unit tests, and while a watch has not synced yet).
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isNotFound, type Client } from '../../lib/client/index.js';
import type { WatchedObjects } from './watched-objects.js';

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

/** ConfigMaps and Secrets from their watches once synced (GETs before that); the ServiceAccount by GET. */
export class CachedObjects implements PodObjects {
  private readonly direct: ClientObjects;

  constructor(client: Client, private readonly watched: WatchedObjects) {
    this.direct = new ClientObjects(client);
  }

  async configMap(namespace: string, name: string): Promise<KubeObject | undefined> {
    const c = this.watched.cached('configMaps', namespace, name);
    return c ? c.obj : this.direct.configMap(namespace, name);
  }

  async secret(namespace: string, name: string): Promise<KubeObject | undefined> {
    const c = this.watched.cached('secrets', namespace, name);
    return c ? c.obj : this.direct.secret(namespace, name);
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
