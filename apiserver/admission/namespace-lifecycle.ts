// Admission: no namespaced object may be created in a namespace that doesn't exist or is being terminated.
import type { KubeObject } from '../../lib/api/types.js';
import { errors } from '../errors.js';
import type { CacheHub, ResourceCache } from '../storage/cache.js';
import type { Storage } from '../storage/storage.js';
import { objectKey } from '../storage/keys.js';

const NAMESPACES = { group: '', resource: 'namespaces', namespaced: false } as const;

export function namespaceLifecycle(cache: ResourceCache, hub: CacheHub, storage: Storage): (namespace: string) => Promise<void> {
  return async (namespace: string) => {
    const key = objectKey(NAMESPACES, undefined, namespace);
    let ns: KubeObject | undefined = cache.get(key);
    if (!ns) {
      // The cache may trail a namespace created a moment ago: catch up, then ask etcd itself.
      await hub.fresh();
      ns = cache.get(key) ?? (await storage.get(key))?.obj;
    }
    if (!ns) throw errors.notFound({ group: '', resource: 'namespaces' }, namespace);
    if (ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') {
      throw errors.forbidden(`unable to create new content in namespace ${namespace} because it is being terminated`, {
        name: namespace,
        kind: 'namespaces',
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is terminating`, field: 'metadata.namespace' }],
      });
    }
  };
}
