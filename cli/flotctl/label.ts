// `label` and `annotate`: KEY=VALUE sets, KEY- removes, both sent as a JSON merge patch of the one map.
import type { KubeObject } from '../../lib/api/types.js';
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, bool } from './flags.js';
import { kindRef } from './output.js';
import { FILE_FLAGS, SELECT_FLAGS, resolveTargets } from './targets.js';

/** label / annotate: KEY=VALUE sets, KEY- removes, both sent as a JSON merge patch of the one map. */
export async function setMeta(ctx: Ctx, p: Parsed, field: 'labels' | 'annotations'): Promise<void> {
  const isChange = (a: string) => a.includes('=') || (a.endsWith('-') && a.length > 1 && !a.includes('/'));
  // Changes are the trailing KEY=VALUE / KEY- arguments; what comes before names the objects.
  let split = p.args.length;
  while (split > 0 && isChange(p.args[split - 1] as string)) split--;
  const changes = p.args.slice(split);
  if (!changes.length) throw new CliError(`error: at least one ${field === 'labels' ? 'label' : 'annotation'} update is required`);
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const c of changes) {
    const eq = c.indexOf('=');
    if (eq > 0) set[c.slice(0, eq)] = c.slice(eq + 1);
    else remove.push(c.slice(0, -1));
  }
  const overwrite = bool(p, 'overwrite');
  const verb = field === 'labels' ? 'labeled' : 'annotated';
  for (const t of await resolveTargets(ctx, p, p.args.slice(0, split), field === 'labels' ? 'label' : 'annotate')) {
    let obj: KubeObject;
    try {
      obj = await ctx.client.get(t.kind, t.name, { namespace: t.namespace });
    } catch (e) {
      ctx.fail(e);
      continue;
    }
    const old: Record<string, string> = obj.metadata[field] ?? {};
    if (!overwrite) {
      const clash = Object.keys(set).filter((k) => k in old && (field === 'annotations' || old[k] !== set[k]));
      if (clash.length && field === 'labels') throw new CliError(`error: ${clash.map((k) => `'${k}' already has a value (${old[k]}), and --overwrite is false`).join(', ')}`);
      if (clash.length) throw new CliError(`error: --overwrite is false but found the following declared annotation(s): ${clash.map((k) => `'${k}' already has a value (${old[k]})`).join('; ')}`);
    }
    const patch: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(set)) if (old[k] !== v) patch[k] = v;
    for (const k of remove) {
      if (k in old) patch[k] = null;
      else if (field === 'labels') ctx.warn(`label "${k}" not found.\n`);
    }
    // kubectl's message compares the serialized maps before and after: equal -> "not labeled", shorter -> "unlabeled".
    let msg = verb;
    if (field === 'labels') {
      const after = { ...old, ...set };
      for (const k of remove) delete after[k];
      const changed = Object.keys(patch).length > 0;
      msg = !changed ? 'not labeled' : !overwrite && JSON.stringify(after).length < JSON.stringify(old).length ? 'unlabeled' : 'labeled';
    }
    try {
      if (Object.keys(patch).length) await ctx.client.patch(t.kind, t.name, { metadata: { [field]: patch } }, 'merge', { namespace: t.namespace });
      ctx.print(`${kindRef(t.kind)}/${t.name} ${msg}\n`);
    } catch (e) {
      ctx.fail(e);
    }
  }
}

const flags = { ...FILE_FLAGS, ...SELECT_FLAGS, overwrite: { bool: true } };
export const label: Command = { short: 'Update the labels on a resource', flags, run: (ctx, p) => setMeta(ctx, p, 'labels') };
export const annotate: Command = { short: 'Update the annotations on a resource', flags, run: (ctx, p) => setMeta(ctx, p, 'annotations') };
