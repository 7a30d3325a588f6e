// `describe node`: roles, labels, taints, its lease, conditions, addresses, capacity and allocatable, system info,
// the non-terminated pods on it with their requests and limits, the allocated totals, and the node's events.
import { findByKind, type KindInfo } from '../../../lib/api/kinds.js';
import type { KubeObject } from '../../../lib/api/types.js';
import { ApiError } from '../../../lib/client/rest.js';
import { type Describer, type EventObj, describeEvents, refOf, searchEvents } from './events.js';
import { Quantity, addInto, maxInto, resources, type Resources } from './quantity.js';
import { type Obj, Writer, annotationsMultiline, byBytes, labelsMultiline, rfc1123z, since, taintsMultiline } from './writer.js';


const POD = findByKind('v1', 'Pod') as KindInfo;
const LEASE = findByKind('coordination.k8s.io/v1', 'Lease') as KindInfo;
const ROLE_PREFIX = 'node-role.kubernetes.io/';

export const describeNode: Describer = async (env, kind, node) => {
  const name = node.metadata.name ?? '';
  let pods: KubeObject[] | undefined;
  try {
    const fieldSelector = `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed`;
    pods = (await env.client.listAll(POD, { namespace: '', fieldSelector })).items;
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 403)) throw e;
  }
  let events: EventObj[] | undefined;
  if (env.showEvents) {
    // Node events carry the node's uid (controllers) or its name (kubelets) as involvedObject.uid.
    const ref = refOf(kind, node);
    events = [...(await searchEvents(env, ref)), ...(await searchEvents(env, { ...ref, uid: name }))];
  }
  let lease: KubeObject | undefined;
  let leaseError = '';
  try {
    lease = await env.client.get(LEASE, name, { namespace: 'kube-node-lease' });
  } catch (e) {
    leaseError = (e as Error).message;
  }

  const spec = (node.spec ?? {}) as Obj;
  const status = (node.status ?? {}) as Obj;
  const w = new Writer();
  w.write(0, `Name:\t${name}\n`);
  w.write(0, `Roles:\t${roles(node.metadata.labels ?? {}) || '<none>'}\n`);
  labelsMultiline(w, 'Labels', node.metadata.labels);
  annotationsMultiline(w, 'Annotations', node.metadata.annotations);
  w.write(0, `CreationTimestamp:\t${rfc1123z(node.metadata.creationTimestamp)}\n`);
  taintsMultiline(w, 'Taints', spec.taints);
  w.write(0, `Unschedulable:\t${spec.unschedulable === true}\n`);
  if (lease) {
    const l = (lease.spec ?? {}) as Obj;
    w.write(0, 'Lease:\n');
    w.write(1, `HolderIdentity:\t${l.holderIdentity ?? '<unset>'}\n`);
    w.write(1, `AcquireTime:\t${l.acquireTime ? rfc1123z(l.acquireTime) : '<unset>'}\n`);
    w.write(1, `RenewTime:\t${l.renewTime ? rfc1123z(l.renewTime) : '<unset>'}\n`);
  } else {
    w.write(0, `Lease:\tFailed to get lease: ${leaseError}\n`);
  }
  const conds = (status.conditions ?? []) as Obj[];
  if (conds.length) {
    w.write(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of conds) w.write(1, `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}\n`);
  }
  w.write(0, 'Addresses:\n');
  for (const a of (status.addresses ?? []) as Obj[]) w.write(1, `${a.type}:\t${a.address}\n`);
  const printList = (title: string, list: unknown) => {
    const r = resources(list);
    const names = Object.keys(r).sort(byBytes);
    if (!names.length) return;
    w.write(0, `${title}:\n`);
    for (const n of names) w.write(0, `  ${n}:\t${(r[n] as Quantity).toString()}\n`);
  };
  printList('Capacity', status.capacity);
  printList('Allocatable', status.allocatable);
  const info = (status.nodeInfo ?? {}) as Obj;
  w.write(0, 'System Info:\n');
  const infoLines: [string, string][] = [['Machine ID', 'machineID'], ['System UUID', 'systemUUID'], ['Boot ID', 'bootID'], ['Kernel Version', 'kernelVersion'], ['OS Image', 'osImage'], ['Operating System', 'operatingSystem'], ['Architecture', 'architecture'], ['Container Runtime Version', 'containerRuntimeVersion'], ['Kubelet Version', 'kubeletVersion'], ['Kube-Proxy Version', 'kubeProxyVersion']];
  for (const [title, field] of infoLines) w.write(0, `  ${title}:\t${info[field] ?? ''}\n`);
  if (spec.podCIDR) w.write(0, `PodCIDR:\t${spec.podCIDR}\n`);
  if (spec.podCIDRs?.length) w.write(0, `PodCIDRs:\t${spec.podCIDRs.join(',')}\n`);
  if (spec.providerID) w.write(0, `ProviderID:\t${spec.providerID}\n`);
  if (pods) describeNodeResources(w, pods, status);
  else w.write(0, 'Pods:\tnot authorized\n');
  if (events) describeEvents(events, w);
  return w.text();
};

