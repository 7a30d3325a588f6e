// Printing as kubectl does: server-side Tables as rows for the tab writer (tabwriter.ts),
// `-o json` as Go's MarshalIndent (sorted keys, 4 spaces, HTML-escaped), `-o yaml` with sorted keys, `-o name`.
// (`-o yaml` uses YAML 1.1 rules so that timestamps and yes/no strings get quoted, as go-yaml quotes them).
import { Document, Scalar, visit } from 'yaml';
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { CliError } from './context.js';

export interface Table {
  columnDefinitions: { name: string; type: string; format: string; priority: number }[];
  rows: { cells: unknown[]; object?: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } } }[];
}

/** `deployment.apps`, `service`: how kubectl names a kind in output and messages. */
export const kindRef = (k: KindInfo) => (k.group ? `${k.kind.toLowerCase()}.${k.group}` : k.kind.toLowerCase());
/** `deployments.apps`, `services`: how the server names a resource in errors. */
export const resourceRef = (k: KindInfo) => (k.group ? `${k.resource}.${k.group}` : k.resource);

export interface TableOpts {
  wide: boolean;
  withNamespace: boolean;
  withKind?: KindInfo;
  showLabels: boolean;
  noHeaders?: boolean;
}

export function tableLines(t: Table, o: TableOpts): string[][] {
  const cols = t.columnDefinitions.map((c, i) => ({ ...c, i })).filter((c) => o.wide || c.priority === 0);
  const lines: string[][] = [];
  if (!o.noHeaders) lines.push([...(o.withNamespace ? ['NAMESPACE'] : []), ...cols.map((c) => c.name.toUpperCase()), ...(o.showLabels ? ['LABELS'] : [])]);
  for (const r of t.rows) {
    const cells = cols.map((c) => {
      const v = r.cells[c.i];
      const s = v === null || v === undefined ? '<none>' : String(v);
      return c.format === 'name' && o.withKind ? `${kindRef(o.withKind)}/${s}` : s;
    });
    const labels = r.object?.metadata?.labels ?? {};
    const lbl = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',') || '<none>';
    lines.push([...(o.withNamespace ? [r.object?.metadata?.namespace ?? ''] : []), ...cells, ...(o.showLabels ? [lbl] : [])]);
  }
  return lines;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

export const toJson = (v: unknown) =>
  JSON.stringify(sortKeys(v), null, 4).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) + '\n';

const STR_TAG = 'tag:yaml.org,2002:str';

/**
 * `-o yaml` as go-yaml writes it: a string that would read back as another type (`"123"`, `"yes"`, a timestamp) or
 * is empty is double-quoted; any other string that cannot be plain (a cron schedule starting with `*`) is
 * single-quoted.
 */
export function toYaml(v: unknown): string {
  const doc = new Document(sortKeys(v), { schema: 'yaml-1.1' });
  const implicit = doc.schema.tags.filter((t) => t.default && t.tag !== STR_TAG && 'test' in t && t.test instanceof RegExp) as { test: RegExp }[];
  visit(doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value === 'string' && (node.value === '' || implicit.some((t) => t.test.test(node.value as string)))) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0, singleQuote: true });
}

/** -o of the verbs that print what they changed (apply, create, patch, rollout ...); checked before any change. */
export function changeOutput(o: string | undefined): string {
  const f = o ?? '';
  if (!['', 'name', 'json', 'yaml'].includes(f)) throw new CliError(`error: unable to match a printer suitable for the output format "${f}", allowed formats are: json,name,yaml`);
  return f;
}

/** What a changing verb prints: `deployment.apps/web VERB`, the bare name with -o name, the object with -o json|yaml. */
export function changedText(format: string, kind: KindInfo, obj: KubeObject, operation: string): string {
  if (format === 'json' || format === 'yaml') {
    const shown = { ...obj, metadata: { ...obj.metadata } };
    delete shown.metadata.managedFields; // as kubectl, unless --show-managed-fields
    return format === 'json' ? toJson(shown) : toYaml(shown);
  }
  const ref = `${kindRef(kind)}/${obj.metadata.name ?? ''}`;
  return format === 'name' || !operation ? `${ref}\n` : `${ref} ${operation}\n`;
}
