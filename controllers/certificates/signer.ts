// The CSR signer (Kubernetes' csrsigning controller): issues, from the cluster CA, the approved requests of the
// built-in signers (kube-apiserver-client, kube-apiserver-client-kubelet, kubelet-serving) that have no certificate
// yet, for min(spec.expirationSeconds, --cluster-signing-duration). A request that does not fit its signer (a node
// certificate for another organization, server usages on a client signer) or is not signed by its own key gets a
// Failed condition instead, and is never looked at again.
import type { KubeObject } from '../../lib/api/types.js';
import { BUILTIN_SIGNERS, parseCSR, signerMismatch, verifySignature } from '../../lib/certificates/csr.js';
import { isConflict, isNotFound, Reconciler, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { CertAuthority } from '../../apiserver/auth/pki.js';
import type { ControllerContext } from '../context.js';
import { CSR, isApproved, isDenied, isFailed, isIssued, requestPem, usagesOf, withCondition } from './csr.js';
import { signRequest } from './sign.js';

/** Kubernetes' floor on the duration it honours (expirationSeconds may not be below it either). */
const MIN_DURATION_MS = 600_000;

/** How long the certificate for this request is good for. */
export function durationFor(csr: KubeObject, clusterSigningDurationMs: number): number {
  const asked = csr.spec?.expirationSeconds;
  if (typeof asked !== 'number') return clusterSigningDurationMs;
  return Math.max(MIN_DURATION_MS, Math.min(asked * 1000, clusterSigningDurationMs));
}

/** What the signer does with a request: nothing, fail it (with why), or issue this certificate. */
export type SignDecision = { action: 'none' } | { action: 'fail'; message: string } | { action: 'issue'; certificate: string };

export async function decide(csr: KubeObject, ca: CertAuthority, clusterSigningDurationMs: number, now = Date.now()): Promise<SignDecision> {
  const signer = String(csr.spec?.signerName ?? '');
  if (!(BUILTIN_SIGNERS as readonly string[]).includes(signer)) return { action: 'none' };
  if (!isApproved(csr) || isDenied(csr) || isFailed(csr) || isIssued(csr)) return { action: 'none' };
  let parsed;
  try {
    parsed = parseCSR(requestPem(csr));
  } catch (e) {
    return { action: 'fail', message: `unable to parse csr "${csr.metadata.name}": ${(e as Error).message}` };
  }
  if (!(await verifySignature(parsed))) return { action: 'fail', message: 'x509: ECDSA verification failure: the request is not signed by its own key' };
  const mismatch = signerMismatch(signer, parsed, usagesOf(csr));
  if (mismatch) return { action: 'fail', message: mismatch };
  const certificate = await signRequest(ca, parsed, { usages: usagesOf(csr), durationMs: durationFor(csr, clusterSigningDurationMs), now });
  return { action: 'issue', certificate };
}

export class CSRSigningController extends Reconciler {
  private readonly csrs: Informer;

  constructor(private readonly ctx: ControllerContext, private readonly ca: CertAuthority, private readonly durationMs: number) {
    super('csrsigning');
    this.csrs = ctx.informers.informerFor(CSR);
    const look = (o: KubeObject) => {
      if (isApproved(o) && !isIssued(o) && !isFailed(o)) this.enqueue(o.metadata.name as string);
    };
    this.csrs.onAdd(look).onUpdate((_o, n) => look(n));
  }

  protected async sync(): Promise<void> {
    await this.csrs.start();
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const csr = this.csrs.get(name);
    if (!csr) return;
    const d = await decide(csr, this.ca, this.durationMs);
    if (d.action === 'none') return;
    const next = d.action === 'issue'
      ? { ...csr, status: { ...csr.status, certificate: Buffer.from(d.certificate).toString('base64') } }
      : withCondition(csr, { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: d.message });
    try {
      await this.ctx.client.updateStatus(CSR, next);
    } catch (e) {
      // gone, or changed since the cache saw it: the informer's next event brings it back
      if (isNotFound(e) || isConflict(e)) return;
      throw e;
    }
    if (d.action === 'issue') this.log.info('issued a certificate', { csr: name, signerName: csr.spec?.signerName });
    else this.log.info('failed a request', { csr: name, reason: d.message });
  }
}
