// `attach`: joins a running container's main process (its stdin with -i, its terminal with -t) over the remote command
// protocol (remote-command.ts), as kubectl attach does: the container's own tty setting wins over -t, and the
// hint about the prompt goes to stderr first.
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, bool, str } from './flags.js';
import { podRunningTimeout } from './logs.js';
import { DEFAULT_CONTAINER, allContainerNames, manyContainers, type Pod } from './podselect.js';
import { outcome, remoteCommand, subresourceUrl, targetPod } from './remote-command.js';
import { red } from './style.js';

const SEE = `\nSee 'flotctl attach -h' for help and examples`;

export interface ContainerSpec {
  name: string;
  stdin?: boolean;
  tty?: boolean;
}

/** The container named (or the default one), as kubectl's FindOrDefaultContainerByName picks it. */
function containerOf(ctx: Ctx, pod: Pod, name: string, quiet: boolean): ContainerSpec {
  const spec = (pod.spec ?? {}) as { containers?: ContainerSpec[]; initContainers?: ContainerSpec[]; ephemeralContainers?: ContainerSpec[] };
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
  if (name) {
    const c = all.find((x) => x.name === name);
    if (!c) throw new CliError(`error: cannot attach to the container: container ${name} not found in pod ${pod.metadata.name}`);
    return c;
  }
  const preferred = pod.metadata.annotations?.[DEFAULT_CONTAINER];
  const c = (preferred && spec.containers?.find((x) => x.name === preferred)) || spec.containers?.[0];
  if (!c) throw new CliError(`error: cannot attach to the container: pod ${pod.metadata.namespace}/${pod.metadata.name} does not have any containers`);
  if (!preferred && !quiet && manyContainers(pod)) ctx.warn(`Defaulted container "${c.name}" out of: ${allContainerNames(pod)}\n`);
  return c;
}

export async function attach(ctx: Ctx, p: Parsed): Promise<void> {
  if (p.args.length === 0) throw new CliError(`error: at least 1 argument is required for attach${SEE}`);
  if (p.args.length > 2) throw new CliError(`error: expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw ${p.args.length}: ${JSON.stringify(p.args)}${SEE}`);
  const ref = p.args.length === 2 ? `${p.args[0]}/${p.args[1]}` : (p.args[0] as string);
  const quiet = bool(p, 'quiet');
  const pod = await targetPod(ctx, ref, podRunningTimeout(p, SEE));
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') throw new CliError(`error: cannot attach a container in a completed pod; current phase is ${phase}`);
  const container = containerOf(ctx, pod, str(p, 'container') ?? '', quiet);

  await attachTo(ctx, pod, container, { stdin: bool(p, 'stdin'), tty: bool(p, 'tty'), quiet });
}

/** Attaches to a container of the pod (attach, and debug -i): the terminal and stream choices kubectl makes. */
export async function attachTo(ctx: Ctx, pod: Pod, container: ContainerSpec,
  o: { stdin: boolean; tty: boolean; quiet: boolean; sessionEnded?: string }): Promise<void> {
  const { stdin, quiet } = o;
  let tty = o.tty;
  if (tty && !container.tty) {
    tty = false;
    if (!quiet) ctx.warn(`error: Unable to use a TTY - container ${container.name} did not allocate one\n`);
  } else if (!tty && container.tty) {
    // the container's process writes to a terminal: the stream has no stderr of its own
    tty = true;
  }
  // a raw local terminal only with stdin from one (kubectl's SetupTTY)
  const raw = tty && stdin && !!process.stdin.isTTY;
  if (tty && stdin && !process.stdin.isTTY && !quiet) ctx.warn('Unable to use a TTY - input is not a terminal or the right kind of file\n');

  const q = new URLSearchParams();
  q.set('container', container.name);
  if (stdin) q.set('stdin', 'true');
  q.set('stdout', 'true');
  if (!tty) q.set('stderr', 'true');
  if (tty) q.set('tty', 'true');
  if (!quiet) ctx.warn("If you don't see a command prompt, try pressing enter.\n");
  const result = await remoteCommand(ctx, subresourceUrl(ctx, pod, 'attach', q), { stdin: stdin ? process.stdin : undefined, stdout: process.stdout, stderr: process.stderr, terminal: raw });
  if (result.interrupted) {
    ctx.exitCode = 1;
    return;
  }
  const { code, error } = outcome(result.status);
  if (error) process.stderr.write(`${red(error, process.stderr)}\n`);
  ctx.exitCode = code;
  const restartPolicy = (pod.spec as { restartPolicy?: string } | undefined)?.restartPolicy ?? 'Always';
  if (!quiet && stdin && raw && o.sessionEnded) process.stdout.write(o.sessionEnded);
  else if (!quiet && stdin && raw && restartPolicy === 'Always') {
    process.stdout.write(`Session ended, resume using 'flotctl attach ${pod.metadata.name} -c ${container.name} -i -t' command when the pod is running\n`);
  }
}

export const command: Command = {
  short: 'Attach to a running container',
  flags: { container: { short: 'c' }, stdin: { short: 'i', bool: true }, tty: { short: 't', bool: true }, quiet: { short: 'q', bool: true }, 'pod-running-timeout': {} },
  run: attach,
};
