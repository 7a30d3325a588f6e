// `exec`: runs a command in a container over the Kubernetes remote command protocol (remote-command.ts). With -it
// the local terminal is the command's; the command's exit code becomes flotctl's.
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, bool, str } from './flags.js';
import { red } from './style.js';
import { podRunningTimeout } from './logs.js';
import { DEFAULT_CONTAINER, allContainerNames, hasContainer, manyContainers, type Pod } from './podselect.js';
import { outcome, remoteCommand, subresourceUrl, targetPod } from './remote-command.js';

const SEE = `\nSee 'flotctl exec -h' for help and examples`;

/** The positional arguments before `--` and the command after it (cobra's ArgsLenAtDash). */
export function splitAtDash(p: Parsed): { before: string[]; command: string[]; dash: boolean } {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--');
  if (at < 0) return { before: p.args, command: [], dash: false };
  const command = argv.slice(at + 1);
  return { before: p.args.slice(0, p.args.length - command.length), command, dash: true };
}

export async function exec(ctx: Ctx, p: Parsed): Promise<void> {
  const { before, command, dash } = splitAtDash(p);
  if (!dash && before.length > 1) throw new CliError(`error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead${SEE}`);
  const timeout = podRunningTimeout(p, SEE);
  const resource = before[0];
  if (!resource) throw new CliError('error: pod, type/name or --filename must be specified');
  if (!command.length) throw new CliError('error: you must specify at least one command for the container');
  const quiet = bool(p, 'quiet');

  const pod = await targetPod(ctx, resource, timeout);
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') throw new CliError(`error: cannot exec into a container in a completed pod; current phase is ${phase}`);
  let container = str(p, 'container') ?? '';
  if (!container) {
    const preferred = pod.metadata.annotations?.[DEFAULT_CONTAINER];
    if (!pod.spec?.containers?.length) throw new CliError(`error: pod ${pod.metadata.namespace}/${pod.metadata.name} does not have any containers`);
    if (preferred && hasContainer(pod, preferred)) container = preferred;
    else {
      container = pod.spec.containers[0]?.name as string;
      if (!quiet && manyContainers(pod)) ctx.warn(`Defaulted container "${container}" out of: ${allContainerNames(pod)}\n`);
    }
  }

  // kubectl's SetupTTY: a TTY only with stdin, and only if stdin is a terminal.
  const stdin = bool(p, 'stdin');
  let tty = stdin && bool(p, 'tty');
  if (tty && !process.stdin.isTTY) {
    tty = false;
    if (!quiet) ctx.warn('Unable to use a TTY - input is not a terminal or the right kind of file\n');
  }

  await runExec(ctx, pod, container, command, { stdin, tty });
}

/**
 * Runs `command` in a container of `pod` over the exec subresource with this process's stdio (stdin only when asked;
 * stderr joined into the terminal with a TTY, as kubectl does) and sets flotctl's exit code to the command's.
 */
export async function runExec(ctx: Ctx, pod: Pod, container: string, command: string[], o: { stdin: boolean; tty: boolean }): Promise<void> {
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  q.set('container', container);
  if (!o.tty) q.set('stderr', 'true');
  if (o.stdin) q.set('stdin', 'true');
  q.set('stdout', 'true');
  if (o.tty) q.set('tty', 'true');
  const result = await remoteCommand(ctx, subresourceUrl(ctx, pod, 'exec', q), { stdin: o.stdin ? process.stdin : undefined, stdout: process.stdout, stderr: process.stderr, terminal: o.tty });
  if (result.interrupted) {
    ctx.exitCode = 1;
    return;
  }
  const { code, error } = outcome(result.status);
  if (error) process.stderr.write(`${red(error, process.stderr)}\n`);
  ctx.exitCode = code;
}

export const command: Command = {
  short: 'Execute a command in a container',
  flags: { container: { short: 'c' }, stdin: { short: 'i', bool: true }, tty: { short: 't', bool: true }, quiet: { short: 'q', bool: true }, 'pod-running-timeout': {} },
  run: exec,
};
