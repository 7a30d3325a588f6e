// The ServiceAccount token keys: the private key tokens are signed with (--service-account-signing-key-file) and the
// public keys they are checked against (--service-account-key-file, repeatable: keys of a rotation's past still
// verify). Without flags, an RSA key made once under <data-dir>/pki (sa.key, sa.pub, as kubeadm names them).
// Files may hold PEM public keys, private keys (their public half is used) or certificates, several to a file.
import { X509Certificate, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pkiDir, writeSecureFile } from '../cluster-pki.js';

export type SigningAlgorithm = 'RS256' | 'ES256' | 'ES384' | 'ES512';

export interface PublicKey {
  key: KeyObject;
  alg: SigningAlgorithm;
  /** The JWK key id: base64url(SHA-256(the key's DER SubjectPublicKeyInfo)), as Kubernetes derives it. */
  kid: string;
}

export interface SigningKey extends PublicKey {
  privateKey: KeyObject;
}

/** The JWS algorithm a key signs with: RS256 for RSA, ES256/384/512 for the NIST curves; anything else is refused. */
export function algorithmOf(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'P-256') return 'ES256';
    if (curve === 'secp384r1' || curve === 'P-384') return 'ES384';
    if (curve === 'secp521r1' || curve === 'P-521') return 'ES512';
  }
  throw new Error(`unsupported service account key type ${key.asymmetricKeyType ?? key.type}${key.asymmetricKeyDetails?.namedCurve ? ` (${key.asymmetricKeyDetails.namedCurve})` : ''}: use RSA or ECDSA P-256/384/521`);
}

export function keyId(pub: KeyObject): string {
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('base64url');
}

function publicKey(key: KeyObject): PublicKey {
  return { key, alg: algorithmOf(key), kid: keyId(key) };
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** Every public key in a PEM file (public keys, private keys, certificates). */
export function readVerificationKeys(path: string): PublicKey[] {
  const text = readFileSync(path, 'utf8');
  const out: PublicKey[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    const [pem, type] = m as unknown as [string, string];
    if (type === 'CERTIFICATE') out.push(publicKey(new X509Certificate(pem).publicKey));
    else if (type.endsWith('PRIVATE KEY')) out.push(publicKey(createPublicKey(createPrivateKey(pem))));
    else if (type.endsWith('PUBLIC KEY')) out.push(publicKey(createPublicKey(pem)));
  }
  if (!out.length) throw new Error(`${path}: no PEM public key, private key or certificate found`);
  return out;
}

/** The signing key in a PEM file (its first private key). */
export function readSigningKey(path: string): SigningKey {
  const text = readFileSync(path, 'utf8');
  for (const m of text.matchAll(PEM_BLOCK)) {
    if (!(m[1] as string).endsWith('PRIVATE KEY')) continue;
    const privateKey = createPrivateKey(m[0]);
    return { privateKey, ...publicKey(createPublicKey(privateKey)) };
  }
  throw new Error(`${path}: no PEM private key found`);
}

export const serviceAccountKeyFiles = (dataDir: string) => ({ key: join(pkiDir(dataDir), 'sa.key'), pub: join(pkiDir(dataDir), 'sa.pub') });

/** <data-dir>/pki/sa.key and sa.pub: read, or made on first start (RSA 2048, as kubeadm makes them). */
export function ensureServiceAccountKey(dataDir: string): { key: string; pub: string } {
  const files = serviceAccountKeyFiles(dataDir);
  if (existsSync(files.key) && existsSync(files.pub)) return files;
  mkdirSync(pkiDir(dataDir), { recursive: true, mode: 0o700 });
  const { privateKey, publicKey: pub } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeSecureFile(files.key, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  writeSecureFile(files.pub, pub.export({ type: 'spki', format: 'pem' }) as string, 0o644);
  return files;
}
