// `compose up --wait`: follows the project's Deployments and Jobs (one list + watch per kind, by the project's
// label) until every service is ready, printing each as it gets there, as docker compose's --wait does. A Deployment
// is ready when its rollout is done (the same rule as `rollout status`: spec observed, every replica updated and
// available, so the healthcheck's readiness probe passed); a Job (a one-shot service) when it has completed.
import type { KindInfo } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { isGone, type Client } from '../../../lib/client/rest.js';
import { watch } from '../../../lib/client/watch.js';
import { CliError, type Ctx } from '../context.js';
import { goDuration } from '../flags.js';
import { deploymentStatus } from '../rollout/status.js';
import { SERVICE_LABEL } from './convert.js';
import { kindOf, projectSelector } from './up.js';

export type Readiness = { ready: true; detail: string } | { ready: false; detail: string; failed?: string };

/** Whether a service's workload is ready, and how far it is (`1/2 available`). */
export function readiness(obj: KubeObject): Readiness {
  const st = (obj.status ?? {}) as Record<string, unknown>;
  const n = (k: string) => (typeof st[k] === 'number' ? (st[k] as number) : 0);
  const conds = (Array.isArray(st.conditions) ? st.conditions : []) as { type?: string; status?: string; message?: string }[];
  if (obj.kind === 'Job') {
    if (conds.some((c) => c.type === 'Complete' && c.status === 'True')) return { ready: true, detail: 'completed' };
    const failed = conds.find((c) => c.type === 'Failed' && c.status === 'True');
    if (failed) return { ready: false, detail: 'failed', failed: failed.message ?? 'the job failed' };
    return { ready: false, detail: n('active') ? 'running' : 'starting' };
  }
  const wanted = typeof obj.spec?.replicas === 'number' ? (obj.spec.replicas as number) : 1;
  let done: boolean;
  try {
    done = deploymentStatus(obj, 0).done;
  } catch (e) {
    return { ready: false, detail: `${n('availableReplicas')}/${wanted} available`, failed: (e as Error).message };
  }
  return { ready: done, detail: `${Math.min(n('availableReplicas'), wanted)}/${wanted} available` };
}

/** Every event of the project's objects of one kind: a list, then a watch from it, resumed and re-listed on 410. */
async function follow(client: Client, kind: KindInfo, namespace: string, labelSelector: string, signal: AbortSignal,
  onObject: (o: KubeObject, deleted: boolean) => void): Promise<void> {
  let rv: string | undefined;
  while (!signal.aborted) {
    if (rv === undefined) {
      const list = await client.list(kind, { namespace, labelSelector });
      rv = list.metadata.resourceVersion;
      for (const o of list.items) onObject(o, false);
      continue;
    }
    try {
      for await (const ev of watch(client, kind, { namespace, labelSelector, resourceVersion: rv, allowWatchBookmarks: true, signal })) {
        if (ev.object?.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') onObject(ev.object, ev.type === 'DELETED');
      }
    } catch (e) {
      if (signal.aborted) return;
      if (!isGone(e)) throw e;
      rv = undefined;
    }
  }
}

/** --wait-timeout as docker compose takes it (whole seconds), or a duration (`90s`, `2m`); 0 or none: no limit. */
export function waitTimeoutMs(v: string | undefined): number {
  if (v === undefined) return 0;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const d = goDuration(v);
  if (typeof d === 'string' || d < 0) throw new CliError(`error: invalid --wait-timeout "${v}": seconds (60) or a duration (90s, 2m)`);
  return d;
}

/**
 * Waits until the workloads `objs` (those `up` applied) are all ready, printing `service NAME ready (...)` for
 * each as it becomes so; fails when one cannot get there (a failed Job, a progress deadline) or on the timeout.
 */
export async function waitForServices(ctx: Ctx, project: string, objs: KubeObject[], timeoutMs: number): Promise<void> {
  const wanted = new Map<string, string>(); // `Kind/name` -> service name
  for (const o of objs) if (o.kind === 'Deployment' || o.kind === 'Job') wanted.set(`${o.kind}/${o.metadata.name}`, o.metadata.labels?.[SERVICE_LABEL] ?? (o.metadata.name as string));
  if (!wanted.size) return;
  const latest = new Map<string, KubeObject>();
  const ready = new Set<string>();
  const ac = new AbortController();
  let failure: string | undefined;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  const check = (o: KubeObject, deleted: boolean) => {
    const key = `${o.kind ?? ''}/${o.metadata.name}`;
    if (!wanted.has(key) || ready.has(key)) return;
    if (deleted) latest.delete(key);
    else latest.set(key, o);
    const r = deleted ? { ready: false as const, detail: 'deleted', failed: 'it was deleted' } : readiness(o);
    if (r.ready) {
      ready.add(key);
      ctx.print(`service ${wanted.get(key)} ready (${r.detail})\n`);
    } else if (r.failed) failure ??= `service ${wanted.get(key)}: ${r.failed}`;
    if (failure || ready.size === wanted.size) finish();
  };
  const timer = timeoutMs > 0 ? setTimeout(finish, timeoutMs) : undefined;
  const kinds = [...new Set([...wanted.keys()].map((k) => k.split('/')[0] as string))];
  const followers = kinds.map((k) => {
    const kind = k === 'Job' ? kindOf('batch/v1', 'Job') : kindOf('apps/v1', 'Deployment');
    // list and watch items carry no kind: it is the one followed
    return follow(ctx.client, kind, project, projectSelector(project), ac.signal, (o, deleted) => check({ ...o, kind: k }, deleted))
      .catch((e: unknown) => {
        failure ??= `following the services: ${(e as Error).message}`;
        finish();
      });
  });
  try {
    await finished;
  } finally {
    clearTimeout(timer);
    ac.abort();
    await Promise.all(followers);
  }
  if (failure) throw new CliError(`error: ${failure}`);
  if (ready.size < wanted.size) {
    const waiting = [...wanted.keys()].filter((k) => !ready.has(k)).map((k) => {
      const o = latest.get(k);
      return `${wanted.get(k)} (${o ? readiness(o).detail : 'not found'})`;
    });
    throw new CliError(`error: timed out after ${timeoutMs / 1000}s waiting for ${waiting.join(', ')}`);
  }
}
