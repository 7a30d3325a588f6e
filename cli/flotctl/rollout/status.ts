// `rollout status`: follows each Deployment, DaemonSet or StatefulSet with a watch until its rollout is done,
// printing kubectl's "Waiting for ..." lines (each distinct line once; on a TTY one live line) and its final line.
import type { KubeObject } from '../../../lib/api/types.js';
import { CliError, type Ctx } from '../context.js';
import { type Parsed, bool, intFlag, parseDuration, str } from '../flags.js';
import { Progress } from '../progress.js';
import { type Found, fetchTargets, groupKind, isDeployment, noneFound, report } from './common.js';
import { deadline, followObject } from './watch.js';

/** kubectl's DeploymentStatusViewer: the line to show, whether the rollout is done; throws what kubectl errors. */
export function deploymentStatus(d: KubeObject, revision: number): { line: string; done: boolean } {
  const name = d.metadata.name ?? '';
  if (revision > 0) {
    const raw = d.metadata.annotations?.['deployment.kubernetes.io/revision'];
    const current = raw === undefined ? 0 : Number(raw);
    if (!/^\d+$/.test(raw ?? '0')) throw new Error(`cannot get the revision of deployment "${name}": strconv.ParseInt: parsing "${raw}": invalid syntax`);
    if (current !== revision) throw new Error(`desired revision (${revision}) is different from the running revision (${current})`);
  }
  const st = (d.status ?? {}) as Record<string, unknown>;
  const n = (k: string) => (typeof st[k] === 'number' ? (st[k] as number) : 0);
  if ((d.metadata.generation ?? 0) > n('observedGeneration')) return { line: 'Waiting for deployment spec update to be observed...', done: false };
  const conds = (Array.isArray(st.conditions) ? st.conditions : []) as { type?: string; reason?: string }[];
  if (conds.find((c) => c.type === 'Progressing')?.reason === 'ProgressDeadlineExceeded') throw new Error(`deployment "${name}" exceeded its progress deadline`);
  const wanted = d.spec?.replicas as number | undefined;
  const prefix = `Waiting for deployment "${name}" rollout to finish: `;
  if (wanted !== undefined && n('updatedReplicas') < wanted) return { line: `${prefix}${n('updatedReplicas')} out of ${wanted} new replicas have been updated...`, done: false };
  if (n('replicas') > n('updatedReplicas')) return { line: `${prefix}${n('replicas') - n('updatedReplicas')} old replicas are pending termination...`, done: false };
  if (n('availableReplicas') < n('updatedReplicas')) return { line: `${prefix}${n('availableReplicas')} of ${n('updatedReplicas')} updated replicas are available...`, done: false };
  return { line: `deployment "${name}" successfully rolled out`, done: true };
}

/** kubectl's DaemonSetStatusViewer (only RollingUpdate DaemonSets have a rollout to follow). */
export function daemonSetStatus(ds: KubeObject): { line: string; done: boolean } {
  if (ds.spec?.updateStrategy?.type !== 'RollingUpdate') throw new Error('rollout status is only available for RollingUpdate strategy type');
  const st = (ds.status ?? {}) as Record<string, unknown>;
  const n = (k: string) => (typeof st[k] === 'number' ? (st[k] as number) : 0);
  if ((ds.metadata.generation ?? 0) > n('observedGeneration')) return { line: 'Waiting for daemon set spec update to be observed...', done: false };
  const name = ds.metadata.name ?? '';
  const prefix = `Waiting for daemon set "${name}" rollout to finish: `;
  const desired = n('desiredNumberScheduled');
  if (n('updatedNumberScheduled') < desired) return { line: `${prefix}${n('updatedNumberScheduled')} out of ${desired} new pods have been updated...`, done: false };
  if (n('numberAvailable') < desired) return { line: `${prefix}${n('numberAvailable')} of ${desired} updated pods are available...`, done: false };
  return { line: `daemon set "${name}" successfully rolled out`, done: true };
}

/**
 * kubectl's StatefulSetStatusViewer. A RollingUpdate set with rollingUpdate given (the server defaults partition 0)
 * is done once the pods at or above the partition are updated: "partitioned roll out complete" even for partition 0.
 */
