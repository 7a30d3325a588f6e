// The root CA publisher: every namespace has the ConfigMap kube-root-ca.crt holding the cluster CA (key ca.crt),
// which pods' token volumes project next to their token so they can verify the API server. Kept equal to the CA
// (--root-ca-file, else the CA of the controller-manager's own kubeconfig), made again when deleted, as Kubernetes'
// root-ca-cert-publisher does.
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isAlreadyExists, isConflict, isNotFound, Reconciler, type Informer } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';
import { terminating } from '../serviceaccount/controller.js';

const NAMESPACE = findByKind('v1', 'Namespace')!;
const CONFIGMAP = findByKind('v1', 'ConfigMap')!;
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const ROOT_CA_KEY = 'ca.crt';
const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export class RootCACertPublisher extends Reconciler {
  private readonly namespaces: Informer;
  private readonly configMaps: Informer;

  constructor(private readonly ctx: ControllerContext, private readonly rootCA: string) {
    super('root-ca-cert-publisher');
    this.namespaces = ctx.informers.informerFor(NAMESPACE);
    this.configMaps = ctx.informers.informerFor(CONFIGMAP);
    const byName = (ns: KubeObject) => this.enqueue(ns.metadata.name as string);
    this.namespaces.onAdd(byName).onUpdate((_o, ns) => byName(ns));
    const ours = (cm: KubeObject) => {
      if (cm.metadata.name === ROOT_CA_CONFIGMAP) this.enqueue(cm.metadata.namespace as string);
    };
    this.configMaps.onUpdate((_o, cm) => ours(cm)).onDelete(ours);
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.namespaces.start(), this.configMaps.start()]);
  }

  async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || terminating(ns)) return;
    const cm = this.configMaps.get(ROOT_CA_CONFIGMAP, namespace);
    const data = { [ROOT_CA_KEY]: this.rootCA };
    const have = (cm?.data as Record<string, string> | undefined) ?? {};
    try {
      if (!cm) {
        await this.ctx.client.create(CONFIGMAP, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace,
          annotations: { 'kubernetes.io/description': DESCRIPTION } }, data }, { namespace });
        this.log.info('published the root CA', { namespace });
      } else if (have[ROOT_CA_KEY] !== this.rootCA || Object.keys(have).length !== 1 || cm.binaryData) {
        await this.ctx.client.update(CONFIGMAP, { ...cm, data, binaryData: undefined, metadata: { ...cm.metadata,
          annotations: { ...cm.metadata.annotations, 'kubernetes.io/description': DESCRIPTION } } });
        this.log.info('root CA ConfigMap set back to the cluster CA', { namespace });
      }
    } catch (e) {
      // a write that lost a race is looked at again when the informer shows the winner
      if (!isAlreadyExists(e) && !isConflict(e) && !isNotFound(e)) throw e;
    }
  }
}
