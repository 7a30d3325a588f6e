// kubectl-style flag parsing: flags anywhere on the line, --name=value, --name value, -n value, -nvalue, -n=value,
// boolean flags (-A, --show-labels) that take no value; everything else is a positional argument.
export interface FlagSpec {
  short?: string;
  bool?: boolean;
  /** Repeatable (-f a -f b); values are kept in order. */
  multi?: boolean;
  /** The value of a bare `--name` (cobra's NoOptDefVal: `--cascade` means `--cascade=background`). */
  bare?: string;
}

export interface Parsed {
  flags: Map<string, string[]>;
  args: string[];
}

export function parseFlags(argv: string[], spec: Record<string, FlagSpec>): Parsed {
  const byShort = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([n, s]) => [s.short as string, n]));
  const flags = new Map<string, string[]>();
  const args: string[] = [];
  const put = (name: string, v: string) => flags.set(name, [...(flags.get(name) ?? []), v]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let value: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) value = a.slice(eq + 1);
      if (!spec[name]) throw new UsageError(`unknown flag: --${name}`);
    } else if (a.startsWith('-') && a.length > 1 && a !== '-') {
      const s = a[1] as string;
      name = byShort.get(s);
      if (!name) throw new UsageError(`unknown shorthand flag: '${s}' in ${a}`);
      if (a.length > 2 && a[2] !== '=' && spec[name]?.bool) {
        // -it: a boolean shorthand followed by more shorthands, as pflag reads them
        put(name, 'true');
        argv = [...argv.slice(0, i + 1), `-${a.slice(2)}`, ...argv.slice(i + 1)];
        continue;
      }
      if (a.length > 2) value = a[2] === '=' ? a.slice(3) : a.slice(2);
    } else {
      args.push(a);
      continue;
    }
    const s = spec[name] as FlagSpec;
    if (s.bool) put(name, value ?? 'true');
    else if (s.bare !== undefined) put(name, value ?? s.bare);
    else {
      if (value === undefined) {
        value = argv[++i];
        if (value === undefined) throw new UsageError(`flag needs an argument: ${a}`);
      }
      put(name, value);
    }
  }
  return { flags, args };
}

export class UsageError extends Error {}

export const str = (p: Parsed, n: string): string | undefined => p.flags.get(n)?.at(-1);
export const bool = (p: Parsed, n: string): boolean => (str(p, n) ?? 'false') !== 'false';
export const all = (p: Parsed, n: string): string[] => p.flags.get(n) ?? [];

/**
 * A flag value cobra rejects, worded as kubectl words it (main adds the "See 'flotctl CMD --help'" line); `short`
 * for flags that have one (`"-r, --replicas" flag`).
 */
const badFlag = (v: string, flag: string, why: string, short?: string) =>
  new UsageError(`invalid argument "${v}" for "${short ? `-${short}, ` : ''}--${flag}" flag: ${why}`);

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration (`30s`, `1h30m`, `1.5s`, `-1s`, `0`) in milliseconds, or Go's error text. */
export function goDuration(s: string): number | string {
  const q = JSON.stringify(s);
  let rest = s.replace(/^[+-]/, '');
  const sign = s.startsWith('-') ? -1 : 1;
  if (rest === '0') return 0;
  if (!rest) return `time: invalid duration ${q}`;
  let ms = 0;
  while (rest) {
    const num = /^(\d+(\.\d*)?|\.\d+)/.exec(rest);
    if (!num) return `time: invalid duration ${q}`;
    rest = rest.slice(num[0].length);
    const unit = (/^[^\d.]*/.exec(rest) as RegExpExecArray)[0];
    if (!unit) return `time: missing unit in duration ${q}`;
    if (UNITS[unit] === undefined) return `time: unknown unit ${JSON.stringify(unit)} in duration ${q}`;
    ms += Number(num[0]) * (UNITS[unit] as number);
    rest = rest.slice(unit.length);
  }
  return sign * ms;
}

/** A duration flag's value (`--timeout=30s`) in milliseconds; a bad one is a usage error, as in kubectl. */
export function parseDuration(v: string, flag: string): number {
  const d = goDuration(v);
  if (typeof d === 'string') throw badFlag(v, flag, d);
  return d;
}

/** A duration flag, or undefined when not given. */
export function durationFlag(p: Parsed, flag: string): number | undefined {
  const v = str(p, flag);
  return v === undefined ? undefined : parseDuration(v, flag);
}

/** An int64 flag as cobra parses it; `dflt` when not given. */
export function intFlag(p: Parsed, flag: string, dflt = 0, short?: string): number {
  const v = str(p, flag);
  if (v === undefined) return dflt;
  if (!/^[-+]?\d+$/.test(v)) throw badFlag(v, flag, `strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`, short);
  return Number(v);
}

/** A bool flag given a value (`--show-events=false`) as Go's strconv.ParseBool reads it; `dflt` when not given. */
export function boolFlag(p: Parsed, flag: string, dflt: boolean): boolean {
  const v = str(p, flag);
  if (v === undefined) return dflt;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw badFlag(v, flag, `strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}
