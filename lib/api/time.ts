// Kubernetes' timestamps: metav1.Time is RFC 3339 in UTC with whole seconds (`2026-01-02T03:04:05Z`), metav1.MicroTime
// has six fractional digits (`2026-01-02T03:04:05.123000Z`). Every component writes them through these two.

/** metav1.Time: RFC 3339, UTC, whole seconds (the milliseconds are dropped, not rounded). */
export function rfc3339(at: Date | number = new Date()): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime: RFC 3339, UTC, microseconds (JavaScript's milliseconds, padded). */
export function rfc3339Micro(at: Date | number = new Date()): string {
  return new Date(at).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
