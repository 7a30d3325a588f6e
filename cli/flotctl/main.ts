// flotctl: Flotilla's kubectl. Same verbs, flags, output and exit codes as kubectl 1.32 for what it implements.
// Each command lives in its own module, loaded only when typed, so a command starts as fast as Node can.
import { CliError, Ctx, GLOBAL_FLAGS, formatError } from './context.js';
import { type Parsed, UsageError, parseFlags } from './flags.js';
import type { Command } from './command.js';
import { commandHelp, wantsHelp } from './help.js';
import { COMMANDS, commandNames, loadCommand } from './registry.js';
import { red } from './style.js';
import { didYouMean, nearest } from './suggest.js';

async function main(argv: string[]): Promise<number> {
  // The command is the first word that isn't a flag or a flag's value.
  const cmdAt = argv.findIndex((a, i) => COMMANDS[a] && !(i > 0 && /^(-n|--namespace|--context|--kubeconfig|-s|--server)$/.test(argv[i - 1] as string)));
  const name = argv[cmdAt];
  if (!name) {
    const typed = argv.find((a) => !a.startsWith('-'));
    if (typed === undefined || typed === 'help') {
      process.stdout.write(`flotctl controls a Flotilla (Kubernetes API) cluster, as kubectl does.\n\nCommands: ${commandNames().join(', ')}\n\nUsage: flotctl [flags] COMMAND [options]\n\nUse 'flotctl COMMAND --help' for a command's options.\n`);
      return 0;
    }
    process.stderr.write(red(`error: unknown command "${typed}" for "flotctl"`, process.stderr) + `${didYouMean(nearest(typed, commandNames()))}\n\nRun 'flotctl help' for usage.\n`);
    return 1;
  }
  const cmd = await loadCommand(name) as Command;
  const [before, after] = [argv.slice(0, cmdAt), argv.slice(cmdAt + 1)];
  if (argv[0] === 'help' || wantsHelp(before, false) || wantsHelp(after, cmd.parse !== undefined)) {
    process.stdout.write(commandHelp(name, cmd, GLOBAL_FLAGS));
    return 0;
  }
  let p: Parsed;
  try {
    p = cmd.parse ? cmd.parse(before, after) : parseFlags([...before, ...after], { ...GLOBAL_FLAGS, ...cmd.flags });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(red(`Error: ${e.message}`, process.stderr) + `\nSee 'flotctl ${name} --help' for usage.\n`);
    return 1;
  }
  const ctx = new Ctx(p);
  try {
    await cmd.run(ctx, p);
    return ctx.exitCode ?? (ctx.failed ? 1 : 0);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(red(`Error: ${e.message}`, process.stderr) + `\nSee 'flotctl ${name}${p.args[0] && (cmd.subcommands ?? []).includes(p.args[0]) ? ` ${p.args[0]}` : ''} --help' for usage.\n`);
      return 1;
    }
    if (!(e instanceof CliError) || e.message) process.stderr.write(red(formatError(e, '', ctx.loadedConfig), process.stderr) + '\n');
    return 1;
  } finally {
    ctx.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
