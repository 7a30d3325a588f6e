// Resource quantities (`500m`, `1Gi`, `2e3`, 1.5): parsing to a number for comparisons, and the text Kubernetes uses
// when one is malformed.

export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const SHAPE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The value of a quantity, or undefined when it is not a valid quantity. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = SHAPE.exec(q.trim());
  if (!m) return undefined;
  const [, numPart, suffix] = m;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(numPart)) return undefined;
  const base = Number(numPart);
  let mult: number | undefined;
  if (suffix in BINARY) mult = BINARY[suffix];
  else if (suffix in DECIMAL) mult = DECIMAL[suffix];
  else if (/^[eE][-+]?\d+$/.test(suffix)) mult = 10 ** Number(suffix.slice(1));
  if (mult === undefined || !Number.isFinite(base)) return undefined;
  return base * mult;
}

/** The problem with a quantity's format, if any. */
export function quantityError(q: unknown): string | undefined {
  if (typeof q === 'number') return undefined;
  if (typeof q !== 'string') return undefined; // reported as a type error
  if (!SHAPE.test(q.trim())) return QUANTITY_FORMAT_ERROR;
  if (parseQuantity(q) === undefined) {
    const m = SHAPE.exec(q.trim()) as RegExpExecArray;
    return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(m[1]) ? "unable to parse quantity's suffix" : 'unable to parse numeric part of quantity';
  }
  return undefined;
}

/** A quantity as text, for messages. */
export const quantityText = (q: unknown): string => (typeof q === 'number' ? String(q) : String(q ?? ''));

/**
 * CPU in nanocores as Kubernetes prints a DecimalSI quantity of scale -9: the largest of the suffixes n, u, m and
 * none that keeps the number whole (250000000 -> `250m`, 2461718 -> `2461718n`).
 */
export function formatCpu(nanoCores: number): string {
  const n = Math.max(0, Math.round(nanoCores));
  if (n === 0) return '0';
  for (const [div, suffix] of [[1e9, ''], [1e6, 'm'], [1e3, 'u']] as const) if (n % div === 0) return `${n / div}${suffix}`;
  return `${n}n`;
}

/** Bytes as Kubernetes prints a BinarySI quantity: the largest of Ki, Mi, Gi, ... that keeps the number whole. */
export function formatMemory(bytes: number): string {
  let n = Math.max(0, Math.round(bytes));
  if (n === 0) return '0';
  let i = 0;
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  while (n % 1024 === 0 && i < suffixes.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n}${suffixes[i]}`;
}
