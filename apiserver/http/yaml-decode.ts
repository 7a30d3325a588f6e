// YAML request bodies: one document, aliases bounded, nesting bounded before the parser sees it, and repeated keys
// reported in the words of Kubernetes' YAML decoder (`line 5: key "name" already set in map`).
//
// The yaml package recurses once per nesting level and overflows near 800 levels; worse, 3 MiB of `[` kept it busy
// for 78 s and `a: [[[...` ran the process out of memory. Its lexer, though, streams tokens without recursion, so
// a first pass over the tokens bounds the depth (indentation plus block indicators plus open flow collections, an
// over-estimate) and stops at the limit, before anything expensive runs.
import { CST, Lexer, LineCounter, isAlias, isMap, isNode, isScalar, parseDocument, visit } from 'yaml';

export class YamlDecodeError extends Error {}

/** An upper bound of the document's nesting depth, or limit + 1 as soon as it is exceeded. */
export function yamlDepthBound(text: string, limit: number): number {
  let flow = 0;
  let line = 0; // indentation plus block indicators on the current line
  let atLineStart = true;
  let max = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (atLineStart) {
      atLineStart = false;
      line = type === 'space' ? token.length : 0;
    }
    switch (type) {
      case 'flow-map-start':
      case 'flow-seq-start':
        flow++;
        break;
      case 'flow-map-end':
      case 'flow-seq-end':
        if (flow > 0) flow--;
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
      case 'map-value-ind':
        line++;
        break;
      default:
    }
    const bound = line + flow + 1;
    if (bound > max) {
      max = bound;
      if (max > limit) return limit + 1;
    }
    if (type === 'newline' || (type !== 'space' && token.includes('\n'))) atLineStart = true;
  }
  return max;
}

export interface DecodedYaml {
  value: unknown;
  /** `line N: key "k" already set in map`, one per repeated key, in document order. */
  duplicates: string[];
}

export function decodeYaml(text: string, limit: number): DecodedYaml {
  if (yamlDepthBound(text, limit) > limit) throw new YamlDecodeError(`yaml: exceeded max depth of ${limit}`);
  const lineCounter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, lineCounter });
  } catch (e) {
    throw new YamlDecodeError(tidy((e as Error).message));
  }
  const first = doc.errors[0];
  if (first) throw new YamlDecodeError(tidy(first.message));
  const duplicates: Array<{ line: number; message: string }> = [];
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Set<string>();
      for (const pair of map.items) {
        const k = pair.key;
        // JSON has string keys only; Kubernetes refuses a collection (or alias) as a key rather than stringify it
        const scalarKey = isScalar(k) || (isAlias(k) && isScalar(k.resolve(doc)));
        if (isNode(k) && !scalarKey) throw new YamlDecodeError(`yaml: line ${lineCounter.linePos(k.range?.[0] ?? 0).line}: a map key must be a string, number or boolean`);
        if (!isScalar(k)) continue;
        const name = String(k.value);
        if (seen.has(name)) {
          const line = lineCounter.linePos(k.range?.[0] ?? 0).line;
          duplicates.push({ line, message: `line ${line}: key ${JSON.stringify(name)} already set in map` });
        }
        seen.add(name);
      }
    },
  });
  try {
    // the visit goes map by map; the decoder reports in line order
    const ordered = duplicates.sort((x, y) => x.line - y.line).map((d) => d.message);
    return { value: doc.toJS({ maxAliasCount: 100 }), duplicates: ordered };
  } catch (e) {
    throw new YamlDecodeError(tidy((e as Error).message));
  }
}

/** The parser's first line, without its stack-overflow wording (that is the depth limit, said plainly). */
function tidy(message: string): string {
  const first = message.split('\n')[0] ?? '';
  return /Maximum call stack size exceeded/.test(first) ? 'yaml: the document nests too deeply to parse' : first;
}
