// `cordon`, `uncordon` and `drain`: mark nodes unschedulable, and empty them through the eviction subresource so
// PodDisruptionBudgets are honoured, with kubectl's flags, filters and messages (a 429 is retried every 5 s until
// --timeout). DaemonSet pods need --ignore-daemonsets (and stay), pods without a controller --force, pods with
// emptyDir volumes --delete-emptydir-data; finished pods always go.
import { findByKind } from '../../lib/api/kinds.js';
import type { KubeObject } from '../../lib/api/types.js';
import { ApiError } from '../../lib/client/rest.js';
import type { Command } from './command.js';
import { CliError, type Ctx } from './context.js';
import { bool, durationFlag, intFlag, str, type Parsed } from './flags.js';

const NODE = findByKind('v1', 'Node')!;
const POD = findByKind('v1', 'Pod')!;
const RETRY_MS = 5000;

async function nodesOf(ctx: Ctx, p: Parsed): Promise<KubeObject[]> {
  const selector = str(p, 'selector');
  if (selector !== undefined) return (await ctx.client.listAll(NODE, { labelSelector: selector })).items;
  if (!p.args.length) throw new CliError('error: resource(s) were provided, but no name was specified');
  const out: KubeObject[] = [];
  for (const name of p.args) {
    try {
      out.push(await ctx.client.get(NODE, name));
    } catch (e) {
      ctx.fail(e);
    }
  }
  return out;
}

/** Sets spec.unschedulable; prints what kubectl prints. */
async function setUnschedulable(ctx: Ctx, node: KubeObject, on: boolean): Promise<void> {
  const name = node.metadata.name as string;
  const verb = on ? 'cordoned' : 'uncordoned';
  if ((node.spec?.unschedulable === true) === on) return ctx.print(`node/${name} already ${verb}\n`);
  await ctx.client.patch(NODE, name, { spec: { unschedulable: on ? true : null } }, 'merge');
  ctx.print(`node/${name} ${verb}\n`);
}

const cordonCommand = (on: boolean): Command => ({
  short: on ? 'Mark node as unschedulable' : 'Mark node as schedulable',
  flags: { selector: { short: 'l' } },
  async run(ctx, p) {
    for (const n of await nodesOf(ctx, p)) await setUnschedulable(ctx, n, on).catch((e: unknown) => ctx.fail(e));
  },
});

export const cordon = cordonCommand(true);
export const uncordon = cordonCommand(false);

interface Options {
  force: boolean;
  ignoreDaemonSets: boolean;
  deleteEmptyDir: boolean;
  disableEviction: boolean;
  gracePeriod: number;
  timeoutMs: number;
  timeoutText: string;
  podSelector?: string;
}

const finished = (p: KubeObject): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const ref = (p: KubeObject): string => `${p.metadata.namespace as string}/${p.metadata.name as string}`;

/** kubectl's pod filters, in its order: which pods go, and the warnings and errors, each with its pods. */
export function filterPods(pods: KubeObject[], o: Pick<Options, 'force' | 'ignoreDaemonSets' | 'deleteEmptyDir'>): { remove: KubeObject[]; warnings: Map<string, string[]>; errors: Map<string, string[]> } {
  const remove: KubeObject[] = [];
  const warnings = new Map<string, string[]>();
  const errors = new Map<string, string[]>();
  const note = (m: Map<string, string[]>, msg: string, p: KubeObject): void => void m.set(msg, [...(m.get(msg) ?? []), ref(p)]);
  for (const p of pods) {
    const owner = p.metadata.ownerReferences?.find((r) => r.controller === true);
    if (owner?.kind === 'DaemonSet') {
      if (o.ignoreDaemonSets) note(warnings, 'ignoring DaemonSet-managed Pods', p);
      else note(errors, 'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)', p);
      continue;
    }
    if (p.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined) continue;
    const emptyDir = ((p.spec?.volumes ?? []) as Array<{ emptyDir?: unknown }>).some((v) => v.emptyDir !== undefined);
    let ok = true;
    // with --delete-emptydir-data kubectl deletes them without a word
    if (emptyDir && !finished(p) && !o.deleteEmptyDir) {
      note(errors, 'cannot delete Pods with local storage (use --delete-emptydir-data to override)', p);
      ok = false;
    }
    if (!owner && !finished(p)) {
      // kubectl's own wording repeats "cannot delete" for this one
      if (o.force) note(warnings, 'deleting Pods that declare no controller', p);
      else {
        note(errors, 'cannot delete cannot delete Pods that declare no controller (use --force to override)', p);
        ok = false;
      }
    }
    if (ok) remove.push(p);
  }
  return { remove, warnings, errors };
}

