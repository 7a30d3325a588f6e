// The pod-template-hash: what names a Deployment's ReplicaSets (`web-7d4b9c6f5d`) and keeps their pods apart.
// Kubernetes hashes the template with FNV-32a, mixes in status.collisionCount (so a collision can be escaped by
// bumping it) and spells the decimal number in an alphabet without vowels, so a hash never forms a word.
// Kubernetes feeds Go's spew dump of the struct to the hasher; we feed deterministic JSON (keys sorted), so the
// same template always gives the same hash here, though not the same one Kubernetes would compute.
import { HASH_LABEL } from './types.js';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a, 32 bits, over bytes. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

/** Kubernetes' rand.SafeEncodeString: each character mapped into a vowel-free alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += ALPHANUMS[(ch.codePointAt(0) as number) % ALPHANUMS.length];
  return out;
}

/** JSON with object keys sorted at every level and undefined dropped: equal values always give equal text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const parts = Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`);
  return `{${parts.join(',')}}`;
}

/**
 * The pod-template-hash of a Deployment's template. A collisionCount is mixed in as 8 little-endian bytes (the
 * uint32 then four zero bytes, as upstream does); without one (undefined) nothing is added, so the first hash of
 * a template doesn't depend on whether the field exists.
 */
export function computeHash(template: unknown, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const extra = new Uint8Array(8);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(extra, h);
  }
  return safeEncodeString(String(h));
}

/**
 * Drops what Kubernetes' semantic equality ignores: null, undefined, empty maps and empty lists (a nil map and an
 * empty one are the same template).
 */
function semantic(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(semantic) : undefined;
  if (v === null || typeof v !== 'object') return v ?? undefined;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const s = semantic(x);
    if (s !== undefined) out[k] = s;
  }
  return Object.keys(out).length ? out : undefined;
}

function withoutHashLabel(template: unknown): unknown {
  const t = (template ?? {}) as { metadata?: { labels?: Record<string, string> } };
  if (!t.metadata?.labels || !(HASH_LABEL in t.metadata.labels)) return t;
  const { [HASH_LABEL]: _drop, ...labels } = t.metadata.labels;
  return { ...t, metadata: { ...t.metadata, labels } };
}

/**
 * Are two pod templates the same apart from the pod-template-hash label? This is how a Deployment recognises its
 * current ReplicaSet, including an old one after `kubectl rollout undo` copied its template back.
 */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return canonicalJson(semantic(withoutHashLabel(a)) ?? {}) === canonicalJson(semantic(withoutHashLabel(b)) ?? {});
}
