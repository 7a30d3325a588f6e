// Pods: status, restarts, node and age, live; logs, a shell and delete from each row.
import { useMemo, useState } from 'preact/hooks';
import { R } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import { useApp } from '../store/app.js';
import { useObjects, useTick } from '../store/hooks.js';
import { useNamespace } from '../store/namespace.js';
import { type Column, DataTable } from '../ui/Table.js';
import { hrefOf } from '../ui/route.js';
import { Can, ErrorNote, Link, Pill, ViewHeader } from '../ui/widgets.js';
import { age } from '../util/format.js';
import { podStatus, readyText, restarts } from '../util/pods.js';
import { DeleteButton, ObjectLink, objectRoute } from './common.js';

export function podColumns(allNamespaces: boolean): Column<KubeObject>[] {
  const cols: Column<KubeObject>[] = [
    { key: 'name', title: 'Name', cell: (p) => <ObjectLink type={R.pods} obj={p} />, sort: (p) => p.metadata.name },
    { key: 'ready', title: 'Ready', cell: readyText, optional: true },
    { key: 'status', title: 'Status', cell: (p) => <Pill text={podStatus(p)} />, sort: podStatus },
    { key: 'restarts', title: 'Restarts', cell: restarts, sort: restarts, className: 'num' },
    { key: 'node', title: 'Node', cell: (p) => p.spec?.nodeName ?? '', sort: (p) => p.spec?.nodeName ?? '', optional: true },
    { key: 'ip', title: 'IP', cell: (p) => p.status?.podIP ?? '', optional: true },
    { key: 'age', title: 'Age', cell: (p) => age(p.metadata.creationTimestamp), sort: (p) => -Date.parse(p.metadata.creationTimestamp ?? '0') },
  ];
  if (allNamespaces) cols.splice(1, 0, { key: 'ns', title: 'Namespace', cell: (p) => p.metadata.namespace ?? '', sort: (p) => p.metadata.namespace ?? '', optional: true });
  return cols;
}

export const podText = (p: KubeObject) => `${p.metadata.name} ${p.metadata.namespace} ${podStatus(p)} ${p.spec?.nodeName ?? ''} ${p.status?.podIP ?? ''}`;

export function PodActions(p: { pod: KubeObject }) {
  const ns = p.pod.metadata.namespace;
  return (
    <>
      <Can verb="get" resource="pods" subresource="log" namespace={ns}>
        <Link to={objectRoute(R.pods, p.pod, 'logs')} class="button small" title="Logs">Logs</Link>
      </Can>
      <Can verb="create" resource="pods" subresource="exec" namespace={ns}>
        <Link to={objectRoute(R.pods, p.pod, 'terminal')} class="button small" title="Open a shell">Shell</Link>
      </Can>
      <DeleteButton type={R.pods} obj={p.pod} />
    </>
  );
}

export function PodsView() {
  const ns = useNamespace();
  const { router } = useApp();
  const pods = useObjects(R.pods, ns);
  const [filter, setFilter] = useState('');
  useTick(10_000);
  const rows = useMemo(() => [...pods.items.values()], [pods.version, pods.items]);
  const columns = useMemo(() => podColumns(!ns), [ns]);
  return (
    <section class="view">
      <ViewHeader title="Pods" count={pods.synced ? rows.length : undefined} live={pods.synced && !pods.error} updates={pods.updates} filter={filter} onFilter={setFilter} />
      <ErrorNote error={pods.error} />
      <DataTable
        rows={rows}
        columns={columns}
        rowKey={(p) => `${p.metadata.namespace}/${p.metadata.name}`}
        text={podText}
        filter={filter}
        noun="pods"
        href={(p) => hrefOf(objectRoute(R.pods, p), router.location.ns)}
        onOpen={(h) => router.navigate(h)}
        actions={(p) => <PodActions pod={p} />}
        empty={pods.synced ? `No pods${ns ? ` in ${ns}` : ''}.` : 'Loading…'}
        rowClass={(p) => (p.metadata.deletionTimestamp ? 'terminating' : undefined)}
      />
    </section>
  );
}
