// Label selectors: the string form (`a=b,c!=d,e in (f,g),!h,i,j>3`) parsed with Kubernetes' grammar and error
// messages, the structured form (matchLabels + matchExpressions) validated like the API server does, matching, and
// printing (requirements sorted by key, set values sorted).
import { getOwn, hasOwn } from '../own.js';
import type { LabelSelector } from '../types.js';
import { aggregate, goStringList, invalid, labelKeyErrors, labelValueErrors, validateLabelKey } from './validation.js';

export type Operator = 'Equals' | 'DoubleEquals' | 'NotEquals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'GreaterThan' | 'LessThan';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

/** Requirements ANDed together; an empty list matches everything. */
export type LabelSelectorParsed = Requirement[];

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

type Tok = 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';
interface Token {
  tok: Tok;
  lit: string;
}

const KEYWORDS: Record<string, Tok> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(' };
const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && WHITESPACE.has(s[i] as string)) i++;
    if (i >= s.length) {
      out.push({ tok: 'end', lit: '' });
      return out;
    }
    if (SPECIAL.has(s[i] as string)) {
      // Longest run of special characters that still spells an operator.
      let lit = s[i] as string;
      i++;
      while (i < s.length && SPECIAL.has(s[i] as string) && KEYWORDS[lit + s[i]] !== undefined) lit += s[i++];
      out.push({ tok: KEYWORDS[lit] as Tok, lit });
      continue;
    }
    let lit = '';
    while (i < s.length && !SPECIAL.has(s[i] as string) && !WHITESPACE.has(s[i] as string)) lit += s[i++];
    out.push({ tok: lit === 'in' || lit === 'notin' ? (lit as Tok) : 'id', lit });
  }
}

/** A requirement-level failure; `parse` wraps it as "unable to parse requirement: ...". */
class RequirementError extends Error {}

