// `compose exec SERVICE CMD...`: runs the command in the first ready pod of the service (--index N: the Nth, as
// compose's container index), as flotctl exec runs it; its exit code is flotctl's.
import { CliError, type Ctx } from '../context.js';
import { bool, intFlag, type Parsed } from '../flags.js';
import { runExec } from '../exec.js';
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
  await runExec(ctx, pod, (pod.spec?.containers?.[0] as { name: string }).name, command, { stdin, tty });
}
