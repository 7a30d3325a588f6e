// kubectl's JSONPath templates: `{.a.b}`, `{.items[*].x}`, `[0]`, `[-1:]`, `[?(@.x=="y")]`, `['a','b']`, `..`,
// `{range ...}...{end}`, quoted text, plus kubectl's output rules (results of one action joined by spaces, maps and
// arrays as compact JSON). Values are JSON as the server sent it, typed as Go's unstructured decoding types them
// (whole numbers are int64, others float64), so comparisons and errors behave as kubectl's do.
import { goString, goType } from './gofmt.js';
import { GoFloat, Parser, type Params, type PathNode } from './jsonpath-parse.js';

export { GoFloat, type PathNode } from './jsonpath-parse.js';

/** Values while evaluating: JSON values, template literals, and `undefined` for Go's nil data. */
type Val = unknown;

const isMap = (v: Val): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof GoFloat);

// ---- evaluation -------------------------------------------------------------------------------------------------

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid';
function kindOf(v: Val): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (v instanceof GoFloat) return 'float';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'invalid';
}
const num = (v: Val) => (v instanceof GoFloat ? v.v : (v as number));

function compare(op: string, a: Val, b: Val): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'invalid' || kb === 'invalid') throw new Error('invalid type for comparison');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  const x = ka === 'int' || ka === 'float' ? num(a) : (a as string | boolean);
  const y = ka === 'int' || ka === 'float' ? num(b) : (b as string | boolean);
  if (op === '==') return x === y;
  if (op === '!=') return x !== y;
  if (ka === 'bool') throw new Error('invalid type for comparison');
  if (op === '<') return x < y;
  if (op === '>') return x > y;
  if (op === '<=') return x <= y;
  if (op === '>=') return x >= y;
  throw new Error(`unrecognized filter operator ${op}`);
}

/** The children Go's reflection sees: map values (in sorted key order), array items, a string's bytes. */
function children(v: Val): Val[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...Buffer.from(v, 'utf8')];
  if (isMap(v)) return Object.keys(v).sort().map((k) => v[k]);
  return [];
}

class Exec {
  private beginRange = 0;
  private inRange = 0;
  private endRange = 0;
  private lastEnd = -1;
  constructor(readonly root: PathNode[], readonly allowMissing: boolean) {}

  /** One result list per top-level node (text or action), with range bodies repeated per element. */
  find(data: Val, from = 0): Val[][] {
    const full: Val[][] = [];
    for (let i = from; i < this.root.length; i++) {
      const results = this.walk([data], this.root[i] as PathNode);
      if (this.endRange > 0 && this.endRange <= this.inRange) {
        this.endRange--;
        this.lastEnd = i;
        break;
      }
      if (this.beginRange > 0) {
        this.beginRange--;
        this.inRange++;
        if (results.length) for (const v of results) full.push(...this.find(v, i + 1));
        else this.find(undefined, i + 1);
        this.inRange--;
        for (let k = i + 1; k < this.root.length; k++) {
          if (k === this.lastEnd) {
            i = k;
            break;
          }
        }
        continue;
      }
      full.push(results);
    }
    return full;
  }

  walk(input: Val[], n: PathNode): Val[] {
    switch (n.t) {
      case 'list':
        return n.nodes.reduce((cur, c) => this.walk(cur, c), input);
      case 'text':
        return [n.text];
      case 'lit':
        return input.map(() => n.v);
      case 'field':
        return this.field(input, n.name);
      case 'ident':
        if (n.name === 'range') {
          this.beginRange++;
          return input;
        }
        if (n.name === 'end') {
          if (this.inRange > 0) {
            this.endRange++;
            return [];
          }
          throw new Error('not in range, nothing to end');
        }
        throw new Error(`unrecognized identifier ${n.name}`);
      case 'array':
        return input.flatMap((v) => slice(v, n.params));
      case 'filter':
        return this.filter(input, n);
      case 'wildcard':
        return input.flatMap(children);
      case 'recursive':
        return this.recursive(input);
      case 'union':
        return n.lists.flatMap((l) => l.reduce((cur, c) => this.walk(cur, c), input));
    }
  }

