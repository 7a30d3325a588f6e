// `scale`: sets spec.replicas through the scale subresource, kubectl's way (`scale deployment/web --replicas=5`) and
// docker service scale's (`scale web=5 api=2`: Deployments by name).
import { findByKind, type KindInfo } from '../../lib/api/kinds.js';
import { ApiError } from '../../lib/client/rest.js';
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, str } from './flags.js';
import { kindRef } from './output.js';
import { FILE_FLAGS, SELECT_FLAGS, resolveTargets } from './targets.js';

/** `NAME=N` words, docker service scale's form; undefined when the arguments are kubectl's. */
export function serviceScales(args: string[]): Array<{ name: string; replicas: string }> | undefined {
  const pairs = args.map((a) => /^([^=/]+)=(.*)$/.exec(a));
  if (!args.length || pairs.some((m) => !m)) {
    if (pairs.some(Boolean)) throw new CliError('error: NAME=REPLICAS (docker service scale\'s form) cannot be mixed with TYPE/NAME or TYPE NAME');
    return undefined;
  }
  return pairs.map((m) => ({ name: (m as RegExpExecArray)[1] as string, replicas: (m as RegExpExecArray)[2] as string }));
}

/** `scale web=5 api=2`: each Deployment of that name to that many replicas, as docker service scale does. */
async function scaleServices(ctx: Ctx, p: Parsed, scales: Array<{ name: string; replicas: string }>): Promise<void> {
  if (str(p, 'replicas') !== undefined) throw new CliError('error: --replicas cannot be used with NAME=REPLICAS: the count is after the =');
  for (const s of scales) {
    if (!/^\d+$/.test(s.replicas)) throw new CliError(`error: invalid replicas value for ${s.name}: "${s.replicas}": must be a whole number >= 0`);
  }
  const kind = findByKind('apps/v1', 'Deployment') as KindInfo;
  for (const s of scales) {
    try {
      await ctx.client.updateScale(kind, s.name, Number(s.replicas), { namespace: ctx.namespace });
      ctx.print(`${kindRef(kind)}/${s.name} scaled\n`);
    } catch (e) {
      ctx.fail(e);
    }
  }
}

export async function scale(ctx: Ctx, p: Parsed): Promise<void> {
  const scales = p.flags.has('filename') ? undefined : serviceScales(p.args);
  if (scales) return scaleServices(ctx, p, scales);
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
