// The ServiceAccount token controller for legacy token Secrets (Kubernetes' tokens-controller): a Secret of type
// kubernetes.io/service-account-token naming its ServiceAccount in the annotation kubernetes.io/service-account.name
// gets that ServiceAccount's uid (annotation kubernetes.io/service-account.uid) and, in its data, a token that never
// expires (a JWT of issuer `kubernetes/serviceaccount`, signed with --service-account-private-key-file), the CA
// (ca.crt) and the namespace. A Secret whose ServiceAccount is missing, or is another one with that name (uid), is
// deleted. The API server accepts such a token only while the Secret is there and still holds it, so deleting the
// Secret revokes it (apiserver/auth/serviceaccount/legacy.ts).
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isConflict, isNotFound, Reconciler, splitKey, type Informer } from '../../lib/client/index.js';
import type { ControllerContext } from '../context.js';

const SECRET = findByKind('v1', 'Secret')!;
const SERVICE_ACCOUNT = findByKind('v1', 'ServiceAccount')!;
export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

/** The signing key's JOSE algorithm and key id (the SHA-256 of its public key, as the API server names it). */
function keyInfo(key: KeyObject): { alg: string; kid: string } {
  const pub = createPublicKey(key);
  const kid = createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('base64url');
  if (key.asymmetricKeyType === 'rsa') return { alg: 'RS256', kid };
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const alg = curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : 'ES256';
  return { alg, kid };
}

/** A legacy token for the Secret's ServiceAccount: no expiry, bound to the Secret by name. */
export async function legacyToken(key: KeyObject, namespace: string, sa: { name: string; uid: string }, secretName: string): Promise<string> {
  const { alg, kid } = keyInfo(key);
  return new SignJWT({
    iss: LEGACY_ISSUER,
    sub: `system:serviceaccount:${namespace}:${sa.name}`,
    'kubernetes.io/serviceaccount/namespace': namespace,
    'kubernetes.io/serviceaccount/secret.name': secretName,
    'kubernetes.io/serviceaccount/service-account.name': sa.name,
    'kubernetes.io/serviceaccount/service-account.uid': sa.uid,
  }).setProtectedHeader({ alg, kid }).sign(key);
}

export class ServiceAccountTokensController extends Reconciler {
  private readonly secrets: Informer;
  private readonly serviceAccounts: Informer;
  private readonly key: KeyObject;

  constructor(private readonly ctx: ControllerContext, privateKeyPem: string, private readonly rootCA?: string) {
    super('serviceaccount-tokens');
    this.key = createPrivateKey(privateKeyPem);
    this.secrets = ctx.informers.informerFor(SECRET);
    this.serviceAccounts = ctx.informers.informerFor(SERVICE_ACCOUNT);
    const look = (s: KubeObject) => {
      if (s.type === SERVICE_ACCOUNT_TOKEN_TYPE) this.enqueue(`${s.metadata.namespace}/${s.metadata.name}`);
    };
    this.secrets.onAdd(look).onUpdate((_o, s) => look(s));
    // a ServiceAccount made or deleted decides the fate of the Secrets naming it
    const saChanged = (sa: KubeObject) => {
      for (const s of this.secrets.list({ namespace: sa.metadata.namespace as string })) {
        if (s.type === SERVICE_ACCOUNT_TOKEN_TYPE && s.metadata.annotations?.[SA_NAME_ANNOTATION] === sa.metadata.name) look(s);
      }
    };
    this.serviceAccounts.onAdd(saChanged).onDelete(saChanged);
  }

  protected async sync(): Promise<void> {
    await Promise.all([this.secrets.start(), this.serviceAccounts.start()]);
  }

  async reconcile(key: string): Promise<void> {
    const [namespace, name] = splitKey(key) as [string, string];
    const secret = this.secrets.get(name, namespace);
    if (!secret || secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE || secret.metadata.deletionTimestamp) return;
    const annotations = secret.metadata.annotations ?? {};
    const saName = annotations[SA_NAME_ANNOTATION];
    const sa = saName ? this.serviceAccounts.get(saName, namespace) : undefined;
    const wantUid = annotations[SA_UID_ANNOTATION];
    try {
      if (!sa || (wantUid && wantUid !== sa.metadata.uid)) {
        // the ServiceAccount is gone (or is another one): so is the Secret, and with it the token
        await this.ctx.client.delete(SECRET, name, { namespace, preconditions: { uid: secret.metadata.uid as string } });
        this.log.info('deleted a token Secret whose ServiceAccount is gone', { secret: key, serviceAccount: saName });
        return;
      }
      const data = { ...((secret.data as Record<string, string> | undefined) ?? {}) };
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      let changed = false;
      if (!data.token) {
        data.token = b64(await legacyToken(this.key, namespace, { name: sa.metadata.name as string, uid: sa.metadata.uid as string }, name));
        changed = true;
      }
      if (this.rootCA && data['ca.crt'] !== b64(this.rootCA)) {
        data['ca.crt'] = b64(this.rootCA);
        changed = true;
      }
      if (data.namespace !== b64(namespace)) {
        data.namespace = b64(namespace);
        changed = true;
      }
      if (!wantUid) changed = true;
      if (!changed) return;
      const metadata = { ...secret.metadata, annotations: { ...annotations, [SA_UID_ANNOTATION]: sa.metadata.uid as string } };
      await this.ctx.client.update(SECRET, { ...secret, data, metadata });
      this.log.info('filled in a ServiceAccount token Secret', { secret: key, serviceAccount: saName });
    } catch (e) {
      // a lost race: the informer brings the winner, which is looked at again
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}
