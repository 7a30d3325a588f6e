// Which objects a command line names: `TYPE[,TYPE] [NAME...]`, `TYPE/NAME...`, `-f FILE`, or `TYPE -l SEL` / `--all`.
import type { KindInfo } from '../../lib/api/kinds.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, all, bool, str } from './flags.js';
import { readItems } from './manifests.js';

/** The requests a get/delete line names: `TYPE[,TYPE] [NAME...]` or `TYPE/NAME...`. */
export function targets(ctx: Ctx, args: string[]): { kind: KindInfo; names: string[] }[] {
  if (!args.length) throw new CliError('error: You must specify the type of resource to get. Use "flotctl api-resources" for a complete list of supported resources.');
  if (args.some((a) => a.includes('/'))) {
    const out: { kind: KindInfo; names: string[] }[] = [];
    for (const a of args) {
      const [t, n] = a.split('/');
      if (!t || !n) throw new CliError(`error: arguments in resource/name form must have a single resource and name`);
      const kind = ctx.kind(t);
      const last = out.at(-1);
      if (last?.kind === kind) last.names.push(n);
      else out.push({ kind, names: [n] });
    }
    return out;
  }
  const [types, ...names] = args as [string, ...string[]];
  const kinds = [...new Set(types.split(',').filter(Boolean).map((t) => ctx.kind(t)))];
  return kinds.map((kind) => ({ kind, names }));
}

export interface Target {
  kind: KindInfo;
  name: string;
  namespace: string | undefined;
  source?: string;
}

/** Objects named by -f, by TYPE NAME / TYPE/NAME, or by TYPE with -l / --all. */
export async function resolveTargets(ctx: Ctx, p: Parsed, args: string[], verb: string): Promise<Target[]> {
  const files = all(p, 'filename');
  if (files.length) {
    if (args.length) throw new CliError(`error: Unexpected args: [${args.join(' ')}]\nSee 'flotctl ${verb} -h' for help and examples`);
    return readItems(ctx, files, bool(p, 'recursive')).map((i) => ({ kind: i.kind, name: i.obj.metadata.name as string, namespace: i.namespace, source: i.source }));
  }
  const selector = str(p, 'selector');
  if (selector !== undefined && bool(p, 'all')) throw new CliError(`error: setting 'all' parameter but found a non empty selector. `);
  if (!args.length && (selector !== undefined || bool(p, 'all'))) throw new CliError('error: at least one resource must be specified to use a selector');
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


/** -f FILE... [-R]: the flags of every command that can take its objects from manifests. */
export const FILE_FLAGS = { filename: { short: 'f', multi: true }, recursive: { short: 'R', bool: true } };
/** -l SELECTOR / --all: the flags of every command that can name its objects by label. */
export const SELECT_FLAGS = { selector: { short: 'l' }, all: { bool: true } };
