// Certificates for the cluster: a CA, and the certificates it issues (the API server's serving certificate, each
// component's client certificate, each node agent's serving certificate). Keys are ECDSA P-256, as k3s makes them:
// small, fast to make and to verify, and read by every client we must satisfy (Go's crypto/tls for kubectl, OpenSSL
// for Node and Python). Issuing uses @peculiar/x509 over Node's webcrypto; reading uses Node's own X509Certificate,
// so a process that only checks certificates never loads the issuing code.
import 'reflect-metadata'; // @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata API first
import * as x509 from '@peculiar/x509';
import { X509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;

/** A certificate and its private key, both PEM. */
export interface CertKeyPair {
  cert: string;
  key: string;
}

/** A CA that can issue: its certificate, PEM key, and the key imported for signing. */
export interface CertAuthority extends CertKeyPair {
  signingKey: CryptoKey;
  algorithm: typeof EC | typeof RSA;
}

export type CertUsage = 'client' | 'server' | 'both';

export interface IssueOptions {
  commonName: string;
  /** O= entries: Kubernetes reads them as the user's groups. */
  organizations?: string[];
  usage: CertUsage;
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Default 365 days from now. */
  validityDays?: number;
  /** Explicit validity (tests make expired certificates with it). */
  notBefore?: Date;
  notAfter?: Date;
  /** Issue for this key pair instead of a new one (the hollow nodes of one process share a key). */
  keys?: CryptoKeyPair;
}

/** A positive serial of 16 random bytes (RFC 5280 allows 20; Go refuses negative ones). */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] as number) & 0x7f) | 0x10;
  return b.toString('hex');
}

function subject(commonName: string, organizations: string[] = []): x509.JsonName {
  // the structured form, so that names with commas or '=' need no escaping
  return [...organizations.map((o) => ({ O: [o] })), { CN: [commonName] }];
}

export function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`;
}

/** A self-signed CA, valid 10 years as k3s' and kubeadm's are. */
export async function createCA(commonName: string, validityDays = 3650): Promise<CertAuthority> {
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: subject(commonName),
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validityDays * DAY_MS),
    signingAlgorithm: EC,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await keyPem(keys.privateKey), signingKey: keys.privateKey, algorithm: EC };
}

/** A CA from its PEM files (ECDSA P-256 or RSA keys), ready to issue. */
export async function loadCA(certPem: string, keyPemText: string): Promise<CertAuthority> {
  const pk = createPrivateKey(keyPemText);
  const der = pk.export({ format: 'der', type: 'pkcs8' });
  const rsa = pk.asymmetricKeyType === 'rsa';
  if (!rsa && (pk.asymmetricKeyType !== 'ec' || pk.asymmetricKeyDetails?.namedCurve !== 'prime256v1')) {
    throw new Error(`unsupported CA key type ${pk.asymmetricKeyType}${pk.asymmetricKeyDetails?.namedCurve ? ` (${pk.asymmetricKeyDetails.namedCurve})` : ''}: use ECDSA P-256 or RSA`);
  }
  const algorithm = rsa ? RSA : EC;
  const signingKey = await webcrypto.subtle.importKey('pkcs8', der, rsa ? RSA : { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const ca = new X509Certificate(certPem);
  if (!ca.ca) throw new Error('the CA certificate is not a CA (basicConstraints CA:FALSE)');
  if (!ca.checkPrivateKey(pk)) throw new Error('the CA key does not belong to the CA certificate');
  return { cert: certPem, key: keyPemText, signingKey, algorithm };
}

/** A certificate signed by ca, with a new key (or opts.keys). */
export async function issue(ca: CertAuthority, opts: IssueOptions): Promise<CertKeyPair> {
  const keys = opts.keys ?? (await generateKeys());
  const caCert = new x509.X509Certificate(ca.cert);
  const now = Date.now();
  const usages = opts.usage === 'client' ? [x509.ExtendedKeyUsage.clientAuth] : opts.usage === 'server' ? [x509.ExtendedKeyUsage.serverAuth] : [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
  const names: x509.JsonGeneralName[] = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(usages),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
  ];
  if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: subject(opts.commonName, opts.organizations),
    issuer: caCert.subjectName,
    notBefore: opts.notBefore ?? new Date(now - 60_000),
    notAfter: opts.notAfter ?? new Date(now + (opts.validityDays ?? 365) * DAY_MS),
    signingAlgorithm: ca.algorithm,
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    extensions,
  });
  // a certificate file carries its chain up to (not including) the root: here just the leaf
  return { cert: cert.toString('pem') + '\n', key: await keyPem(keys.privateKey) };
}

/** What a certificate says, read with Node's own parser. */
export interface CertSummary {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: Date;
  notAfter: Date;
}

export function summarize(pem: string): CertSummary {
  const c = new X509Certificate(pem);
  const field = (name: string) => c.subject.split('\n').filter((l) => l.startsWith(`${name}=`)).map((l) => l.slice(name.length + 1));
  const sans = (c.subjectAltName ?? '').split(', ').filter(Boolean);
  return {
    commonName: field('CN')[0] ?? '',
    organizations: field('O'),
    dnsNames: sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
    ipAddresses: sans.filter((s) => s.startsWith('IP Address:')).map((s) => normalizeIp(s.slice(11))),
    notBefore: new Date(c.validFrom),
    notAfter: new Date(c.validTo),
  };
}

function normalizeIp(ip: string): string {
  // Node prints IPv6 SANs in full (0:0:0:0:0:0:0:1); compare them in the URL parser's short form
  return isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

/**
 * Whether a certificate on disk can stay: signed by this CA, not within `renewWithinDays` of expiry (k3s renews at
 * 90 days), for the same subject, and naming at least every SAN wanted (a new node IP means a new serving cert).
 */
export function stillGood(pem: string, caPem: string, want: Pick<IssueOptions, 'commonName' | 'organizations' | 'dnsNames' | 'ipAddresses'>, renewWithinDays = 90): boolean {
  try {
    const c = new X509Certificate(pem);
    const ca = new X509Certificate(caPem);
    if (!c.checkIssued(ca) || !c.verify(ca.publicKey)) return false;
    const s = summarize(pem);
    if (s.notAfter.getTime() - Date.now() < renewWithinDays * DAY_MS) return false;
    if (s.commonName !== want.commonName) return false;
    if ([...s.organizations].sort().join(',') !== [...(want.organizations ?? [])].sort().join(',')) return false;
    if (!(want.dnsNames ?? []).every((d) => s.dnsNames.includes(d))) return false;
    return (want.ipAddresses ?? []).every((ip) => s.ipAddresses.includes(normalizeIp(ip)));
  } catch {
    return false;
  }
}
