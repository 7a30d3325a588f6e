// Field selectors: `metadata.name=x,status.phase!=Running` with `=`, `==` and `!=` only, values unescaped like
// Kubernetes (`\,` `\=` `\\`). Which field labels a kind supports is the API server's (apiserver/registry/kinds/).
import { getOwn } from '../own.js';
import type { KubeObject } from '../types.js';
import { SelectorError } from './labels.js';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Requirements ANDed together; an empty list matches everything. */
export type FieldSelectorParsed = FieldRequirement[];

/** Splits on commas that are not backslash-escaped. */
function splitTerms(s: string): string[] {
  if (!s) return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    if (escaped) escaped = false;
    else if (s[i] === '\\') escaped = true;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') throw new SelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      escaped = false;
    } else if (c === '\\') escaped = true;
    else if (c === ',' || c === '=') throw new SelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (escaped) throw new SelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Parses a field selector; throws SelectorError with the API server's message. Terms come back sorted. */
export function parseFieldSelector(s: string): FieldSelectorParsed {
  const out: FieldRequirement[] = [];
  for (const term of splitTerms(s).sort()) {
    if (term === '') continue;
    // The first operator occurrence splits the term; `!=` and `==` win over `=` at the same place.
    const m = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
    if (!m) throw new SelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
    out.push({ field: m[1] as string, op: m[2] === '!=' ? '!=' : '=', value: unescapeValue(m[3] as string) });
  }
  return out;
}

export function matchesFields(sel: FieldSelectorParsed, fields: Record<string, string>): boolean {
  return sel.every((r) => ((getOwn(fields, r.field) ?? '') === r.value) === (r.op === '='));
}

/** `a=b,c!=d`, values escaped. */
export function fieldSelectorToString(sel: FieldSelectorParsed): string {
  return sel.map((r) => `${r.field}${r.op}${r.value.replace(/[\\,=]/g, (c) => `\\${c}`)}`).join(',');
}

/**
 * The values of the fields a selector names, read from the object by their path (`spec.nodeName`); a missing field
 * is ''. What the API server selects on is each kind's own (apiserver/registry/kinds/); this generic reading is for
 * clients that filter objects themselves, such as the fake API of lib/client.
 */
export function fieldsAt(o: KubeObject, sel: FieldSelectorParsed): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of sel) {
    let v: unknown = o;
    for (const part of r.field.split('.')) v = typeof v === 'object' && v !== null ? getOwn(v as Record<string, unknown>, part) : undefined;
    out[r.field] = v === undefined || v === null || typeof v === 'object' ? '' : String(v);
  }
  return out;
}
