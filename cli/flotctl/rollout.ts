// `rollout status|history|undo|restart|pause|resume` for Deployments (status, history and undo also for DaemonSets
// and StatefulSets), as kubectl 1.32 does them. Each subcommand
// lives in cli/flotctl/rollout/; this file parses nothing itself, it only dispatches on the first argument.
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import type { Parsed } from './flags.js';
import { FILE_FLAGS } from './targets.js';

const SUBCOMMANDS = ['history', 'pause', 'restart', 'resume', 'status', 'undo'];

const USAGE = `Manage the rollout of one or many resources.

Available Commands:
  history       View rollout history
  pause         Mark the provided resource as paused
  restart       Restart a resource
  resume        Resume a paused resource
  status        Show the status of the rollout
  undo          Undo a previous rollout

Usage:
  flotctl rollout SUBCOMMAND [options]
`;

async function rollout(ctx: Ctx, p: Parsed): Promise<void> {
  const [sub, ...args] = p.args;
  if (sub === undefined) {
    ctx.warn(USAGE);
    ctx.exitCode = 1;
    return;
  }
  if (!SUBCOMMANDS.includes(sub)) throw new CliError(`error: unknown command "${p.args.join(' ')}"\nSee 'flotctl rollout -h' for help and examples`);
  const q: Parsed = { ...p, args };
  switch (sub) {
    case 'status':
      return (await import('./rollout/status.js')).status(ctx, q);
    case 'history':
      return (await import('./rollout/history.js')).history(ctx, q);
    case 'undo':
      return (await import('./rollout/history.js')).undo(ctx, q);
    default:
      return (await import('./rollout/actions.js')).patchVerb(ctx, q, sub as 'pause' | 'resume' | 'restart');
  }
}

export const command: Command = {
  short: 'Manage the rollout of a resource',
  subcommands: SUBCOMMANDS,
  flags: {
    ...FILE_FLAGS,
    selector: { short: 'l' },
    watch: { short: 'w', bool: true },
    timeout: {},
    revision: {},
    'to-revision': {},
    'dry-run': { bare: 'unchanged' },
    output: { short: 'o' },
  },
  run: rollout,
};
