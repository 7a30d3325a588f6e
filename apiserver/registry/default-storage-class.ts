// The default StorageClass a cluster starts with, as k3s ships one: `local-path`, provisioned by the built-in
// local-path provisioner (directories under the node agent's data dir), bound once a pod using the claim is
// scheduled (WaitForFirstConsumer), deleted with its claim (reclaimPolicy Delete). Created at each start when
// missing, as the default namespaces are; a class of that name the user changed is left alone.
import { findByKind, type KindInfo } from '../../lib/api/kinds.js';
import { LOCAL_PATH_CLASS, LOCAL_PATH_PROVISIONER } from '../../lib/api/storage.js';
import { logger } from '../../lib/util/log.js';
import { DEFAULT_CLASS_ANNOTATION } from '../admission/storage.js';
import { toApiError } from '../errors.js';
import type { Store } from './store.js';

const log = logger('apiserver');

export async function ensureDefaultStorageClass(stores: ReadonlyMap<KindInfo, Store>): Promise<void> {
  const store = stores.get(findByKind('storage.k8s.io/v1', 'StorageClass') as KindInfo);
  if (!store) return;
  try {
    await store.create({ dryRun: false, fieldValidation: 'Ignore', warnings: [] }, {
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
      metadata: { name: LOCAL_PATH_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
      provisioner: LOCAL_PATH_PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
    });
    log.info('created the default StorageClass', { name: LOCAL_PATH_CLASS });
  } catch (e) {
    if (toApiError(e).code !== 409) throw e;
  }
}
