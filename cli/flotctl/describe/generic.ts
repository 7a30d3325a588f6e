// kubectl's describer for kinds without their own (Event, Lease, ...): name, namespace, labels and annotations,
// then every other field as a nested list with keys sorted and turned into words (`apiVersion` → `API Version`).
import { apiVersionOf } from '../../../lib/api/kinds.js';
import { type Describer, describeEvents, refOf, searchEvents } from './events.js';
import { Writer, annotationsMultiline, byBytes, labelsMultiline } from './writer.js';

type Obj = Record<string, unknown>;

const SKIP = ['.metadata.managedFields', '.metadata.name', '.metadata.namespace', '.metadata.labels', '.metadata.annotations'];

export const describeGeneric: Describer = async (env, kind, o) => {
  // The object as a GET returns it: list items come without apiVersion and kind.
  const obj: Obj = { ...o, apiVersion: o.apiVersion ?? apiVersionOf(kind), kind: o.kind ?? kind.kind };
  const events = env.showEvents ? await searchEvents(env, refOf(kind, o)) : undefined;
  const w = new Writer();
  w.write(0, `Name:\t${o.metadata.name ?? ''}\n`);
  w.write(0, `Namespace:\t${o.metadata.namespace ?? ''}\n`);
  labelsMultiline(w, 'Labels', o.metadata.labels);
  annotationsMultiline(w, 'Annotations', o.metadata.annotations);
  printContent(w, 0, obj, '');
  if (events) describeEvents(events, w);
  return w.text();
};

function printContent(w: Writer, level: number, content: Obj, prefix: string): void {
  for (const field of Object.keys(content).sort(byBytes)) {
    const value = content[field];
    const expr = `${prefix}.${field}`;
    if (SKIP.includes(expr)) continue;
    if (Array.isArray(value)) {
      w.write(level, `${smartLabel(field)}:\n`);
      for (const child of value) {
        if (isObj(child)) printContent(w, level + 1, child, expr);
        else w.write(level + 1, `${goValue(child)}\n`);
      }
    } else if (isObj(value)) {
      w.write(level, `${smartLabel(field)}:\n`);
      printContent(w, level + 1, value, expr);
    } else {
      w.write(level, `${smartLabel(field)}:\t${goValue(value)}\n`);
    }
  }
}

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Go's %v of a decoded JSON value. */
function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? String(v) : goFloat(v);
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isObj(v)) return `map[${Object.keys(v).sort(byBytes).map((k) => `${k}:${goValue(v[k])}`).join(' ')}]`;
  return String(v);
}

/** Go's %v of a float64: shortest digits, exponent form below 1e-4 or from 1e6. */
function goFloat(f: number): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf';
  const exp = f === 0 ? 0 : Math.floor(Math.log10(Math.abs(f)));
  if (exp < -4 || exp >= 6) {
    const [m, e] = f.toExponential().split('e') as [string, string];
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return String(f);
}

const ACRONYMS = ['API', 'URL', 'UID', 'OSB', 'GUID'];

/** `apiVersion` → `API Version`, `ownerReferences` → `Owner References`; keys with digits or symbols stay as they are. */
export function smartLabel(field: string): string {
  if ([...field].some((c) => !/\p{L}/u.test(c) && c !== '-')) return field;
  return camelSplit(field)
    .filter((p) => p !== '_')
    .map((p) => (ACRONYMS.includes(p.toUpperCase()) ? p.toUpperCase() : p.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase())))
    .join(' ');
}

const charClass = (c: string) => (/\p{Ll}/u.test(c) ? 1 : /\p{Lu}/u.test(c) ? 2 : /\p{Nd}/u.test(c) ? 3 : 4);

/** fatih/camelcase's Split: runs of one character class, an upper-case run giving its last letter to a lower run. */
function camelSplit(s: string): string[] {
  const runs: string[][] = [];
  let last = 0;
  for (const c of s) {
    const cls = charClass(c);
    if (cls === last) (runs[runs.length - 1] as string[]).push(c);
    else runs.push([c]);
    last = cls;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    const a = runs[i] as string[];
    const b = runs[i + 1] as string[];
    if (/\p{Lu}/u.test(a[0] ?? '') && /\p{Ll}/u.test(b[0] ?? '')) {
      b.unshift(a.pop() as string);
    }
  }
  return runs.filter((r) => r.length).map((r) => r.join(''));
}
