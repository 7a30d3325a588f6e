// "Did you mean ...?": the nearest known word to a mistyped command, resource type, kind or field, by Levenshtein
// distance (at most 2, as cobra suggests commands) or by prefix.
import { KINDS } from '../../lib/api/kinds.js';

export function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1,
      (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length] as number;
}

/** The candidates nearest to `word`, best first (none if nothing is close). */
export function nearest(word: string, candidates: Iterable<string>, max = 2): string[] {
  const w = word.toLowerCase();
  const scored = [...new Set(candidates)]
    .map((c) => ({ c, d: c.toLowerCase().startsWith(w) && w.length > 1 ? 0 : distance(w, c.toLowerCase()) }))
    .filter((x) => x.d <= max)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c));
  return scored.map((x) => x.c);
}

/** cobra's block: a blank line, "Did you mean this?", one tab-indented candidate per line. */
export function didYouMean(candidates: string[]): string {
  return candidates.length ? `\n\nDid you mean this?\n${candidates.map((c) => `\t${c}`).join('\n')}` : '';
}

/** A mistyped resource type (`deploymnt`) -> the resources it may have meant (`deployments`). */
export function suggestResource(typed: string): string[] {
  const byName = new Map<string, string>();
  for (const k of KINDS) for (const n of [k.resource, k.singular, k.kind, ...(k.shortNames ?? [])]) if (n) byName.set(n.toLowerCase(), k.resource);
  return [...new Set(nearest(typed, byName.keys()).map((n) => byName.get(n) as string))];
}

/** A mistyped kind in a manifest (`Deploymnet`) -> kinds served under any version. */
export function suggestKind(typed: string): string[] {
  return nearest(typed, KINDS.map((k) => k.kind));
}
