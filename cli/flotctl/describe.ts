// `describe`: the objects named by TYPE [NAME...], TYPE/NAME..., -f FILE or TYPE -l SELECTOR, each printed by its
// kind's describer as kubectl 1.32 prints it. `describe TYPE NAME` that finds nothing falls back to every object of
// the type whose name starts with NAME, as kubectl does.
import { KINDS, type KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError, isNotFound } from '../../lib/client/rest.js';
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { type Parsed, all, bool, boolFlag, intFlag, str } from './flags.js';
import { readItems } from './manifests.js';
import { FILE_FLAGS } from './targets.js';
import { type Env, describerFor } from './describe/index.js';

interface Req {
  kind: KindInfo;
  /** An object by name, or (undefined) every object of the kind. */
  name?: string;
  namespace?: string;
  /** Named by -f: kubectl leaves the reading to the describer, which does not check the namespace. */
  fromFile?: boolean;
}

/** --show-events, and --chunk-size checked and then ignored (everything is read in one list). */
function flagValues(p: Parsed): boolean {
  intFlag(p, 'chunk-size');
  return boolFlag(p, 'show-events', true);
}

/** One type as typed; `all` is the kinds in the `all` category. */
function kindsOf(ctx: Ctx, typed: string): KindInfo[] {
  if (typed.toLowerCase() === 'all') return KINDS.filter((k) => k.categories.includes('all'));
  // (ctx.kind would suggest every kind for an empty name, where kubectl suggests none.)
  if (!typed) throw new CliError('error: the server doesn\'t have a resource type ""');
  return [ctx.kind(typed)];
}

/** The builder's reading of the arguments, with kubectl's messages for the shapes it refuses. */
function requests(ctx: Ctx, args: string[], selector: string | undefined): Req[] {
  const ns = (k: KindInfo) => (k.namespaced ? (ctx.allNamespaces ? '' : ctx.namespace) : undefined);
  const byName = (kind: KindInfo, name: string): Req => {
    if (!name) throw new CliError('error: resource name may not be empty');
    return { kind, name, namespace: ns(kind) };
  };
  const slashed = args.filter((a) => a.includes('/')).length;
  let tuples: [string, string][] = [];
  if (slashed && slashed !== args.length) {
    throw new CliError(`error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'flotctl get resource/<resource_name>' instead of 'flotctl get resource resource/<resource_name>'`);
  }
  const types = [...new Set((args[0] ?? '').split(','))];
  if (slashed) {
    tuples = args.map((a) => {
      const seg = a.split('/');
      if (seg.length !== 2) throw new CliError('error: arguments in resource/name form may not have more than one slash');
      const [t, n] = seg as [string, string];
      if (new Set(t.split(',')).size !== 1) throw new CliError('error: arguments in resource/name form must have a single resource and name');
      return [t, n];
    });
  } else if (args.length > 1 && types.length > 1) {
    tuples = types.flatMap((t) => args.slice(1).map((n) => [t, n] as [string, string]));
  }
  if (tuples.some(([t, n]) => !t || !n)) throw new CliError('error: arguments in resource/name form must have a single resource and name');
  if (tuples.length) {
    if (selector !== undefined) throw new CliError('error: selectors and the all flag cannot be used when passing resource/name arguments');
    if (ctx.allNamespaces) throw new CliError('error: a resource cannot be retrieved by name across all namespaces');
    return tuples.map(([t, n]) => {
      const kinds = kindsOf(ctx, t);
      if (kinds.length !== 1) throw new CliError('error: you must specify only one resource');
      return byName(kinds[0] as KindInfo, n);
    });
  }
  const kinds = [...new Set(types.flatMap((t) => kindsOf(ctx, t)))];
  const names = args.slice(1);
  if (!names.length) return kinds.map((kind) => ({ kind, namespace: ns(kind) }));
  if (selector !== undefined) throw new CliError('error: name cannot be provided when a selector is specified');
  if (kinds.length > 1) throw new CliError('error: you must specify only one resource');
  if (ctx.allNamespaces) throw new CliError('error: a resource cannot be retrieved by name across all namespaces');
  return names.map((n) => byName(kinds[0] as KindInfo, n));
}

interface Info {
  kind: KindInfo;
  obj: KubeObject;
}

async function fetchAll(ctx: Ctx, reqs: Req[], selector: string | undefined): Promise<{ infos: Info[]; errors: unknown[] }> {
  const infos: Info[] = [];
  const errors: unknown[] = [];
  for (const r of reqs) {
    try {
      if (r.name !== undefined) infos.push({ kind: r.kind, obj: await get(ctx, r) });
      else infos.push(...(await ctx.client.listAll(r.kind, { namespace: r.namespace ?? '', labelSelector: selector })).items.map((obj) => ({ kind: r.kind, obj })));
    } catch (e) {
      errors.push(r.name === undefined ? listError(e, r.kind, selector ?? '') : e);
    }
  }
  return { infos, errors };
}

