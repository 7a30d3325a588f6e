// CertificateSigningRequests (certificates.k8s.io/v1, short name csr): a client asks a signer for a certificate. The
// server records who asked (spec.username, uid, groups: the requester, never the body), and the spec never changes
// after. /approval adds Approved or Denied (`kubectl certificate approve|deny`), which needs `approve` on the signer
// (resource `signers`, name = signerName, or `<domain>/*`), as Kubernetes' CertificateApproval admission checks;
// /status is the signer's (the certificate, a Failed condition), and setting a certificate needs `sign` on the
// signer (CertificateSigning). The CertificateSubjectRestriction admission refuses a kube-apiserver-client request
// for the system:masters group: whoever approves client certificates would otherwise mint cluster admins.
import { humanDuration } from '../../../lib/api/duration.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { KUBE_APISERVER_CLIENT, parseCSR } from '../../../lib/certificates/csr.js';
import { errors } from '../../errors.js';
import { AGE, NAME, age } from '../../printers/columns.js';
import { asObj, type Obj } from '../../validation/field.js';
import type { AccessContext } from '../../auth/rbac/escalation.js';
import { MASTERS_GROUP } from '../../auth/index.js';
import { defineKind, identity } from '../kind.js';
import { clone, nowTime } from '../meta.js';
import type { WriteScope } from '../types.js';
import { statusSubresource, type SubresourceAdmit } from '../subresources.js';
import { APPROVED, DENIED, FAILED, requestBytes, validateSpec, validateStatus, validateStatusUpdate } from './certificatesigningrequests-validation.js';

type Condition = { type?: string; status?: string; lastUpdateTime?: string; lastTransitionTime?: string };

const conditionsOf = (o: KubeObject): Condition[] => ((o.status?.conditions ?? []) as Condition[]);

/** The new conditions, with those of `types` as they were in the old object (a write path that may not touch them). */
function keepTypes(next: Condition[], old: Condition[], types: string[]): Condition[] {
  return [...next.filter((c) => !types.includes(c.type ?? '')), ...old.filter((c) => types.includes(c.type ?? ''))];
}

/** Conditions new or changed in this write get their times, as Kubernetes' populateConditionTimestamps does. */
function stampConditions(conditions: Condition[], old: Condition[]): Condition[] {
  const now = nowTime();
  return conditions.map((c) => {
    const was = old.find((o) => o.type === c.type);
    const out = { ...c };
    if (!out.lastUpdateTime) out.lastUpdateTime = now;
    if (!out.lastTransitionTime) out.lastTransitionTime = was && was.status === c.status && was.lastTransitionTime ? was.lastTransitionTime : now;
    return out;
  });
}

function withStatus(old: KubeObject, status: Record<string, unknown>): KubeObject {
  const out = { ...clone(old), status };
  if (!(status.conditions as unknown[] | undefined)?.length) delete status.conditions;
  if (!status.certificate) delete status.certificate;
  return out;
}

/** /status: the signer's. Approved and Denied stay as they were (only /approval changes them). */
export const STATUS_SCOPE: WriteScope = {
  merge: (next, old) => withStatus(old, { ...asObj(next.status),
    conditions: stampConditions(keepTypes(conditionsOf(next), conditionsOf(old), [APPROVED, DENIED]), conditionsOf(old)) }),
  updateChecks: true,
};

/** /approval: the approver's. The certificate and a Failed condition stay as they were. */
export const APPROVAL_SCOPE: WriteScope = {
  merge: (next, old) => withStatus(old, { certificate: old.status?.certificate,
    conditions: stampConditions(keepTypes(conditionsOf(next), conditionsOf(old), [FAILED]), conditionsOf(old)) }),
  updateChecks: true,
};

/** May this writer `verb` (approve, sign) for the signer? Kubernetes also accepts a grant on `<domain>/*`. */
async function signerAllowed(access: AccessContext, verb: string, signerName: string): Promise<boolean> {
  const names = [signerName];
  const slash = signerName.indexOf('/');
  if (slash > 0) names.push(`${signerName.slice(0, slash)}/*`);
  for (const name of names) {
    const r = await access.authorizer.authorize({ user: access.user, verb, isResourceRequest: true, path: '', apiGroup: 'certificates.k8s.io',
      apiVersion: '*', namespace: '', resource: 'signers', subresource: '', name });
    if (r.decision === 'allow') return true;
  }
  return false;
}

