// The RBAC index's source in the API server: the watch caches of the four kinds. A watcher on each cache tells the
// index of every change; when the cache is reloaded (its watchers are closed) the watcher signs up again.
import type { KubeObject } from '../../../lib/api/types.js';
import type { ResourceCache } from '../../storage/cache.js';
import type { PolicySource, RbacResource } from './policy-index.js';

export function cachePolicySource(cacheOf: (resource: RbacResource) => ResourceCache): PolicySource {
  return {
    list: (resource): KubeObject[] => cacheOf(resource).list(),
    onChange(resource, fn) {
      const cache = cacheOf(resource);
      const watch = () => {
        cache.watchers.add({
          prefix: cache.prefix,
          deliver: () => {
            fn();
            return true;
          },
          close: () => {
            fn();
            // reset() clears its watchers after closing them: sign up again once it has
            queueMicrotask(watch);
          },
        });
      };
      watch();
    },
  };
}
