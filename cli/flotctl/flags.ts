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

/** A flag value cobra rejects, worded as kubectl words it (main adds the "See 'flotctl CMD --help'" line). */
const badFlag = (v: string, flag: string, why: string) =>
  new UsageError(`invalid argument "${v}" for "--${flag}" flag: ${why}`);

/** Go's time.ParseDuration as a flag value: `30s`, `1m30s`, `1.5h`, `-1s`, `0`; in milliseconds. */
export function parseDuration(v: string, flag: string): number {
  const bad = () => badFlag(v, flag, `time: invalid duration "${v}"`);
  const m = /^([-+]?)(.*)$/.exec(v) as RegExpExecArray;
  const body = m[2] as string;
  if (body === '0') return 0;
  if (body === '') throw bad();
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = body;
  while (rest) {
    const part = /^(\d*\.?\d*)(ns|us|µs|ms|s|m|h)?/.exec(rest) as RegExpExecArray;
    const num = part[1] as string;
    if (!num || num === '.') throw bad();
    if (!part[2]) throw badFlag(v, flag, `time: missing unit in duration "${v}"`);
    total += Number(num) * (unit[part[2]] as number);
    rest = rest.slice(part[0].length);
  }
  return m[1] === '-' ? -total : total;
}

/** An int64 flag as cobra parses it. */
export function intFlag(p: Parsed, flag: string): number {
  const v = str(p, flag);
  if (v === undefined) return 0;
  if (!/^[-+]?\d+$/.test(v)) throw badFlag(v, flag, `strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

