// Formatting as kubectl prints it (ages) and Kubernetes quantities ("250m" CPU, "64Mi" memory) as numbers.

/** kubectl's HumanDuration: 45s, 5m3s, 65m, 10h, 3d4h, 400d, 2y. */
export function humanDuration(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  return d % 365 && y < 8 ? `${y}y${d % 365}d` : `${y}y`;
}

/** The age of an object created at this RFC 3339 time; `<unknown>` as kubectl says when there is none. */
export function age(timestamp: string | undefined, now = Date.now()): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A resource.Quantity as a number (cores for CPU, bytes for memory); NaN when it isn't one. */
export function parseQuantity(q: string | number | undefined): number {
  if (typeof q === 'number') return q;
  if (!q) return NaN;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+))?([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return NaN;
  const mult = SUFFIX[m[3] ?? ''];
  if (mult === undefined) return NaN;
  return Number(m[1]) * 10 ** Number(m[2] ?? 0) * mult;
}

export function formatCpu(cores: number): string {
  if (!Number.isFinite(cores)) return '—';
  return cores < 1 ? `${Math.round(cores * 1000)}m` : `${+cores.toFixed(2)}`;
}

export function formatBytes(b: number): string {
  if (!Number.isFinite(b)) return '—';
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) {
    b /= 1024;
    i++;
  }
  return `${b >= 100 || i === 0 ? Math.round(b) : +b.toFixed(1)}${units[i]}`;
}
