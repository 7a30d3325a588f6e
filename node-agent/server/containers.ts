// The runtime container behind a pod's container name, for logs, exec and attach.
import type { Summary } from '../../lib/api/summary.js';
import type { KubeObject } from '../../lib/api/types.js';
import type { CriClient } from '../cri/client.js';
import type { Container, PodSandbox } from '../cri/types.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID } from '../pods/config.js';
import { HttpError } from './errors.js';

export interface PodLookup {
  podByName(namespace: string, name: string): KubeObject | undefined;
  /** The Summary API's answer (absent: the node reports no resource usage). */
  statsSummary?(): Summary;
}

/** The pod as this node knows it, or 404. */
export function podOnNode(pods: PodLookup, namespace: string, name: string): KubeObject {
  const p = pods.podByName(namespace, name);
  if (!p) throw new HttpError(404, `pod "${name}" not found on this node`);
  return p;
}

/** The newest runtime container of a pod's container, or the one before it (previous). */
export async function findContainer(cri: CriClient, p: KubeObject, name: string, previous: boolean): Promise<Container> {
  const pod = p.metadata.name as string;
  const all = await cri.listContainers({ labelSelector: { [LABEL_POD_UID]: p.metadata.uid as string, [LABEL_CONTAINER_NAME]: name } });
  all.sort((a, b) => (b.metadata?.attempt ?? 0) - (a.metadata?.attempt ?? 0));
  const c = previous ? all[1] : all[0];
  if (!c) {
    const known = ['containers', 'initContainers', 'ephemeralContainers'].some((f) => ((p.spec?.[f] ?? []) as Array<{ name: string }>).some((x) => x.name === name));
    if (!known) throw new HttpError(400, `container ${name} is not valid for pod ${pod}`);
    if (previous) throw new HttpError(400, `previous terminated container "${name}" in pod "${pod}" not found`);
    throw new HttpError(400, `container "${name}" in pod "${pod}" is waiting to start: ContainerCreating`);
  }
  return c;
}

/** The pod's sandbox while it is ready (port-forward goes into its network namespace), else undefined. */
export async function readySandbox(cri: CriClient, uid: string): Promise<PodSandbox | undefined> {
  const all = await cri.listPodSandbox({ labelSelector: { [LABEL_POD_UID]: uid } });
  return all.find((s) => s.state === 'SANDBOX_READY');
}
