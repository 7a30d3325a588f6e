// Field selectors: `metadata.name=x,status.phase!=Running` with `=`, `==` and `!=` only, values unescaped like
// Kubernetes (`\,` `\=` `\\`), and the field labels each kind supports, with their values for one object.
import type { KindInfo } from '../kinds.js';
import { getOwn, hasOwn } from '../own.js';
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

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});

/** The field labels Kubernetes supports for each kind, with their values for one object. */
export function fieldsOf(kind: Pick<KindInfo, 'resource' | 'namespaced'>, o: KubeObject): Record<string, string> {
  const f: Record<string, string> = { 'metadata.name': str(o.metadata?.name) };
  if (kind.namespaced) f['metadata.namespace'] = str(o.metadata?.namespace);
  const spec = obj(o.spec);
  const status = obj(o.status);
  switch (kind.resource) {
    case 'pods': {
      const ips = Array.isArray(status.podIPs) ? (status.podIPs as unknown[]) : [];
      f['spec.nodeName'] = str(spec.nodeName);
      f['spec.restartPolicy'] = str(spec.restartPolicy);
      f['spec.schedulerName'] = str(spec.schedulerName);
      f['spec.serviceAccountName'] = str(spec.serviceAccountName);
      f['spec.hostNetwork'] = String(spec.hostNetwork === true);
      f['status.phase'] = str(status.phase);
      f['status.podIP'] = ips.length ? str(obj(ips[0]).ip) : str(status.podIP);
      f['status.nominatedNodeName'] = str(status.nominatedNodeName);
      break;
    }
    case 'events': {
      const io = obj(o.involvedObject);
      for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) f[`involvedObject.${k}`] = str(io[k]);
      f.reason = str(o.reason);
      f.reportingComponent = str(o.reportingComponent);
      f.source = str(obj(o.source).component) || str(o.reportingComponent);
      f.type = str(o.type);
      break;
    }
    case 'secrets':
      f.type = str(o.type);
      break;
    case 'nodes':
      f['spec.unschedulable'] = String(spec.unschedulable === true);
      break;
    case 'namespaces':
      f['status.phase'] = str(status.phase);
      break;
    case 'replicasets':
      f['status.replicas'] = String(typeof status.replicas === 'number' ? status.replicas : 0);
      break;
  }
  return f;
}

/** Kinds with their own field label conversion (the rest accept only metadata.name and metadata.namespace). */
const ALIASES: Record<string, Record<string, string>> = { pods: { 'spec.host': 'spec.nodeName' } };
const SPECIFIC = new Set(['pods', 'events', 'secrets', 'nodes', 'namespaces', 'replicasets']);
const SAMPLE: KubeObject = { metadata: {} };

/**
 * Rejects field labels the kind does not support, with the API server's message (a 400 Bad Request), and returns
 * the selector with legacy labels converted (`spec.host` → `spec.nodeName` for pods).
 */
export function validateFieldSelector(kind: Pick<KindInfo, 'resource' | 'namespaced'>, sel: FieldSelectorParsed): FieldSelectorParsed {
  const known = fieldsOf(kind, SAMPLE);
  return sel.map((r) => {
    const aliases = getOwn(ALIASES, kind.resource);
    const field = (aliases && getOwn(aliases, r.field)) ?? r.field;
    if (!hasOwn(known, field)) {
      if (SPECIFIC.has(kind.resource)) throw new SelectorError(`field label not supported: ${r.field}`);
      throw new SelectorError(`${JSON.stringify(r.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
    return field === r.field ? r : { ...r, field };
  });
}
