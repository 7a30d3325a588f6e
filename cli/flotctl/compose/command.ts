// `flotctl compose`: a Compose Specification project run on the cluster, in a namespace named after the project.
// config and convert need no cluster; up, down, ps, logs and exec talk to it.
import { str, all, bool, type Parsed } from '../flags.js';
import type { Command } from '../command.js';
import type { Ctx } from '../context.js';
import { UsageError } from '../flags.js';
import { COMPOSE_FLAGS, parseComposeArgs, SUBCOMMAND_FLAGS } from './args.js';
import { convert } from './convert.js';
import { printConfig, printManifests } from './print.js';
import { loadProject, type Project } from './project.js';

export const DEFAULT_WAIT_IMAGE = 'busybox:1.36';

export function projectFrom(p: Parsed): Project {
  return loadProject({
    files: all(p, 'file'),
    cwd: str(p, 'project-directory') ?? process.cwd(),
    projectName: str(p, 'project-name'),
    profiles: all(p, 'profile'),
    envFile: str(p, 'env-file'),
    env: process.env,
  });
}

export function objectsFrom(ctx: Ctx, p: Parsed, project: Project) {
  return convert(project, { allowHostPaths: bool(p, 'allow-host-paths'), waitImage: str(p, 'wait-image') ?? DEFAULT_WAIT_IMAGE, warn: (s) => ctx.warn(`Warning: ${s}\n`) });
}

async function run(ctx: Ctx, p: Parsed): Promise<void> {
  const [sub, ...args] = p.args;
  switch (sub) {
    case 'config': {
      const project = projectFrom(p);
      if (!bool(p, 'quiet')) ctx.print(printConfig(project));
      return;
    }
    case 'convert':
      ctx.print(printManifests(objectsFrom(ctx, p, projectFrom(p))));
      return;
    case 'up':
      return (await import('./up.js')).up(ctx, p, projectFrom(p));
    case 'down':
      return (await import('./down.js')).down(ctx, p, projectFrom(p));
    case 'ps':
      return (await import('./ps.js')).ps(ctx, projectFrom(p), args);
    case 'logs':
      return (await import('./logs.js')).composeLogs(ctx, p, projectFrom(p), args);
    case 'exec':
      return (await import('./exec.js')).composeExec(ctx, p, projectFrom(p), args);
    default:
      throw new UsageError(`a compose command is required: one of ${Object.keys(SUBCOMMAND_FLAGS).join(', ')}`);
  }
}

export const command: Command = {
  short: 'Run a docker compose project on the cluster (up, down, ps, logs, exec, config, convert)',
  flags: COMPOSE_FLAGS,
  subcommands: Object.keys(SUBCOMMAND_FLAGS),
  parse: parseComposeArgs,
  run,
};
