// Drops fields the kind's schema doesn't know, and known fields sent as null, as Kubernetes' decoder does; reports
// the unknown fields' paths (`spec.template.spec.containers[0].foo`) for fieldValidation=Strict (reject) or Warn
// (Warning headers).
import type { KindInfo } from '../../lib/api/kinds.js';
import { getOwn } from '../../lib/api/own.js';
import { components, schemaNameFor } from '../../lib/api/schema/index.js';

type Node = Record<string, unknown>;
const REF = '#/components/schemas/';

function deref(node: Node | undefined, all: Record<string, Node>): Node | undefined {
  let n = node;
  for (let i = 0; n && i < 16; i++) {
    if (typeof n.$ref === 'string') n = all[(n.$ref as string).slice(REF.length)];
    else if (Array.isArray(n.allOf) && n.allOf.length === 1 && !n.properties) n = n.allOf[0] as Node;
    else break;
  }
  return n;
}

function walk(value: unknown, schema: Node | undefined, path: string, all: Record<string, Node>, out: string[]): void {
  const s = deref(schema, all);
  if (!s || s['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (Array.isArray(value)) {
    const items = s.items as Node | undefined;
    if (items) value.forEach((v, i) => walk(v, items, `${path}[${i}]`, all, out));
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
      else if (child) walk(obj[key], child, p, all, out);
      else if (additional && typeof additional === 'object') walk(obj[key], additional as Node, p, all, out);
      else if (!additional) {
        out.push(p);
        delete obj[key];
      }
    }
  } else if (additional && typeof additional === 'object') {
    for (const key of Object.keys(obj)) walk(obj[key], additional as Node, path ? `${path}.${key}` : key, all, out);
  }
}

export function pruneUnknownFields(kind: KindInfo, obj: unknown): string[] {
  const all = components() as unknown as Record<string, Node>;
  const out: string[] = [];
  walk(obj, all[schemaNameFor(kind)], '', all, out);
  return out;
}
