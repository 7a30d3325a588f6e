// delete, scale, label, annotate, version: the imperative verbs.
import { ApiError, isNotFound } from '../../lib/client/index.js';
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, all, bool, str } from './flags.js';
import { targets } from './get.js';
import { readItems } from './manifests.js';
import { kindRef, toJson, toYaml } from './output.js';

interface Target {
  kind: KindInfo;
  name: string;
  namespace: string | undefined;
  source?: string;
}

/** Objects named by -f, by TYPE NAME / TYPE/NAME, or by TYPE with -l / --all. */
async function resolveTargets(ctx: Ctx, p: Parsed, args: string[], verb: string): Promise<Target[]> {
  const files = all(p, 'filename');
  if (files.length) {
    if (args.length) throw new CliError(`error: Unexpected args: [${args.join(' ')}]\nSee 'kubectl ${verb} -h' for help and examples`);
    return readItems(ctx, files, bool(p, 'recursive')).map((i) => ({ kind: i.kind, name: i.obj.metadata.name as string, namespace: i.namespace, source: i.source }));
  }
  const selector = str(p, 'selector');
  const out: Target[] = [];
  for (const { kind, names } of targets(ctx, args)) {
    const namespace = kind.namespaced && !ctx.allNamespaces ? ctx.namespace : undefined;
    if (names.length) {
      out.push(...names.map((name) => ({ kind, name, namespace })));
    } else if (selector !== undefined || bool(p, 'all')) {
      const list = await ctx.client.listAll(kind, { namespace: namespace ?? '', labelSelector: selector });
      out.push(...list.items.map((o) => ({ kind, name: o.metadata.name as string, namespace: o.metadata.namespace })));
    } else {
      throw new CliError(`error: resource(s) were provided, but no name was specified`);
    }
  }
  return out;
}

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

export const CLIENT_VERSION = { major: '0', minor: '1', gitVersion: 'v0.1.0-flotctl', platform: `${process.platform}/${process.arch}` };

export async function version(ctx: Ctx | undefined, p: Parsed): Promise<void> {
  const o = str(p, 'output');
  const server = ctx && !bool(p, 'client') ? await ctx.client.request<Record<string, string>>({ method: 'GET', path: '/version' }) : undefined;
  if (o === 'json' || o === 'yaml') {
    const doc = { clientVersion: CLIENT_VERSION, ...(server ? { serverVersion: server } : {}) };
    process.stdout.write(o === 'json' ? toJson(doc) : toYaml(doc));
    return;
  }
  process.stdout.write(`Client Version: ${CLIENT_VERSION.gitVersion}\n${server ? `Server Version: ${server.gitVersion}\n` : ''}`);
}
