// `scale`: sets spec.replicas through the scale subresource.
import { ApiError } from '../../lib/client/rest.js';
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, str } from './flags.js';
import { kindRef } from './output.js';
import { FILE_FLAGS, SELECT_FLAGS, resolveTargets } from './targets.js';

export async function scale(ctx: Ctx, p: Parsed): Promise<void> {
  const r = str(p, 'replicas');
  if (r === undefined || !/^\d+$/.test(r)) throw new CliError('error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
  for (const t of await resolveTargets(ctx, p, p.args, 'scale')) {
    if (!t.kind.subresources.includes('scale')) {
      ctx.fail(new CliError(`error: no scaler has been implemented for "${t.kind.kind}"`));
      continue;
    }
    try {
      await ctx.client.get(t.kind, t.name, { namespace: t.namespace });
    } catch (e) {
      // kubectl resolves the objects before scaling and words a missing one this way.
      if (e instanceof ApiError) throw new CliError(`error: no objects passed to scale ${e.message}`);
      throw e;
    }
    try {
      await ctx.client.updateScale(t.kind, t.name, Number(r), { namespace: t.namespace });
      ctx.print(`${kindRef(t.kind)}/${t.name} scaled\n`);
    } catch (e) {
      ctx.fail(e);
    }
  }
}

export const command: Command = {
  short: 'Set a new size for a deployment, replica set, or replication controller',
  flags: { ...FILE_FLAGS, ...SELECT_FLAGS, replicas: {} },
  run: scale,
};
