// Checks YAML manifests in the editor before anything is sent: YAML syntax, then each document against its kind's
// schema from the server's OpenAPI v3 document (unknown fields with a "did you mean", wrong types, values outside
// an enum, missing required fields, unknown kinds). Every problem carries the offsets of the text it is about, so
// the editor can underline it.
import { type Document, type Node as YNode, type Pair, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';

export interface Problem {
  from: number;
  to: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  $ref?: string;
  allOf?: Schema[];
  required?: string[];
  enum?: unknown[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

export interface SchemaIndex {
  /** The schema of a kind; null when the server serves no such kind in that version, undefined when unknown. */
  kind(apiVersion: string, kind: string): Schema | null | undefined;
  /** A `#/components/schemas/...` reference of the same document. */
  ref(apiVersion: string, ref: string): Schema | undefined;
}

export interface ParsedDoc {
  value: unknown;
  doc: Document;
}

/** The documents of a YAML stream (empty ones left out) and its syntax errors. */
export function parseYaml(text: string): { docs: ParsedDoc[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const docs: ParsedDoc[] = [];
  for (const doc of parseAllDocuments(text, { prettyErrors: false })) {
    for (const e of [...doc.errors, ...doc.warnings]) {
      const [from, to] = e.pos;
      problems.push({ from, to: Math.max(to, from + 1), severity: doc.errors.includes(e) ? 'error' : 'warning', message: e.message.split('\n')[0] ?? e.message });
    }
    const empty = doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null);
    if (doc.errors.length || empty) continue;
    docs.push({ value: doc.toJS(), doc });
  }
  return { docs, problems };
}

/** The Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0] as number;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j] as number;
      d[j] = Math.min(cur + 1, (d[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length] as number;
}

export function suggest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dd = c.toLowerCase() === word.toLowerCase() ? 0 : distance(word, c);
    if (dd < bestD) {
      best = c;
      bestD = dd;
    }
  }
  return bestD <= Math.max(1, Math.floor(word.length / 4)) + 1 ? best : undefined;
}

const rangeOf = (n: YNode | Pair | null | undefined, fallback: [number, number]): [number, number] => {
  const r = (n as { range?: [number, number, number] } | null | undefined)?.range;
  return r ? [r[0], Math.max(r[1], r[0] + 1)] : fallback;
};

class Walker {
  readonly problems: Problem[] = [];
  constructor(private readonly index: SchemaIndex, private readonly apiVersion: string) {}

  private add(range: [number, number], message: string, severity: Problem['severity'] = 'error'): void {
    this.problems.push({ from: range[0], to: range[1], severity, message });
  }

  /** Follows $ref and the single-element allOf Kubernetes wraps references in. */
  private deref(s: Schema | undefined, depth = 0): Schema | undefined {
    if (!s || depth > 20) return s;
    if (s.$ref) return this.deref(this.index.ref(this.apiVersion, s.$ref), depth + 1);
    if (s.allOf?.length === 1 && !s.properties && !s.type) return this.deref(s.allOf[0], depth + 1);
    return s;
  }

  walk(node: YNode | null | undefined, raw: Schema | undefined, path: string, anchor: [number, number]): void {
    const s = this.deref(raw);
    if (!s || !node) return;
    if (isScalar(node) && node.value === null) return; // an empty value is "not set"
    const at = rangeOf(node, anchor);
    if (raw?.['x-kubernetes-int-or-string'] || s['x-kubernetes-int-or-string']) {
      if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) this.add(at, `${path}: expected an integer or a string`);
      return;
    }
    const alternatives = s.oneOf ?? s.anyOf;
    if (alternatives && !s.type && !s.properties) {
      // a scalar of one of the listed types (Quantity: a string or a number); anything richer isn't checked here
      const types = alternatives.map((a) => this.deref(a)?.type);
      if (types.some((t) => t === undefined || t === 'object' || t === 'array')) return;
      const v = isScalar(node) ? node.value : undefined;
      const fits = types.some((t) => (t === 'string' && typeof v === 'string') || (t === 'number' && typeof v === 'number') || (t === 'integer' && Number.isInteger(v)) || (t === 'boolean' && typeof v === 'boolean'));
      if (!fits) this.add(at, `${path}: expected ${types.map((t) => article(t as string)).join(' or ')}, got ${describe(node)}`);
      return;
    }
    const type = s.type ?? (s.properties ? 'object' : undefined);
    if (type === 'object' || (!type && s.additionalProperties)) {
      if (!isMap(node)) return this.add(at, `${path}: expected a map (key: value lines), got ${describe(node)}`);
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key === undefined) continue;
        seen.add(key);
        const keyRange = rangeOf(pair.key as YNode, at);
        const sub = path ? `${path}.${key}` : key;
        const prop = s.properties?.[key];
        if (prop) this.walk(pair.value as YNode, prop, sub, keyRange);
        else if (s.additionalProperties && typeof s.additionalProperties === 'object') this.walk(pair.value as YNode, s.additionalProperties, sub, keyRange);
        else if (s.properties && !s['x-kubernetes-preserve-unknown-fields'] && s.additionalProperties !== true) {
          const hint = suggest(key, Object.keys(s.properties));
          this.add(keyRange, `unknown field "${sub}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
        }
      }
      for (const r of s.required ?? []) if (!seen.has(r)) this.add(anchor, `${path ? `${path}.` : ''}${r}: Required value`);
      return;
    }
    if (type === 'array') {
      if (!isSeq(node)) return this.add(at, `${path}: expected a list (lines starting with "- "), got ${describe(node)}`);
      node.items.forEach((item, i) => this.walk(item as YNode, s.items, `${path}[${i}]`, rangeOf(item as YNode, at)));
      return;
    }
    if (!type) return;
    if (!isScalar(node)) return this.add(at, `${path}: expected ${article(type)}, got ${describe(node)}`);
    const v = node.value;
    const ok = type === 'string' ? typeof v === 'string' : type === 'boolean' ? typeof v === 'boolean' : type === 'integer' ? typeof v === 'number' && Number.isInteger(v) : type === 'number' ? typeof v === 'number' : true;
    if (!ok) return this.add(at, `${path}: expected ${article(type)}, got ${JSON.stringify(v)}${type === 'string' ? ' (put it in quotes)' : ''}`);
    if (s.enum && !s.enum.includes(v)) this.add(at, `${path}: Unsupported value: ${JSON.stringify(v)}: supported values: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  }
}

const article = (t: string) => (t === 'integer' ? 'an integer' : `a ${t}`);
const describe = (n: YNode) => (isMap(n) ? 'a map' : isSeq(n) ? 'a list' : isScalar(n) ? JSON.stringify(n.value) : 'something else');

/** apiVersion and kind of a parsed document, as strings when they are. */
export function typeOfDoc(d: ParsedDoc): { apiVersion?: string; kind?: string } {
  const v = d.value as { apiVersion?: unknown; kind?: unknown } | null;
  return { apiVersion: typeof v?.apiVersion === 'string' ? v.apiVersion : undefined, kind: typeof v?.kind === 'string' ? v.kind : undefined };
}

/** Every problem of a YAML stream, syntax first, then each document against its kind's schema. */
export function validate(text: string, index: SchemaIndex): Problem[] {
  const { docs, problems } = parseYaml(text);
  for (const d of docs) {
    const contents = d.doc.contents as YNode | null;
    const whole = rangeOf(contents, [0, Math.max(1, text.length)]);
    const top: [number, number] = [whole[0], Math.min(whole[1], text.indexOf('\n', whole[0]) > 0 ? text.indexOf('\n', whole[0]) : whole[1])];
    if (!isMap(contents)) {
      problems.push({ from: whole[0], to: whole[1], severity: 'error', message: 'a manifest is a map with apiVersion, kind and metadata' });
      continue;
    }
    const { apiVersion, kind } = typeOfDoc(d);
    const valueRange = (key: string): [number, number] => {
      const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === key);
      return rangeOf((pair?.value as YNode | undefined) ?? (pair?.key as YNode | undefined), top);
    };
    if (!apiVersion || !kind) {
      problems.push({ from: top[0], to: top[1], severity: 'error', message: `${!apiVersion ? 'apiVersion' : 'kind'} is required` });
      continue;
    }
    const schema = index.kind(apiVersion, kind);
    if (schema === null) {
      problems.push({ ...span(valueRange('kind')), severity: 'error', message: `no kind "${kind}" is registered for version "${apiVersion}"` });
      continue;
    }
    const meta = (d.value as { metadata?: { name?: unknown; generateName?: unknown } }).metadata;
    if (!meta?.name && !meta?.generateName) problems.push({ ...span(valueRange('metadata')), severity: 'error', message: 'metadata.name: Required value: name or generateName is required' });
    if (!schema) continue; // the schema isn't known (yet): syntax only
    const w = new Walker(index, apiVersion);
    w.walk(contents, schema, '', top);
    problems.push(...w.problems);
  }
  return problems.sort((a, b) => a.from - b.from);
}

const span = (r: [number, number]) => ({ from: r[0], to: r[1] });
