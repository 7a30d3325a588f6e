// The built-in PriorityClasses a cluster starts with, as Kubernetes' API server creates them at each start when
// missing: system-node-critical (2000001000) and system-cluster-critical (2000000000).
import { findByKind, type KindInfo } from '../../../lib/api/kinds.js';
import { toApiError } from '../../errors.js';
import type { Store } from '../store.js';
import { SYSTEM_PRIORITY_CLASSES } from './priorityclasses.js';

const DESCRIPTION: Record<string, string> = {
  'system-node-critical': 'Used for system critical pods that must not be moved from their current node.',
  'system-cluster-critical': 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
};

export async function ensureSystemPriorityClasses(stores: ReadonlyMap<KindInfo, Store>): Promise<void> {
  const store = stores.get(findByKind('scheduling.k8s.io/v1', 'PriorityClass') as KindInfo);
  if (!store) return;
  for (const [name, value] of Object.entries(SYSTEM_PRIORITY_CLASSES)) {
    try {
      await store.create({ dryRun: false, fieldValidation: 'Ignore', warnings: [] }, {
        apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, description: DESCRIPTION[name], preemptionPolicy: 'PreemptLowerPriority',
      });
    } catch (e) {
      if (toApiError(e).code !== 409) throw e;
    }
  }
}
