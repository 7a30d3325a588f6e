// PKCS#10 certificate requests as the certificates.k8s.io API carries them: parsing one (the API server's validation,
// the signer, the approver), what each well-known signer accepts (Kubernetes' ValidateKubeletClientCSR and friends:
// the messages carry over), and making one (the node agent's bootstrap). Keys are ECDSA P-256, as lib's pki makes.
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs the Reflect metadata API first
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const KUBE_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING = 'kubernetes.io/kubelet-serving';
/** The signers the controller-manager issues for (from the cluster CA). */
export const BUILTIN_SIGNERS = [KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING] as const;

export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';

/** What a request asks for, read from its PEM. */
export interface ParsedCSR {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** The parsed request, for its public key and signature. */
  readonly request: x509.Pkcs10CertificateRequest;
}

/** Parses a "CERTIFICATE REQUEST" PEM block; throws with Kubernetes' message when it is none. */
export function parseCSR(pem: string | Buffer): ParsedCSR {
  const text = Buffer.isBuffer(pem) ? pem.toString('latin1') : pem;
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (!m || m[1] !== 'CERTIFICATE REQUEST') throw new Error('PEM block type must be CERTIFICATE REQUEST');
  let request: x509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(Buffer.from((m[2] as string).replace(/\s+/g, ''), 'base64'));
  } catch (e) {
    throw new Error(`asn1: structure error: ${(e as Error).message}`);
  }
  const name = request.subjectName;
  const out: ParsedCSR = { commonName: name.getField('CN')[0] ?? '', organizations: name.getField('O'), dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [], request };
  const san = request.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  for (const n of san?.names.items ?? []) {
    if (n.type === 'dns') out.dnsNames.push(n.value);
    else if (n.type === 'ip') out.ipAddresses.push(n.value);
    else if (n.type === 'email') out.emailAddresses.push(n.value);
    else if (n.type === 'url') out.uris.push(n.value);
  }
  return out;
}

/** Whether the request is signed by the key it carries (a request made by whoever holds that key). */
export function verifySignature(csr: ParsedCSR): Promise<boolean> {
  return csr.request.verify().catch(() => false);
}

const setOf = (xs: readonly string[]) => new Set(xs);
const subset = (xs: readonly string[], of: Set<string>) => xs.every((x) => of.has(x));

/** Client usages: client auth, optionally with digital signature and key encipherment (RSA keys need the latter). */
function clientUsagesOk(usages: readonly string[]): boolean {
  return usages.includes('client auth') && subset(usages, setOf(['client auth', 'digital signature', 'key encipherment']));
}

function nodeSubject(csr: ParsedCSR): string | undefined {
  if (csr.organizations.length !== 1 || csr.organizations[0] !== NODES_GROUP) return 'subject organization is not system:nodes';
  if (!csr.commonName.startsWith(NODE_USER_PREFIX) || csr.commonName === NODE_USER_PREFIX) return 'subject common name does not begin with system:node: ';
  return undefined;
}

/**
 * Why a request does not fit its signer (undefined: it fits). A node's client certificate: O=system:nodes,
 * CN=system:node:<name>, no SANs, client usages. A node's serving certificate: the same subject, a DNS or IP SAN, no
 * email or URI, server usages. An API client certificate: client usages (the subject is the user's business).
 */
export function signerMismatch(signerName: string, csr: ParsedCSR, usages: readonly string[]): string | undefined {
  switch (signerName) {
    case KUBE_APISERVER_CLIENT_KUBELET: {
      const subject = nodeSubject(csr);
      if (subject) return subject;
      if (csr.dnsNames.length) return 'DNS subjectAltNames are not allowed';
      if (csr.emailAddresses.length) return 'email subjectAltNames are not allowed';
      if (csr.ipAddresses.length) return 'IP subjectAltNames are not allowed';
      if (csr.uris.length) return 'URI subjectAltNames are not allowed';
      return clientUsagesOk(usages) ? undefined : 'key usage does not match';
    }
    case KUBELET_SERVING: {
      const subject = nodeSubject(csr);
      if (subject) return subject;
      if (!csr.dnsNames.length && !csr.ipAddresses.length) return 'DNS or IP subjectAltName is required';
      if (csr.emailAddresses.length) return 'email subjectAltNames are not allowed';
      if (csr.uris.length) return 'URI subjectAltNames are not allowed';
      const ok = usages.includes('server auth') && subset(usages, setOf(['server auth', 'digital signature', 'key encipherment']));
      return ok ? undefined : 'key usage does not match';
    }
    case KUBE_APISERVER_CLIENT:
      return clientUsagesOk(usages) ? undefined : 'invalid usage for client certificate: the only usages allowed are client auth, digital signature and key encipherment';
    default:
      return undefined;
  }
}

/** A new ECDSA P-256 key and a request signed with it, both PEM (the private key as PKCS#8). */
export async function createCSR(o: { commonName: string; organizations?: string[]; dnsNames?: string[]; ipAddresses?: string[] }):
  Promise<{ csr: string; key: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const names: x509.JsonGeneralName[] = [...(o.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(o.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))];
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [...(o.organizations ?? []).map((v) => ({ O: [v] })), { CN: [o.commonName] }],
    keys: keys as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
    signingAlgorithm: alg,
    extensions: names.length ? [new x509.SubjectAlternativeNameExtension(names)] : [],
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`;
  return { csr: req.toString('pem') + '\n', key };
}