/** Kubernetes' NewRequirement checks, with its field paths (`key`, `values`, `values[0][app]`). */
function newRequirement(key: string, operator: Operator, values: string[]): Requirement {
  const errs: string[] = [];
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length) errs.push(invalid('key', JSON.stringify(key), keyErrs.join('; ')));
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (!values.length) errs.push(invalid('values', goStringList(values), "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case 'Equals':
    case 'DoubleEquals':
    case 'NotEquals':
      if (values.length !== 1) errs.push(invalid('values', goStringList(values), 'exact-match compatibility requires one single value'));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length) errs.push(invalid('values', goStringList(values), 'values set must be empty for exists and does not exist'));
      break;
    case 'GreaterThan':
    case 'LessThan':
      if (values.length !== 1) errs.push(invalid('values', goStringList(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalid(`values[${i}]`, JSON.stringify(v), "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrs = labelValueErrors(v);
    if (valueErrs.length) errs.push(invalid(`values[${i}][${key}]`, JSON.stringify(v), valueErrs.join('; ')));
  });
  if (errs.length) throw new RequirementError(aggregate(errs));
  return { key, operator, values };
}

function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

class Parser {
  private pos = 0;
  constructor(private readonly items: Token[]) {}

  /** In value position the keywords `in` and `notin` are plain identifiers. */
  private view(t: Token, values: boolean): Token {
    return values && (t.tok === 'in' || t.tok === 'notin') ? { tok: 'id', lit: t.lit } : t;
  }
  look(values = true): Token {
    return this.view(this.items[this.pos] as Token, values);
  }
  next(values = true): Token {
    return this.view(this.items[this.pos++] as Token, values);
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.look();
      if (tok === 'end') return reqs;
      if (tok !== 'id' && tok !== '!') throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (e) {
        if (e instanceof RequirementError) throw new SelectorError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const after = this.next();
      if (after.tok === 'end') return reqs;
      if (after.tok !== ',') throw new SelectorError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const t = this.look();
      if (t.tok !== 'id' && t.tok !== '!') throw new SelectorError(`found '${t.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let operator: Operator | undefined;
    let t = this.next();
    if (t.tok === '!') {
      operator = 'DoesNotExist';
      t = this.next();
    }
    if (t.tok !== 'id') throw new RequirementError(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const keyError = validateLabelKey(key);
    if (keyError) throw new RequirementError(keyError);
    const ahead = this.look().tok;
    if (operator === 'DoesNotExist' || ahead === 'end' || ahead === ',') return newRequirement(key, operator ?? 'Exists', []);
    const op = this.next(false);
    const ops: Partial<Record<Tok, Operator>> = { in: 'In', notin: 'NotIn', '=': 'Equals', '==': 'DoubleEquals', '!=': 'NotEquals', '>': 'GreaterThan', '<': 'LessThan' };
    operator = ops[op.tok];
    if (!operator) throw new RequirementError(`found '${op.lit}', expected: ${BINARY_OPERATORS}`);
    const values = operator === 'In' || operator === 'NotIn' ? this.valueSet() : this.exactValue();
    return newRequirement(key, operator, [...values].sort());
  }

  private valueSet(): Set<string> {
    const open = this.next();
    if (open.tok !== '(') throw new RequirementError(`found '${open.lit}' expected: '('`);
    const first = this.look();
    if (first.tok === ')') {
      this.next();
      return new Set(['']);
    }
    if (first.tok !== 'id' && first.tok !== ',') throw new RequirementError(`found '${first.lit}', expected: ',', ')' or identifier`);
    const set = this.identifiers();
    if (this.next().tok !== ')') throw new RequirementError(`found '${first.lit}', expected: ')'`);
    return set;
  }

  /** A comma-separated list in which empty entries stand for the empty value: `(a,,b)`, `(,a)`, `(a,)`. */
  private identifiers(): Set<string> {
    const set = new Set<string>();
    for (;;) {
      const t = this.next();
      if (t.tok === 'id') {
        set.add(t.lit);
        const n = this.look();
        if (n.tok === ')') return set;
        if (n.tok !== ',') throw new RequirementError(`found '${n.lit}', expected: ',' or ')'`);
      } else if (t.tok === ',') {
        if (!set.size) set.add('');
        const n = this.look();
        if (n.tok === ')') {
          set.add('');
          return set;
        }
        if (n.tok === ',') set.add('');
      } else {
        throw new RequirementError(`found '${t.lit}', expected: ',', or identifier`);
      }
    }
  }

  private exactValue(): Set<string> {
    const ahead = this.look().tok;
    if (ahead === 'end' || ahead === ',') return new Set(['']);
    const t = this.next();
    if (t.tok === 'id') return new Set([t.lit]);
    throw new RequirementError(`found '${t.lit}', expected: identifier`);
  }
}

const byKey = (reqs: Requirement[]) => reqs.map((r, i) => ({ r, i }))
  .sort((a, b) => (a.r.key < b.r.key ? -1 : a.r.key > b.r.key ? 1 : a.i - b.i)).map((x) => x.r);

/** Parses a label selector string; throws SelectorError with the API server's message. */
export function parseLabelSelector(s: string): LabelSelectorParsed {
  return byKey(new Parser(lex(s)).parse());
}

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = hasOwn(labels, r.key);
  const v = getOwn(labels, r.key) as string;
  switch (r.operator) {
    case 'In':
    case 'Equals':
    case 'DoubleEquals':
      return has && r.values.includes(v);
    case 'NotIn':
    case 'NotEquals':
      return !has || !r.values.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'GreaterThan':
    case 'LessThan': {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(v);
      const bound = parseInt64(r.values[0] as string);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'GreaterThan' ? actual > bound : actual < bound;
    }
  }
}

export function matchesLabels(sel: LabelSelectorParsed, labels: Record<string, string> | undefined): boolean {
  return sel.every((r) => requirementMatches(r, labels ?? {}));
}

const EXPRESSION_OPERATORS: Record<string, Operator> = { In: 'In', NotIn: 'NotIn', Exists: 'Exists', DoesNotExist: 'DoesNotExist' };

/**
 * The structured selector of Deployments, ReplicaSets, affinity terms...: matchLabels become `key=value`, expressions
 * In/NotIn/Exists/DoesNotExist; validated like the API server does. An empty selector matches everything; a missing
 * one (null) matches nothing, which callers must check themselves (see matchesLabelSelector).
 */
export function labelSelectorFromObject(sel: LabelSelector): LabelSelectorParsed {
  const reqs: Requirement[] = [];
  try {
    // the selector may come straight from a request body: every part is checked for its type before use
    const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (!isMap(sel)) throw new RequirementError('a label selector must be an object');
    const labels: unknown = sel.matchLabels ?? {};
    if (!isMap(labels)) throw new RequirementError('matchLabels must be a map of strings');
    for (const k of Object.keys(labels).sort()) reqs.push(newRequirement(k, 'Equals', [String(getOwn(labels, k))]));
    const exprs: unknown = sel.matchExpressions ?? [];
    if (!Array.isArray(exprs)) throw new RequirementError('matchExpressions must be a list');
    for (const e of exprs as unknown[]) {
      if (!isMap(e)) throw new RequirementError('a match expression must be an object');
      const op = typeof e.operator === 'string' ? getOwn(EXPRESSION_OPERATORS, e.operator) : undefined;
      if (!op) throw new RequirementError(`${JSON.stringify(e.operator ?? '')} is not a valid label selector operator`);
      const values: unknown = e.values ?? [];
      if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) throw new RequirementError('values must be a list of strings');
      reqs.push(newRequirement(typeof e.key === 'string' ? e.key : '', op, [...(values as string[])]));
    }
  } catch (e) {
    if (e instanceof RequirementError) throw new SelectorError(e.message);
    throw e;
  }
  return byKey(reqs);
}

/** Whether an object's labels match a structured selector; a missing selector matches nothing. */
export function matchesLabelSelector(sel: LabelSelector | null | undefined, labels: Record<string, string> | undefined): boolean {
  return sel ? matchesLabels(labelSelectorFromObject(sel), labels) : false;
}

/** A selector requiring exactly these labels (a Service's or ReplicationController's selector), unvalidated. */
export function selectorFromSet(set: Record<string, string> | undefined): LabelSelectorParsed {
  return Object.keys(set ?? {}).sort().map((key) => ({ key, operator: 'Equals', values: [String(set?.[key])] }));
}

const SYMBOL: Record<Operator, string> = { Equals: '=', DoubleEquals: '==', NotEquals: '!=', In: ' in ', NotIn: ' notin ', GreaterThan: '>', LessThan: '<', Exists: '', DoesNotExist: '' };

function requirementString(r: Requirement): string {
  if (r.operator === 'Exists') return r.key;
  if (r.operator === 'DoesNotExist') return `!${r.key}`;
  const values = r.values.length === 1 ? (r.values[0] as string) : [...r.values].sort().join(',');
  return r.operator === 'In' || r.operator === 'NotIn' ? `${r.key}${SYMBOL[r.operator]}(${values})` : `${r.key}${SYMBOL[r.operator]}${values}`;
}

/** The canonical string form, as Kubernetes prints selectors. */
export function labelSelectorToString(sel: LabelSelectorParsed): string {
  return sel.map(requirementString).join(',');
}

/** `a=1,b=2` with keys sorted, or `<none>` (Kubernetes' FormatLabels). */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const s = Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(',');
  return s || '<none>';
}

/** A structured selector as kubectl shows it: its string form, `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(sel: LabelSelector | null | undefined): string {
  if (!sel) return '<none>';
  try {
    return labelSelectorToString(labelSelectorFromObject(sel)) || '<none>';
  } catch {
    return '<error>';
  }
}
