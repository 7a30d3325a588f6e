// The project's pods, by service, in a stable order (service, then creation), numbered as compose numbers its
// containers (`web-1`, `web-2`) for logs' prefixes.
import type { Ctx } from '../context.js';
import type { Pod } from '../podselect.js';
import { SERVICE_LABEL } from './convert.js';
import { k8sName } from './storage.js';
import { kindOf, projectSelector } from './up.js';

export async function projectPods(ctx: Ctx, project: string, services: string[] = []): Promise<Pod[]> {
  const wanted = new Set(services.map(k8sName));
  const list = await ctx.client.listAll<Pod>(kindOf('v1', 'Pod'), { namespace: project, labelSelector: projectSelector(project) });
  return list.items
    .filter((p) => !p.metadata.deletionTimestamp && (!wanted.size || wanted.has(p.metadata.labels?.[SERVICE_LABEL] ?? '')))
    .sort((a, b) => serviceOf(a).localeCompare(serviceOf(b)) ||
      String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) ||
      String(a.metadata.name).localeCompare(String(b.metadata.name)));
}

export const serviceOf = (p: Pod) => p.metadata.labels?.[SERVICE_LABEL] ?? '';
