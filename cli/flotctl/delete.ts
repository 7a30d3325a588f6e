// `delete`: by file, by name, by selector or --all; then, by default, wait until the objects are really gone.
import { isNotFound } from '../../lib/client/index.js';
import type { Command } from './command.js';
import type { Ctx } from './context.js';
import { type Parsed, bool, str } from './flags.js';
import { kindRef } from './output.js';
import { FILE_FLAGS, SELECT_FLAGS, type Target, resolveTargets } from './targets.js';

export async function del(ctx: Ctx, p: Parsed): Promise<void> {
  const ts = await resolveTargets(ctx, p, p.args, 'delete');
  if (!ts.length) {
    ctx.print('No resources found\n');
    return;
  }
  const deleted: Target[] = [];
  for (const t of ts) {
    try {
      await ctx.client.delete(t.kind, t.name, { namespace: t.namespace, propagationPolicy: 'Background' });
      ctx.print(`${kindRef(t.kind)} "${t.name}" deleted\n`);
      deleted.push(t);
    } catch (e) {
      if (isNotFound(e) && bool(p, 'ignore-not-found')) continue;
      ctx.fail(e, t.source ? `error when deleting "${t.source}": ` : '');
    }
  }
  // --wait (kubectl's default): return once the objects are really gone, finalizers included.
  if (str(p, 'wait') === 'false') return;
  for (const t of deleted) {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      try {
        await ctx.client.get(t.kind, t.name, { namespace: t.namespace });
      } catch (e) {
        if (isNotFound(e)) break;
        throw e;
      }
    }
  }
}

export const command: Command = {
  short: 'Delete resources by file names, stdin, resources and names, or by resources and label selector',
  flags: { ...FILE_FLAGS, ...SELECT_FLAGS, 'ignore-not-found': { bool: true }, wait: {} },
  run: del,
};
