// The CSR approver (Kubernetes' csrapproving controller): approves, without a human, a node's client certificate
// (signer kube-apiserver-client-kubelet, subject O=system:nodes, CN=system:node:<name>, client usages) when the
// requester may have it: a node renewing its own (requester = the CN) needs `create` on
// certificatesigningrequests/selfnodeclient, anyone else (a bootstrap token joining a new node) `create` on
// certificatesigningrequests/nodeclient. Both are asked of the authorizer with a SubjectAccessReview for the
// requester recorded in the request, as Kubernetes does. Everything else waits for `kubectl certificate approve`.
import type { KubeObject } from '../../lib/api/types.js';
import { findByKind } from '../../lib/api/kinds.js';
import { KUBE_APISERVER_CLIENT_KUBELET, parseCSR, signerMismatch } from '../../lib/certificates/csr.js';
import { isConflict, isNotFound, Reconciler, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';
import { CSR, isApproved, isDenied, requestPem, usagesOf, withCondition } from './csr.js';

const SUBJECT_ACCESS_REVIEW = findByKind('authorization.k8s.io/v1', 'SubjectAccessReview')!;

/** Asks whether the request's requester may `create` the given certificatesigningrequests subresource. */
export type RequesterCheck = (csr: KubeObject, subresource: 'nodeclient' | 'selfnodeclient') => Promise<boolean>;

interface Recognizer {
  permission: 'nodeclient' | 'selfnodeclient';
  recognize(csr: KubeObject, commonName: string): boolean;
  message: string;
}

// the node's own renewal first, as Kubernetes orders them: a node that may renew is approved under that permission
const RECOGNIZERS: Recognizer[] = [
  { permission: 'selfnodeclient', recognize: (csr, cn) => csr.spec?.username === cn, message: 'Auto approving self kubelet client certificate after SubjectAccessReview.' },
  { permission: 'nodeclient', recognize: () => true, message: 'Auto approving kubelet client certificate after SubjectAccessReview.' },
];

/** The approval to give, or undefined when the request is not one to approve automatically. */
export async function approvalFor(csr: KubeObject, allowed: RequesterCheck): Promise<{ message: string } | undefined> {
  if (isApproved(csr) || isDenied(csr)) return undefined;
  if (csr.spec?.signerName !== KUBE_APISERVER_CLIENT_KUBELET) return undefined;
  let parsed;
  try {
    parsed = parseCSR(requestPem(csr));
  } catch {
    return undefined;
  }
  if (signerMismatch(KUBE_APISERVER_CLIENT_KUBELET, parsed, usagesOf(csr))) return undefined;
  for (const r of RECOGNIZERS) {
    if (r.recognize(csr, parsed.commonName) && (await allowed(csr, r.permission))) return { message: r.message };
  }
  return undefined;
}

export class CSRApprovingController extends Reconciler {
  private readonly csrs: Informer;
  private readonly allowed: RequesterCheck;

  constructor(private readonly ctx: ControllerContext, allowed?: RequesterCheck) {
    super('csrapproving');
    this.allowed = allowed ?? ((csr, sub) => this.subjectAccessReview(csr, sub));
    this.csrs = ctx.informers.informerFor(CSR);
    const look = (o: KubeObject) => {
      if (!isApproved(o) && !isDenied(o) && o.spec?.signerName === KUBE_APISERVER_CLIENT_KUBELET) this.enqueue(o.metadata.name as string);
    };
    this.csrs.onAdd(look).onUpdate((_o, n) => look(n));
  }

  protected async sync(): Promise<void> {
    await this.csrs.start();
  }

  private async subjectAccessReview(csr: KubeObject, subresource: string): Promise<boolean> {
    const spec = csr.spec ?? {};
    const review = await this.ctx.client.create<KubeObject>(SUBJECT_ACCESS_REVIEW, {
      metadata: {},
      spec: { user: spec.username, uid: spec.uid, groups: spec.groups,
        resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource } },
    });
    return review.status?.allowed === true;
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const csr = this.csrs.get(name);
    if (!csr) return;
    const approval = await approvalFor(csr, this.allowed);
    if (!approval) return;
    const next = withCondition(csr, { type: 'Approved', status: 'True', reason: 'AutoApproved', message: approval.message });
    try {
      await this.ctx.client.request({ method: 'PUT', path: `/apis/certificates.k8s.io/v1/certificatesigningrequests/${encodeURIComponent(name)}/approval`,
        body: { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', ...next } });
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) return;
      throw e;
    }
    this.log.info('approved a node client certificate request', { csr: name, requestor: csr.spec?.username });
  }
}
