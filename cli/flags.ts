// The flags of every `flotilla` command, parsed by node:util's parseArgs (strict) from one table per command; the
// same table prints the command's usage, so a flag cannot exist without its help line or the other way round.
//
// On top of parseArgs: boolean flags take `--flag`, `--flag=false` and `--flag false` (the form the usage shows;
// pflag would read "false" as a positional, which on a command without positionals is always a mistake), values are
// checked by type (int, seconds, bool), `--help`/`-h` anywhere before `--` asks for the usage, and every mistake is a
// UsageError whose message names the flag, worded as pflag words it.
import { parseArgs } from 'node:util';
import { goDuration } from './flotctl/flags.js';

export type FlagType = 'string' | 'int' | 'bool' | 'seconds';

export interface FlagSpec {
  name: string;
  type: FlagType;
  /** What the value is, in the usage (`DIR`, `N`); booleans show `BOOL`. */
  value?: string;
  help: string;
  /** The value when the flag is not given (shown in the usage unless `defaultText` says otherwise). */
  default?: string | number | boolean;
  /** The default as the usage shows it, when it is computed (`the host name`). */
  defaultText?: string;
  /** Smallest accepted int (default 0). */
  min?: number;
  /** One-letter alias (`o` for `-o`). */
  short?: string;
  /** Accepted values, checked and listed in the usage. */
  choices?: string[];
  /** May be given several times (`strings()` has every value; `string()` the last). */
  repeatable?: boolean;
}

export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Paragraphs printed between the usage line and the flags. */
  description?: string;
  flags: FlagSpec[];
  /** Hidden from `flotilla --help` (internal commands). */
  hidden?: boolean;
  /** Arguments besides the flags (`etcd-snapshot restore FILE`): how the usage names them, and how many are needed. */
  args?: { usage: string; min: number; max: number };
}

/** A mistake on the command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** Go's strconv.ParseBool, which Kubernetes' flags use. */
export function parseBool(v: string): boolean | undefined {
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  return undefined;
}

/** The parsed flags of one command; getters apply the table's defaults and types. */
export class Flags {
  constructor(private readonly spec: CommandSpec, private readonly values: Map<string, string>, private readonly lists = new Map<string, string[]>(),
    /** The arguments that are not flags (only for a command whose spec has `args`). */
    readonly positionals: string[] = []) {}

  private flag(name: string): FlagSpec {
    const f = this.spec.flags.find((x) => x.name === name);
    if (!f) throw new Error(`flotilla ${this.spec.name} has no flag --${name}`);
    return f;
  }

  /** True when the flag was on the command line (as opposed to defaulted). */
  given(name: string): boolean {
    this.flag(name);
    return this.values.has(name);
  }

  string(name: string): string | undefined {
    const f = this.flag(name);
    return this.values.get(name) ?? (f.default === undefined ? undefined : String(f.default));
  }

  /** Every value of a repeatable flag, in order (none: []). */
  strings(name: string): string[] {
    this.flag(name);
    return this.lists.get(name) ?? (this.values.has(name) ? [this.values.get(name) as string] : []);
  }

  int(name: string): number {
    const v = this.string(name);
    if (v === undefined) throw new Error(`--${name} has no default`);
    return Number(v);
  }

  /** A `seconds` flag in milliseconds. */
  ms(name: string): number {
    const v = this.string(name);
    if (v === undefined) throw new Error(`--${name} has no default`);
    return toMs(v) as number;
  }

  bool(name: string): boolean {
    const v = this.string(name);
    return v === undefined ? false : parseBool(v) === true;
  }
}

const bad = (v: string, flag: string, why: string) => new UsageError(`invalid argument "${v}" for "--${flag}" flag: ${why}`);

/** Seconds as an integer (`40`) or a Go duration (`40s`, `1m30s`), in ms; a string says what is wrong. */
function toMs(v: string): number | string {
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const d = goDuration(v);
  if (typeof d === 'string') return d;
  return d < 0 ? 'must not be negative' : d;
}

function check(f: FlagSpec, v: string): void {
  switch (f.type) {
    case 'int': {
      const min = f.min ?? 0;
      if (!/^[-+]?\d+$/.test(v)) throw bad(v, f.name, 'not an integer');
      if (Number(v) < min) throw bad(v, f.name, `must be at least ${min}`);
      if (!Number.isSafeInteger(Number(v))) throw bad(v, f.name, 'out of range');
      return;
    }
    case 'bool':
      if (parseBool(v) === undefined) throw bad(v, f.name, 'not a boolean (true or false)');
      return;
    case 'seconds': {
      const ms = toMs(v);
      if (typeof ms === 'string') throw bad(v, f.name, ms);
      return;
    }
    case 'string':
      if (f.choices && !f.choices.includes(v)) throw bad(v, f.name, `must be one of: ${f.choices.join(', ')}`);
      return;
  }
}

