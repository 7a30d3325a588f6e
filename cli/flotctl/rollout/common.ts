// What the rollout subcommands and `wait` share: naming objects as kubectl's builder does (a bare TYPE means every
// object of it), fetching them first, kubectl's aggregated error report, Go durations, and the names kubectl
// uses for a kind in its messages (`Pod`, `ReplicaSet.apps`, `deployments.apps`).
import type { KindInfo } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { ApiError } from '../../../lib/client/rest.js';
import { CliError, type Ctx, formatError, isConnError } from '../context.js';
import { type Parsed, str } from '../flags.js';
import { kindRef, toJson, toYaml } from '../output.js';
import { type Target, resolveTargets } from '../targets.js';

/** Go's GroupKind.String(): `Pod`, `ReplicaSet.apps`. */
export const groupKind = (k: KindInfo) => (k.group ? `${k.kind}.${k.group}` : k.kind);
/** Go's %v of a GroupKind struct: `{ ConfigMap}`, `{apps ReplicaSet}`. */
export const groupKindStruct = (k: KindInfo) => `{${k.group} ${k.kind}}`;
/** `deployments.apps`, `pods`: how kubectl's rollout verbs name a resource in errors. */
export const resourceString = (k: KindInfo) => (k.group ? `${k.resource}.${k.group}` : k.resource);
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

/** A flag value cobra rejects, worded as kubectl words it (`cmd` is e.g. `rollout status`). */
const badFlag = (v: string, flag: string, why: string, cmd: string) =>
  new CliError(`error: invalid argument "${v}" for "--${flag}" flag: ${why}\nSee 'flotctl ${cmd} --help' for usage.`);

/** Go's time.ParseDuration as a flag value: `30s`, `1m30s`, `1.5h`, `-1s`, `0`; in milliseconds. */
export function parseDuration(v: string, flag: string, cmd: string): number {
  const bad = () => badFlag(v, flag, `time: invalid duration "${v}"`, cmd);
  const m = /^([-+]?)(.*)$/.exec(v) as RegExpExecArray;
  const body = m[2] as string;
  if (body === '0') return 0;
  if (body === '') throw bad();
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = body;
  while (rest) {
    const part = /^(\d*\.?\d*)(ns|us|µs|ms|s|m|h)?/.exec(rest) as RegExpExecArray;
    const num = part[1] as string;
    if (!num || num === '.') throw bad();
    if (!part[2]) throw badFlag(v, flag, `time: missing unit in duration "${v}"`, cmd);
    total += Number(num) * (unit[part[2]] as number);
    rest = rest.slice(part[0].length);
  }
  return m[1] === '-' ? -total : total;
}

/** An int64 flag as cobra parses it. */
export function intFlag(p: Parsed, flag: string, cmd: string): number {
  const v = str(p, flag);
  if (v === undefined) return 0;
  if (!/^[-+]?\d+$/.test(v)) throw badFlag(v, flag, `strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`, cmd);
  return Number(v);
}

const OUTPUTS = ['', 'name', 'json', 'yaml'];
/** -o for the verbs that print the object they changed; the check runs before anything is changed. */
export function outputFormat(p: Parsed): string {
  const o = str(p, 'output') ?? '';
  if (!OUTPUTS.includes(o)) throw new CliError(`error: unable to match a printer suitable for the output format "${o}", allowed formats are: json,name,yaml`);
  return o;
}

/** kubectl's name printer with an operation (`deployment.apps/web paused`), or the object for -o json/yaml. */
export function printResult(ctx: Ctx, format: string, kind: KindInfo, obj: KubeObject, operation: string): void {
  if (format === 'json') return ctx.print(toJson(obj));
  if (format === 'yaml') return ctx.print(toYaml(obj));
  const ref = `${kindRef(kind)}/${obj.metadata.name ?? ''}`;
  ctx.print(format === 'name' || !operation ? `${ref}\n` : `${ref} ${operation}\n`);
}
