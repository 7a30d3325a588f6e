// Any kind the server serves, CRDs included, as the server's own Table (the columns `kubectl get` prints), live
// over a Table-form watch. The Age column is recomputed here from the object's creationTimestamp, so it keeps
// moving between events.
import { useMemo, useState } from 'preact/hooks';
import { R, type ResourceType } from '../api/resources.js';
import type { TableColumn, TableRow } from '../api/types.js';
import { useApp } from '../store/app.js';
import { useDiscovery, useTableRows, useTick } from '../store/hooks.js';
import { useNamespace } from '../store/namespace.js';
import { type Column, DataTable } from '../ui/Table.js';
import { type TypeRef, hrefOf } from '../ui/route.js';
import { ErrorNote, Link, ViewHeader } from '../ui/widgets.js';
import { age } from '../util/format.js';
import { DeleteButton, objectRoute } from './common.js';

const cellText = (v: unknown): string => (v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function tableColumns(type: ResourceType, defs: TableColumn[] | undefined, allNamespaces: boolean): Column<TableRow>[] {
  const cols: Column<TableRow>[] = (defs ?? []).map((d, i) => {
    const isName = d.format === 'name' || (i === 0 && d.name === 'Name');
    const isAge = d.name === 'Age';
    const value = (r: TableRow) => (isAge ? age(r.object?.metadata.creationTimestamp) : cellText(r.cells[i]));
    return {
      key: `c${i}`,
      title: d.name,
      optional: d.priority > 0,
      className: d.type === 'integer' || d.type === 'number' ? 'num' : undefined,
      sort: isAge ? (r: TableRow) => -Date.parse(r.object?.metadata.creationTimestamp ?? '0') : (r: TableRow) => (typeof r.cells[i] === 'number' ? (r.cells[i] as number) : cellText(r.cells[i])),
      cell: (r: TableRow) => (isName && r.object ? <Link to={objectRoute(type, r.object)} class="obj">{value(r)}</Link> : value(r)),
    };
  });
  if (allNamespaces && type.namespaced) cols.splice(1, 0, { key: 'ns', title: 'Namespace', cell: (r) => r.object?.metadata.namespace ?? '', sort: (r) => r.object?.metadata.namespace ?? '', optional: true });
  return cols;
}

export function GenericTable(p: { type: ResourceType; filter?: string }) {
  const ns = useNamespace();
  const { router } = useApp();
  const rows = useTableRows(p.type, ns);
  useTick(10_000);
  const list = useMemo(() => [...rows.items.values()], [rows.version, rows.items]);
  const columns = useMemo(() => tableColumns(p.type, rows.columns, !ns), [p.type, rows.columns, ns]);
  const canDelete = p.type.verbs.includes('delete');
  return (
    <>
      <ErrorNote error={rows.error} />
      <DataTable
        rows={list}
        columns={columns}
        rowKey={(r) => `${r.object?.metadata.namespace ?? ''}/${r.object?.metadata.name ?? ''}`}
        text={(r) => r.cells.map(cellText).join(' ')}
        filter={p.filter}
        noun={p.type.resource}
        href={(r) => hrefOf(objectRoute(p.type, r.object as { metadata: { name: string } }), router.location.ns)}
        onOpen={(h) => router.navigate(h)}
        actions={canDelete ? (r) => (r.object ? <DeleteButton type={p.type} obj={r.object} /> : null) : undefined}
        empty={rows.synced ? `No ${p.type.resource}${ns && p.type.namespaced ? ` in ${ns}` : ''}.` : 'Loading…'}
      />
    </>
  );
}

/** The resource type a route names, from discovery (or undefined while discovery loads / when unknown). */
export function useType(ref: TypeRef): { type?: ResourceType; loading: boolean } {
  const types = useDiscovery();
  const same = (t: ResourceType) => t.group === ref.group && t.version === ref.version && t.resource === ref.resource;
  // the well-known kinds don't wait for discovery
  const type = types?.find(same) ?? Object.values(R).find(same);
  return { type, loading: types === undefined };
}

export function GenericListView(p: { type: TypeRef }) {
  const { type, loading } = useType(p.type);
  const [filter, setFilter] = useState('');
  if (!type) return <section class="view"><p class="empty">{loading ? 'Loading…' : `The server serves no ${p.type.resource} in ${p.type.group || 'core'}/${p.type.version}.`}</p></section>;
  return (
    <section class="view">
      <ViewHeader title={`${type.kind}s`} filter={filter} onFilter={setFilter}>
        <span class="muted">{type.group || 'core'}/{type.version}</span>
      </ViewHeader>
      <GenericTable type={type} filter={filter} />
    </section>
  );
}

/** Every kind the server serves, by API group. */
export function ResourcesView() {
  const types = useDiscovery();
  const [filter, setFilter] = useState('');
  const { router } = useApp();
  const groups = useMemo(() => {
    const m = new Map<string, ResourceType[]>();
    for (const t of types ?? []) {
      if (!t.verbs.includes('list')) continue;
      const f = filter.trim().toLowerCase();
      if (f && !`${t.kind} ${t.resource} ${t.group}`.toLowerCase().includes(f)) continue;
      const g = t.group || 'core';
      m.set(g, [...(m.get(g) ?? []), t]);
    }
    return [...m].sort(([a], [b]) => (a === 'core' ? -1 : b === 'core' ? 1 : a.localeCompare(b)));
  }, [types, filter]);
  return (
    <section class="view">
      <ViewHeader title="All kinds" filter={filter} onFilter={setFilter} />
      {types === undefined ? <p class="empty">Loading…</p> : null}
      <div class="kinds">
        {groups.map(([g, ts]) => (
          <div class="card" key={g}>
            <h3>{g}</h3>
            <ul>
              {ts.sort((a, b) => a.kind.localeCompare(b.kind)).map((t) => (
                <li key={t.resource}><a href={hrefOf({ view: 'list', type: t }, router.location.ns)} data-kind={t.resource}>{t.kind}</a> <span class="muted">{t.version}{t.namespaced ? '' : ' · cluster'}</span></li>
              ))}
            </ul>
          </div>
        ))}
      </div>
    </section>
  );
}
