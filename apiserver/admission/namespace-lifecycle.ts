// Admission: no namespaced object may be created in a namespace that doesn't exist or is being terminated.
import type { KubeObject } from '../../lib/api/types.js';
import { errors } from '../errors.js';
import type { CacheHub, ResourceCache } from '../storage/cache.js';
import type { Storage } from '../storage/storage.js';
import { objectKey } from '../storage/keys.js';

const NAMESPACES = { group: '', resource: 'namespaces', namespaced: false } as const;

/** How long after a delete was asked for a namespace is looked up in etcd, not the cache (Kubernetes: 30 s). */
const LIVE_LOOKUP_MS = 30_000;
/** Namespaces this server was asked to delete lately, until when: the watch cache may not show them Terminating yet. */
const deleting = new Map<string, number>();

/** The namespace's deletion was asked for: creates in it look at etcd for a while (its kind file calls this). */
export function namespaceDeleteRequested(name: string): void {
  const now = Date.now();
  for (const [n, until] of deleting) if (until < now) deleting.delete(n);
  deleting.set(name, now + LIVE_LOOKUP_MS);
}

export function namespaceLifecycle(cache: ResourceCache, hub: CacheHub, storage: Storage): (namespace: string) => Promise<void> {
  return async (namespace: string) => {
    const key = objectKey(NAMESPACES, undefined, namespace);
    let ns: KubeObject | undefined = cache.get(key);
    if (!ns) {
      // The cache may trail a namespace created a moment ago: catch up, then ask etcd itself.
      await hub.fresh();
      ns = cache.get(key) ?? (await storage.get(key))?.obj;
    } else if ((deleting.get(namespace) ?? 0) > Date.now()) {
      // a delete asked of this server a moment ago may not have reached the cache: etcd says whether it is going
      ns = (await storage.get(key))?.obj ?? ns;
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
