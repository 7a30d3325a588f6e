// Reading -f arguments as kubectl does: a file, a directory (its .json/.yaml/.yml files in lexical order, subfolders
// with -R) or `-` for stdin; multi-document YAML, JSON objects, and `kind: List` unpacked into its items.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KINDS, apiVersionOf, findByKind, type KindInfo } from '../../lib/api/kinds.js';
import { didYouMean, suggestKind } from './suggest.js';
import type { KubeObject } from '../../lib/api/types.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, all, bool } from './flags.js';

export interface Item {
  obj: KubeObject;
  kind: KindInfo;
  namespace: string | undefined;
  source: string;
}

const EXTS = ['.json', '.yaml', '.yml'];

function files(path: string, recursive: boolean, top = true): string[] {
  if (path === '-') return ['-'];
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new CliError(`error: the path "${path}" does not exist`);
  }
  if (!st.isDirectory()) return [path];
  if (!top && !recursive) return [];
  return readdirSync(path).sort().flatMap((n) => {
    const p = join(path, n);
    if (statSync(p).isDirectory()) return files(p, recursive, false);
    return EXTS.some((e) => n.endsWith(e)) ? [p] : [];
  });
}

/**
 * YAML is read with YAML 1.1's rules, as kubectl reads it (`y`, `on` are booleans, `0755` is octal), so a manifest
 * means the same thing to both. A syntax error names the file, line and column, and shows the line.
 */
function parse(text: string, source: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text, { schema: 'yaml-1.1' })) {
    const err = doc.errors[0];
    if (err) {
      const [what, frame] = err.message.split(/ at line \d+, column \d+:\n/);
      const at = err.linePos?.[0];
      throw new CliError(`error: error parsing ${source}:${at ? `${at.line}:${at.col}` : ''}: ${what}${frame ? `\n${frame.replace(/\n+$/, '')}` : ''}`);
    }
    const v = doc.toJS() as KubeObject & { items?: KubeObject[] };
    if (v === null || v === undefined) continue;
    if (typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) out.push(...v.items);
    else out.push(v);
  }
  return out;
}

/** Every object named by -f, with its kind resolved and its namespace settled (-n, else the context's). */
export function readItems(ctx: Ctx, paths: string[], recursive: boolean): Item[] {
  if (!paths.length) throw new CliError('error: must specify one of -f and -k');
  const items: Item[] = [];
  for (const f of paths.flatMap((p) => files(p, recursive))) {
    const text = f === '-' ? readFileSync(0, 'utf8') : readFileSync(f, 'utf8');
    const source = f === '-' ? 'STDIN' : f;
    for (const obj of parse(text, source)) {
      const name = obj.metadata?.name ?? '';
      if (!obj.apiVersion || !obj.kind) throw new CliError(`error: error validating "${source}": error validating data: [apiVersion not set, kind not set]`);
      const kind = findByKind(obj.apiVersion, obj.kind);
      if (!kind) {
        const near = suggestKind(obj.kind);
        throw new CliError(`error: resource mapping not found for name: "${name}" namespace: "${obj.metadata?.namespace ?? ''}" from "${source}": no matches for kind "${obj.kind}" in version "${obj.apiVersion}"\nensure CRDs are installed first${didYouMean(near.map((k) => `kind: ${k} (apiVersion: ${apiVersionOf(KINDS.find((x) => x.kind === k) as KindInfo)})`))}`);
      }
      let namespace: string | undefined;
      if (kind.namespaced) {
        const own = obj.metadata?.namespace;
        if (own && ctx.explicitNs && own !== ctx.namespace) {
          throw new CliError(`error: the namespace from the provided object "${own}" does not match the namespace "${ctx.namespace}". You must pass '--namespace=${own}' to perform this operation.`);
        }
        namespace = own || ctx.namespace;
        // kubectl writes the namespace into the object, so it is part of last-applied too.
        obj.metadata = { ...obj.metadata, namespace } as KubeObject['metadata'];
      }
      items.push({ obj, kind, namespace, source });
    }
  }
  return items;
}

/** The objects of `-f` for commands that take no positional arguments (apply, create -f). */
export function itemsFromFlags(ctx: Ctx, p: Parsed): Item[] {
  if (p.args.length) throw new CliError(`error: Unexpected args: [${p.args.join(' ')}]`);
  return readItems(ctx, all(p, 'filename'), bool(p, 'recursive'));
}
