// What the rollout subcommands and `wait` share: naming objects as kubectl's builder does (a bare TYPE means every
// object of it), fetching them first, kubectl's aggregated error report, and the names kubectl uses for a kind in
// its messages (`Pod`, `ReplicaSet.apps`).
import type { KindInfo } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { ApiError } from '../../../lib/client/rest.js';
import { CliError, type Ctx, formatError, isConnError } from '../context.js';
import { type Parsed, str } from '../flags.js';
import { type Target, resolveTargets } from '../targets.js';

/** Go's GroupKind.String(): `Pod`, `ReplicaSet.apps`. */
export const groupKind = (k: KindInfo) => (k.group ? `${k.kind}.${k.group}` : k.kind);
/** Go's %v of a GroupKind struct: `{ ConfigMap}`, `{apps ReplicaSet}`. */
export const groupKindStruct = (k: KindInfo) => `{${k.group} ${k.kind}}`;
export const isDeployment = (k: KindInfo) => k.group === 'apps' && k.kind === 'Deployment';
/** Kinds kubectl's apps visitor knows (it has a method for them, even if the verb does nothing with them). */
export const visitorKnows = (k: KindInfo) =>
  (k.group === 'apps' && ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(k.kind)) ||
  (k.group === 'batch' && ['Job', 'CronJob'].includes(k.kind)) ||
  (k.group === '' && ['Pod', 'ReplicationController'].includes(k.kind));

export interface Found {
  target: Target;
  obj: KubeObject;
}

/**
 * The objects a rollout/wait line names, fetched: `TYPE` alone means all of that type (rollout only), names that
 * don't exist become errors reported after the others are done, as kubectl's builder does.
 */
export async function fetchTargets(ctx: Ctx, p: Parsed, verb: string, errs: unknown[], typeMeansAll: boolean): Promise<{ found: Found[]; missing: Target[] }> {
  let parsed = p;
  const bare = p.args.length === 1 && !(p.args[0] as string).includes('/');
  if (typeMeansAll && bare && str(p, 'selector') === undefined) parsed = { ...p, flags: new Map([...p.flags, ['all', ['true']]]) };
  const ts = await resolveTargets(ctx, parsed, p.args, verb);
  const found: Found[] = [];
  const missing: Target[] = [];
  for (const t of ts) {
    try {
      const obj = await ctx.client.get(t.kind, t.name, { namespace: t.namespace });
      found.push({ target: { ...t, namespace: t.kind.namespaced ? obj.metadata.namespace ?? t.namespace : undefined }, obj });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 404) missing.push(t);
      errs.push(e);
    }
  }
  return { found, missing };
}

/** kubectl's CheckErr over an aggregate: one error gets "error: " in front, several are listed as they are. */
export function report(ctx: Ctx, errs: unknown[]): void {
  for (const e of errs) if (isConnError(e)) throw e;
  for (const e of errs) {
    let msg = e instanceof ApiError ? formatError(e, '') : (e as Error).message;
    if (errs.length === 1 && !(e instanceof ApiError) && !msg.startsWith('error: ')) msg = `error: ${msg}`;
    ctx.fail(new CliError(msg));
  }
}

/** `No resources found in default namespace.` when a selector or bare TYPE matched nothing. */
export function noneFound(ctx: Ctx): void {
  ctx.warn(`No resources found in ${ctx.namespace} namespace.\n`);
}

/** Go's text/tabwriter as kubectl's history table uses it (minwidth 0, padding 2), for two columns. */
export function tabbed(rows: string[][]): string {
  const width = Math.max(...rows.map((r) => (r[0] as string).length)) + 2;
  return rows.map((r) => `${(r[0] as string).padEnd(width)}${r[1]}\n`).join('');
}