/** A check that the writer may `verb` requests of the stored object's signer (SubjectAccessReview on `signers`),
 * handed `admit` to refuse the attempt. */
function signerCheck(verb: string, admit: (allowed: boolean, next: KubeObject, old: KubeObject) => void): SubresourceAdmit {
  return async (c) => {
    const access = c.ctx.access;
    if (!access) return () => {};
    const allowed = await signerAllowed(access, verb, signerOf(await c.store.get(c.ctx.namespace, c.name)));
    return (next, old) => admit(allowed, next, old);
  };
}

const signerOf = (o: KubeObject): string => String(o.spec?.signerName ?? '');

const forbiddenFor = (old: KubeObject, what: string) =>
  errors.forbidden(`certificatesigningrequests.certificates.k8s.io "${old.metadata.name}" is forbidden: user not permitted to ${what} requests with signerName ${JSON.stringify(signerOf(old))}`);

// every approval write needs `approve`, a denial too (CertificateApproval looks at the subresource, not the change)
const approval = statusSubresource(APPROVAL_SCOPE, signerCheck('approve', (allowed, _next, old) => {
  if (!allowed) throw forbiddenFor(old, 'approve');
}));

// a status write needs `sign` only when it sets or changes the certificate
const status = statusSubresource(STATUS_SCOPE, signerCheck('sign', (allowed, next, old) => {
  const cert = next.status?.certificate;
  if (!allowed && cert && cert !== old.status?.certificate) throw forbiddenFor(old, 'sign');
}));

/** Approved, Denied, Failed (as they are), then Issued when a certificate is there; Pending with none. */
export function conditionColumn(o: KubeObject): string {
  const parts = conditionsOf(o).map((c) => (c.status === 'False' ? `${c.type}=False` : String(c.type)));
  if (o.status?.certificate) parts.push('Issued');
  return parts.length ? parts.join(',') : 'Pending';
}

export default defineKind(identity('certificates.k8s.io/v1', 'CertificateSigningRequest'), {
  prepareForCreate(obj, _ctx, write) {
    delete obj.status;
    const spec = (obj.spec ??= {}) as Obj;
    // who asked is the server's to say: the body's claims are dropped, the requester written in
    delete spec.username;
    delete spec.uid;
    delete spec.groups;
    delete spec.extra;
    const user = write?.access?.user;
    if (user) {
      spec.username = user.username;
      if (user.uid) spec.uid = user.uid;
      if (user.groups.length) spec.groups = [...user.groups];
    }
  },
  prepareForUpdate(obj, old) {
    obj.spec = clone(old).spec;
  },
  validate: (obj) => [...validateSpec(obj), ...validateStatus(obj)],
  validateUpdate: validateStatusUpdate,
  async authorizeWrite(obj, old) {
    if (old || obj.spec?.signerName !== KUBE_APISERVER_CLIENT) return;
    const bytes = requestBytes(obj.spec as Obj);
    if (!bytes) return;
    if (parseCSR(bytes).organizations.includes(MASTERS_GROUP)) {
      throw errors.forbidden(`certificatesigningrequests.certificates.k8s.io "${obj.metadata.name}" is forbidden: use of ${KUBE_APISERVER_CLIENT} signer with ${MASTERS_GROUP} group is not allowed`);
    }
  },
  printer: {
    columns: [NAME, AGE, ['SignerName', 'string', 0, 'The signer asked to issue the certificate.'],
      ['Requestor', 'string', 0, 'The user who made the request.'],
      ['RequestedDuration', 'string', 0, 'The validity asked for (spec.expirationSeconds).'],
      ['Condition', 'string', 0, 'Approved, Denied, Failed, Issued, or Pending.']],
    row: (o, now) => [o.metadata.name ?? '', age(o.metadata.creationTimestamp, now), signerOf(o), String(o.spec?.username ?? ''),
      typeof o.spec?.expirationSeconds === 'number' ? humanDuration(o.spec.expirationSeconds * 1000) : '<none>', conditionColumn(o)],
  },
  selectableFields: { values: (o) => ({ 'spec.signerName': signerOf(o) }) },
  subresources: { status, approval },
});
