// IntOrString values (maxUnavailable: 1 or "25%") turned into counts, as Kubernetes' GetScaledValueFromIntOrPercent:
// a percentage of a total, rounded up or down as the field says.

/** A number as is; "N%" as N percent of total, rounded up or down; undefined for anything else. */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return undefined;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** Is it a percentage ("25%") rather than a count? */
export const isPercent = (v: unknown): v is string => typeof v === 'string' && /^\d+%$/.test(v);
