// Label selectors: the string form (`a=b,c!=d,e in (f,g),!h`) and the structured form (matchLabels +
// matchExpressions), parsed into one list of requirements and matched against an object's labels.
import type { LabelSelector } from '../types.js';

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'NotEquals';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export type LabelSelectorParsed = Requirement[];

export class SelectorError extends Error {}

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validateLabelKey(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `invalid label key "${key}": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'`;
  const name = parts[parts.length - 1] as string;
  if (parts.length === 2) {
    const prefix = parts[0] as string;
    if (!prefix || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) return `invalid label key "${key}": prefix part must be a lowercase RFC 1123 subdomain`;
  }
  if (!name || name.length > 63 || !NAME.test(name)) {
    return `invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') and be at most 63 characters`;
  }
  return undefined;
}

export function validateLabelValue(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) {
    return `invalid label value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?') and be at most 63 characters`;
  }
  return undefined;
}

function check(err: string | undefined): void {
  if (err) throw new SelectorError(err);
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) throw new SelectorError(`unexpected ")" in "${s}"`);
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) throw new SelectorError(`found '(', expected: ')' in "${s}"`);
  out.push(cur);
  return out;
}

export function parseLabelSelector(s: string): LabelSelectorParsed {
  const reqs: Requirement[] = [];
  if (!s.trim()) return reqs;
  for (const raw of splitTerms(s)) {
    const term = raw.trim();
    if (!term) throw new SelectorError(`found '', expected: identifier in "${s}"`);
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^!\s*([^\s=!(),]+)$/))) {
      check(validateLabelKey(m[1] as string));
      reqs.push({ key: m[1] as string, operator: 'DoesNotExist', values: [] });
    } else if ((m = term.match(/^([^\s=!(),]+)\s+(in|notin)\s*\(([^()]*)\)$/))) {
      check(validateLabelKey(m[1] as string));
      const values = (m[3] as string).split(',').map((v) => v.trim());
      if (values.length === 1 && values[0] === '' && m[3]?.trim() === '') throw new SelectorError(`for 'in', 'notin' operators, values set can't be empty in "${term}"`);
      for (const v of values) check(validateLabelValue(v));
      reqs.push({ key: m[1] as string, operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = term.match(/^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/))) {
      check(validateLabelKey(m[1] as string));
      check(validateLabelValue(m[3] as string));
      reqs.push({ key: m[1] as string, operator: m[2] === '!=' ? 'NotEquals' : 'Equals', values: [m[3] as string] });
    } else if ((m = term.match(/^([^\s=!(),]+)$/))) {
      check(validateLabelKey(m[1] as string));
      reqs.push({ key: m[1] as string, operator: 'Exists', values: [] });
    } else {
      throw new SelectorError(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, or end of string`);
    }
  }
  return reqs;
}

export function matchesLabels(sel: LabelSelectorParsed, labels: Record<string, string>): boolean {
  for (const r of sel) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.operator) {
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      case 'Equals':
      case 'In':
        if (!has || !r.values.includes(v as string)) return false;
        break;
      case 'NotEquals':
      case 'NotIn':
        if (has && r.values.includes(v as string)) return false;
        break;
    }
  }
  return true;
}

/** The structured selector of Deployments, ReplicaSets, Services' owners, affinity terms... */
export function labelSelectorFromObject(sel: LabelSelector): LabelSelectorParsed {
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    check(validateLabelKey(k));
    check(validateLabelValue(v));
    reqs.push({ key: k, operator: 'Equals', values: [v] });
  }
  for (const e of sel.matchExpressions ?? []) {
    check(validateLabelKey(e.key));
    const values = e.values ?? [];
    if ((e.operator === 'In' || e.operator === 'NotIn') && !values.length) throw new SelectorError(`for 'In', 'NotIn' operators, values set can't be empty`);
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length) throw new SelectorError(`values set must be empty for exists and does not exist`);
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) throw new SelectorError(`"${e.operator}" is not a valid label selector operator`);
    for (const v of values) check(validateLabelValue(v));
    reqs.push({ key: e.key, operator: e.operator, values: [...values] });
  }
  return reqs;
}

export function labelSelectorToString(sel: LabelSelectorParsed): string {
  return sel.map((r) => {
    switch (r.operator) {
      case 'Equals':
        return `${r.key}=${r.values[0] ?? ''}`;
      case 'NotEquals':
        return `${r.key}!=${r.values[0] ?? ''}`;
      case 'In':
        return `${r.key} in (${[...r.values].sort().join(',')})`;
      case 'NotIn':
        return `${r.key} notin (${[...r.values].sort().join(',')})`;
      case 'Exists':
        return r.key;
      case 'DoesNotExist':
        return `!${r.key}`;
    }
  }).join(',');
}
