// Checks on ConfigMaps and Secrets: key names, base64 data, the 1 MiB size limit and per-type required keys.
import { asObj, asStr, invalid, invalidEach, isObj, key, required, strMap, tooLong, type FieldCause, type Obj } from './field.js';
import { byteLength, isConfigMapKey } from './names.js';

const MAX_SECRET_SIZE = 1024 * 1024;

function base64Length(s: string): { bytes: number; error?: string } {
  const bad = s.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return { bytes: 0, error: `illegal base64 data at input byte ${bad}` };
  if (s.length % 4 !== 0 || /=[^=]/.test(s)) return { bytes: 0, error: `illegal base64 data at input byte ${Math.max(0, s.length - (s.length % 4 || 4))}` };
  return { bytes: Buffer.from(s, 'base64').length };
}

function validateDataKeys(data: unknown, path: string, binary: boolean): { causes: FieldCause[]; size: number } {
  const causes: FieldCause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(isObj(data) ? data : {})) {
    causes.push(...invalidEach(key(path, k), k, isConfigMapKey(k)));
    if (typeof v !== 'string') continue;
    if (binary) {
      const b = base64Length(v);
      if (b.error) causes.push(invalid(key(path, k), '<binary data>', b.error));
      size += b.bytes;
    } else size += byteLength(v);
  }
  return { causes, size };
}

export function validateConfigMap(obj: Obj): FieldCause[] {
  const d = validateDataKeys(obj.data, 'data', false);
  const b = validateDataKeys(obj.binaryData, 'binaryData', true);
  const out = [...d.causes, ...b.causes];
  const data = isObj(obj.data) ? obj.data : {};
  for (const k of Object.keys(isObj(obj.binaryData) ? obj.binaryData : {})) {
    if (Object.prototype.hasOwnProperty.call(data, k)) out.push(invalid(key('binaryData', k), k, 'duplicate of key present in data'));
  }
  if (d.size + b.size > MAX_SECRET_SIZE) out.push(tooLong('', MAX_SECRET_SIZE));
  return out;
}

export function validateSecret(obj: Obj): FieldCause[] {
  const d = validateDataKeys(obj.data, 'data', true);
  const s = validateDataKeys(obj.stringData, 'data', false);
  const out = [...d.causes, ...s.causes];
  const keys = new Set([...Object.keys(isObj(obj.data) ? obj.data : {}), ...Object.keys(isObj(obj.stringData) ? obj.stringData : {})]);
  const data = { ...strMap(obj.data) };
  const need = (k: string): void => {
    if (!keys.has(k)) out.push(required(key('data', k)));
  };
  switch (asStr(obj.type)) {
    case 'kubernetes.io/service-account-token':
      if (!strMap(asObj(obj.metadata)?.annotations)['kubernetes.io/service-account.name']) out.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      break;
    case 'kubernetes.io/dockercfg': need('.dockercfg'); break;
    case 'kubernetes.io/dockerconfigjson': need('.dockerconfigjson'); break;
    case 'kubernetes.io/basic-auth':
      if (!keys.has('username') && !keys.has('password')) { need('username'); need('password'); }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!keys.has('ssh-privatekey') || data['ssh-privatekey'] === '') out.push(required(key('data', 'ssh-privatekey')));
      break;
    case 'kubernetes.io/tls': need('tls.crt'); need('tls.key'); break;
    default:
  }
  if (d.size + s.size > MAX_SECRET_SIZE) out.push(tooLong('data', MAX_SECRET_SIZE));
  return out;
}
