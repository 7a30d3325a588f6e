// The serving certificates of `flotilla up --nodes N`'s own nodes, approved by the one who made them. A node agent
// asks for its serving certificate with a kubernetes.io/kubelet-serving CertificateSigningRequest; Kubernetes approves
// none of those on its own, because a node could name any address in it. Here the supervisor knows each of its
// nodes' names and addresses (it gave them), so it approves exactly the requests whose requester is that node, for
// that node's name and address and nothing else, as an administrator checking them would (`kubectl certificate
// approve`); anything else is left to the administrator. The signer (controller-manager) then issues them.
import type { KubeObject } from '../../lib/api/types.js';
import { KUBELET_SERVING, NODE_USER_PREFIX, NODES_GROUP, parseCSR, signerMismatch } from '../../lib/certificates/csr.js';
import { Client, findByKind, Informer, isConflict, isNotFound, loadKubeConfig } from '../../lib/client/index.js';
import { logger } from '../../lib/util/log.js';
import { apiserverHost, apiserverReady, type ClusterConfig } from '../cluster.js';
import { clusterFiles } from '../credentials.js';
import type { LocalNodesPlan } from './plan.js';

const CSR = findByKind('certificates.k8s.io/v1', 'CertificateSigningRequest')!;
const log = logger('supervisor');

type Condition = { type: string; status: string };

/** Why this request is not one to approve for these nodes (undefined: approve it). */
export function servingRequestMismatch(csr: KubeObject, nodes: ReadonlyMap<string, string>): string | undefined {
  const spec = csr.spec ?? {};
  if (spec.signerName !== KUBELET_SERVING) return 'not a kubelet-serving request';
  const conditions = (csr.status?.conditions ?? []) as Condition[];
  if (conditions.some((c) => (c.type === 'Approved' || c.type === 'Denied') && c.status === 'True')) return 'already decided';
  const user = String(spec.username ?? '');
  const node = user.startsWith(NODE_USER_PREFIX) ? user.slice(NODE_USER_PREFIX.length) : undefined;
  const ip = node !== undefined ? nodes.get(node) : undefined;
  if (node === undefined || ip === undefined) return `requested by ${user}, none of this cluster's local nodes`;
  if (!((spec.groups ?? []) as string[]).includes(NODES_GROUP)) return `the requester is not in ${NODES_GROUP}`;
  let parsed;
  try {
    parsed = parseCSR(Buffer.from(String(spec.request ?? ''), 'base64'));
  } catch (e) {
    return (e as Error).message;
  }
  const usages = (spec.usages ?? []) as string[];
  const mismatch = signerMismatch(KUBELET_SERVING, parsed, usages);
  if (mismatch) return mismatch;
  if (parsed.commonName !== user) return `asks for ${parsed.commonName}, not its own ${user}`;
  if (parsed.ipAddresses.some((a) => a !== ip)) return `names ${parsed.ipAddresses.join(', ')}, not the node's address ${ip}`;
  if (parsed.dnsNames.some((d) => d !== node)) return `names ${parsed.dnsNames.join(', ')}, not the node's name ${node}`;
  return undefined;
}

/** Watches CertificateSigningRequests and approves the serving ones of `nodes` (name -> address) until stop(). */
export class LocalNodeServingApprover {
  private readonly csrs: Informer;

  constructor(private readonly client: Client, private readonly nodes: ReadonlyMap<string, string>) {
    this.csrs = new Informer(client, CSR);
    const look = (o: KubeObject) => void this.consider(o);
    this.csrs.onAdd(look).onUpdate((_a, b) => look(b));
  }

  /** Starts watching (the informer retries until the API server answers). */
  start(): void {
    void this.csrs.start();
  }

  stop(): void {
    this.csrs.stop();
  }

  private async consider(csr: KubeObject): Promise<void> {
    if (csr.spec?.signerName !== KUBELET_SERVING) return;
    const why = servingRequestMismatch(csr, this.nodes);
    if (why) {
      if (why !== 'already decided') log.info('left a serving certificate request to the administrator', { csr: csr.metadata.name, reason: why });
      return;
    }
    const name = csr.metadata.name as string;
    const conditions = [...((csr.status?.conditions ?? []) as Condition[]),
      { type: 'Approved', status: 'True', reason: 'FlotillaLocalNode', message: 'Approved by flotilla up: the serving certificate of its own node, for the address it gave it.' }];
    try {
      await this.client.request({ method: 'PUT', path: `/apis/certificates.k8s.io/v1/certificatesigningrequests/${encodeURIComponent(name)}/approval`,
        body: { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', ...csr, status: { ...csr.status, conditions } } });
      log.info('approved a local node\'s serving certificate request', { csr: name, requestor: csr.spec?.username });
    } catch (e) {
      // gone, or changed meanwhile: the informer brings the new version
      if (!isNotFound(e) && !isConflict(e)) log.warn('cannot approve a serving certificate request', { csr: name, error: (e as Error).message });
    }
  }
}

/**
 * Approves the serving certificate requests of the local nodes, from when the API server serves until stop();
 * setNodes() when nodes are added or removed.
 */
export function approveLocalNodesServing(c: ClusterConfig, plan: LocalNodesPlan): { stop(): void; setNodes(plan: LocalNodesPlan): void } {
  const nodes = new Map(plan.nodes.map((n) => [n.name, n.ip]));
  let stopped = false;
  let stop = (): void => undefined;
  void (async () => {
    while (!stopped && !(await apiserverReady(c.apiserverPort, c.dataDir, apiserverHost(c)))) await new Promise((r) => setTimeout(r, 500));
    if (stopped) return;
    const client = new Client(loadKubeConfig({ kubeconfig: clusterFiles(c.dataDir).adminKubeconfig }));
    const approver = new LocalNodeServingApprover(client, nodes);
    approver.start();
    stop = () => {
      approver.stop();
      client.close();
    };
  })();
  return {
    stop() {
      stopped = true;
      stop();
    },
    setNodes(next: LocalNodesPlan) {
      nodes.clear();
      for (const n of next.nodes) nodes.set(n.name, n.ip);
    },
  };
}
