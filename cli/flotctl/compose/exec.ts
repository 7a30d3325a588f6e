// `compose exec SERVICE CMD...`: runs the command in the first ready pod of the service (--index N: the Nth, as
// compose's container index), over flotctl exec's remote command protocol; its exit code is flotctl's.
import { CliError, type Ctx } from '../context.js';
import { bool, intFlag, type Parsed } from '../flags.js';
import { outcome, remoteCommand, subresourceUrl } from '../remote-command.js';
import { red } from '../style.js';
import { projectPods } from './pods.js';
import type { Project } from './project.js';

const ready = (p: { status?: { phase?: string; conditions?: { type: string; status: string }[] } }) =>
  p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export async function composeExec(ctx: Ctx, p: Parsed, project: Project, args: string[]): Promise<void> {
  const [service, ...command] = args;
  if (!service) throw new CliError('error: compose exec requires a SERVICE and a COMMAND');
  if (!command.length) throw new CliError('error: compose exec requires a COMMAND after the service');
  if (!Object.keys((project.model.services ?? {}) as object).includes(service)) throw new CliError(`error: no such service: ${service}`);
  const pods = await projectPods(ctx, project.name, [service]);
  const index = intFlag(p, 'index', 0);
  const pod = index > 0 ? pods[index - 1] : pods.find(ready);
  if (!pod) throw new CliError(`error: service "${service}" is not running${index > 0 ? ` (no container with index ${index})` : ': no ready pod'}`);
  const tty = !bool(p, 'no-TTY') && Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY);
  const stdin = tty || bool(p, 'interactive');
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  q.set('container', (pod.spec?.containers?.[0] as { name: string }).name);
  if (!tty) q.set('stderr', 'true');
  if (stdin) q.set('stdin', 'true');
  q.set('stdout', 'true');
  if (tty) q.set('tty', 'true');
  const result = await remoteCommand(ctx, subresourceUrl(ctx, pod, 'exec', q), { stdin: stdin ? process.stdin : undefined, stdout: process.stdout, stderr: process.stderr, terminal: tty });
  if (result.interrupted) {
    ctx.exitCode = 1;
    return;
  }
  const { code, error } = outcome(result.status);
  if (error) process.stderr.write(`${red(error, process.stderr)}\n`);
  ctx.exitCode = code;
}
