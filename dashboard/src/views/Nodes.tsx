// Nodes: status, roles, what their pods request of them (and what they use, when the metrics API is served),
// cordon / uncordon and drain.
import { useMemo, useState } from 'preact/hooks';
import { R } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import { cordon, drain, drainPlan } from '../actions/nodes.js';
import { useApp } from '../store/app.js';
import { useObjects, useTick } from '../store/hooks.js';
import { type NodeUsage, useNodeMetrics } from '../store/metrics.js';
import { type Column, DataTable } from '../ui/Table.js';
import { hrefOf } from '../ui/route.js';
import { Bar, Can, Dialog, ErrorNote, Pill, ViewHeader } from '../ui/widgets.js';
import { age, formatBytes, formatCpu } from '../util/format.js';
import { allocatable, internalIP, nodeRoles, nodeStatus } from '../util/nodes.js';
import { isActive, podRequests } from '../util/pods.js';
import { ObjectLink, objectRoute } from './common.js';

export interface NodeLoad {
  pods: number;
  cpu: number;
  memory: number;
}

/** What the active pods on each node request. */
export function loadByNode(pods: Iterable<KubeObject>): Map<string, NodeLoad> {
  const m = new Map<string, NodeLoad>();
  for (const p of pods) {
    const n = p.spec?.nodeName as string | undefined;
    if (!n || !isActive(p)) continue;
    const r = podRequests(p);
    const l = m.get(n) ?? { pods: 0, cpu: 0, memory: 0 };
    l.pods++;
    l.cpu += r.cpu;
    l.memory += r.memory;
    m.set(n, l);
  }
  return m;
}

/** CPU and memory bars of a node: requests (when the pods are visible) and usage (when metrics are served). */
export function NodeBars(p: { node: KubeObject; load?: NodeLoad; usage?: NodeUsage }) {
  const a = allocatable(p.node);
  return (
    <div class="node-bars">
      {p.load ? <Bar kind="requests" value={p.load.cpu} max={a.cpu} label={`CPU requests ${formatCpu(p.load.cpu)} / ${formatCpu(a.cpu)}`} /> : null}
      {p.usage ? <Bar kind="usage" value={p.usage.cpu} max={a.cpu} label={`CPU used ${formatCpu(p.usage.cpu)} / ${formatCpu(a.cpu)}`} /> : null}
      {p.load ? <Bar kind="requests" value={p.load.memory} max={a.memory} label={`Memory requests ${formatBytes(p.load.memory)} / ${formatBytes(a.memory)}`} /> : null}
      {p.usage ? <Bar kind="usage" value={p.usage.memory} max={a.memory} label={`Memory used ${formatBytes(p.usage.memory)} / ${formatBytes(a.memory)}`} /> : null}
    </div>
  );
}

export function NodeActions(p: { node: KubeObject; pods: ReadonlyMap<string, KubeObject> }) {
  const { api, toasts } = useApp();
  const [asking, setAsking] = useState(false);
  const name = p.node.metadata.name;
  const cordoned = !!p.node.spec?.unschedulable;
  const toggle = async () => {
    try {
      await cordon(api, name, !cordoned);
      toasts.ok(`node ${name} ${cordoned ? 'uncordoned' : 'cordoned'}`);
    } catch (e) {
      toasts.error(e);
    }
  };
  const run = async () => {
    try {
      const r = await drain(api, name, p.pods.values());
      if (r.errors.length) toasts.error(`drain ${name}: ${r.errors.join('; ')}`);
      else toasts.ok(`node ${name} drained: ${r.evicted} pods evicted${r.skipped ? `, ${r.skipped} left (DaemonSet or mirror pods)` : ''}`);
      setAsking(false);
    } catch (e) {
      toasts.error(e);
    }
  };
  const plan = asking ? drainPlan(name, p.pods.values()) : undefined;
  return (
    <Can verb="patch" resource="nodes" name={name}>
      <button type="button" class="small" data-action={cordoned ? 'uncordon' : 'cordon'} onClick={toggle}>{cordoned ? 'Uncordon' : 'Cordon'}</button>
      <button type="button" class="small danger" data-action="drain" onClick={() => setAsking(true)}>Drain</button>
      {plan ? (
        <Dialog title={`Drain ${name}?`} onClose={() => setAsking(false)}>
          <p>
            Cordon <strong>{name}</strong> and evict its {plan.evict.length} pods; their controllers start them elsewhere.
            {plan.skip.length ? ` ${plan.skip.length} pods stay (DaemonSet-managed or mirror pods).` : ''}
          </p>
          <div class="buttons">
            <button type="button" onClick={() => setAsking(false)}>Cancel</button>
            <button type="button" class="danger" onClick={run} data-confirm="drain">Drain {name}</button>
          </div>
        </Dialog>
      ) : null}
    </Can>
  );
}

export function NodesView() {
  const { router } = useApp();
  const nodes = useObjects(R.nodes, '');
  const pods = useObjects(R.pods, '');
  const usage = useNodeMetrics();
  const [filter, setFilter] = useState('');
  useTick(10_000);
  const rows = useMemo(() => [...nodes.items.values()], [nodes.version, nodes.items]);
  const load = useMemo(() => (pods.error ? undefined : loadByNode(pods.items.values())), [pods.version, pods.items, pods.error]);
  const columns: Column<KubeObject>[] = [
    { key: 'name', title: 'Name', cell: (n) => <ObjectLink type={R.nodes} obj={n} />, sort: (n) => n.metadata.name },
    { key: 'status', title: 'Status', cell: (n) => <Pill text={nodeStatus(n)} />, sort: nodeStatus },
    { key: 'roles', title: 'Roles', cell: nodeRoles, optional: true },
    { key: 'ip', title: 'Internal IP', cell: internalIP, optional: true, className: 'mono' },
    { key: 'pods', title: 'Pods', cell: (n) => (load ? `${load.get(n.metadata.name)?.pods ?? 0}/${allocatable(n).pods}` : ''), sort: (n) => load?.get(n.metadata.name)?.pods ?? 0, className: 'num' },
    { key: 'load', title: 'CPU / memory', cell: (n) => <NodeBars node={n} load={load?.get(n.metadata.name) ?? (load ? { pods: 0, cpu: 0, memory: 0 } : undefined)} usage={usage?.get(n.metadata.name)} />, className: 'bars' },
    { key: 'version', title: 'Version', cell: (n) => n.status?.nodeInfo?.kubeletVersion ?? '', optional: true },
    { key: 'age', title: 'Age', cell: (n) => age(n.metadata.creationTimestamp), sort: (n) => -Date.parse(n.metadata.creationTimestamp ?? '0'), optional: true },
  ];
  return (
    <section class="view">
      <ViewHeader title="Nodes" count={nodes.synced ? rows.length : undefined} live={nodes.synced && !nodes.error} updates={nodes.updates} filter={filter} onFilter={setFilter} />
      <ErrorNote error={nodes.error} />
      <DataTable
        rows={rows}
        columns={columns}
        rowKey={(n) => n.metadata.name}
        text={(n) => `${n.metadata.name} ${nodeStatus(n)} ${internalIP(n)}`}
        filter={filter}
        noun="nodes"
        href={(n) => hrefOf(objectRoute(R.nodes, n), router.location.ns)}
        onOpen={(h) => router.navigate(h)}
        actions={(n) => <NodeActions node={n} pods={pods.items} />}
        empty={nodes.synced ? 'No nodes have registered.' : 'Loading…'}
      />
    </section>
  );
}
