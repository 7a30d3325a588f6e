// Events, newest first, with a warnings-only switch.
import { useMemo, useState } from 'preact/hooks';
import { R } from '../api/resources.js';
import type { KubeObject } from '../api/types.js';
import { useObjects, useTick } from '../store/hooks.js';
import { useNamespace } from '../store/namespace.js';
import { type Column, DataTable } from '../ui/Table.js';
import { ErrorNote, Pill, ViewHeader } from '../ui/widgets.js';
import { age } from '../util/format.js';

/** When an event last happened (events carry it in one of three fields, depending on who wrote them). */
export const lastSeen = (e: KubeObject): string => (e.lastTimestamp as string | undefined) || (e.eventTime as string | undefined) || e.metadata.creationTimestamp || '';

export const involved = (e: KubeObject): string => {
  const o = e.involvedObject as { kind?: string; name?: string } | undefined;
  return o ? `${(o.kind ?? '').toLowerCase()}/${o.name ?? ''}` : '';
};

export const eventColumns = (allNamespaces: boolean): Column<KubeObject>[] => [
  { key: 'last', title: 'Last seen', cell: (e) => age(lastSeen(e)), sort: (e) => -Date.parse(lastSeen(e) || '0') },
  { key: 'type', title: 'Type', cell: (e) => <Pill text={(e.type as string) ?? 'Normal'} />, sort: (e) => (e.type as string) ?? '' },
  { key: 'reason', title: 'Reason', cell: (e) => (e.reason as string) ?? '', sort: (e) => (e.reason as string) ?? '' },
  ...(allNamespaces ? [{ key: 'ns', title: 'Namespace', cell: (e: KubeObject) => e.metadata.namespace ?? '', optional: true }] : []),
  { key: 'object', title: 'Object', cell: involved, sort: involved, optional: true, className: 'mono' },
  { key: 'message', title: 'Message', cell: (e) => (e.message as string) ?? '', className: 'message' },
  { key: 'count', title: 'Count', cell: (e) => (e.count as number | undefined) ?? 1, optional: true, className: 'num' },
];

export function EventsView() {
  const ns = useNamespace();
  const events = useObjects(R.events, ns);
  const [filter, setFilter] = useState('');
  const [warnings, setWarnings] = useState(false);
  useTick(10_000);
  const rows = useMemo(() => [...events.items.values()].filter((e) => !warnings || e.type === 'Warning'), [events.version, events.items, warnings]);
  return (
    <section class="view">
      <ViewHeader title="Events" count={events.synced ? rows.length : undefined} live={events.synced && !events.error} updates={events.updates} filter={filter} onFilter={setFilter}>
        <label class="check"><input type="checkbox" checked={warnings} onChange={(e) => setWarnings((e.target as HTMLInputElement).checked)} data-warnings /> Warnings only</label>
      </ViewHeader>
      <ErrorNote error={events.error} />
      <DataTable
        rows={rows}
        columns={eventColumns(!ns)}
        rowKey={(e) => `${e.metadata.namespace}/${e.metadata.name}`}
        text={(e) => `${e.reason ?? ''} ${involved(e)} ${e.message ?? ''} ${e.type ?? ''}`}
        filter={filter}
        noun="events"
        empty={events.synced ? 'No events.' : 'Loading…'}
        rowClass={(e) => (e.type === 'Warning' ? 'warning' : undefined)}
      />
    </section>
  );
}
