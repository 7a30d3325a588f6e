// Drops fields the kind's schema doesn't know, and known fields sent as null, as Kubernetes' decoder does; reports
// the unknown fields' paths (`spec.template.spec.containers[0].foo`) for fieldValidation=Strict (reject) or Warn
// (Warning headers). Repeated keys the body decoder found are reported in the same walk, in document order, the
// way Kubernetes' strict decoder interleaves the two (a field both unknown and repeated counts as unknown).
import type { KindInfo } from '../../lib/api/kinds.js';
import { getOwn } from '../../lib/api/own.js';
import { components, schemaNameFor } from '../../lib/api/schema/index.js';

type Node = Record<string, unknown>;
const REF = '#/components/schemas/';

export interface FieldFinding {
  type: 'unknown' | 'duplicate';
  /** `spec.template.spec.containers[0].image` */
  path: string;
}

interface Walk {
  all: Record<string, Node>;
  out: FieldFinding[];
  duplicates: ReadonlySet<string>;
  reported: Set<string>;
}

function deref(node: Node | undefined, all: Record<string, Node>): Node | undefined {
  let n = node;
  for (let i = 0; n && i < 16; i++) {
    if (typeof n.$ref === 'string') n = all[(n.$ref as string).slice(REF.length)];
    else if (Array.isArray(n.allOf) && n.allOf.length === 1 && !n.properties) n = n.allOf[0] as Node;
    else break;
  }
  return n;
}

function duplicateAt(w: Walk, path: string): void {
  if (!w.duplicates.has(path) || w.reported.has(path)) return;
  w.reported.add(path);
  w.out.push({ type: 'duplicate', path });
}

function walk(value: unknown, schema: Node | undefined, path: string, w: Walk): void {
  const s = deref(schema, w.all);
  if (!s || s['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (Array.isArray(value)) {
    const items = s.items as Node | undefined;
    if (items) value.forEach((v, i) => walk(v, items, `${path}[${i}]`, w));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const obj = value as Record<string, unknown>;
  const props = s.properties as Record<string, Node> | undefined;
  const additional = s.additionalProperties;
  if (props) {
    for (const key of Object.keys(obj)) {
      const child = getOwn(props, key); // `constructor` in a body is an unknown field, not Object
      const p = path ? `${path}.${key}` : key;
      // A known field sent as null is its zero value to Kubernetes' decoder, and so absent once stored
      // (`creationTimestamp: null` in a generated manifest).
      if (child && obj[key] === null) delete obj[key];
      else if (child) walk(obj[key], child, p, w);
      else if (additional && typeof additional === 'object') walk(obj[key], additional as Node, p, w);
      else if (!additional) {
        w.out.push({ type: 'unknown', path: p });
        w.reported.add(p); // a repeated unknown field is reported once, as unknown
        delete obj[key];
        continue;
      }
      duplicateAt(w, p);
    }
  } else if (additional && typeof additional === 'object') {
    for (const key of Object.keys(obj)) {
      const p = path ? `${path}.${key}` : key;
      walk(obj[key], additional as Node, p, w);
      duplicateAt(w, p);
    }
  }
}

/**
 * Prunes `obj` in place; returns what was unknown and, given the paths of repeated keys in the body, where those
 * were, in document order. Repeated keys the walk does not pass (under an unknown field: dropped with it; inside
 * free-form fields) follow at the end, unless they sit under an unknown field.
 */
export function pruneUnknownFields(kind: KindInfo, obj: unknown, duplicates: ReadonlySet<string> = new Set()): FieldFinding[] {
  const all = components() as unknown as Record<string, Node>;
  const w: Walk = { all, out: [], duplicates, reported: new Set() };
  walk(obj, all[schemaNameFor(kind)], '', w);
  const unknown = w.out.filter((f) => f.type === 'unknown').map((f) => f.path);
  for (const p of duplicates) {
    if (w.reported.has(p)) continue;
    if (unknown.some((u) => p.startsWith(`${u}.`) || p.startsWith(`${u}[`))) continue;
    w.out.push({ type: 'duplicate', path: p });
  }
  return w.out;
}
