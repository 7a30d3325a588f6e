// Format checks for names, label keys and values, config keys, ports, IPs and CIDRs. Each returns the problems found
// (empty when the value is fine), worded as Kubernetes words them so clients see the familiar messages.
import { isIP } from 'node:net';

export const maxLenError = (n: number): string => `must be no more than ${n} characters`;
export const emptyError = (): string => 'must be non-empty';
export const inclusiveRangeError = (lo: number, hi: number): string => `must be between ${lo} and ${hi}, inclusive`;

// RegexError joins examples as `'a', or 'b', ` - reproduce that exact spacing.
function regexMessage(msg: string, fmt: string, examples: string[]): string {
  if (!examples.length) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) out += ' or ';
    out += `'${e}', `;
  });
  return `${out}regex used for validation is '${fmt}')`;
}

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QNAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE_FMT = `(${QNAME_FMT})?`;
const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+';
const PERCENT_FMT = '[0-9]+%';
const HTTP_HEADER_FMT = '[-A-Za-z0-9]+';
const C_IDENTIFIER_FMT = '[A-Za-z_][A-Za-z0-9_]*';

const full = (fmt: string): RegExp => new RegExp(`^${fmt}$`);
const DNS1123_LABEL = full(DNS1123_LABEL_FMT);
const DNS1123_SUBDOMAIN = full(DNS1123_SUBDOMAIN_FMT);
const DNS1035_LABEL = full(DNS1035_LABEL_FMT);
const QNAME = full(QNAME_FMT);
const LABEL_VALUE = full(LABEL_VALUE_FMT);
const CONFIG_KEY = full(CONFIG_KEY_FMT);
const PERCENT = full(PERCENT_FMT);
const HTTP_HEADER = full(HTTP_HEADER_FMT);
const C_IDENTIFIER = full(C_IDENTIFIER_FMT);

const DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const QNAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** Byte length of a string as Go's len() counts it. */
export const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!DNS1123_LABEL.test(value)) {
    errs.push(DNS1123_SUBDOMAIN.test(value) ? 'must not contain dots' : regexMessage(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, ['my-name', '123-abc']));
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 253) errs.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN.test(value)) errs.push(regexMessage(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, ['example.com']));
  return errs;
}

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!DNS1035_LABEL.test(value)) errs.push(regexMessage(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, ['my-name', 'abc-123']));
  return errs;
}

/** A name check; `prefix` is true for generateName, where a trailing dash is allowed. */
export type NameCheck = (name: string, prefix: boolean) => string[];

const maskTrailingDash = (name: string): string => (name.length > 1 && name.endsWith('-') ? name.slice(0, -2) + 'a' : name);
export const nameIsDNSSubdomain: NameCheck = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameCheck = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameCheck = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (!prefix.length) errs.push('prefix part ' + emptyError());
    else for (const m of isDNS1123Subdomain(prefix)) errs.push('prefix part ' + m);
  } else {
    return [`a qualified name ${regexMessage(QNAME_MSG, QNAME_FMT, ['MyName', 'my.name', '123-abc'])} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (!name.length) errs.push('name part ' + emptyError());
  else if (byteLength(name) > 63) errs.push('name part ' + maxLenError(63));
  if (!QNAME.test(name)) errs.push('name part ' + regexMessage(QNAME_MSG, QNAME_FMT, ['MyName', 'my.name', '123-abc']));
  return errs;
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!LABEL_VALUE.test(value)) errs.push(regexMessage(LABEL_VALUE_MSG, LABEL_VALUE_FMT, ['MyValue', 'my_value', '12345']));
  return errs;
}

function chdirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 253) errs.push(maxLenError(253));
  if (!CONFIG_KEY.test(value)) errs.push(regexMessage("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_KEY_FMT, ['key.name', 'KEY_NAME', 'key-name']));
  return [...errs, ...chdirPrefix(value)];
}

/** Environment variable names as accepted with relaxed validation (the default since Kubernetes 1.32). */
export function isRelaxedEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (!value.length) errs.push('environment variable name ' + emptyError());
  for (const ch of value) {
    const c = ch.codePointAt(0) as number;
    if (c > 126 || c < 32 || ch === '=') {
      errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

export function isCIdentifier(value: string): string[] {
  return C_IDENTIFIER.test(value) ? [] : [regexMessage("a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'", C_IDENTIFIER_FMT, ['my_name', 'MY_NAME', 'MyName'])];
}

export function isValidPortNum(port: number): string[] {
  return port >= 1 && port <= 65535 && Number.isInteger(port) ? [] : [inclusiveRangeError(1, 65535)];
}

export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (byteLength(port) > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

export function isValidPercent(value: string): string[] {
  return PERCENT.test(value) ? [] : [regexMessage("a valid percent string must be a numeric string followed by an ending '%'", PERCENT_FMT, ['1%', '93%'])];
}

export function isHTTPHeaderName(value: string): string[] {
  return HTTP_HEADER.test(value) ? [] : [regexMessage("a valid HTTP header must consist of alphanumeric characters or '-'", HTTP_HEADER_FMT, ['X-Header-Name'])];
}

/** IPv4 written with leading zeros is accepted, as Kubernetes' "sloppy" parser does. */
export function ipFamily(value: string): 4 | 6 | 0 {
  const v = /^[0-9.]+$/.test(value) ? value.split('.').map((p) => (p.length > 1 ? p.replace(/^0+(?=\d)/, '') : p)).join('.') : value;
  return isIP(v) as 4 | 6 | 0;
}

export const isValidIP = (value: string): string[] => (ipFamily(value) ? [] : ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);

export function isValidCIDR(value: string): string[] {
  const m = /^(.+)\/(\d{1,3})$/.exec(value);
  const fam = m ? ipFamily(m[1]) : 0;
  const ok = m && fam && Number(m[2]) <= (fam === 4 ? 32 : 128);
  return ok ? [] : ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'];
}
