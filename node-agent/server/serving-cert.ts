// The node agent's serving certificate through the API, as the kubelet gets one with serverTLSBootstrap
// (--rotate-server-certificates): a CertificateSigningRequest for signer kubernetes.io/kubelet-serving, made with the
// node's own credentials (CN=system:node:<name>, O=system:nodes, the node's address and name as SANs: what the API
// server checks when it dials the node for logs and exec). As in Kubernetes, nothing approves such a request on its
// own (a node could otherwise claim any address): an administrator does (`kubectl certificate approve`), or whoever
// made the node knows its address and approves it (`flotilla up --nodes`). Until then the agent runs pods but serves
// no logs or exec. A certificate still good from an earlier run is used again.
import { readFileSync } from 'node:fs';
import { KUBELET_SERVING, NODE_USER_PREFIX, NODES_GROUP } from '../../lib/certificates/csr.js';
import type { Client } from '../../lib/client/index.js';
import { writeSecureFile } from '../../apiserver/auth/cluster-pki.js';
import { certificateStillGood, requestCertificate } from '../certificate-request.js';

export interface ServingCertOptions {
  client: Client;
  nodeName: string;
  /** The addresses the API server dials (the node's InternalIP). */
  ipAddresses: string[];
  certFile: string;
  keyFile: string;
  /** The cluster CA (PEM) the certificate must chain to. */
  ca: string;
  signal?: AbortSignal;
}

/** The certificate and key to serve with: the ones on disk when still good, else newly issued (and written there). */
export async function ensureServingCertificate(o: ServingCertOptions): Promise<{ cert: string; key: string; csrName?: string }> {
  const want = { commonName: `${NODE_USER_PREFIX}${o.nodeName}`, ipAddresses: o.ipAddresses, dnsNames: [o.nodeName] };
  if (certificateStillGood(o.certFile, o.keyFile, o.ca, want)) return { cert: readFileSync(o.certFile, 'utf8'), key: readFileSync(o.keyFile, 'utf8') };
  const issued = await requestCertificate(o.client, {
    ...want, organizations: [NODES_GROUP], signerName: KUBELET_SERVING, usages: ['digital signature', 'server auth'], generateName: 'csr-',
  }, { signal: o.signal });
  writeSecureFile(o.keyFile, issued.key, 0o600);
  writeSecureFile(o.certFile, issued.cert, 0o644);
  return issued;
}
