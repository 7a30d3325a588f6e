// What the certificate controllers read of a CertificateSigningRequest: its conditions, its usages, its request.
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';

export const CSR = findByKind('certificates.k8s.io/v1', 'CertificateSigningRequest')!;

export interface CsrCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export const conditions = (csr: KubeObject): CsrCondition[] => ((csr.status?.conditions ?? []) as CsrCondition[]);
export const condition = (csr: KubeObject, type: string): CsrCondition | undefined => conditions(csr).find((c) => c.type === type && c.status === 'True');
export const isApproved = (csr: KubeObject): boolean => !!condition(csr, 'Approved');
export const isDenied = (csr: KubeObject): boolean => !!condition(csr, 'Denied');
export const isFailed = (csr: KubeObject): boolean => !!condition(csr, 'Failed');
export const isIssued = (csr: KubeObject): boolean => !!csr.status?.certificate;
export const usagesOf = (csr: KubeObject): string[] => ((csr.spec?.usages ?? []) as string[]);
export const requestPem = (csr: KubeObject): Buffer => Buffer.from(String(csr.spec?.request ?? ''), 'base64');

/** The object with one more condition (the API server stamps its times). */
export function withCondition(csr: KubeObject, c: CsrCondition): KubeObject {
  return { ...csr, status: { ...csr.status, conditions: [...conditions(csr).filter((x) => x.type !== c.type), c] } };
}