export function statefulSetStatus(sts: KubeObject): { line: string; done: boolean } {
  const strategy = (sts.spec?.updateStrategy ?? {}) as { type?: string; rollingUpdate?: { partition?: number } };
  if (strategy.type !== 'RollingUpdate') throw new Error('rollout status is only available for RollingUpdate strategy type');
  const st = (sts.status ?? {}) as Record<string, unknown>;
  const n = (k: string) => (typeof st[k] === 'number' ? (st[k] as number) : 0);
  if (n('observedGeneration') === 0 || (sts.metadata.generation ?? 0) > n('observedGeneration')) return { line: 'Waiting for statefulset spec update to be observed...', done: false };
  const replicas = typeof sts.spec?.replicas === 'number' ? (sts.spec.replicas as number) : undefined;
  if (replicas !== undefined && n('readyReplicas') < replicas) return { line: `Waiting for ${replicas - n('readyReplicas')} pods to be ready...`, done: false };
  if (strategy.rollingUpdate) {
    const partition = strategy.rollingUpdate.partition;
    if (replicas !== undefined && typeof partition === 'number' && n('updatedReplicas') < replicas - partition) {
      return { line: `Waiting for partitioned roll out to finish: ${n('updatedReplicas')} out of ${replicas - partition} new pods have been updated...`, done: false };
    }
    return { line: `partitioned roll out complete: ${n('updatedReplicas')} new pods have been updated...`, done: true };
  }
  const s = (k: string) => (typeof st[k] === 'string' ? (st[k] as string) : '');
  if (s('updateRevision') !== s('currentRevision')) {
    return { line: `waiting for statefulset rolling update to complete ${n('updatedReplicas')} pods at revision ${s('updateRevision')}...`, done: false };
  }
  return { line: `statefulset rolling update complete ${n('currentReplicas')} pods at revision ${s('currentRevision')}...`, done: true };
}

const isApps = (f: Found, kind: string): boolean => f.target.kind.group === 'apps' && f.target.kind.kind === kind;

/** The status viewer kubectl has for the object's kind, if any. */
function viewerFor(f: Found, revision: number): ((o: KubeObject) => { line: string; done: boolean }) | undefined {
  if (isDeployment(f.target.kind)) return (o) => deploymentStatus(o, revision);
  if (isApps(f, 'DaemonSet')) return daemonSetStatus;
  if (isApps(f, 'StatefulSet')) return statefulSetStatus;
  return undefined;
}

/** Watches one object until it is done, or until signal says its --timeout is up. */
async function follow(ctx: Ctx, f: Found, view: (o: KubeObject) => { line: string; done: boolean }, watching: boolean, signal: AbortSignal): Promise<void> {
  const progress = new Progress(process.stdout);
  try {
    for await (const ev of followObject(ctx.client, f.target.kind, f.target.namespace, f.target.name, signal)) {
      if (ev.type === 'DELETED') throw new Error('object has been deleted');
      if (!ev.object) continue; // not listed (yet): kubectl waits for it to appear
      const { line, done } = view(ev.object);
      if (done || !watching) {
        progress.done(line);
        return;
      }
      progress.update(line);
    }
    throw new Error('timed out waiting for the condition');
  } catch (e) {
    progress.done();
    throw e;
  }
}

export async function status(ctx: Ctx, p: Parsed): Promise<void> {
  if (!p.args.length && !p.flags.has('filename')) throw new CliError('error: required resource not specified');
  const revision = intFlag(p, 'revision');
  if (revision < 0) throw new CliError(`error: revision must be a positive integer: ${revision}`);
  const timeout = str(p, 'timeout') === undefined ? 0 : parseDuration(str(p, 'timeout') as string, 'timeout');
  const watching = str(p, 'watch') === undefined ? true : bool(p, 'watch');
  const errs: unknown[] = [];
  const { found } = await fetchTargets(ctx, p, 'rollout status', errs, true);
  for (const f of found) {
    const view = viewerFor(f, revision);
    if (!view) {
      errs.push(new Error(`no status viewer has been implemented for ${groupKind(f.target.kind)}`));
      continue;
    }
    const dl = deadline(timeout); // each object has its own --timeout, as in kubectl
    try {
      await follow(ctx, f, view, watching, dl.signal);
    } catch (e) {
      if (e instanceof CliError) throw e;
      errs.push(e);
    } finally {
      dl.clear();
    }
  }
  if (!found.length && !errs.length) noneFound(ctx);
  report(ctx, errs);
}
