// A node's heartbeat: its Lease in kube-node-lease (owned by the Node, so it goes when the Node goes), renewed
// every 10 s. The node lifecycle controller reads renewTime.
import { findByKind } from '../../lib/api/kinds.js';
import { isConflict, isNotFound, microTime, type Client } from '../../lib/client/index.js';

const NODE = findByKind('v1', 'Node')!;
const LEASE = findByKind('coordination.k8s.io/v1', 'Lease')!;
export const LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_SECONDS = 40;
export const RENEW_MS = 10_000;

export async function renewNodeLease(client: Client, nodeName: string): Promise<void> {
  const spec = { holderIdentity: nodeName, leaseDurationSeconds: LEASE_SECONDS, renewTime: microTime() };
  try {
    const lease = await client.get(LEASE, nodeName, { namespace: LEASE_NAMESPACE });
    await client.update(LEASE, { ...lease, spec: { ...lease.spec, ...spec } });
  } catch (e) {
    if (isConflict(e)) return; // the next renewal wins
    if (!isNotFound(e)) throw e;
    const node = await client.get(NODE, nodeName);
    await client.create(LEASE, { metadata: { name: nodeName, namespace: LEASE_NAMESPACE, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid as string }] }, spec });
  }
}
