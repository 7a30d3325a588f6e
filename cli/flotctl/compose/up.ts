// `compose up`: the project's namespace, then every object applied as `flotctl apply` applies it (three-way
// patch against last-applied, so an unchanged service reports unchanged and an edited one rolls alone), then the
// project's objects the files no longer have are deleted (claims are kept: they hold data, `down -v` removes them).
// With --wait, then, until every service is ready (wait.ts).
import { isNotFound } from '../../../lib/client/rest.js';
import { findByKind, type KindInfo } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { applyItem } from '../apply.js';
import { CliError, type Ctx } from '../context.js';
import { bool, str, type Parsed } from '../flags.js';
import { kindRef } from '../output.js';
import { objectsFrom } from './command.js';
import { projectLabels } from './convert.js';
import type { Project } from './project.js';

/** The kinds compose creates, in deletion order (workloads before what they mount). */
export const PROJECT_KINDS: [string, string][] = [['apps/v1', 'Deployment'], ['batch/v1', 'Job'], ['v1', 'Service'], ['v1', 'ConfigMap'], ['v1', 'Secret'], ['v1', 'PersistentVolumeClaim']];

export const kindOf = (apiVersion: string, kind: string): KindInfo => {
  const k = findByKind(apiVersion, kind);
  if (!k) throw new CliError(`error: the server has no kind ${kind} (${apiVersion})`);
  return k;
};

export const projectSelector = (project: string) => Object.entries(projectLabels(project)).map(([k, v]) => `${k}=${v}`).join(',');

/** Every object of the project in the cluster, kind by kind. */
export async function projectObjects(ctx: Ctx, project: string, withClaims: boolean): Promise<{ kind: KindInfo; obj: KubeObject }[]> {
  const out: { kind: KindInfo; obj: KubeObject }[] = [];
  for (const [v, k] of PROJECT_KINDS) {
    if (k === 'PersistentVolumeClaim' && !withClaims) continue;
    const kind = kindOf(v, k);
    const list = await ctx.client.listAll(kind, { namespace: project, labelSelector: projectSelector(project) });
    for (const obj of list.items) out.push({ kind, obj });
  }
  return out;
}

async function ensureNamespace(ctx: Ctx, project: Project): Promise<void> {
  const kind = kindOf('v1', 'Namespace');
  try {
    await ctx.client.get(kind, project.name);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await ctx.client.create(kind, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: project.name, labels: projectLabels(project.name) } });
    ctx.print(`namespace/${project.name} created\n`);
  }
}

export async function up(ctx: Ctx, p: Parsed, project: Project): Promise<void> {
  const wait = bool(p, 'wait') ? (await import('./wait.js')) : undefined;
  const timeoutMs = wait?.waitTimeoutMs(str(p, 'wait-timeout')) ?? 0;
  // everything is converted (and every error found) before anything is sent
  const objs = objectsFrom(ctx, p, project);
  await ensureNamespace(ctx, project);
  const noFlags: Parsed = { flags: new Map(), args: [] };
  const wanted = new Set<string>();
  for (const obj of objs) {
    const kind = kindOf(obj.apiVersion as string, obj.kind as string);
    wanted.add(`${obj.kind}/${obj.metadata.name}`);
    await applyItem(ctx, noFlags, { obj, kind, namespace: project.name, source: project.files.join(',') });
  }
  for (const { kind, obj } of await projectObjects(ctx, project.name, false)) {
    if (wanted.has(`${kind.kind}/${obj.metadata.name}`)) continue;
    try {
      await ctx.client.delete(kind, obj.metadata.name as string, { namespace: project.name, propagationPolicy: 'Background' });
      ctx.print(`${kindRef(kind)}/${obj.metadata.name} pruned\n`);
    } catch (e) {
      if (!isNotFound(e)) ctx.fail(e);
    }
  }
  // --wait: until every service is running and healthy (its rollout done), as docker compose up --wait
  if (wait && !ctx.failed) await wait.waitForServices(ctx, project.name, objs, timeoutMs);
}
