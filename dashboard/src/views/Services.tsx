// Services with their endpoints: the ready addresses of the Endpoints object of the same name.
import { useMemo, useState } from 'preact/hooks';
import { R } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import { useApp } from '../store/app.js';
import { useObjects, useTick } from '../store/hooks.js';
import { useNamespace } from '../store/namespace.js';
import { type Column, DataTable } from '../ui/Table.js';
import { hrefOf } from '../ui/route.js';
import { ErrorNote, ViewHeader } from '../ui/widgets.js';
import { age } from '../util/format.js';
import { DeleteButton, ObjectLink, objectRoute } from './common.js';

interface Port {
  name?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  protocol?: string;
}

export const portsText = (s: KubeObject) => ((s.spec?.ports as Port[] | undefined) ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(', ');

/** The ready `ip:port` pairs of an Endpoints object. */
export function endpointAddresses(ep: KubeObject | undefined): string[] {
  const out: string[] = [];
  for (const s of (ep?.subsets as Array<{ addresses?: Array<{ ip: string }>; ports?: Array<{ port: number }> }> | undefined) ?? []) {
    for (const a of s.addresses ?? []) for (const p of s.ports ?? [{ port: 0 }]) out.push(p.port ? `${a.ip}:${p.port}` : a.ip);
  }
  return out;
}

export function ServicesView() {
  const ns = useNamespace();
  const { router } = useApp();
  const services = useObjects(R.services, ns);
  const endpoints = useObjects(R.endpoints, ns);
  const [filter, setFilter] = useState('');
  useTick(10_000);
  const rows = useMemo(() => [...services.items.values()], [services.version, services.items]);
  const eps = (s: KubeObject) => endpointAddresses(endpoints.items.get(`${s.metadata.namespace}/${s.metadata.name}`));
  const columns: Column<KubeObject>[] = [
    { key: 'name', title: 'Name', cell: (s) => <ObjectLink type={R.services} obj={s} />, sort: (s) => s.metadata.name },
    ...(!ns ? [{ key: 'ns', title: 'Namespace', cell: (s: KubeObject) => s.metadata.namespace ?? '', sort: (s: KubeObject) => s.metadata.namespace ?? '', optional: true }] : []),
    { key: 'type', title: 'Type', cell: (s) => s.spec?.type ?? 'ClusterIP', sort: (s) => s.spec?.type ?? 'ClusterIP', optional: true },
    { key: 'ip', title: 'Cluster IP', cell: (s) => s.spec?.clusterIP ?? '', className: 'mono' },
    { key: 'ports', title: 'Ports', cell: portsText, className: 'mono' },
    {
      key: 'endpoints',
      title: 'Endpoints',
      cell: (s) => {
        const a = eps(s);
        return <span title={a.join('\n')} data-endpoints={a.length}>{a.length ? `${a.slice(0, 2).join(', ')}${a.length > 2 ? ` +${a.length - 2} more` : ''}` : '<none>'}</span>;
      },
      className: 'mono',
    },
    { key: 'age', title: 'Age', cell: (s) => age(s.metadata.creationTimestamp), sort: (s) => -Date.parse(s.metadata.creationTimestamp ?? '0'), optional: true },
  ];
  return (
    <section class="view">
      <ViewHeader title="Services" count={services.synced ? rows.length : undefined} live={services.synced && !services.error} updates={services.updates} filter={filter} onFilter={setFilter} />
      <ErrorNote error={services.error} />
      <DataTable
        rows={rows}
        columns={columns}
        rowKey={(s) => `${s.metadata.namespace}/${s.metadata.name}`}
        text={(s) => `${s.metadata.name} ${s.metadata.namespace} ${s.spec?.clusterIP ?? ''} ${portsText(s)}`}
        filter={filter}
        noun="services"
        href={(s) => hrefOf(objectRoute(R.services, s), router.location.ns)}
        onOpen={(h) => router.navigate(h)}
        actions={(s) => <DeleteButton type={R.services} obj={s} />}
        empty={services.synced ? 'No Services.' : 'Loading…'}
      />
    </section>
  );
}
