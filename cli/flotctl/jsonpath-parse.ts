// Parsing kubectl's JSONPath templates into nodes, with the parser's own error texts (`unclosed action`,
// `unterminated array`, ...): text outside `{}` is printed as is; inside, fields, indexes/slices, unions, dict keys,
// filters, `..`, quoted strings, numbers, booleans and the identifiers range/end.

/** A number written with a decimal point in a template: Go parses it as float64, never equal to an int64 field. */
export class GoFloat {
  constructor(readonly v: number) {}
}

export type Params = [{ v: number; known: boolean; derived?: boolean }, { v: number; known: boolean; derived?: boolean }, { v: number; known: boolean }];
export type PathNode =
  | { t: 'text'; text: string }
  | { t: 'list'; nodes: PathNode[] }
  | { t: 'field'; name: string }
  | { t: 'ident'; name: string }
  | { t: 'array'; params: Params }
  | { t: 'filter'; left: PathNode[]; right: PathNode[]; op: string }
  | { t: 'lit'; v: unknown }
  | { t: 'wildcard' }
  | { t: 'recursive' }
  | { t: 'union'; lists: PathNode[][] };

const isTerminator = (c: string) => c === '' || ' \t\r\n.,[]$@{}'.includes(c);
const isAlnum = (c: string) => c !== '' && /^[\p{L}\p{Nd}_]$/u.test(c);

export class Parser {
  pos = 0;
  start = 0;
  constructor(readonly input: string) {}
  next(): string {
    if (this.pos >= this.input.length) return '';
    const c = String.fromCodePoint(this.input.codePointAt(this.pos) as number);
    this.pos += c.length;
    return c;
  }
  peek(): string {
    const p = this.pos;
    const c = this.next();
    this.pos = p;
    return c;
  }
  take(): string {
    const s = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return s;
  }
  rest = () => this.input.slice(this.pos);

  /** Text and `{...}` actions at the top level. */
  parseRoot(): PathNode[] {
    const root: PathNode[] = [];
    for (;;) {
      const i = this.input.indexOf('{', this.pos);
      if (i < 0) break;
      this.pos = i;
      if (this.pos > this.start) root.push({ t: 'text', text: this.take() });
      this.pos += 1;
      this.take();
      const action: PathNode[] = [];
      root.push({ t: 'list', nodes: action });
      this.parseAction(action);
    }
    this.pos = this.input.length;
    if (this.pos > this.start) root.push({ t: 'text', text: this.take() });
    return root;
  }

  /** The inside of one action, up to and including its `}`. */
  parseAction(cur: PathNode[]): void {
    for (;;) {
      const rest = this.rest();
      if (rest.startsWith('}')) {
        this.pos += 1;
        this.take();
        return;
      }
      if (rest.startsWith('[?(')) {
        this.parseFilter(cur);
        continue;
      }
      if (rest.startsWith('..')) {
        if (cur.at(-1)?.t === 'recursive') throw new Error('invalid multiple recursive descent');
        this.pos += 2;
        this.take();
        cur.push({ t: 'recursive' });
        if (isAlnum(this.peek())) this.parseField(cur);
        continue;
      }
      const c = this.next();
      if (c === '' || c === '\r' || c === '\n') throw new Error('unclosed action');
      if (c === ' ' || c === '@' || c === '$') this.take();
      else if (c === '[') this.parseArray(cur);
      else if (c === '"' || c === "'") this.parseQuote(cur, c);
      else if (c === '.') this.parseField(cur);
      else if (c === '+' || c === '-' || /^\p{Nd}$/u.test(c)) {
        this.pos -= c.length;
        this.parseNumber(cur);
      } else if (isAlnum(c)) {
        this.pos -= c.length;
        this.parseIdentifier(cur);
      } else throw new Error(`unrecognized character in action: ${goRune(c)}`);
    }
  }

  parseIdentifier(cur: PathNode[]): void {
    while (!isTerminator(this.peek())) this.next();
    const v = this.take();
    cur.push(v === 'true' || v === 'false' ? { t: 'lit', v: v === 'true' } : { t: 'ident', name: v });
  }