function roles(labels: Record<string, string>): string {
  const set = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) set.add(k.slice(ROLE_PREFIX.length));
    else if (k === 'kubernetes.io/role' && v) set.add(v);
  }
  return [...set].sort(byBytes).join(',');
}

const pct = (a: bigint, b: bigint) => (b === 0n ? 0 : Math.trunc((Number(a) / Number(b)) * 100));
const get = (r: Resources, n: string) => r[n] ?? Quantity.zero();

function describeNodeResources(w: Writer, pods: KubeObject[], status: Obj): void {
  w.write(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const alloc = resources(Object.keys(status.allocatable ?? {}).length ? status.allocatable : status.capacity);
  const cpu = get(alloc, 'cpu').milli();
  const mem = get(alloc, 'memory').value();
  const total = { req: {} as Resources, lim: {} as Resources };
  for (const p of pods) {
    const { req, lim } = podRequestsAndLimits(p);
    const [cr, cl, mr, ml] = [get(req, 'cpu'), get(lim, 'cpu'), get(req, 'memory'), get(lim, 'memory')];
    // Go divides by a zero allocatable here and prints the float's conversion; kubectl shows huge numbers then.
    w.write(1, `${p.metadata.namespace}\t${p.metadata.name}\t\t${cr} (${pct(cr.milli(), cpu)}%)\t${cl} (${pct(cl.milli(), cpu)}%)\t${mr} (${pct(mr.value(), mem)}%)\t${ml} (${pct(ml.value(), mem)}%)\t${since(p.metadata.creationTimestamp)}\n`);
    addInto(total.req, req);
    addInto(total.lim, lim);
  }
  w.write(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(1, 'Resource\tRequests\tLimits\n');
  w.write(1, '--------\t--------\t------\n');
  const row = (n: string, scale: (q: Quantity) => bigint) => {
    const [r, l] = [get(total.req, n), get(total.lim, n)];
    const a = scale(get(alloc, n));
    w.write(1, `${n}\t${r} (${pct(scale(r), a)}%)\t${l} (${pct(scale(l), a)}%)\n`);
  };
  row('cpu', (q) => q.milli());
  row('memory', (q) => q.value());
  row('ephemeral-storage', (q) => q.value());
  const names = Object.keys(alloc).sort(byBytes);
  for (const n of names.filter((x) => x.startsWith('hugepages-'))) row(n, (q) => q.value());
  for (const n of names.filter((x) => !x.startsWith('hugepages-') && !isStandard(x) && x !== 'pods')) w.write(1, `${n}\t${get(total.req, n)}\t${get(total.lim, n)}\n`);
}

const STANDARD = new Set(['cpu', 'memory', 'ephemeral-storage', 'storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'requests.storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage']);
const isStandard = (n: string) => STANDARD.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-');

/** A pod's effective requests and limits: its containers summed, init containers as the peak, plus overhead. */
function podRequestsAndLimits(p: KubeObject): { req: Resources; lim: Resources } {
  const spec = (p.spec ?? {}) as Obj;
  const one = (field: 'requests' | 'limits') => {
    const out: Resources = {};
    for (const c of (spec.containers ?? []) as Obj[]) addInto(out, resources(c.resources?.[field]));
    const sidecars: Resources = {};
    const init: Resources = {};
    for (const c of (spec.initContainers ?? []) as Obj[]) {
      const r = resources(c.resources?.[field]);
      let peak: Resources;
      if (c.restartPolicy === 'Always') {
        addInto(out, r);
        addInto(sidecars, r);
        peak = sidecars;
      } else {
        peak = {};
        addInto(peak, r);
        addInto(peak, sidecars);
      }
      maxInto(init, peak);
    }
    maxInto(out, init);
    return out;
  };
  const req = one('requests');
  const lim = one('limits');
  const overhead = resources(spec.overhead);
  addInto(req, overhead);
  for (const [n, q] of Object.entries(overhead)) if (lim[n] && !(lim[n] as Quantity).isZero()) lim[n] = (lim[n] as Quantity).add(q);
  return { req, lim };
}