  field(input: Val[], name: string): Val[] {
    if (!input.length) return [];
    const out: Val[] = [];
    for (const v of input) if (isMap(v) && Object.hasOwn(v, name)) out.push(v[name]);
    if (!out.length && !this.allowMissing) throw new Error(`${name} is not found`);
    return out;
  }

  recursive(input: Val[]): Val[] {
    const out: Val[] = [];
    for (const v of input) {
      if (v === null || v === undefined) continue;
      const kids = children(v);
      if (kids.length) out.push(v, ...this.recursive(kids));
    }
    return out;
  }

  filter(input: Val[], n: Extract<PathNode, { t: 'filter' }>): Val[] {
    const out: Val[] = [];
    for (const v of input) {
      if (!Array.isArray(v)) throw new Error(`${v === null || v === undefined ? '<nil>' : goString(v)} is not array or slice and cannot be filtered`);
      for (const item of v) {
        const evalSide = (side: PathNode[]) => side.reduce((cur, c) => this.walk(cur, c), [item] as Val[]);
        if (n.op === 'exists') {
          let lefts: Val[] = [];
          try {
            lefts = evalSide(n.left);
          } catch {
            lefts = [];
          }
          if (lefts.length) out.push(item);
          continue;
        }
        const lefts = evalSide(n.left);
        if (!lefts.length) continue;
        if (lefts.length > 1) throw new Error('can only compare one element at a time');
        const rights = evalSide(n.right);
        if (!rights.length) continue;
        if (rights.length > 1) throw new Error('can only compare one element at a time');
        if (compare(n.op, lefts[0], rights[0])) out.push(item);
      }
    }
    return out;
  }
}

function slice(v: Val, params: Params): Val[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`${goType(v)} is not array or slice`);
  const len = v.length;
  const [p0, p1, p2] = params;
  let start = p0.known ? p0.v : 0;
  if (start < 0) start += len;
  let end = p1.known ? p1.v : len;
  if (end < 0 || (end === 0 && p1.derived)) end += len;
  if (end === start) return [];
  if (start >= len || start < 0) throw new Error(`array index out of bounds: index ${start}, length ${len}`);
  if (end > len || end < 0) throw new Error(`array index out of bounds: index ${end - 1}, length ${len}`);
  if (start > end) throw new Error(`starting index ${start} is greater than ending index ${end}`);
  let step = 1;
  if (p2.known) {
    if (p2.v <= 0) throw new Error('step must be > 0');
    step = p2.v;
  }
  const out: Val[] = [];
  for (let i = start; i < end; i += step) out.push(v[i]);
  return out;
}

// ---- printing ---------------------------------------------------------------------------------------------------

/** Go's json.Marshal of a decoded value: sorted keys, no spaces, <, > and & escaped. */
export function goJson(v: Val, indent = 0): string {
  const sorted = (x: Val): Val => (Array.isArray(x) ? x.map(sorted) : isMap(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k,
    sorted(x[k])])) : x instanceof GoFloat ? x.v : x);
  return (JSON.stringify(sorted(v), null, indent) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One value as a jsonpath template prints it: maps and arrays as JSON, scalars as Go's fmt.Print does. */
export function textOf(v: Val): string {
  if (Array.isArray(v) || isMap(v)) return goJson(v);
  if (v === null || v === undefined) return 'null';
  return goString(v);
}

export interface Template {
  raw: string;
  root: PathNode[];
}

/** Parses a template; throws the parser's own message (`unclosed action`), as kubectl words it after its prefix. */
export function parseJsonPath(text: string): Template {
  return { raw: text, root: new Parser(text).parseRoot() };
}

/** The result lists of a template over data (the engine behind -o jsonpath, custom-columns and --sort-by). */
export function findResults(t: Template, data: Val, allowMissing = true): Val[][] {
  return new Exec(t.root, allowMissing).find(data);
}

/** What `-o jsonpath` prints for data; `asJson` is jsonpath-as-json (each result list as an indented JSON array). */
export function executeJsonPath(t: Template, data: Val, allowMissing = true, asJson = false): string {
  return findResults(t, data, allowMissing)
    .map((r) => (asJson ? goJson(r, 4) + '\n' : r.map(textOf).join(' ')))
    .join('');
}
