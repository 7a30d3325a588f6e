// Server-side printing: each kind's columns (names, types and -o wide priorities as Kubernetes prints them) and how
// one object becomes one row of cells.
import type { KindInfo } from '../../lib/api/kinds.js';
import type { KubeObject, LabelSelector } from '../../lib/api/types.js';
import { labelSelectorFromObject, labelSelectorToString } from '../../lib/api/selectors/index.js';
import { age } from '../../lib/api/duration.js';
import { podReadyRestartsStatus } from './pods.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean;
interface Printer {
  columns: Array<[name: string, type: string, priority: number, description: string, format?: string]>;
  row(obj: KubeObject, now: Date): Cell[];
}

const NAME: [string, string, number, string, string] = ['Name', 'string', 0, 'Name must be unique within a namespace.', 'name'];
const AGE: [string, string, number, string] = ['Age', 'string', 0, 'Time since the object was created.'];
const none = (v: string | undefined | null) => (v ? v : '<none>');
const selectorString = (s: LabelSelector | undefined) => {
  if (!s) return '<none>';
  try {
    return none(labelSelectorToString(labelSelectorFromObject(s)));
  } catch {
    return '<invalid>';
  }
};
const mapSelector = (m: Record<string, string> | undefined) => (m && Object.keys(m).length ? Object.entries(m).map(([k, v]) => `${k}=${v}`).sort().join(',') : '<none>');
type Container = { name?: string; image?: string };
const containers = (o: KubeObject) => ((o.spec?.template?.spec?.containers ?? []) as Container[]);

