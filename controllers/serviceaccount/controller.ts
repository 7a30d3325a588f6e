// The service account controller: every namespace has a `default` ServiceAccount, made again when it is deleted,
// as Kubernetes' serviceaccounts-controller keeps it. Namespaces being deleted are left alone.
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isAlreadyExists, Reconciler, type Informer } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';

const NAMESPACE = findByKind('v1', 'Namespace')!;
const SERVICE_ACCOUNT = findByKind('v1', 'ServiceAccount')!;
export const DEFAULT_SERVICE_ACCOUNT = 'default';

/** True when a namespace is going (deleted, or reported Terminating): nothing new is made in it. */
export function terminating(ns: KubeObject): boolean {
  return !!ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating';
}

export class ServiceAccountsController extends Reconciler {
  private readonly namespaces: Informer;
  private readonly serviceAccounts: Informer;

  constructor(private readonly ctx: ControllerContext) {
    super('serviceaccounts-controller');
    this.namespaces = ctx.informers.informerFor(NAMESPACE);
    this.serviceAccounts = ctx.informers.informerFor(SERVICE_ACCOUNT);
    const byName = (ns: KubeObject) => this.enqueue(ns.metadata.name as string);
    this.namespaces.onAdd(byName).onUpdate((_o, ns) => byName(ns));
    this.serviceAccounts.onDelete((sa) => {
      if (sa.metadata.name === DEFAULT_SERVICE_ACCOUNT) this.enqueue(sa.metadata.namespace as string);
    });
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.namespaces.start(), this.serviceAccounts.start()]);
  }

  async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || terminating(ns)) return;
    if (this.serviceAccounts.get(DEFAULT_SERVICE_ACCOUNT, namespace)) return;
    try {
      await this.ctx.client.create(SERVICE_ACCOUNT, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } }, { namespace });
      this.log.info('created the default ServiceAccount', { namespace });
    } catch (e) {
      // made meanwhile (by us before a restart, or by a user): the informer will show it
      if (!isAlreadyExists(e)) throw e;
    }
  }
}
