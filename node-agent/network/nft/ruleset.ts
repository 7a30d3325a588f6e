// A table's desired content as data (chains with their rules, sets and maps with their elements) and the nft
// transaction that takes the kernel from one such state to the next. The proxy and network policy compute a Ruleset
// from their model; this file turns it into one `nft -f` script, so every sync is one atomic kernel transaction:
// packets see the old rules or the new ones, never a half-written table.
//
// The first sync (or one after a failure) replaces the whole table (`add table; delete table; add table ...` in one
// transaction). Later syncs send only the difference: new objects, rewritten chains (flushed and refilled), element
// deltas, deleted objects. That keeps a one-endpoint change at 1,000 Services a few lines instead of the whole table,
// and leaves the kernel's dynamic sets (session affinity) alone.

export type Family = 'ip' | 'ip6';

/** How a base chain hooks into netfilter. */
export interface BaseChain {
  type: 'filter' | 'nat';
  hook: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
  /** A number or a standard name (`dstnat`, `srcnat`, `filter`, `filter - 5`...). */
  priority: string;
}

export interface Chain {
  base?: BaseChain;
  /** Rule statements, in order (`ip saddr 10.0.0.1 jump mark-for-masquerade`). */
  rules: string[];
}

/** A named set or map. */
export interface NamedSet {
  /** Declarations inside the braces: `type ipv4_addr . inet_proto . inet_service : verdict`, `flags interval`. */
  spec: string[];
  /** Keys (sets) or key -> value (maps). A set's values are ''. */
  elements: Map<string, string>;
  /** Elements are written by the kernel (`update @set`), never by us: a sync leaves them alone. */
  dynamic?: boolean;
}

export interface Ruleset {
  family: Family;
  table: string;
  comment?: string;
  chains: Map<string, Chain>;
  sets: Map<string, NamedSet>;
}

export function emptyRuleset(family: Family, table: string, comment?: string): Ruleset {
  return { family, table, comment, chains: new Map(), sets: new Map() };
}

/** Adds (or extends) a chain and returns its rule list. */
export function chain(rs: Ruleset, name: string, base?: BaseChain): string[] {
  let c = rs.chains.get(name);
  if (!c) {
    c = { base, rules: [] };
    rs.chains.set(name, c);
  }
  return c.rules;
}

/** Adds a named set or map (idempotent) and returns its elements. */
export function set(rs: Ruleset, name: string, spec: string[], dynamic = false): Map<string, string> {
  let s = rs.sets.get(name);
  if (!s) {
    s = { spec, elements: new Map(), dynamic };
    rs.sets.set(name, s);
  }
  return s.elements;
}

/** Elements are added this many per `add element` command: long enough to be fast, short enough to read errors. */
const ELEMENTS_PER_LINE = 500;

function chainDecl(rs: Ruleset, name: string, c: Chain): string {
  const head = `add chain ${rs.family} ${rs.table} ${name}`;
  return c.base ? `${head} { type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority}; policy accept; }` : head;
}

function isMap(s: NamedSet): boolean {
  return s.spec.some((d) => d.startsWith('type ') && d.includes(' : '));
}

function setDecl(rs: Ruleset, name: string, s: NamedSet): string {
  return `add ${isMap(s) ? 'map' : 'set'} ${rs.family} ${rs.table} ${name} { ${s.spec.map((d) => `${d}; `).join('')}}`;
}

function elementLines(rs: Ruleset, verb: 'add' | 'delete', name: string, entries: [string, string][], withValues: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < entries.length; i += ELEMENTS_PER_LINE) {
    const part = entries.slice(i, i + ELEMENTS_PER_LINE).map(([k, v]) => (withValues && v ? `${k} : ${v}` : k));
    out.push(`${verb} element ${rs.family} ${rs.table} ${name} { ${part.join(', ')} }`);
  }
  return out;
}

function ruleLines(rs: Ruleset, name: string, rules: string[]): string[] {
  return rules.map((r) => `add rule ${rs.family} ${rs.table} ${name} ${r}`);
}

