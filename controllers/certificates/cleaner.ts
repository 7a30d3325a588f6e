// The CSR cleaner (Kubernetes' csrcleaner): requests do not pile up. An approved or issued one goes an hour after its
// approval, a denied or failed one an hour after that condition, a pending one a day after it was made, and one whose
// certificate has expired at once. The delete names the object's uid, so a new request under the same name is left
// alone.
import { X509Certificate } from 'node:crypto';
import type { KubeObject } from '../../lib/api/types.js';
import { isConflict, isNotFound, Reconciler, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';
import { CSR, condition, isIssued } from './csr.js';

export const APPROVED_EXPIRATION_MS = 3600_000;
export const DENIED_EXPIRATION_MS = 3600_000;
export const PENDING_EXPIRATION_MS = 24 * 3600_000;

const timeOf = (s: string | undefined): number | undefined => {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? undefined : t;
};

/** When the request is to be deleted (ms since the epoch). */
export function deleteAt(csr: KubeObject): number {
  const created = timeOf(csr.metadata.creationTimestamp as string | undefined) ?? 0;
  const at: number[] = [];
  for (const [type, ttl] of [['Approved', APPROVED_EXPIRATION_MS], ['Denied', DENIED_EXPIRATION_MS], ['Failed', DENIED_EXPIRATION_MS]] as const) {
    const c = condition(csr, type);
    if (c) at.push((timeOf(c.lastUpdateTime) ?? timeOf(c.lastTransitionTime) ?? created) + ttl);
  }
  if (isIssued(csr)) {
    try {
      at.push(Date.parse(new X509Certificate(Buffer.from(String(csr.status?.certificate), 'base64')).validTo));
    } catch {
      // not a certificate we can read: its approval's deadline stands
    }
  }
  return at.length ? Math.min(...at) : created + PENDING_EXPIRATION_MS;
}

/** The longest single wait (Node caps a timer at ~24.8 days). */
const MAX_WAIT_MS = 24 * 3600_000;

export class CSRCleaner extends Reconciler {
  private readonly csrs: Informer;

  constructor(private readonly ctx: ControllerContext, private readonly now: () => number = Date.now) {
    super('csrcleaner');
    this.csrs = ctx.informers.informerFor(CSR);
    this.csrs.onAdd((o) => this.enqueue(o.metadata.name as string)).onUpdate((_o, n) => this.enqueue(n.metadata.name as string));
  }

  protected async sync(): Promise<void> {
    await this.csrs.start();
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const csr = this.csrs.get(name);
    if (!csr || csr.metadata.deletionTimestamp) return;
    const left = deleteAt(csr) - this.now();
    if (left > 0) return { requeueAfter: Math.min(left + 100, MAX_WAIT_MS) };
    try {
      await this.ctx.client.delete(CSR, name, { preconditions: { uid: csr.metadata.uid as string } });
      this.log.info('deleted an old certificate signing request', { csr: name });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}