const joined = (m: Map<string, string[]>): string[] => [...m].map(([msg, pods]) => `${msg}: ${pods.join(', ')}`);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Evicts (or deletes) one pod, retrying while a budget refuses, then waits until it is gone. */
async function removePod(ctx: Ctx, pod: KubeObject, o: Options, deadline: number): Promise<void> {
  const name = pod.metadata.name as string;
  const namespace = pod.metadata.namespace as string;
  const deleteOptions = o.gracePeriod >= 0 ? { gracePeriodSeconds: o.gracePeriod } : undefined;
  const timedOut = (): Error => new CliError(`error when evicting pods/"${name}" -n "${namespace}": global timeout reached: ${o.timeoutText}`);
  if (o.disableEviction) {
    await ctx.client.delete(POD, name, { namespace, ...deleteOptions }).catch(ignoreNotFound);
  } else {
    for (;;) {
      // kubectl announces every attempt
      ctx.print(`evicting pod ${namespace}/${name}\n`);
      try {
        await ctx.client.request({ method: 'POST', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/eviction`,
          body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, ...(deleteOptions ? { deleteOptions } : {}) } });
        break;
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) break;
        if (!(e instanceof ApiError && e.code === 429)) throw new CliError(`error when evicting pods/"${name}" -n "${namespace}": ${(e as Error).message}`);
        ctx.warn(`error when evicting pods/"${name}" -n "${namespace}" (will retry after 5s): ${e.message}\n`);
        if (Date.now() + RETRY_MS > deadline) {
          await sleep(Math.max(0, deadline - Date.now()));
          throw timedOut();
        }
        await sleep(RETRY_MS);
      }
    }
  }
  // gone once the name is free or taken by another pod
  for (;;) {
    const cur = await ctx.client.get(POD, name, { namespace }).catch((e: unknown) => (e instanceof ApiError && e.code === 404 ? undefined : Promise.reject(e)));
    if (!cur || cur.metadata.uid !== pod.metadata.uid) break;
    if (Date.now() > deadline) throw timedOut();
    await sleep(1000);
  }
  ctx.print(`pod/${name} ${o.disableEviction ? 'deleted' : 'evicted'}\n`);
}

function ignoreNotFound(e: unknown): void {
  if (!(e instanceof ApiError && e.code === 404)) throw e;
}

async function drainNode(ctx: Ctx, node: KubeObject, o: Options): Promise<void> {
  const name = node.metadata.name as string;
  await setUnschedulable(ctx, node, true);
  const pods = (await ctx.client.listAll(POD, { namespace: '', fieldSelector: `spec.nodeName=${name}`, labelSelector: o.podSelector })).items;
  const { remove, warnings, errors } = filterPods(pods, o);
  if (errors.size) {
    const errs = joined(errors);
    throw new CliError(`error: unable to drain node "${name}" due to error: ${errs.length > 1 ? `[${errs.join(', ')}]` : errs[0]}, continuing command...\n`
      + `There are pending nodes to be drained:\n ${name}\n${errs.join('\n')}`);
  }
  if (warnings.size) ctx.warn(`Warning: ${joined(warnings).join('; ')}\n`);
  const deadline = o.timeoutMs > 0 ? Date.now() + o.timeoutMs : Infinity;
  const results = await Promise.allSettled(remove.map((p) => removePod(ctx, p, o, deadline)));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as Error).message);
  if (failed.length) {
    const all = failed.length > 1 ? `[${failed.join(', ')}]` : failed[0];
    const pending = remove.filter((_p, i) => results[i]?.status === 'rejected').map((p) => `pod/${p.metadata.name as string}\n`).sort().join('');
    throw new CliError(`There are pending pods in node "${name}" when an error occurred: ${all}\n${pending}`
      + `error: unable to drain node "${name}" due to error: ${all}, continuing command...\nThere are pending nodes to be drained:\n ${name}\n${failed.join('\n')}`);
  }
  ctx.print(`node/${name} drained\n`);
}

export const drain: Command = {
  short: 'Drain node in preparation for maintenance',
  flags: {
    selector: { short: 'l' }, 'pod-selector': {}, force: { bool: true }, 'ignore-daemonsets': { bool: true }, 'delete-emptydir-data': { bool: true },
    'delete-local-data': { bool: true }, 'disable-eviction': { bool: true }, 'grace-period': {}, timeout: {},
  },
  async run(ctx, p) {
    const timeoutMs = durationFlag(p, 'timeout') ?? 0;
    const o: Options = {
      force: bool(p, 'force'), ignoreDaemonSets: bool(p, 'ignore-daemonsets'), deleteEmptyDir: bool(p, 'delete-emptydir-data') || bool(p, 'delete-local-data'),
      disableEviction: bool(p, 'disable-eviction'), gracePeriod: intFlag(p, 'grace-period', -1), timeoutMs, timeoutText: str(p, 'timeout') ?? '0s',
      podSelector: str(p, 'pod-selector'),
    };
    for (const n of await nodesOf(ctx, p)) await drainNode(ctx, n, o).catch((e: unknown) => ctx.fail(e));
  },
};