/** The transaction that replaces the whole table with `next`. */
export function fullTransaction(next: Ruleset): string {
  const { family, table } = next;
  const lines = [`add table ${family} ${table}`, `delete table ${family} ${table}`];
  lines.push(next.comment ? `add table ${family} ${table} { comment ${JSON.stringify(next.comment)}; }` : `add table ${family} ${table}`);
  for (const [name, s] of next.sets) lines.push(setDecl(next, name, s));
  for (const [name, c] of next.chains) lines.push(chainDecl(next, name, c));
  for (const [name, s] of next.sets) if (!s.dynamic && s.elements.size) lines.push(...elementLines(next, 'add', name, [...s.elements], true));
  for (const [name, c] of next.chains) lines.push(...ruleLines(next, name, c.rules));
  return lines.join('\n') + '\n';
}

function sameBase(a: BaseChain | undefined, b: BaseChain | undefined): boolean {
  return a?.type === b?.type && a?.hook === b?.hook && a?.priority === b?.priority;
}

function sameRules(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

/**
 * The transaction taking the table from `prev` (what the last successful transaction installed) to `next`, or
 * undefined when only a full replacement can do it (a set's declaration or a base chain's hook changed under the
 * same name). An empty string means nothing changed.
 */
export function incrementalTransaction(prev: Ruleset, next: Ruleset): string | undefined {
  if (prev.family !== next.family || prev.table !== next.table || prev.comment !== next.comment) return undefined;
  const addSets: string[] = [];
  const addChains: string[] = [];
  const flushChains: string[] = [];
  const delElements: string[] = [];
  const addElements: string[] = [];
  const addRules: string[] = [];
  const delSets: string[] = [];
  const delChains: string[] = [];
  const { family, table } = next;

  for (const [name, s] of next.sets) {
    const old = prev.sets.get(name);
    if (old === s && s.dynamic) continue;
    if (old && (old.spec.join(';') !== s.spec.join(';') || !!old.dynamic !== !!s.dynamic)) return undefined;
    if (!old) addSets.push(setDecl(next, name, s));
    if (s.dynamic) continue;
    const gone: [string, string][] = [];
    const added: [string, string][] = [];
    if (old) {
      for (const [k, v] of old.elements) {
        const nv = s.elements.get(k);
        if (nv === undefined || nv !== v) gone.push([k, v]);
      }
    }
    for (const [k, v] of s.elements) if (old?.elements.get(k) !== v) added.push([k, v]);
    delElements.push(...elementLines(next, 'delete', name, gone, false));
    addElements.push(...elementLines(next, 'add', name, added, isMap(s)));
  }
  for (const [name, s] of prev.sets) if (!next.sets.has(name)) delSets.push(`delete ${isMap(s) ? 'map' : 'set'} ${family} ${table} ${name}`);

  for (const [name, c] of next.chains) {
    const old = prev.chains.get(name);
    if (old === c) continue; // reused from the last render: unchanged by construction
    if (old && !sameBase(old.base, c.base)) return undefined;
    if (!old) {
      addChains.push(chainDecl(next, name, c));
      addRules.push(...ruleLines(next, name, c.rules));
    } else if (!sameRules(old.rules, c.rules)) {
      if (old.rules.length) flushChains.push(`flush chain ${family} ${table} ${name}`);
      addRules.push(...ruleLines(next, name, c.rules));
    }
  }
  for (const [name, c] of prev.chains) {
    if (next.chains.has(name)) continue;
    if (c.rules.length) flushChains.push(`flush chain ${family} ${table} ${name}`);
    delChains.push(`delete chain ${family} ${table} ${name}`);
  }
  // Order matters inside the transaction: objects are declared before anything refers to them, and references
  // (rules, map elements) are gone before the objects they name are deleted.
  const lines = [...addSets, ...addChains, ...flushChains, ...delElements, ...addElements, ...addRules, ...delSets, ...delChains];
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** The commands that delete the table if it exists (one transaction; no error when it is already gone). */
export function deleteTableTransaction(family: Family, table: string): string {
  return `add table ${family} ${table}\ndelete table ${family} ${table}\n`;
}
