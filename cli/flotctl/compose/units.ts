// Compose's value formats: durations (`1m30s`, `10s`), byte sizes (`512m`, `1gb`), and `${VAR}` numbers that
// interpolation left as strings.
import { goDuration } from '../flags.js';
import type { Json } from './parse.js';

export class UnitError extends Error {}

/** A duration in whole seconds (rounded up: a probe period cannot be 0). */
export function seconds(v: Json | undefined, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return Math.ceil(v / 1e9); // a bare number is nanoseconds in compose
  // compose also takes days (`1d`), which Go's durations do not
  const ms = goDuration(String(v).replace(/(\d+)d/g, (_, d: string) => `${Number(d) * 24}h`));
  if (typeof ms === 'string') throw new UnitError(`${what}: ${ms}`);
  return Math.ceil(ms / 1000);
}

/** A byte size as a Kubernetes quantity: compose's `512m` is 512 MiB, a Kubernetes `512m` would be 0.512 bytes. */
export function quantity(v: Json | undefined, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return String(v);
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(String(v).trim());
  if (!m) throw new UnitError(`${what}: invalid size ${JSON.stringify(v)}`);
  const unit = (m[2] as string).toLowerCase();
  return unit ? `${m[1]}${unit.toUpperCase()}i` : (m[1] as string);
}

export function int(v: Json | undefined, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UnitError(`${what}: ${JSON.stringify(v)} is not an integer`);
  return n;
}
