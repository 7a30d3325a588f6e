// `-o custom-columns=NAME:.metadata.name,...` and `-o custom-columns-file=FILE` as kubectl prints them, and
// `--sort-by`.
import { readFileSync } from 'node:fs';
import { CliError } from './context.js';
import { goFileError, goQuote, goString } from './gofmt.js';
import { findResults, parseJsonPath } from './jsonpath.js';
import { parseQuantity } from '../../lib/api/quantity.js';

export interface Column {
  header: string;
  /** A full template, `{.metadata.name}`. */
  path: string;
}

const RELAXED = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/;

/** `metadata.name`, `.metadata.name`, `{metadata.name}` and `{.metadata.name}` all mean `{.metadata.name}`. */
export function relaxedPath(s: string): string {
  if (!s) return s;
  const m = RELAXED.exec(s);
  if (!m) throw new CliError("error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  return `{.${m[1] || m[2]}}`;
}

/** The columns of `-o custom-columns=SPEC`. */
export function columnsFromSpec(spec: string): Column[] {
  if (!spec) throw new CliError('error: custom-columns format specified but no custom columns given');
  return spec.split(',').map((part) => {
    const i = part.indexOf(':');
    if (i < 0) throw new CliError(`error: unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return { header: part.slice(0, i), path: relaxedPath(part.slice(i + 1)) };
  });
}

/** The columns of `-o custom-columns-file=FILE`: a line of headers and a line of paths, both whitespace separated. */
export function columnsFromFile(file: string): Column[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`error: error reading template ${file}, ${goFileError(e, file)}`);
  }
  const lines = text.split('\n');
  const format = 'Expected format is one line of space separated headers, one line of space separated column specs.';
  if (lines.length < 1 || (lines.length === 1 && lines[0] === '')) throw new CliError(`error: invalid template, missing header line. ${format}`);
  if (lines.length < 2 || (lines.length === 2 && lines[1] === '')) throw new CliError(`error: invalid template, missing spec line. ${format}`);
  const words = (l: string) => l.split(/\s+/).filter(Boolean);
  const headers = words((lines[0] as string).replace(/\r$/, ''));
  const specs = words((lines[1] as string).replace(/\r$/, ''));
  if (headers.length !== specs.length) throw new CliError(`error: number of headers (${headers.length}) and field specifications (${specs.length}) don't match`);
  return headers.map((header, i) => ({ header, path: relaxedPath(specs[i] as string) }));
}

/** kubectl's EscapeTerminal: a cell cannot move the cursor or start an escape sequence. */
const escapeTerminal = (s: string) => s.replaceAll('\x1b', '^[').replaceAll('\r', '\\r');

/**
 * The lines (tab-separated) for objects under custom columns: the header unless noHeaders, then one line per object.
 * A column whose path does not parse fails after the header, as kubectl's does; the error is returned with the
 * lines printed before it.
 */
export function columnLines(cols: Column[], objects: unknown[], noHeaders: boolean): { text: string; error?: CliError } {
  let text = noHeaders ? '' : cols.map((c) => c.header).join('\t') + '\n';
  try {
    const parsed = cols.map((c) => parseJsonPath(c.path));
    for (const o of objects) {
      const cells = parsed.map((t) => {
        const groups = findResults(t, o, true);
        if (!groups.length || !groups[0]?.length) return '<none>';
        return groups.flat().map((v) => escapeTerminal(goString(v))).join(',');
      });
      text += cells.join('\t') + '\n';
    }
  } catch (e) {
    return { text, error: e instanceof CliError ? e : new CliError(`error: ${(e as Error).message}`) };
  }
  return { text };
}

// ---- --sort-by --------------------------------------------------------------------------------------------------

type SortKey = unknown;

function less(a: SortKey, b: SortKey): boolean {
  if (a === null || a === undefined) return b !== null && b !== undefined;
  if (b === null || b === undefined) return false;
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a === 'string' && typeof b === 'string') {
    const qa = parseQuantity(a);
    const qb = parseQuantity(b);
    return qa !== undefined && qb !== undefined ? qa < qb : a < b;
  }
  if (typeof a === typeof b && (typeof a === 'boolean' || typeof a === 'object')) throw new CliError(`error: Field is an unsortable type: ${Array.isArray(a) ? '[]interface {}' : typeof a === 'boolean' ? 'bool' : 'map[string]interface {}'}`);
  return false;
}

/**
 * Orders objects by a --sort-by path, as kubectl does: objects without the field first, numbers by value, strings
 * that are quantities by amount, other strings by bytes. Returns the order as indexes into `objects`.
 */
export function sortOrder(objects: unknown[], sortBy: string): number[] {
  let field: string;
  try {
    field = relaxedPath(sortBy);
  } catch {
    field = sortBy;
  }
  let t;
  try {
    t = parseJsonPath(field);
  } catch (e) {
    throw new CliError(`error: ${(e as Error).message}`);
  }
  const keys = objects.map((o) => {
    const r = findResults(t, o, true);
    return r[0]?.length ? { found: true, v: r[0][0] } : { found: false, v: undefined };
  });
  if (objects.length > 0 && !keys.some((k) => k.found)) throw new CliError(`error: couldn't find any field with path ${goQuote(field)} in the list of objects`);
  const idx = objects.map((_, i) => i);
  // kubectl's Less: an object without the field sorts before anything. Go sorts short lists by insertion, which this
  // reproduces exactly (including how it orders several objects that lack the field).
  const lt = (i: number, j: number) => {
    const a = keys[i] as { found: boolean; v: unknown };
    const b = keys[j] as { found: boolean; v: unknown };
    if (!a.found) return true;
    if (!b.found) return false;
    return less(a.v, b.v);
  };
  for (let i = 1; i < idx.length; i++) {
    for (let j = i; j > 0 && lt(idx[j] as number, idx[j - 1] as number); j--) [idx[j], idx[j - 1]] = [idx[j - 1] as number, idx[j] as number];
  }
  return idx;
}
