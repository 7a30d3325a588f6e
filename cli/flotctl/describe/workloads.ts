// `describe deployment` and `describe replicaset`: selector, replica counts, strategy, the pod template,
// conditions, the deployment's old and new replica sets (found as kubectl finds them) and the pods' phases.
import { findByKind, type KindInfo } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import type { Client } from '../../../lib/client/rest.js';
import { describePodTemplate, formatLabelSelector } from './containers.js';
import { type Describer, describeEvents, refOf, searchEvents } from './events.js';
import { controllerOf } from './pod.js';
import { type Obj, Writer, annotationsMultiline, labelsMultiline, rfc1123z } from './writer.js';


const POD = findByKind('v1', 'Pod') as KindInfo;
const RS = findByKind('apps/v1', 'ReplicaSet') as KindInfo;
const HASH = 'pod-template-hash';

const ownedBy = (o: KubeObject, owner: KubeObject) => o.metadata.ownerReferences?.some((r) => r.controller === true && r.uid === owner.metadata.uid) ?? false;

function conditions(w: Writer, list: Obj[] | undefined): void {
  if (!list?.length) return;
  w.write(0, 'Conditions:\n  Type\tStatus\tReason\n');
  w.write(1, '----\t------\t------\n');
  for (const c of list) w.write(1, `${c.type} \t${c.status}\t${c.reason ?? ''}\n`);
}

export const describeDeployment: Describer = async (env, kind, d) => {
  const events = env.showEvents ? await searchEvents(env, refOf(kind, d)) : undefined;
  let rsLists: { old: KubeObject[]; new: KubeObject[] } | undefined;
  try {
    rsLists = await replicaSetsOf(env.client, d);
  } catch {
    rsLists = undefined;
  }
  const spec = (d.spec ?? {}) as Obj;
  const status = (d.status ?? {}) as Obj;
  const w = new Writer();
  w.write(0, `Name:\t${d.metadata.name}\n`);
  w.write(0, `Namespace:\t${d.metadata.namespace ?? ''}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(d.metadata.creationTimestamp)}\n`);
  labelsMultiline(w, 'Labels', d.metadata.labels);
  annotationsMultiline(w, 'Annotations', d.metadata.annotations);
  w.write(0, `Selector:\t${formatLabelSelector(spec.selector, '')}\n`);
  w.write(0, `Replicas:\t${spec.replicas ?? 0} desired | ${status.updatedReplicas ?? 0} updated | ${status.replicas ?? 0} total | ${status.availableReplicas ?? 0} available | ${status.unavailableReplicas ?? 0} unavailable\n`);
  w.write(0, `StrategyType:\t${spec.strategy?.type ?? ''}\n`);
  w.write(0, `MinReadySeconds:\t${spec.minReadySeconds ?? 0}\n`);
  const ru = spec.strategy?.rollingUpdate;
  if (ru) w.write(0, `RollingUpdateStrategy:\t${ru.maxUnavailable ?? '<nil>'} max unavailable, ${ru.maxSurge ?? '<nil>'} max surge\n`);
  describePodTemplate(w, spec.template);
  conditions(w, status.conditions);
  if (rsLists && (rsLists.old.length || rsLists.new.length)) {
    w.write(0, `OldReplicaSets:\t${rsSummary(rsLists.old)}\n`);
    w.write(0, `NewReplicaSet:\t${rsSummary(rsLists.new)}\n`);
  }
  if (events) describeEvents(events, w);
  return w.text();
};

const rsSummary = (list: KubeObject[]) => list.map((rs) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`).join(', ') || '<none>';

/** The deployment's replica sets (by its selector, then controller reference): the new one and all the others. */
async function replicaSetsOf(client: Client, d: KubeObject): Promise<{ old: KubeObject[]; new: KubeObject[] }> {
  const labelSelector = formatLabelSelector(d.spec?.selector, '');
  const list = (await client.listAll(RS, { namespace: d.metadata.namespace ?? '', labelSelector })).items.filter((rs) => ownedBy(rs, d));
  list.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    return ta !== tb ? ta - tb : (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
  const want = canonical(withoutHash(d.spec?.template));
  const newRs = list.find((rs) => canonical(withoutHash(rs.spec?.template)) === want);
  return { old: list.filter((rs) => rs !== newRs), new: newRs ? [newRs] : [] };
}

function withoutHash(t: Obj | undefined): Obj {
  const copy = JSON.parse(JSON.stringify(t ?? {})) as Obj;
  if (copy.metadata?.labels) delete copy.metadata.labels[HASH];
  return copy;
}

/** JSON with sorted keys, empty lists and maps dropped (Go's semantic equality treats nil and empty alike). */
function canonical(v: unknown): string {
  const norm = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.length ? x.map(norm) : undefined;
    if (x && typeof x === 'object') {
      const entries = Object.keys(x).sort().map((k) => [k, norm((x as Obj)[k])] as const).filter(([, y]) => y !== undefined);
      return entries.length ? Object.fromEntries(entries) : undefined;
    }
    return x === null ? undefined : x;
  };
  return JSON.stringify(norm(v) ?? {});
}

export const describeReplicaSet: Describer = async (env, kind, rs) => {
  const spec = (rs.spec ?? {}) as Obj;
  const status = (rs.status ?? {}) as Obj;
  let phases: string;
  try {
    const pods = (await env.client.listAll(POD, { namespace: rs.metadata.namespace ?? '', labelSelector: formatLabelSelector(spec.selector, '') })).items;
    const count = { Running: 0, Pending: 0, Succeeded: 0, Failed: 0 } as Record<string, number>;
    for (const p of pods) if (ownedBy(p, rs) && p.status?.phase in count) count[p.status.phase]++;
    phases = `${count.Running} Running / ${count.Pending} Waiting / ${count.Succeeded} Succeeded / ${count.Failed} Failed`;
  } catch (e) {
    phases = `error in fetching pods: ${(e as Error).message}`;
  }
  const events = env.showEvents ? await searchEvents(env, refOf(kind, rs)) : undefined;
  const w = new Writer();
  w.write(0, `Name:\t${rs.metadata.name}\n`);
  w.write(0, `Namespace:\t${rs.metadata.namespace ?? ''}\n`);
  w.write(0, `Selector:\t${formatLabelSelector(spec.selector)}\n`);
  labelsMultiline(w, 'Labels', rs.metadata.labels);
  annotationsMultiline(w, 'Annotations', rs.metadata.annotations);
  const controller = controllerOf(rs);
  if (controller) w.write(0, `Controlled By:\t${controller}\n`);
  w.write(0, `Replicas:\t${status.replicas ?? 0} current / ${spec.replicas ?? 0} desired\n`);
  w.write(0, 'Pods Status:\t');
  w.write(0, `${phases}\n`);
  describePodTemplate(w, spec.template);
  conditions(w, status.conditions);
  if (events) describeEvents(events, w);
  return w.text();
};
