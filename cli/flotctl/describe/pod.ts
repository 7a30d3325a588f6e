// `describe pod`: where it runs, its status, IPs, controller, containers with their state, conditions, volumes,
// QoS class, node selectors, tolerations and the pod's events (searched without the kind, as kubectl does).
import type { KubeObject } from '../../../lib/api/types.js';
import { describeContainers, describeResources, describeVolumes, podEnvResolver, topologySpread } from './containers.js';
import { type Describer, describeEvents, refOf, searchEvents } from './events.js';
import { Quantity, addInto, resources, type Resources } from './quantity.js';
import { type Obj, Writer, annotationsMultiline, labelsMultiline, rfc1123z, since, tolerationsMultiline } from './writer.js';


const MIRROR = 'kubernetes.io/config.mirror';

export const describePod: Describer = async (env, kind, pod) => {
  let events;
  if (env.showEvents) {
    const ref = { ...refOf(kind, pod), kind: undefined };
    const mirror = pod.metadata.annotations?.[MIRROR];
    if (mirror !== undefined) ref.uid = mirror;
    events = await searchEvents(env, ref);
  }
  const spec = (pod.spec ?? {}) as Obj;
  const status = (pod.status ?? {}) as Obj;
  const m = pod.metadata;
  const w = new Writer();
  w.write(0, `Name:\t${m.name}\n`);
  w.write(0, `Namespace:\t${m.namespace ?? ''}\n`);
  if (typeof spec.priority === 'number') w.write(0, `Priority:\t${spec.priority}\n`);
  if (spec.priorityClassName) w.write(0, `Priority Class Name:\t${spec.priorityClassName}\n`);
  if (spec.runtimeClassName) w.write(0, `Runtime Class Name:\t${spec.runtimeClassName}\n`);
  if (spec.serviceAccountName) w.write(0, `Service Account:\t${spec.serviceAccountName}\n`);
  w.write(0, spec.nodeName ? `Node:\t${spec.nodeName}/${status.hostIP ?? ''}\n` : 'Node:\t<none>\n');
  if (status.startTime) w.write(0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
  labelsMultiline(w, 'Labels', m.labels);
  annotationsMultiline(w, 'Annotations', m.annotations);
  if (m.deletionTimestamp && status.phase !== 'Failed' && status.phase !== 'Succeeded') {
    w.write(0, `Status:\tTerminating (lasts ${since(m.deletionTimestamp)})\n`);
    w.write(0, `Termination Grace Period:\t${m.deletionGracePeriodSeconds ?? 0}s\n`);
  } else {
    w.write(0, `Status:\t${status.phase ?? ''}\n`);
  }
  if (status.reason) w.write(0, `Reason:\t${status.reason}\n`);
  if (status.message) w.write(0, `Message:\t${status.message}\n`);
  const sp = spec.securityContext?.seccompProfile;
  if (sp) {
    w.write(0, `SeccompProfile:\t${sp.type ?? ''}\n`);
    if (sp.type === 'Localhost') w.write(0, `LocalhostProfile:\t${sp.localhostProfile ?? ''}\n`);
  }
  w.write(0, `IP:\t${status.podIP ?? ''}\n`);
  const ips = (status.podIPs ?? []) as Obj[];
  if (!ips.length) w.write(0, 'IPs:\t<none>\n');
  else {
    w.write(0, 'IPs:\n');
    for (const ip of ips) w.write(1, `IP:\t${ip.ip ?? ''}\n`);
  }
  const controller = controllerOf(pod);
  if (controller) w.write(0, `Controlled By:\t${controller}\n`);
  if (status.nominatedNodeName) w.write(0, `NominatedNodeName:\t${status.nominatedNodeName}\n`);
  if (spec.resources) {
    w.write(0, 'Resources:\n');
    describeResources(w, spec.resources, 1);
  }
  const resolve = podEnvResolver(pod);
  if (spec.initContainers?.length) describeContainers(w, 'Init Containers', spec.initContainers, status.initContainerStatuses, resolve, '');
  describeContainers(w, 'Containers', spec.containers, status.containerStatuses, resolve, '');
  if (spec.ephemeralContainers?.length) describeContainers(w, 'Ephemeral Containers', spec.ephemeralContainers, status.ephemeralContainerStatuses, resolve, '');
  const conditions = (status.conditions ?? []) as Obj[];
  if (spec.readinessGates?.length) {
    w.write(0, 'Readiness Gates:\n  Type\tStatus\n');
    for (const g of spec.readinessGates as Obj[]) {
      const c = conditions.find((x) => x.type === g.conditionType);
      w.write(1, `${g.conditionType} \t${c ? c.status : '<none>'} \n`);
    }
  }
  if (conditions.length) {
    w.write(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of conditions) w.write(1, `${c.type} \t${c.status} \n`);
  }
  describeVolumes(w, spec.volumes, '');
  w.write(0, `QoS Class:\t${status.qosClass || qosClass(spec)}\n`);
  labelsMultiline(w, 'Node-Selectors', spec.nodeSelector);
  tolerationsMultiline(w, 'Tolerations', spec.tolerations);
  topologySpread(w, spec.topologySpreadConstraints, '');
  if (events) describeEvents(events, w);
  return w.text();
};

/** `ReplicaSet/web-7d4954d477`: the kind and name of the controlling owner. */
export function controllerOf(o: KubeObject): string {
  const ref = o.metadata.ownerReferences?.find((r) => r.controller === true);
  return ref ? `${ref.kind}/${ref.name}` : '';
}

/** Positive cpu and memory quantities of a resource list. */
function qosList(list: unknown): Resources {
  const out: Resources = {};
  for (const [k, q] of Object.entries(resources(list))) if ((k === 'cpu' || k === 'memory') && q.nano > 0n) out[k] = q;
  return out;
}

/** Kubernetes' QoS class when the status has none: Guaranteed, Burstable or BestEffort. */
function qosClass(spec: Obj): string {
  const requests: Resources = {};
  const limits: Resources = {};
  let guaranteed = true;
  const all = spec.resources ? [{ resources: spec.resources }] : [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  for (const c of all as Obj[]) {
    addInto(requests, qosList(c.resources?.requests));
    const lim = qosList(c.resources?.limits);
    addInto(limits, lim);
    if (spec.resources ? c.resources?.limits !== undefined && !(lim.cpu && lim.memory) : !(lim.cpu && lim.memory)) guaranteed = false;
  }
  if (!Object.keys(requests).length && !Object.keys(limits).length) return 'BestEffort';
  if (guaranteed) for (const [k, q] of Object.entries(requests)) if (!limits[k] || (limits[k] as Quantity).cmp(q) !== 0) guaranteed = false;
  return guaranteed && Object.keys(requests).length === Object.keys(limits).length ? 'Guaranteed' : 'Burstable';
}
