// One compose file: parsed with node positions kept, every string scalar interpolated in place (so an error in a
// variable names the line it is on), then turned into plain data. `lineOf` maps a path in the data back to a line,
// which the schema check uses to point at the offending key.
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { ComposeError } from './errors.js';
import { type Env, interpolate, InterpolationError } from './interpolate.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface ParsedFile {
  file: string;
  data: JsonObject;
  lineOf(path: (string | number)[]): number | undefined;
}

function serviceOf(path: readonly unknown[]): string | undefined {
  // visit's path is the chain of ancestors: Document, Map, Pair(services), Map, Pair(name), ...
  const keys = path.filter((n): n is { key: unknown } => typeof n === 'object' && n !== null && 'key' in n).map((p) => (isScalar(p.key) ? String(p.key.value) : ''));
  return keys[0] === 'services' ? keys[1] : undefined;
}

export function parseComposeText(text: string, file: string, env: Env): ParsedFile {
  const lc = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lc, uniqueKeys: true, merge: true });
  const err = doc.errors[0];
  if (err) throw new ComposeError({ file, line: err.linePos?.[0].line }, err.message.split('\n')[0] as string);
  const line = (n: Node | null | undefined) => (n?.range ? lc.linePos(n.range[0]).line : undefined);
  visit(doc, {
    Scalar(key, node, path) {
      if (key === 'key' || typeof node.value !== 'string') return;
      try {
        node.value = interpolate(node.value, env);
      } catch (e) {
        if (e instanceof InterpolationError) throw new ComposeError({ file, line: line(node), service: serviceOf(path) }, e.message);
        throw e;
      }
    },
  });
  const data = (doc.toJS({ maxAliasCount: 1000 }) ?? {}) as Json;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ComposeError({ file, line: 1 }, 'Top-level object must be a mapping');
  return {
    file,
    data,
    lineOf(path) {
      // the deepest node that exists along the path: an error about a missing key points at its parent
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n), true) as Node | undefined;
        if (node && (isMap(node) || isSeq(node) || isScalar(node))) {
          if (n < path.length) return line(node);
          // a key's line is where the key is written, which for a block mapping is the line before its value
          const parent = doc.getIn(path.slice(0, n - 1), true);
          if (isMap(parent)) {
            const pair = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === String(path[n - 1]));
            if (pair && isScalar(pair.key)) return line(pair.key);
          }
          return line(node);
        }
      }
      return undefined;
    },
  };
}

export function parseComposeFile(file: string, env: Env): ParsedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ComposeError({ file }, `cannot read the file: ${(e as Error).message}`);
  }
  return parseComposeText(text, file, env);
}
