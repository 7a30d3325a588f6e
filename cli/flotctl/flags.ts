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
