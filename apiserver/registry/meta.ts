// Small helpers on object metadata shared by the store and the strategies.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../lib/api/types.js';
import { getOwn } from '../../lib/api/own.js';
import { rfc3339 } from '../../lib/api/time.js';

/** RFC 3339 with second precision, as Kubernetes writes metav1.Time. */
export const nowTime = (date = new Date()): string => rfc3339(date);

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** The random 5-character suffix Kubernetes appends to generateName. */
export function nameSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return s;
}

export function newUid(): string {
  return randomUUID();
}

/** Everything but metadata and status: what a generation bump is about. */
export function specPart(obj: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const am = a as Record<string, unknown>;
  const bm = b as Record<string, unknown>;
  const ak = Object.keys(am).filter((k) => am[k] !== undefined);
  const bk = Object.keys(bm).filter((k) => bm[k] !== undefined);
  if (ak.length !== bk.length) return false;
  // own members only: b's inherited `constructor` is not a member a `constructor` key could equal
  return ak.every((k) => deepEqual(am[k], getOwn(bm, k)));
}

/** A deep copy; structured cloning keeps a `__proto__` member as a member. */
export function clone<T>(v: T): T {
  return structuredClone(v);
}
