// Label key and value validation with Kubernetes' messages, and the `path: Invalid value: "x": detail` rendering
// of its field errors, so selector errors read exactly like the API server's.

const NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const NAME_RE = new RegExp(`^${NAME_FMT}$`);
const NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const VALUE_FMT = `(${NAME_FMT})?`;
const VALUE_RE = new RegExp(`^${VALUE_FMT}$`);
const VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const SUBDOMAIN_RE = new RegExp(`^${SUBDOMAIN_FMT}$`);
const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

export const LABEL_MAX_LENGTH = 63;
const SUBDOMAIN_MAX_LENGTH = 253;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const maxLen = (n: number) => `must be no more than ${n} characters`;
const EMPTY = 'must be non-empty';

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (!examples.length) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

function dnsSubdomainErrors(v: string): string[] {
  const errs: string[] = [];
  if (bytes(v) > SUBDOMAIN_MAX_LENGTH) errs.push(maxLen(SUBDOMAIN_MAX_LENGTH));
  if (!SUBDOMAIN_RE.test(v)) errs.push(regexError(SUBDOMAIN_MSG, SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** Problems with a label key (a "qualified name": optional DNS subdomain prefix and '/', then a name). */
export function labelKeyErrors(key: string): string[] {
  const errs: string[] = [];
  const parts = key.split('/');
  let name: string;
  if (parts.length === 1) {
    name = key;
  } else if (parts.length === 2) {
    const prefix = parts[0] as string;
    name = parts[1] as string;
    if (!prefix) errs.push(`prefix part ${EMPTY}`);
    else errs.push(...dnsSubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [`a qualified name ${regexError(NAME_MSG, NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (!name) errs.push(`name part ${EMPTY}`);
  else if (bytes(name) > LABEL_MAX_LENGTH) errs.push(`name part ${maxLen(LABEL_MAX_LENGTH)}`);
  if (!NAME_RE.test(name)) errs.push(`name part ${regexError(NAME_MSG, NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** Problems with a label value: empty, or up to 63 characters of [A-Za-z0-9_.-] starting and ending alphanumeric. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (bytes(value) > LABEL_MAX_LENGTH) errs.push(maxLen(LABEL_MAX_LENGTH));
  if (!VALUE_RE.test(value)) errs.push(regexError(VALUE_MSG, VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** Go's `%#v` of a string list, used for bad value sets: `[]string{"a", "b"}`, `[]string(nil)`. */
export function goStringList(values: string[] | undefined): string {
  return values?.length ? `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)';
}

/** A Kubernetes field error: `<path>: Invalid value: <value>: <detail>`. */
export function invalid(path: string, value: string, detail: string): string {
  return `${path}: Invalid value: ${value}: ${detail}`;
}

/** Kubernetes' aggregate of several errors: one message alone, else `[a, b]` with duplicates dropped. */
export function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] as string) : `[${unique.join(', ')}]`;
}

/** Label key error in Kubernetes' words, undefined when the key is valid. */
export function validateLabelKey(key: string, path = '<nil>'): string | undefined {
  const errs = labelKeyErrors(key);
  return errs.length ? invalid(path, JSON.stringify(key), errs.join('; ')) : undefined;
}

/** Label value error in Kubernetes' words, undefined when the value is valid. */
export function validateLabelValue(value: string, path = '<nil>'): string | undefined {
  const errs = labelValueErrors(value);
  return errs.length ? invalid(path, JSON.stringify(value), errs.join('; ')) : undefined;
}