  parseNumber(cur: PathNode[]): void {
    if ('+-'.includes(this.peek())) this.next();
    while (/^[0-9.]$/.test(this.peek())) this.next();
    const v = this.take();
    if (/^[+-]?\d+$/.test(v)) cur.push({ t: 'lit', v: Number(v) });
    else if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(v)) cur.push({ t: 'lit', v: new GoFloat(Number(v)) });
    else throw new Error(`cannot parse number ${v}`);
  }

  parseField(cur: PathNode[]): void {
    this.take();
    for (;;) {
      const c = this.next();
      if (c === '\\') this.next();
      else if (isTerminator(c)) {
        this.pos -= c.length;
        break;
      }
    }
    const v = this.take();
    cur.push(v === '*' ? { t: 'wildcard' } : { t: 'field', name: v.replaceAll('\\', '') });
  }

  parseQuote(cur: PathNode[], quote: string): void {
    for (;;) {
      const c = this.next();
      if (c === '' || c === '\n') throw new Error('unterminated quoted string');
      if (c === quote && this.input[this.pos - 2] !== '\\') break;
    }
    const v = this.take();
    const s = unquote(v);
    if (s === undefined) throw new Error(`unquote string ${v} error invalid syntax`);
    cur.push({ t: 'text', text: s });
  }

  parseArray(cur: PathNode[]): void {
    for (;;) {
      const c = this.next();
      if (c === '' || c === '\n') throw new Error('unterminated array');
      if (c === ']') break;
    }
    let text = this.take().slice(1, -1);
    if (text === '*') text = ':';
    const parts = text.split(',');
    if (parts.length > 1) {
      cur.push({ t: 'union', lists: parts.map((s) => subAction(`[${s.trim()}]`)) });
      return;
    }
    const key = /^'([^']*)'$/.exec(text);
    if (key) {
      cur.push(...subAction(`.${key[1]}`));
      return;
    }
    const m = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/.exec(text);
    if (!m) throw new Error(`invalid array index ${text}`);
    const raw = [m[1] ?? '', m[2] ?? '', m[3] ?? ''];
    const params = raw.map(() => ({ v: 0, known: false, derived: false })) as Params;
    raw.forEach((s, i) => {
      const p = params[i] as Params[0];
      if (s !== '') {
        const n = i > 0 ? s.slice(1) : s;
        if (i > 0 && n === '') return;
        if (!/^[+-]?\d+$/.test(n)) throw new Error(`array index ${n} is not a number`);
        p.known = true;
        p.v = Number(n);
      } else if (i === 1) {
        Object.assign(p, { known: true, v: params[0].v + 1, derived: true });
      }
    });
    cur.push({ t: 'array', params });
  }

  parseFilter(cur: PathNode[]): void {
    this.pos += 3;
    this.take();
    let begin = false;
    let end = false;
    let pair = '';
    for (;;) {
      const c = this.next();
      if (c === '' || c === '\n') throw new Error('unterminated filter');
      if (c === '"' || c === "'") {
        if (!begin) {
          begin = true;
          pair = c;
          continue;
        }
        if (this.input[this.pos - 2] !== '\\' && c === pair) end = true;
      } else if (c === ')' && begin === end) break;
    }
    if (this.next() !== ']') throw new Error('unclosed array expect ]');
    const text = this.take().slice(0, -2);
    const m = /^([^!<>=]+)([!<>=]+)(.+?)$/.exec(text);
    if (!m) cur.push({ t: 'filter', left: subAction(text), right: [], op: 'exists' });
    else cur.push({ t: 'filter', left: subAction(m[1] as string), right: subAction(m[3] as string), op: m[2] as string });
  }
}

/** Parses `text` as the inside of one action (array unions, dict keys and filter operands are parsed this way). */
function subAction(text: string): PathNode[] {
  const root = new Parser(`{${text}}`).parseRoot();
  const first = root[0];
  return first?.t === 'list' ? first.nodes : [];
}

/** `U+0021 '!'` as Go's %#U prints a rune. */
function goRune(c: string): string {
  const cp = c.codePointAt(0) as number;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c) ? `${hex} '${c}'` : hex;
}

const ESC: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };

/** Go's strconv.Unquote, extended to single-quoted strings of any length; undefined when malformed. */
function unquote(s: string): string | undefined {
  const q = s[0] as string;
  if (s.length < 2 || s.at(-1) !== q) return undefined;
  let out = '';
  const body = s.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === q) return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i] ?? '';
    if (ESC[e] !== undefined && (e === '\\' || !'\'"'.includes(e) || e === q)) out += ESC[e];
    else if (/[xuU]/.test(e)) {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return undefined;
      out += e === 'x' ? Buffer.from([parseInt(hex, 16)]).toString('latin1') : String.fromCodePoint(parseInt(hex, 16));
      i += n;
    } else if (/[0-7]/.test(e) && /^[0-7]{3}$/.test(body.slice(i, i + 3))) {
      out += String.fromCharCode(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else return undefined;
  }
  return out;
}

