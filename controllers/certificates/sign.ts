// Issuing a certificate for a request from the cluster CA: the request's subject, SANs and public key, the usages
// the CertificateSigningRequest asks for, valid from 5 minutes ago (clocks disagree; Kubernetes backdates the same)
// for the duration asked, never past the CA's own end.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes } from 'node:crypto';
import type { CertAuthority } from '../../apiserver/auth/pki.js';
import type { ParsedCSR } from '../../lib/certificates/csr.js';

const BACKDATE_MS = 5 * 60_000;

const KEY_USAGE: Record<string, number> = {
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'cert sign': x509.KeyUsageFlags.keyCertSign,
  'crl sign': x509.KeyUsageFlags.cRLSign,
  'encipher only': x509.KeyUsageFlags.encipherOnly,
  'decipher only': x509.KeyUsageFlags.decipherOnly,
};

const EXT_KEY_USAGE: Record<string, string> = {
  'server auth': x509.ExtendedKeyUsage.serverAuth,
  'client auth': x509.ExtendedKeyUsage.clientAuth,
  'code signing': x509.ExtendedKeyUsage.codeSigning,
  'email protection': x509.ExtendedKeyUsage.emailProtection,
  timestamping: x509.ExtendedKeyUsage.timeStamping,
  'ocsp signing': x509.ExtendedKeyUsage.ocspSigning,
};

export interface SignOptions {
  usages: readonly string[];
  /** How long the certificate is good for, from now. */
  durationMs: number;
  now?: number;
}

/** The issued certificate, PEM. */
export async function signRequest(ca: CertAuthority, csr: ParsedCSR, o: SignOptions): Promise<string> {
  const now = o.now ?? Date.now();
  const caCert = new x509.X509Certificate(ca.cert);
  const notAfter = Math.min(now + o.durationMs, caCert.notAfter.getTime());
  let keyUsage = 0;
  for (const u of o.usages) keyUsage |= KEY_USAGE[u] ?? 0;
  const ext = o.usages.map((u) => EXT_KEY_USAGE[u]).filter((u): u is string => !!u);
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
  if (keyUsage) extensions.push(new x509.KeyUsagesExtension(keyUsage, true));
  if (ext.length) extensions.push(new x509.ExtendedKeyUsageExtension(ext));
  extensions.push(await x509.AuthorityKeyIdentifierExtension.create(caCert, false));
  const names: x509.JsonGeneralName[] = [
    ...csr.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...csr.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
    ...csr.emailAddresses.map((value) => ({ type: 'email' as const, value })),
    ...csr.uris.map((value) => ({ type: 'url' as const, value })),
  ];
  if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x10;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject: csr.request.subjectName,
    issuer: caCert.subjectName,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(notAfter),
    signingAlgorithm: ca.algorithm,
    publicKey: csr.request.publicKey,
    signingKey: ca.signingKey,
    extensions,
  });
  return cert.toString('pem') + '\n';
}
