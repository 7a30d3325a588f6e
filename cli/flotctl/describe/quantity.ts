// Resource quantities as kubectl prints them after decoding: exact values (BigInt nano-units), the format kept from
// the text (`Mi` stays binary, `e3` stays exponent, the rest decimal SI) and Kubernetes' canonical form (`0.5` is
// `500m`, `1536Mi` stays `1536Mi`, `1000m` is `1`); sums keep the format of the first non-zero term.

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const NANO = 10n ** 9n;
const DEC: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BIN: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

export class Quantity {
  /** The value in units of 10^-9. */
  constructor(readonly nano: bigint, readonly format: Format) {}

  static zero(): Quantity {
    return new Quantity(0n, 'DecimalSI');
  }

  /** A quantity from its JSON form (a string, or a bare number); zero when it cannot be read. */
  static parse(v: unknown): Quantity {
    const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
    const m = /^([+-]?)(\d*)(?:\.(\d*))?([eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?$/.exec(s);
    if (!m || (!m[2] && !m[3])) return Quantity.zero();
    const [, sign, int = '', frac = '', suffix = ''] = m;
    // value = digits * 10^(exp10 - frac.length) * 2^exp2
    let digits = BigInt((int || '0') + frac);
    let exp10 = -frac.length;
    let exp2 = 0;
    let format: Format = 'DecimalSI';
    if (suffix in BIN) {
      exp2 = BIN[suffix] as number;
      format = 'BinarySI';
    } else if (/^[eE]/.test(suffix)) {
      exp10 += Number(suffix.slice(1));
      format = 'DecimalExponent';
    } else exp10 += DEC[suffix] as number;
    digits <<= BigInt(exp2);
    // to nano-units, rounding any finer precision up, as Kubernetes does
    const shift = exp10 + 9;
    let nano: bigint;
    if (shift >= 0) nano = digits * 10n ** BigInt(shift);
    else {
      const div = 10n ** BigInt(-shift);
      nano = digits / div + (digits % div ? 1n : 0n);
    }
    return new Quantity(sign === '-' ? -nano : nano, format);
  }

  isZero(): boolean {
    return this.nano === 0n;
  }
  add(o: Quantity): Quantity {
    return new Quantity(this.nano + o.nano, this.isZero() ? o.format : this.format);
  }
  cmp(o: Quantity): number {
    return this.nano < o.nano ? -1 : this.nano > o.nano ? 1 : 0;
  }
  /** The value rounded up to a whole number (Go's Value()). */
  value(): bigint {
    return ceilDiv(this.nano, NANO);
  }
  /** The value in thousandths, rounded up (Go's MilliValue()). */
  milli(): bigint {
    return ceilDiv(this.nano, 10n ** 6n);
  }

  toString(): string {
    if (this.nano === 0n) return '0';
    let format = this.format;
    if (format === 'BinarySI') {
      const whole = this.nano % NANO === 0n;
      if ((this.nano > -1024n * NANO && this.nano < 1024n * NANO) || !whole) format = 'DecimalSI';
      else {
        let v = this.nano / NANO;
        let e = 0;
        const neg = v < 0n;
        if (neg) v = -v;
        while (v >= 1024n && v % 1024n === 0n && e < 60) {
          v /= 1024n;
          e += 10;
        }
        const suffix = Object.keys(BIN).find((k) => BIN[k] === e) ?? '';
        return `${neg ? '-' : ''}${v}${suffix}`;
      }
    }
    let v = this.nano;
    const neg = v < 0n;
    if (neg) v = -v;
    let e = -9;
    while (v >= 10n && v % 10n === 0n) {
      v /= 10n;
      e++;
    }
    while (e % 3 !== 0) {
      v *= 10n;
      e--;
    }
    let suffix = format === 'DecimalSI' ? Object.keys(DEC).find((k) => DEC[k] === e) : undefined;
    suffix ??= e === 0 ? '' : `e${e}`;
    return `${neg ? '-' : ''}${v}${suffix}`;
  }
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

export type Resources = Record<string, Quantity>;

/** A resource list from JSON (`{cpu: '100m'}`). */
export function resources(v: unknown): Resources {
  const out: Resources = {};
  if (v && typeof v === 'object') for (const [k, q] of Object.entries(v)) out[k] = Quantity.parse(q);
  return out;
}

export function addInto(list: Resources, add: Resources): void {
  for (const [k, q] of Object.entries(add)) list[k] = list[k] ? (list[k] as Quantity).add(q) : q;
}

export function maxInto(list: Resources, other: Resources): void {
  for (const [k, q] of Object.entries(other)) if (!list[k] || q.cmp(list[k] as Quantity) > 0) list[k] = q;
}
