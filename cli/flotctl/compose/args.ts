// `flotctl compose [COMPOSE FLAGS] SUBCOMMAND [FLAGS] [ARGS]` read as docker compose reads it: -f before the
// subcommand is a file, after `logs` it is --follow; after `exec SERVICE` everything is the command to run.
import { GLOBAL_FLAGS } from '../context.js';
import { type FlagSpec, type Parsed, parseFlags, UsageError } from '../flags.js';

export const COMPOSE_FLAGS: Record<string, FlagSpec> = {
  ...GLOBAL_FLAGS,
  file: { short: 'f', multi: true },
  'project-name': { short: 'p' },
  profile: { multi: true },
  'env-file': {},
  'project-directory': {},
};

const CONVERT = { 'allow-host-paths': { bool: true }, 'wait-image': {} };
export const SUBCOMMAND_FLAGS: Record<string, Record<string, FlagSpec>> = {
  config: { quiet: { short: 'q', bool: true } },
  convert: CONVERT,
  up: { ...CONVERT, detach: { short: 'd', bool: true }, wait: { bool: true }, 'wait-timeout': {} },
  down: { volumes: { short: 'v', bool: true } },
  ps: { all: { short: 'a', bool: true } },
  logs: { follow: { short: 'f', bool: true }, tail: {}, 'no-log-prefix': { bool: true } },
  exec: { index: {}, 'no-TTY': { short: 'T', bool: true }, interactive: { short: 'i', bool: true } },
};

/** Index of the first positional word of argv, given which flags take a value. */
function firstPositional(argv: string[], spec: Record<string, FlagSpec>): number {
  const short = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([n, s]) => [s.short as string, n]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') return i + 1;
    if (!a.startsWith('-') || a === '-') return i;
    if (a.includes('=')) continue;
    const name = a.startsWith('--') ? a.slice(2) : a.length === 2 ? short.get(a[1] as string) : undefined;
    const s = name === undefined ? undefined : spec[name];
    if (s && !s.bool && s.bare === undefined) i++;
  }
  return argv.length;
}

function merge(a: Parsed, b: Parsed): Parsed {
  const flags = new Map(a.flags);
  for (const [k, v] of b.flags) flags.set(k, [...(flags.get(k) ?? []), ...v]);
  return { flags, args: [...a.args, ...b.args] };
}

export function parseComposeArgs(before: string[], after: string[]): Parsed {
  const sub = firstPositional(after, COMPOSE_FLAGS);
  const top = parseFlags([...before, ...after.slice(0, sub)], COMPOSE_FLAGS);
  const name = after[sub];
  if (name === undefined) return top;
  const subSpec = SUBCOMMAND_FLAGS[name];
  if (!subSpec) throw new UsageError(`unknown compose command "${name}": one of ${Object.keys(SUBCOMMAND_FLAGS).join(', ')}`);
  const rest = after.slice(sub + 1);
  // the compose flags may follow the subcommand too, except where the subcommand's own short flags take the letter
  const shortTaken = new Set(Object.values(subSpec).map((s) => s.short));
  const outer = Object.entries(COMPOSE_FLAGS).map(([k, s]) => [k, shortTaken.has(s.short) ? { ...s, short: undefined } : s]);
  const spec = { ...Object.fromEntries(outer) as Record<string, FlagSpec>, ...subSpec };
  if (name === 'exec') {
    const at = firstPositional(rest, spec);
    const own = parseFlags(rest.slice(0, at + 1), spec);
    const command = rest.slice(at + 1);
    if (command[0] === '--') command.shift();
    return merge(top, { flags: own.flags, args: [name, ...own.args, ...command] });
  }
  return merge(top, merge({ flags: new Map(), args: [name] }, parseFlags(rest, spec)));
}
