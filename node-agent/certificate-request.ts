// A node's certificates come from the cluster through the certificates.k8s.io API, as the kubelet's do: make a key,
// create a CertificateSigningRequest for a signer, wait until it is approved and issued (or refused), and check the
// file on disk is still worth keeping. Used for the node's client certificate (bootstrap.ts, with a bootstrap token)
// and its serving certificate (server/serving-cert.ts, with the node's own credentials).
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { KubeObject } from '../lib/api/types.js';
import { createCSR } from '../lib/certificates/csr.js';
import { findByKind, type Client } from '../lib/client/index.js';
import { logger } from '../lib/util/log.js';
import { sleep } from '../lib/util/sleep.js';

const log = logger('node-agent');
const CSR = findByKind('certificates.k8s.io/v1', 'CertificateSigningRequest')!;

export interface CertificateRequest {
  commonName: string;
  organizations: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  signerName: string;
  usages: string[];
  /** Asked for in spec.expirationSeconds; the signer's --cluster-signing-duration when unset. */
  expirationSeconds?: number;
  /** metadata.generateName of the request. */
  generateName: string;
}

export interface WaitOptions {
  /** Give up after this long (default: never, until `signal`). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Poll period (default 500 ms). */
  everyMs?: number;
  /** How often to remind in the log that a human must approve (default 30 s; 0: never). */
  remindEveryMs?: number;
}

export interface IssuedCertificate {
  cert: string;
  key: string;
  csrName: string;
}

/** Creates the request and waits for its certificate; throws when it is denied or fails, or on timeout. */
export async function requestCertificate(client: Client, r: CertificateRequest, w: WaitOptions = {}): Promise<IssuedCertificate> {
  const { csr, key } = await createCSR({ commonName: r.commonName, organizations: r.organizations, dnsNames: r.dnsNames, ipAddresses: r.ipAddresses });
  const made = await client.create(CSR, {
    metadata: { generateName: r.generateName },
    spec: { request: Buffer.from(csr).toString('base64'), signerName: r.signerName, usages: r.usages,
      ...(r.expirationSeconds ? { expirationSeconds: r.expirationSeconds } : {}) },
  } as KubeObject);
  const name = made.metadata.name as string;
  log.info('requested a certificate', { csr: name, signerName: r.signerName, commonName: r.commonName });
  const deadline = w.timeoutMs !== undefined ? Date.now() + w.timeoutMs : Infinity;
  const remind = w.remindEveryMs ?? 30_000;
  let nextReminder = Date.now() + remind;
  for (;;) {
    if (w.signal?.aborted) throw new Error('stopped while waiting for the certificate');
    const cur = await client.get(CSR, name);
    const conditions = (cur.status?.conditions ?? []) as Array<{ type: string; status: string; message?: string }>;
    const refused = conditions.find((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status === 'True');
    if (refused) throw new Error(`certificate signing request ${name} was ${refused.type.toLowerCase()}: ${refused.message ?? ''}`);
    const issued = cur.status?.certificate as string | undefined;
    if (issued) {
      log.info('certificate issued', { csr: name, signerName: r.signerName });
      return { cert: Buffer.from(issued, 'base64').toString('utf8'), key, csrName: name };
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for certificate signing request ${name} to be approved and issued (kubectl certificate approve ${name})`);
    if (remind > 0 && Date.now() > nextReminder) {
      nextReminder = Date.now() + remind;
      const approved = conditions.some((c) => c.type === 'Approved' && c.status === 'True');
      log.info(approved ? 'waiting for the signer to issue the certificate' : 'waiting for the certificate signing request to be approved',
        { csr: name, approve: `kubectl certificate approve ${name}` });
    }
    await sleep(w.everyMs ?? 500, w.signal);
  }
}

/**
 * Whether the certificate in certFile (with its key in keyFile) is still worth using: issued by the CA, for this
 * common name, naming every wanted address and DNS name, with more than a tenth of its life left (renewed before it
 * runs out rather than failing then).
 */
export function certificateStillGood(certFile: string, keyFile: string, ca: string,
  want: { commonName: string; ipAddresses?: string[]; dnsNames?: string[] }): boolean {
  if (!existsSync(certFile) || !existsSync(keyFile)) return false;
  try {
    const c = new X509Certificate(readFileSync(certFile));
    const caCert = new X509Certificate(ca);
    const life = Date.parse(c.validTo) - Date.parse(c.validFrom);
    if (!c.checkIssued(caCert) || !c.verify(caCert.publicKey) || !c.subject.split('\n').includes(`CN=${want.commonName}`)) return false;
    if (Date.parse(c.validTo) - Date.now() <= life / 10) return false;
    const san = (c.subjectAltName ?? '').split(', ');
    return (want.ipAddresses ?? []).every((ip) => san.includes(`IP Address:${ip}`)) && (want.dnsNames ?? []).every((d) => san.includes(`DNS:${d}`));
  } catch {
    return false;
  }
}
