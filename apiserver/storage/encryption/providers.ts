// The providers of Kubernetes' EncryptionConfiguration, with the bytes Kubernetes stores:
//   aesgcm:    "k8s:enc:aesgcm:v1:<key name>:"    + 12-byte random nonce + AES-GCM ciphertext + 16-byte tag
//              (the etcd key is the additional authenticated data: a value copied under another key won't decrypt)
//   aescbc:    "k8s:enc:aescbc:v1:<key name>:"    + 16-byte random IV + AES-CBC ciphertext (PKCS#7 padding)
//   secretbox: "k8s:enc:secretbox:v1:<key name>:" + 24-byte random nonce + XSalsa20-Poly1305 box (tag first)
//   identity:  the value as it is.
// XSalsa20-Poly1305 is not in Node's crypto (OpenSSL has no Salsa20): tweetnacl, the audited port of NaCl, does it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';

export const ENCRYPTED_PREFIX = 'k8s:enc:';

/** One key of one provider: how values are written, and how values with its prefix are read. */
export interface ValueProvider {
  /** Bytes every value it writes starts with ('' for identity). */
  readonly prefix: Buffer;
  /** For errors and logs: `aesgcm:key1`. */
  readonly name: string;
  toStorage(plain: Buffer, key: string): Buffer;
  /** The value after the prefix, back to plain text; throws when it does not decrypt. */
  fromStorage(payload: Buffer, key: string): Buffer;
}

const prefixOf = (type: string, name: string) => Buffer.from(`${ENCRYPTED_PREFIX}${type}:v1:${name}:`, 'latin1');

export function aesgcm(name: string, secret: Buffer): ValueProvider {
  if (![16, 24, 32].includes(secret.length)) throw new Error(`aesgcm key ${JSON.stringify(name)}: the secret must be 16, 24 or 32 bytes, not ${secret.length}`);
  const alg = `aes-${secret.length * 8}-gcm` as 'aes-256-gcm';
  const prefix = prefixOf('aesgcm', name);
  return {
    prefix, name: `aesgcm:${name}`,
    toStorage(plain, key) {
      const nonce = randomBytes(12);
      const c = createCipheriv(alg, secret, nonce);
      c.setAAD(Buffer.from(key, 'utf8'));
      const body = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([prefix, nonce, body, c.getAuthTag()]);
    },
    fromStorage(payload, key) {
      if (payload.length < 12 + 16) throw new Error('the stored data was shorter than the required size');
      const d = createDecipheriv(alg, secret, payload.subarray(0, 12));
      d.setAAD(Buffer.from(key, 'utf8'));
      d.setAuthTag(payload.subarray(payload.length - 16));
      return Buffer.concat([d.update(payload.subarray(12, payload.length - 16)), d.final()]);
    },
  };
}

export function aescbc(name: string, secret: Buffer): ValueProvider {
  if (![16, 24, 32].includes(secret.length)) throw new Error(`aescbc key ${JSON.stringify(name)}: the secret must be 16, 24 or 32 bytes, not ${secret.length}`);
  const alg = `aes-${secret.length * 8}-cbc` as const;
  const prefix = prefixOf('aescbc', name);
  return {
    prefix, name: `aescbc:${name}`,
    toStorage(plain) {
      const iv = randomBytes(16);
      const c = createCipheriv(alg, secret, iv);
      return Buffer.concat([prefix, iv, c.update(plain), c.final()]);
    },
    fromStorage(payload) {
      if (payload.length < 16 || (payload.length - 16) % 16 !== 0) throw new Error('the stored data is not a multiple of the block size');
      const d = createDecipheriv(alg, secret, payload.subarray(0, 16));
      return Buffer.concat([d.update(payload.subarray(16)), d.final()]);
    },
  };
}

export function secretbox(name: string, secret: Buffer): ValueProvider {
  if (secret.length !== 32) throw new Error(`secretbox key ${JSON.stringify(name)}: the secret must be 32 bytes, not ${secret.length}`);
  const prefix = prefixOf('secretbox', name);
  const k = new Uint8Array(secret);
  return {
    prefix, name: `secretbox:${name}`,
    toStorage(plain) {
      const nonce = randomBytes(24);
      return Buffer.concat([prefix, nonce, nacl.secretbox(new Uint8Array(plain), new Uint8Array(nonce), k)]);
    },
    fromStorage(payload) {
      if (payload.length < 24 + 16) throw new Error('the stored data was shorter than the required size');
      const opened = nacl.secretbox.open(new Uint8Array(payload.subarray(24)), new Uint8Array(payload.subarray(0, 24)), k);
      if (!opened) throw new Error('output array was not large enough for encryption');
      return Buffer.from(opened);
    },
  };
}

export const identity: ValueProvider = {
  prefix: Buffer.alloc(0),
  name: 'identity',
  toStorage: (plain) => plain,
  fromStorage(payload) {
    // a value written by a provider this configuration no longer has must not be handed out as if it were plain
    if (payload.subarray(0, ENCRYPTED_PREFIX.length).toString('latin1') === ENCRYPTED_PREFIX) throw new Error('identity transformer tried to read encrypted data');
    return payload;
  },
};
