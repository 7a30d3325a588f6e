// The pod-template-hash: what names a Deployment's ReplicaSets (`web-7d4b9c6f5d`) and keeps their pods apart.
// Kubernetes hashes the template with FNV-32a, mixes in status.collisionCount (so a collision can be escaped by
// bumping it) and spells the decimal number in an alphabet without vowels, so a hash never forms a word.
// Kubernetes feeds Go's spew dump of the struct to the hasher; we feed deterministic JSON (keys sorted), so the
// same template always gives the same hash here, though not the same one Kubernetes would compute.
import { canonicalJson } from '../../lib/api/deployment.js';

export { canonicalJson, equalIgnoreHash } from '../../lib/api/deployment.js';

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