/** True when argv asks for help (`--help`, `-h`, `--help=true`) before any `--`. */
export function wantsHelp(argv: string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '-h' || a === '--help' || (a.startsWith('--help=') && parseBool(a.slice(7)) === true)) return true;
  }
  return false;
}

/**
 * Parses argv against the command's table. Returns 'help' when the user asked for the usage; throws UsageError for an
 * unknown flag, a missing or bad value, or a positional argument (no flotilla command takes one).
 */
export function parseFlags(spec: CommandSpec, argv: string[]): Flags | 'help' {
  if (wantsHelp(argv)) return 'help';
  const byName = new Map(spec.flags.map((f) => [f.name, f]));
  // Booleans become --flag=value before parseArgs sees them, so parseArgs can treat every flag as a string option.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      args.push(...argv.slice(i));
      break;
    }
    const f = a.startsWith('--') && !a.includes('=') ? byName.get(a.slice(2)) : undefined;
    if (f?.type === 'bool') {
      const next = argv[i + 1];
      if (next !== undefined && parseBool(next) !== undefined) {
        args.push(`${a}=${next}`);
        i++;
      } else args.push(`${a}=true`);
    } else args.push(a);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: !!spec.args,
      options: Object.fromEntries(spec.flags.map((f) => [f.name, { type: 'string' as const, multiple: !!f.repeatable, ...(f.short ? { short: f.short } : {}) }])),
    });
  } catch (e) {
    throw translate(e as Error & { code?: string }, args);
  }
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  for (const [name, v] of Object.entries(parsed.values)) {
    const all = (Array.isArray(v) ? v : [v]).map(String);
    for (const value of all) check(byName.get(name) as FlagSpec, value);
    if (all.length) values.set(name, all[all.length - 1] as string);
    if (Array.isArray(v)) lists.set(name, all);
  }
  const positionals = parsed.positionals;
  if (spec.args && (positionals.length < spec.args.min || positionals.length > spec.args.max)) {
    throw new UsageError(positionals.length < spec.args.min ? `missing argument: ${spec.args.usage}` : `unexpected argument "${positionals[spec.args.max]}": this command takes ${spec.args.usage}`);
  }
  return new Flags(spec, values, lists, positionals);
}

/** parseArgs' messages, reworded as pflag's (`unknown flag: --x`, `flag needs an argument: --x`). */
function translate(e: Error & { code?: string }, args: string[]): UsageError {
  const option = /'(-[^' ]+)/.exec(e.message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      if (option?.startsWith('--')) return new UsageError(`unknown flag: ${option.replace(/=.*$/, '')}`);
      return new UsageError(`unknown shorthand flag: '${option?.slice(1, 2)}' in ${option}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      // "argument missing" at the end of the line, or "ambiguous" when the next word starts with '-'
      const i = option ? args.indexOf(option) : -1;
      const next = i >= 0 ? args[i + 1] : undefined;
      if (next === undefined) return new UsageError(`flag needs an argument: ${option}`);
      return new UsageError(`flag needs an argument: ${option} (to pass a value starting with '-', write ${option}=${next})`);
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const word = /'([^']*)'/.exec(e.message)?.[1] ?? '';
      return new UsageError(`unexpected argument "${word}": this command takes flags only`);
    }
    default:
      return new UsageError(e.message);
  }
}

/** The usage of one command, from its table. */
export function usage(spec: CommandSpec): string {
  const rows = spec.flags.map((f) => {
    const left = `${f.short ? `-${f.short}, ` : ''}--${f.name}${f.type === 'bool' ? ' BOOL' : f.value ? ` ${f.value}` : ''}`;
    const dflt = f.defaultText ?? (f.default === undefined ? undefined : String(f.default));
    return [left, dflt === undefined ? f.help : `${f.help} (default ${dflt})`] as const;
  });
  rows.push(['-h, --help', 'print this help']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const lines = [`Usage: flotilla ${spec.name} [flags]${spec.args ? ` ${spec.args.usage}` : ''}`, '', spec.summary];
  if (spec.description) lines.push('', spec.description.trimEnd());
  lines.push('', 'Flags:', ...rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`));
  return lines.join('\n') + '\n';
}
