// `compose down`: deletes every object labelled with the project (workloads first, their pods with them);
// -v also the claims, as `docker compose down -v` removes the named volumes.
import { isNotFound } from '../../../lib/client/rest.js';
import type { Ctx } from '../context.js';
import { bool, type Parsed } from '../flags.js';
import { kindRef } from '../output.js';
import type { Project } from './project.js';
import { projectObjects } from './up.js';

export async function down(ctx: Ctx, p: Parsed, project: Project): Promise<void> {
  const objs = await projectObjects(ctx, project.name, bool(p, 'volumes'));
  for (const { kind, obj } of objs) {
    try {
      await ctx.client.delete(kind, obj.metadata.name as string, { namespace: project.name, propagationPolicy: 'Background' });
      ctx.print(`${kindRef(kind)}/${obj.metadata.name} deleted\n`);
    } catch (e) {
      if (!isNotFound(e)) ctx.fail(e);
    }
  }
  if (!objs.length) ctx.warn(`Warning: no objects of project ${project.name} in namespace ${project.name}\n`);
}
