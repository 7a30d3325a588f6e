// `delete`: by file, by name, by selector or --all, with kubectl's --cascade, --grace-period, --force/--now and
// --dry-run; then, by default (--wait), it returns only once the objects are really gone, finalizers included,
// showing a live progress line on a TTY.
import { isNotFound } from '../../lib/client/rest.js';
import type { DeleteOptions } from '../../lib/client/rest.js';
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, bool, intFlag, parseDuration, str } from './flags.js';
import { kindRef } from './output.js';
import { Progress } from './progress.js';
import { isTTY } from './style.js';
import { FILE_FLAGS, SELECT_FLAGS, type Target, resolveTargets } from './targets.js';
import { dryRun } from './write.js';

const CASCADE: Record<string, DeleteOptions['propagationPolicy']> = { background: 'Background', true: 'Background', foreground: 'Foreground', orphan: 'Orphan', false: 'Orphan' };

function deleteOptions(p: Parsed): { opts: DeleteOptions; force: boolean } {
  const cascade = str(p, 'cascade') ?? 'background';
  const propagationPolicy = CASCADE[cascade];
  if (!propagationPolicy) throw new CliError(`error: invalid cascade value (${cascade}). Must be "background", "foreground", or "orphan"`);
  let grace = intFlag(p, 'grace-period', -1);
  const force = bool(p, 'force');
  if (bool(p, 'now')) {
    if (grace !== -1) throw new CliError('error: --now and --grace-period cannot be specified together');
    grace = 1;
  }
  if (force && grace < 0) grace = 0;
  if (force && grace > 0) grace = 1; // kubectl: forcing needs a grace period of 0 or 1
  return { opts: { propagationPolicy, ...(grace >= 0 ? { gracePeriodSeconds: grace } : {}) }, force: force && grace === 0 };
}

export async function del(ctx: Ctx, p: Parsed): Promise<void> {
  const { opts, force } = deleteOptions(p);
  const dry = dryRun(p);
  const timeout = str(p, 'timeout') ? parseDuration(str(p, 'timeout') as string, 'timeout') : 0;
  if (force) ctx.warn('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');
  const ts = await resolveTargets(ctx, p, p.args, 'delete');
  if (!ts.length) {
    ctx.print('No resources found\n');
    return;
  }
  const deleted: Target[] = [];
  const suffix = { none: '', client: ' (dry run)', server: ' (server dry run)' }[dry];
  for (const t of ts) {
    try {
      if (dry !== 'client') await ctx.client.delete(t.kind, t.name, { namespace: t.namespace, ...opts, ...(dry === 'server' ? { dryRun: 'All' as const } : {}) });
      ctx.print(`${kindRef(t.kind)} "${t.name}" ${force ? 'force deleted' : 'deleted'}${suffix}\n`);
      deleted.push(t);
    } catch (e) {
      if (isNotFound(e) && bool(p, 'ignore-not-found')) continue;
      ctx.fail(e, t.source ? `error when deleting "${t.source}": ` : '');
    }
  }
  if (str(p, 'wait') === 'false' || dry !== 'none') return;
  await waitGone(ctx, deleted, timeout);
}

/** Polls until each object is gone; a TTY sees which one is still being waited for. */
async function waitGone(ctx: Ctx, ts: Target[], timeoutMs: number): Promise<void> {
  const progress = isTTY(process.stderr) ? new Progress(process.stderr) : undefined;
  const started = Date.now();
  try {
    for (const t of ts) {
      for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
        try {
          await ctx.client.get(t.kind, t.name, { namespace: t.namespace });
        } catch (e) {
          if (isNotFound(e)) break;
          throw e;
        }
        const waited = Math.round((Date.now() - started) / 1000);
        progress?.update(`waiting for ${kindRef(t.kind)}/${t.name} to be deleted (${waited}s)`);
        if (timeoutMs && Date.now() - started > timeoutMs) throw new CliError(`error: timed out waiting for the condition on ${t.kind.resource}/${t.name}`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  } finally {
    progress?.done();
  }
}

export const command: Command = {
  short: 'Delete resources by file names, stdin, resources and names, or by resources and label selector',
  flags: {
    ...FILE_FLAGS, ...SELECT_FLAGS, 'ignore-not-found': { bool: true }, wait: { bare: 'true' }, cascade: { bare: 'background' },
    'grace-period': {}, force: { bool: true }, now: { bool: true }, timeout: {}, 'dry-run': { bare: 'unchanged' },
  },
  run: del,
};
