// Workloads: Deployments with their rollout progress (scale, restart, undo), ReplicaSets, and every other
// workload kind the server serves (StatefulSets, DaemonSets, Jobs, CronJobs as they land) as generic tables.
import { useMemo, useState } from 'preact/hooks';
import { R, type ResourceType } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import { useApp } from '../store/app.js';
import { useDiscovery, useObjects, useTick } from '../store/hooks.js';
import { useNamespace } from '../store/namespace.js';
import { type Column, DataTable } from '../ui/Table.js';
import { hrefOf } from '../ui/route.js';
import { Bar, ErrorNote, Pill, ViewHeader } from '../ui/widgets.js';
import { REVISION, rolloutStatus } from '../util/deployments.js';
import { age } from '../util/format.js';
import { DeleteButton, ObjectLink, ScaleButton, objectRoute } from './common.js';
import { RestartButton, UndoButton } from './DeploymentActions.js';
import { GenericTable } from './Generic.js';

const images = (o: KubeObject) => ((o.spec?.template?.spec?.containers as Array<{ image: string }> | undefined) ?? []).map((c) => c.image).join(', ');

/** Rollout progress: new replicas updated and available out of those wanted, with kubectl's status line. */
export function RolloutProgress(p: { d: KubeObject }) {
  const r = rolloutStatus(p.d);
  const want = p.d.spec?.replicas ?? 1;
  const st = p.d.status ?? {};
  return (
    <div class="rollout" title={r.message} data-rollout={r.done ? 'done' : r.failed ? 'failed' : 'progressing'}>
      <Bar kind="progress" value={r.done ? want : Math.min(st.updatedReplicas ?? 0, st.availableReplicas ?? 0)} max={Math.max(want, 1)} label={r.done ? `${st.availableReplicas ?? 0}/${want} available` : `${st.updatedReplicas ?? 0}/${want} updated · ${st.availableReplicas ?? 0} available`} />
      <span class="rollout-text">{r.done ? 'Complete' : r.failed ? <Pill text="Failed" /> : 'Progressing'}</span>
    </div>
  );
}

export function deploymentColumns(allNamespaces: boolean): Column<KubeObject>[] {
  const cols: Column<KubeObject>[] = [
    { key: 'name', title: 'Name', cell: (d) => <ObjectLink type={R.deployments} obj={d} />, sort: (d) => d.metadata.name },
    { key: 'ready', title: 'Ready', cell: (d) => `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`, className: 'num' },
    { key: 'updated', title: 'Up-to-date', cell: (d) => d.status?.updatedReplicas ?? 0, optional: true, className: 'num' },
    { key: 'rollout', title: 'Rollout', cell: (d) => <RolloutProgress d={d} /> },
    { key: 'images', title: 'Images', cell: images, optional: true, className: 'mono' },
    { key: 'age', title: 'Age', cell: (d) => age(d.metadata.creationTimestamp), sort: (d) => -Date.parse(d.metadata.creationTimestamp ?? '0'), optional: true },
  ];
  if (allNamespaces) cols.splice(1, 0, { key: 'ns', title: 'Namespace', cell: (d) => d.metadata.namespace ?? '', sort: (d) => d.metadata.namespace ?? '', optional: true });
  return cols;
}

const rsColumns: Column<KubeObject>[] = [
  { key: 'name', title: 'Name', cell: (r) => <ObjectLink type={R.replicasets} obj={r} />, sort: (r) => r.metadata.name },
  { key: 'desired', title: 'Desired', cell: (r) => r.spec?.replicas ?? 1, className: 'num' },
  { key: 'current', title: 'Current', cell: (r) => r.status?.replicas ?? 0, className: 'num' },
  { key: 'ready', title: 'Ready', cell: (r) => r.status?.readyReplicas ?? 0, className: 'num' },
  { key: 'revision', title: 'Revision', cell: (r) => r.metadata.annotations?.[REVISION] ?? '', optional: true, className: 'num' },
  { key: 'age', title: 'Age', cell: (r) => age(r.metadata.creationTimestamp), sort: (r) => -Date.parse(r.metadata.creationTimestamp ?? '0'), optional: true },
];

const OTHER_WORKLOADS = new Set(['statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'replicationcontrollers']);

export function WorkloadsView() {
  const ns = useNamespace();
  const { router } = useApp();
  const deployments = useObjects(R.deployments, ns);
  const replicaSets = useObjects(R.replicasets, ns);
  const types = useDiscovery();
  const [filter, setFilter] = useState('');
  useTick(10_000);
  const ds = useMemo(() => [...deployments.items.values()], [deployments.version, deployments.items]);
  const rss = useMemo(() => [...replicaSets.items.values()], [replicaSets.version, replicaSets.items]);
  const others = (types ?? []).filter((t) => OTHER_WORKLOADS.has(t.resource) && (t.group === 'apps' || t.group === 'batch' || t.group === ''));
  const text = (o: KubeObject) => `${o.metadata.name} ${o.metadata.namespace} ${images(o)}`;
  return (
    <section class="view">
      <ViewHeader title="Workloads" filter={filter} onFilter={setFilter} live={deployments.synced && !deployments.error} updates={deployments.updates} />
      <h2>Deployments <span class="count">{ds.length}</span></h2>
      <ErrorNote error={deployments.error} />
      <DataTable
        rows={ds}
        columns={deploymentColumns(!ns)}
        rowKey={(d) => `${d.metadata.namespace}/${d.metadata.name}`}
        text={text}
        filter={filter}
        noun="deployments"
        href={(d) => hrefOf(objectRoute(R.deployments, d), router.location.ns)}
        onOpen={(h) => router.navigate(h)}
        actions={(d) => (
          <>
            <ScaleButton type={R.deployments} obj={d} />
            <RestartButton d={d} />
            <UndoButton d={d} replicaSets={replicaSets.items} />
            <DeleteButton type={R.deployments} obj={d} />
          </>
        )}
        empty={deployments.synced ? 'No Deployments. Create one with + Create.' : 'Loading…'}
      />
      <h2>ReplicaSets <span class="count">{rss.length}</span></h2>
      <ErrorNote error={replicaSets.error} />
      <DataTable rows={rss} columns={rsColumns} rowKey={(r) => `${r.metadata.namespace}/${r.metadata.name}`} text={text} filter={filter} noun="replicasets" empty={replicaSets.synced ? 'No ReplicaSets.' : 'Loading…'} actions={(r) => <DeleteButton type={R.replicasets} obj={r} />} />
      {others.map((t: ResourceType) => (
        <div key={`${t.group}/${t.resource}`}>
          <h2>{t.kind}s</h2>
          <GenericTable type={t} filter={filter} />
        </div>
      ))}
    </section>
  );
}
