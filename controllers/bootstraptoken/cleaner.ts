// The token cleaner (Kubernetes' tokencleaner controller): bootstrap token Secrets (type bootstrap.kubernetes.io/token
// in kube-system) are deleted once their `expiration` (RFC 3339) has passed, so an expired token cannot be used and
// does not pile up. A Secret not yet expired is looked at again when it expires; the delete names the Secret's uid, so
// a new Secret made under the same name in the meantime is left alone.
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isConflict, isNotFound, Reconciler, type Informer, type ReconcileResult } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';

const SECRET = findByKind('v1', 'Secret')!;
export const BOOTSTRAP_TOKEN_TYPE = 'bootstrap.kubernetes.io/token';
const NAMESPACE = 'kube-system';
/** The longest single wait (the delay of a timer is capped by Node at ~24.8 days; a later expiry is looked at again). */
const MAX_WAIT_MS = 24 * 3600_000;

/** When the Secret expires (ms since the epoch); undefined: never. An unparsable value is already expired. */
export function expiresAt(secret: KubeObject): number | undefined {
  const raw = (secret.data as Record<string, string> | undefined)?.expiration;
  if (typeof raw !== 'string') return undefined;
  const t = Date.parse(Buffer.from(raw, 'base64').toString('utf8'));
  return Number.isNaN(t) ? 0 : t;
}

export class TokenCleaner extends Reconciler {
  private readonly secrets: Informer;

  constructor(private readonly ctx: ControllerContext, private readonly now: () => number = Date.now) {
    super('token-cleaner');
    this.secrets = ctx.informers.informerFor(SECRET, NAMESPACE);
    const look = (s: KubeObject) => {
      if (s.type === BOOTSTRAP_TOKEN_TYPE) this.enqueue(s.metadata.name as string);
    };
    this.secrets.onAdd(look).onUpdate((_o, s) => look(s));
  }

  protected async sync(): Promise<void> {
    await this.secrets.start();
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const s = this.secrets.get(name, NAMESPACE);
    if (!s || s.type !== BOOTSTRAP_TOKEN_TYPE || s.metadata.deletionTimestamp) return;
    const at = expiresAt(s);
    if (at === undefined) return;
    const left = at - this.now();
    if (left > 0) return { requeueAfter: Math.min(left + 100, MAX_WAIT_MS) };
    try {
      await this.ctx.client.delete(SECRET, name, { namespace: NAMESPACE, preconditions: { uid: s.metadata.uid as string } });
      this.log.info('deleted an expired bootstrap token', { secret: `${NAMESPACE}/${name}` });
    } catch (e) {
      // gone already, or replaced by another Secret of that name (which gets its own look)
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}
