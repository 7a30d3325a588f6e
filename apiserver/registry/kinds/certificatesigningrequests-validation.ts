// The checks of a CertificateSigningRequest (Kubernetes' ValidateCertificateSigningRequestCreate/Update, with its
// messages): the request parses as a PKCS#10 PEM block, a qualified signerName, usages given, known and once each,
// expirationSeconds at least 600; conditions of known shape, Approved and Denied never together, none removed once
// set, and an issued certificate that is PEM and never changes.
import { KEY_USAGES } from '../../../lib/api/schema/certificates.js';
import { parseCSR } from '../../../lib/certificates/csr.js';
import { asArr, asObj, asStr, duplicate, forbidden, goRaw, index, invalid, isSet, notSupported, required, type FieldCause, type Obj } from '../../validation/field.js';
import { isQualifiedName } from '../../validation/names.js';

export const APPROVED = 'Approved';
export const DENIED = 'Denied';
export const FAILED = 'Failed';
/** The conditions that must be True and, once set, stay. */
const FINAL_CONDITIONS = [APPROVED, DENIED, FAILED];

/** The bytes of spec.request (base64 in JSON), or undefined when it is not a string. */
export function requestBytes(spec: Obj): Buffer | undefined {
  return typeof spec.request === 'string' ? Buffer.from(spec.request, 'base64') : undefined;
}

/** A Go []byte as Kubernetes prints it in messages, cut short (a request is a kilobyte). */
function goBytes(b: Buffer): ReturnType<typeof goRaw> {
  const shown = [...b.subarray(0, 8)].map((x) => `0x${x.toString(16)}`).join(', ');
  return goRaw(`[]byte{${shown}${b.length > 8 ? ', ...' : ''}}`);
}

function validateSignerName(name: unknown, field: string): FieldCause[] {
  if (!isSet(name) || name === '') return [required(field, '')];
  const s = asStr(name);
  const slash = s.indexOf('/');
  const domain = slash < 0 ? s : s.slice(0, slash);
  // a signer is a domain and a path: `example.com/signer-name`, the domain with at least one dot or kubernetes.io
  if (slash <= 0 || slash === s.length - 1 || (!domain.includes('.')) || isQualifiedName(s.slice(slash + 1).split('/').pop() ?? '').length) {
    return [invalid(field, s, 'must be a fully qualified domain and path of the form \'example.com/signer-name\'')];
  }
  return [];
}

export function validateSpec(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec) ?? {};
  const out: FieldCause[] = [];
  const bytes = requestBytes(spec);
  if (bytes !== undefined) {
    try {
      parseCSR(bytes);
    } catch (e) {
      out.push(invalid('spec.request', goBytes(bytes), (e as Error).message));
    }
  }
  out.push(...validateSignerName(spec.signerName, 'spec.signerName'));
  const usages = asArr(spec.usages);
  if (!usages.length) out.push(required('spec.usages', 'usages must be provided'));
  const seen = new Set<string>();
  usages.forEach((u, i) => {
    const s = asStr(u);
    if (!KEY_USAGES.includes(s)) out.push(notSupported(index('spec.usages', i), s, KEY_USAGES));
    else if (seen.has(s)) out.push(duplicate(index('spec.usages', i), s));
    seen.add(s);
  });
  if (isSet(spec.expirationSeconds) && typeof spec.expirationSeconds === 'number' && spec.expirationSeconds < 600) {
    out.push(invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  return out;
}

export function validateStatus(obj: Obj): FieldCause[] {
  const status = asObj(obj.status) ?? {};
  const out: FieldCause[] = [];
  const seen = new Set<string>();
  asArr(status.conditions).forEach((raw, i) => {
    const c = asObj(raw) ?? {};
    const field = index('status.conditions', i);
    const type = asStr(c.type);
    if (!type) out.push(required(`${field}.type`, ''));
    else if (seen.has(type)) out.push(duplicate(`${field}.type`, type));
    seen.add(type);
    const st = asStr(c.status);
    if (FINAL_CONDITIONS.includes(type)) {
      if (st !== 'True') out.push(notSupported(`${field}.status`, st, ['True']));
    } else if (!['True', 'False', 'Unknown'].includes(st)) {
      out.push(st ? notSupported(`${field}.status`, st, ['False', 'True', 'Unknown']) : required(`${field}.status`, ''));
    }
    if (type === DENIED && seen.has(APPROVED) || type === APPROVED && seen.has(DENIED)) {
      out.push(invalid(`${field}.type`, type, 'Approved and Denied conditions are mutually exclusive'));
    }
  });
  if (isSet(status.certificate) && status.certificate !== '') {
    const pem = Buffer.from(asStr(status.certificate), 'base64').toString('latin1');
    const blocks = [...pem.matchAll(/-----BEGIN ([A-Z ]+)-----/g)].map((m) => m[1]);
    if (!blocks.length || blocks.some((b) => b !== 'CERTIFICATE')) {
      out.push(invalid('status.certificate', goRaw('"<certificate data>"'), blocks.length ? 'only CERTIFICATE PEM blocks are allowed' : 'must contain at least one CERTIFICATE PEM block'));
    }
  }
  return out;
}

/** Conditions of these types may not go away; an issued certificate may not change. */
export function validateStatusUpdate(obj: Obj, old: Obj): FieldCause[] {
  const out: FieldCause[] = [];
  const types = (o: Obj) => asArr(asObj(o.status)?.conditions).map((c) => asStr(asObj(c)?.type));
  const now = types(obj);
  for (const t of types(old)) {
    if (FINAL_CONDITIONS.includes(t) && !now.includes(t)) out.push(forbidden('status.conditions', `updates may not remove a condition of type ${JSON.stringify(t)}`));
  }
  const oldCert = asStr(asObj(old.status)?.certificate);
  if (oldCert && asStr(asObj(obj.status)?.certificate) !== oldCert) out.push(forbidden('status.certificate', 'updates may not modify existing certificate content'));
  return out;
}
