// "Did you mean" for fields: the server (strict field validation) names an unknown field; the kind's schema knows the
// fields that exist at that place. Imported (for this effect) only by the commands that send objects: apply,
// create, patch, edit.
import { KINDS } from '../../lib/api/kinds.js';
import { components, schemaNameFor } from '../../lib/api/schema/index.js';
import { nearest } from './suggest.js';
import { setErrorHint } from './context.js';

interface Node {
  $ref?: string;
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: Node | boolean;
  allOf?: Node[];
}

const REF = '#/components/schemas/';
function deref(n: Node | undefined): Node | undefined {
  for (let i = 0; n && i < 20; i++) {
    if (n.$ref) n = (components() as Record<string, Node>)[n.$ref.slice(REF.length)];
    else if (n.allOf?.length === 1) n = n.allOf[0];
    else return n;
  }
  return n;
}

/**
 * For a field the server reported unknown (`spec.template.spec.containers[0].imagee` of a Deployment), the nearest
 * field that exists at that place in the kind's schema (`spec.template.spec.containers[0].image`).
 */
export function suggestField(kindName: string, path: string): string | undefined {
  const kind = KINDS.find((k) => k.kind === kindName);
  if (!kind) return undefined;
  const parts = path.split('.');
  let node = deref({ $ref: REF + schemaNameFor(kind) });
  for (const part of parts.slice(0, -1)) {
    const [name, ...idx] = part.split('[');
    node = deref(node?.properties?.[name as string]);
    for (let i = 0; i < idx.length; i++) node = deref(node?.items ?? (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined));
  }
  const last = parts.at(-1) as string;
  const best = nearest(last, Object.keys(node?.properties ?? {}), Math.max(2, Math.floor(last.length / 3)))[0];
  return best ? [...parts.slice(0, -1), best].join('.') : undefined;
}

/** Hints for a server error naming unknown fields (strict field validation): one "did you mean" line per field. */
export function unknownFieldHints(message: string): string {
  const kind = /cannot be handled as an? (\w+)/.exec(message)?.[1];
  if (!kind) return '';
  const hints: string[] = [];
  for (const m of message.matchAll(/unknown field "([^"]+)"/g)) {
    const s = suggestField(kind, m[1] as string);
    if (s) hints.push(`\n  ${m[1]}: did you mean "${s}"?`);
  }
  return hints.join('');
}

setErrorHint(unknownFieldHints);
