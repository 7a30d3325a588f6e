// `compose ps`: the project's pods with docker compose's columns NAME, IMAGE, SERVICE, STATUS, PORTS; PORTS from
// the service's Service (`0.0.0.0:8080->80/tcp` for a published port, `80/tcp` for an exposed one).
import type { KubeObject } from '../../../lib/api/types.js';
import type { Ctx } from '../context.js';
import type { Pod } from '../podselect.js';
import { tabwrite } from '../tabwriter.js';
import { SERVICE_LABEL } from './convert.js';
import { projectPods, serviceOf } from './pods.js';
import type { Project } from './project.js';
import { kindOf, projectSelector } from './up.js';

interface ServicePort {
  port: number;
  targetPort: number;
  protocol: string;
  nodePort?: number;
}

export function statusOf(pod: Pod): string {
  const phase = pod.status?.phase ?? 'Pending';
  const cs = (pod.status?.containerStatuses ?? []) as { ready?: boolean; restartCount?: number; state?: Record<string, { reason?: string }> }[];
  const waiting = cs.map((c) => c.state?.waiting?.reason).find(Boolean);
  if (waiting) return waiting;
  if (phase !== 'Running') return phase;
  const probed = ((pod.spec?.containers ?? []) as { readinessProbe?: unknown }[]).some((c) => c.readinessProbe);
  const ready = cs.length > 0 && cs.every((c) => c.ready);
  const restarts = cs.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  return `Running${probed ? (ready ? ' (healthy)' : ' (starting)') : ''}${restarts ? ` (restarts: ${restarts})` : ''}`;
}

export function portsText(svc: KubeObject | undefined): string {
  if (!svc) return '';
  const lb = svc.spec?.type === 'LoadBalancer';
  return ((svc.spec?.ports ?? []) as ServicePort[]).map((p) => {
    const proto = p.protocol.toLowerCase();
    if (p.nodePort && svc.spec?.type === 'NodePort') return `0.0.0.0:${p.nodePort}->${p.targetPort}/${proto}`;
    if (lb && p.port !== p.targetPort) return `0.0.0.0:${p.port}->${p.targetPort}/${proto}`;
    return `${p.targetPort}/${proto}`;
  }).join(', ');
}

export async function ps(ctx: Ctx, project: Project, services: string[]): Promise<void> {
  const pods = await projectPods(ctx, project.name, services);
  const svcs = (await ctx.client.listAll(kindOf('v1', 'Service'), { namespace: project.name, labelSelector: projectSelector(project.name) })).items;
  const byName = new Map(svcs.map((s) => [s.metadata.labels?.[SERVICE_LABEL] ?? s.metadata.name, s]));
  const rows = [['NAME', 'IMAGE', 'SERVICE', 'STATUS', 'PORTS']];
  for (const pod of pods) {
    const image = (pod.spec?.containers?.[0] as { image?: string } | undefined)?.image ?? '';
    rows.push([pod.metadata.name as string, image, serviceOf(pod), statusOf(pod), portsText(byName.get(serviceOf(pod)))]);
  }
  ctx.print(tabwrite(rows));
}