/** kubectl's wording of a list the server refused: which resource, with which selectors. */
function listError(e: unknown, kind: KindInfo, selector: string): unknown {
  if (!(e instanceof ApiError) || (e.code !== 400 && e.code !== 404)) return e;
  const subject = `${kind.group}/${kind.version}, Resource=${kind.resource}`;
  const message = selector ? `Unable to find "${subject}" that match label selector "${selector}", field selector "": ${e.message}` : `Unable to list "${subject}": ${e.message}`;
  return new ApiError(e.code, { ...e.status, message });
}

const NAMESPACE = KINDS.find((k) => k.kind === 'Namespace') as KindInfo;

/** A named object; when it is missing from a namespace that does not exist either, kubectl reports the namespace. */
async function get(ctx: Ctx, r: Req): Promise<KubeObject> {
  try {
    return await ctx.client.get(r.kind, r.name as string, { namespace: r.namespace });
  } catch (e) {
    if (isNotFound(e) && r.namespace && r.namespace !== 'default' && !r.fromFile) {
      try {
        await ctx.client.get(NAMESPACE, r.namespace);
      } catch (e2) {
        if (isNotFound(e2)) throw e2;
      }
    }
    throw e;
  }
}

const describeOne = (env: Env, i: Info) => describerFor(i.kind)(env, i.kind, i.obj);

/** `describe TYPE PREFIX` when no object is named PREFIX: every object of TYPE in the namespace whose name starts so. */
async function describeMatching(ctx: Ctx, env: Env, original: unknown, typed: string, prefix: string): Promise<void> {
  if (typed.includes('/')) {
    // kubectl reads TYPE/NAME PREFIX as one object that must start with PREFIX, which a name with no slash never does.
    const [t, n] = typed.split('/') as [string, string];
    await ctx.client.get(ctx.kind(t), n, { namespace: ctx.namespace });
    throw original;
  }
  const kinds = [...new Set(typed.split(','))].flatMap((t) => kindsOf(ctx, t));
  if (kinds.length !== 1) throw new CliError('error: you may only specify a single resource type');
  const kind = kinds[0] as KindInfo;
  const list = await ctx.client.listAll(kind, { namespace: kind.namespaced ? ctx.namespace : '' });
  const matches = list.items.filter((o) => (o.metadata.name ?? '').startsWith(prefix));
  if (!matches.length) throw original;
  for (const obj of matches) ctx.print(`${await describeOne(env, { kind, obj })}\n`);
}

async function describe(ctx: Ctx, p: Parsed): Promise<void> {
  const showEvents = flagValues(p);
  const files = all(p, 'filename');
  const selector = str(p, 'selector');
  const args = p.args;
  if (!args.length && !files.length) throw new CliError('error: You must specify the type of resource to describe. Use "flotctl api-resources" for a complete list of supported resources.');
  if (args.length && files.length) throw new CliError('error: when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well');
  const mismatched: unknown[] = [];
  const reqs: Req[] = files.length ? fileRequests(ctx, files, bool(p, 'recursive'), mismatched) : requests(ctx, args, selector);
  const env: Env = { client: ctx.client, showEvents };
  const { infos, errors } = await fetchAll(ctx, reqs, selector);
  errors.unshift(...mismatched);
  if (errors.length === 1 && isNotFound(errors[0]) && args.length === 2) {
    return describeMatching(ctx, env, errors[0], args[0] as string, args[1] as string);
  }
  const seen = new Set<string>();
  let first = true;
  for (const info of infos) {
    let text: string;
    try {
      text = await describeOne(env, info);
    } catch (e) {
      // kubectl reports each distinct describer failure once.
      const key = (e as Error).message;
      if (!seen.has(key)) errors.push(e);
      seen.add(key);
      continue;
    }
    ctx.print(first ? text : `\n\n${text}`);
    first = false;
  }
  if (!infos.length && !errors.length) ctx.warn(ctx.allNamespaces ? 'No resources found\n' : `No resources found in ${ctx.namespace} namespace.\n`);
  // One error reads `error: ...`; several are listed one a line, only the server's with a prefix.
  for (const e of errors) ctx.fail(errors.length === 1 && e instanceof ListedError ? new CliError(`error: ${e.message}`) : e);
}

/** An error kubectl words without `error: ` when it lists several. */
class ListedError extends CliError {}

/** The objects of -f; one whose namespace disagrees with -n is an error of its own, and the others go on. */
function fileRequests(ctx: Ctx, files: string[], recursive: boolean, errors: unknown[]): Req[] {
  // readItems would stop at the first disagreement; read as if -n were not given and compare here.
  const lenient = Object.create(ctx, { explicitNs: { value: false } }) as Ctx;
  const out: Req[] = [];
  for (const i of readItems(lenient, files, recursive)) {
    if (ctx.explicitNs && i.kind.namespaced && i.namespace !== ctx.namespace) {
      errors.push(new ListedError(`the namespace from the provided object "${i.namespace}" does not match the namespace "${ctx.namespace}". You must pass '--namespace=${i.namespace}' to perform this operation.`));
    } else out.push({ kind: i.kind, name: i.obj.metadata.name ?? '', namespace: i.namespace, fromFile: true });
  }
  return out;
}

export const command: Command = {
  short: 'Show details of a specific resource or group of resources',
  flags: { ...FILE_FLAGS, selector: { short: 'l' }, 'show-events': { bool: true }, 'chunk-size': {} },
  run: describe,
};
