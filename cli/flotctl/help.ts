// `flotctl COMMAND --help` (and -h, and `flotctl help COMMAND`): what the command does, its subcommands and every flag
// it takes, written from the command's own flag table so it never disagrees with what the parser accepts. As kubectl,
// help goes to stdout and exits 0.
import type { Command } from './command.js';
import type { FlagSpec } from './flags.js';

/**
 * Whether the words after the command ask for help: `--help` or `-h` before `--`. A command that parses its own
 * arguments (`compose exec SVC ls -h`) is asked only before its second positional word, since what follows is
 * another program's command line.
 */
export function wantsHelp(words: string[], ownParser: boolean): boolean {
  let positionals = 0;
  for (const w of words) {
    if (w === '--') return false;
    if (w === '--help' || w === '-h') return true;
    if (!w.startsWith('-') && ownParser && ++positionals >= 2) return false;
  }
  return false;
}

function flagLine(name: string, spec: FlagSpec): string {
  const value = spec.bool ? '' : spec.bare !== undefined ? '[=VALUE]' : '=VALUE';
  const short = spec.short ? `-${spec.short}, ` : '    ';
  return `  ${short}--${name}${value}${spec.multi ? '  (repeatable)' : ''}`;
}

export function commandHelp(name: string, cmd: Command, globals: Record<string, FlagSpec>): string {
  const out = [cmd.short.endsWith('.') ? cmd.short : `${cmd.short}.`, '', 'Usage:', `  flotctl ${name}${cmd.subcommands?.length ? ' SUBCOMMAND' : ''} [options]`];
  if (cmd.subcommands?.length) out.push('', 'Subcommands:', ...cmd.subcommands.map((s) => `  ${s}`));
  const own = Object.entries(cmd.flags).filter(([n]) => !(n in globals)).sort(([a], [b]) => (a < b ? -1 : 1));
  if (own.length) out.push('', 'Options:', ...own.map(([n, s]) => flagLine(n, s)));
  out.push('', 'Global options:', ...Object.entries(globals).map(([n, s]) => flagLine(n, s)));
  out.push('', `Flags and their values are kubectl's: 'kubectl ${name} --help' describes each one.`, "Use 'flotctl help' for the list of commands.");
  return out.join('\n') + '\n';
}