const PRINTERS: Record<string, Printer> = {
  pods: {
    columns: [NAME, ['Ready', 'string', 0, 'The number of ready containers out of all containers.'], ['Status', 'string', 0, 'The aggregate status of the pod.'], ['Restarts', 'string', 0, 'Container restarts, and how long ago the last one was.'], AGE,
      ['IP', 'string', 1, 'The pod IP.'], ['Node', 'string', 1, 'The node the pod is bound to.'], ['Nominated Node', 'string', 1, 'The node nominated for preemption.'], ['Readiness Gates', 'string', 1, 'Readiness gates that are true out of all.']],
    row(o, now) {
      const p = podReadyRestartsStatus(o, now);
      const gates = (o.spec?.readinessGates ?? []) as Array<{ conditionType: string }>;
      const conds = (o.status?.conditions ?? []) as Array<{ type: string; status: string }>;
      const gatesCell = gates.length ? `${gates.filter((g) => conds.some((c) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}` : '<none>';
      return [o.metadata.name ?? '', p.ready, p.status, p.restarts, age(o.metadata.creationTimestamp, now), none(o.status?.podIP), none(o.spec?.nodeName), none(o.status?.nominatedNodeName), gatesCell];
    },
  },
  deployments: {
    columns: [NAME, ['Ready', 'string', 0, 'Ready replicas out of desired.'], ['Up-to-date', 'integer', 0, 'Replicas updated to the latest template.'], ['Available', 'integer', 0, 'Replicas available to users.'], AGE,
      ['Containers', 'string', 1, 'Container names.'], ['Images', 'string', 1, 'Container images.'], ['Selector', 'string', 1, 'Label selector of the pods.']],
    row: (o, now) => [o.metadata.name ?? '', `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, o.status?.updatedReplicas ?? 0, o.status?.availableReplicas ?? 0, age(o.metadata.creationTimestamp, now),
      containers(o).map((c) => c.name).join(','), containers(o).map((c) => c.image).join(','), selectorString(o.spec?.selector)],
  },
  replicasets: {
    columns: [NAME, ['Desired', 'integer', 0, 'Desired replicas.'], ['Current', 'integer', 0, 'Observed replicas.'], ['Ready', 'integer', 0, 'Ready replicas.'], AGE,
      ['Containers', 'string', 1, 'Container names.'], ['Images', 'string', 1, 'Container images.'], ['Selector', 'string', 1, 'Label selector of the pods.']],
    row: (o, now) => [o.metadata.name ?? '', o.spec?.replicas ?? 0, o.status?.replicas ?? 0, o.status?.readyReplicas ?? 0, age(o.metadata.creationTimestamp, now),
      containers(o).map((c) => c.name).join(','), containers(o).map((c) => c.image).join(','), selectorString(o.spec?.selector)],
  },
  services: {
    columns: [NAME, ['Type', 'string', 0, 'The service type.'], ['Cluster-IP', 'string', 0, 'The cluster IP.'], ['External-IP', 'string', 0, 'External IPs.'], ['Port(s)', 'string', 0, 'Service ports.'], AGE, ['Selector', 'string', 1, 'Pod selector.']],
    row(o, now) {
      const ports = ((o.spec?.ports ?? []) as Array<{ port: number; nodePort?: number; protocol?: string }>).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
      const type = (o.spec?.type as string | undefined) ?? 'ClusterIP';
      const ingress = ((o.status?.loadBalancer?.ingress ?? []) as Array<{ ip?: string; hostname?: string }>).map((i) => i.ip ?? i.hostname).filter(Boolean);
      const ext = [...((o.spec?.externalIPs ?? []) as string[]), ...ingress];
      const extCell = type === 'ExternalName' ? String(o.spec?.externalName ?? '') : ext.length ? ext.join(',') : type === 'LoadBalancer' ? '<pending>' : '<none>';
      return [o.metadata.name ?? '', type, none(o.spec?.clusterIP), extCell, ports || '<none>', age(o.metadata.creationTimestamp, now), mapSelector(o.spec?.selector)];
    },
  },
  nodes: {
    columns: [NAME, ['Status', 'string', 0, 'Node readiness.'], ['Roles', 'string', 0, 'Node roles.'], AGE, ['Version', 'string', 0, 'Node agent version.'],
      ['Internal-IP', 'string', 1, 'Internal address.'], ['External-IP', 'string', 1, 'External address.'], ['OS-Image', 'string', 1, 'OS image.'], ['Kernel-Version', 'string', 1, 'Kernel version.'], ['Container-Runtime', 'string', 1, 'Container runtime and version.']],
    row(o, now) {
      const conds = (o.status?.conditions ?? []) as Array<{ type: string; status: string }>;
      const ready = conds.find((c) => c.type === 'Ready');
      const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
      if (o.spec?.unschedulable) status.push('SchedulingDisabled');
      const roles = Object.keys(o.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length)).filter(Boolean);
      const addr = (t: string) => none(((o.status?.addresses ?? []) as Array<{ type: string; address: string }>).find((a) => a.type === t)?.address);
      const info = (o.status?.nodeInfo ?? {}) as Record<string, string>;
      return [o.metadata.name ?? '', status.join(','), roles.length ? roles.sort().join(',') : '<none>', age(o.metadata.creationTimestamp, now), info.kubeletVersion ?? '',
        addr('InternalIP'), addr('ExternalIP'), info.osImage ?? '<unknown>', info.kernelVersion ?? '<unknown>', info.containerRuntimeVersion ?? '<unknown>'];
    },
  },
  namespaces: {
    columns: [NAME, ['Status', 'string', 0, 'The namespace phase.'], AGE],
    row: (o, now) => [o.metadata.name ?? '', o.status?.phase ?? 'Active', age(o.metadata.creationTimestamp, now)],
  },
  configmaps: {
    columns: [NAME, ['Data', 'string', 0, 'Number of keys.'], AGE],
    row: (o, now) => [o.metadata.name ?? '', Object.keys((o.data as object | undefined) ?? {}).length + Object.keys((o.binaryData as object | undefined) ?? {}).length, age(o.metadata.creationTimestamp, now)],
  },
  secrets: {
    columns: [NAME, ['Type', 'string', 0, 'The secret type.'], ['Data', 'string', 0, 'Number of keys.'], AGE],
    row: (o, now) => [o.metadata.name ?? '', String(o.type ?? 'Opaque'), Object.keys((o.data as object | undefined) ?? {}).length, age(o.metadata.creationTimestamp, now)],
  },
  endpoints: {
    columns: [NAME, ['Endpoints', 'string', 0, 'Addresses and ports.'], AGE],
    row(o, now) {
      const eps: string[] = [];
      for (const s of (o.subsets ?? []) as Array<{ addresses?: Array<{ ip: string }>; ports?: Array<{ port: number }> }>) {
        for (const a of s.addresses ?? []) for (const p of s.ports?.length ? s.ports : [undefined]) eps.push(p ? `${a.ip}:${p.port}` : a.ip);
      }
      const cell = eps.length > 3 ? `${eps.slice(0, 3).join(',')} + ${eps.length - 3} more...` : eps.join(',');
      return [o.metadata.name ?? '', cell || '<none>', age(o.metadata.creationTimestamp, now)];
    },
  },
  events: {
    columns: [['Last Seen', 'string', 0, 'Time since the last occurrence.'], ['Type', 'string', 0, 'Normal or Warning.'], ['Reason', 'string', 0, 'Why it happened.'], ['Object', 'string', 0, 'The object it is about.'],
      ['Subobject', 'string', 1, 'The part of the object.'], ['Source', 'string', 1, 'The component that reported it.'], ['Message', 'string', 0, 'What happened.'], ['First Seen', 'string', 1, 'Time since the first occurrence.'], ['Count', 'string', 1, 'Occurrences.'], NAME],
    row(o, now) {
      const io = (o.involvedObject ?? {}) as Record<string, string>;
      const last = (o.lastTimestamp as string | undefined) ?? (o.eventTime as string | undefined) ?? o.metadata.creationTimestamp;
      const first = (o.firstTimestamp as string | undefined) ?? (o.eventTime as string | undefined) ?? o.metadata.creationTimestamp;
      const src = (o.source ?? {}) as Record<string, string>;
      return [age(last, now), String(o.type ?? ''), String(o.reason ?? ''), `${(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`, io.fieldPath ?? '',
        [src.component ?? o.reportingComponent ?? '', src.host].filter(Boolean).join(', '), String(o.message ?? '').trim(), age(first, now), String(o.count ?? 1), o.metadata.name ?? ''];
    },
  },
  leases: {
    columns: [NAME, ['Holder', 'string', 0, 'The current holder.'], AGE],
    row: (o, now) => [o.metadata.name ?? '', String(o.spec?.holderIdentity ?? ''), age(o.metadata.creationTimestamp, now)],
  },
};

const DEFAULT: Printer = { columns: [NAME, AGE], row: (o, now) => [o.metadata.name ?? '', age(o.metadata.creationTimestamp, now)] };

function printer(kind: Pick<KindInfo, 'resource'>): Printer {
  return PRINTERS[kind.resource] ?? DEFAULT;
}

export function tableColumns(kind: Pick<KindInfo, 'resource'>): TableColumnDefinition[] {
  return printer(kind).columns.map(([name, type, priority, description, format]) => ({ name, type, format: format ?? '', description, priority }));
}

export function tableRow(kind: Pick<KindInfo, 'resource'>, obj: KubeObject, now: Date): Cell[] {
  return printer(kind).row(obj, now);
}
