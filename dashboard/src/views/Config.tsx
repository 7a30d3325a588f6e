// ConfigMaps and Secrets. Secrets are listed through the server's Table form (name, type, key count, age), so the
// page never downloads a Secret's values until the user asks to reveal one on its page.
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
import { GenericTable } from './Generic.js';

export function ConfigView() {
  const ns = useNamespace();
  const { router } = useApp();
  const cms = useObjects(R.configmaps, ns);
  const [filter, setFilter] = useState('');
  useTick(10_000);
  const rows = useMemo(() => [...cms.items.values()], [cms.version, cms.items]);
  const keys = (c: KubeObject) => Object.keys((c.data as object | undefined) ?? {}).length + Object.keys((c.binaryData as object | undefined) ?? {}).length;
  const columns: Column<KubeObject>[] = [
    { key: 'name', title: 'Name', cell: (c) => <ObjectLink type={R.configmaps} obj={c} />, sort: (c) => c.metadata.name },
    ...(!ns ? [{ key: 'ns', title: 'Namespace', cell: (c: KubeObject) => c.metadata.namespace ?? '', sort: (c: KubeObject) => c.metadata.namespace ?? '', optional: true }] : []),
    { key: 'data', title: 'Data', cell: keys, sort: keys, className: 'num' },
    { key: 'age', title: 'Age', cell: (c) => age(c.metadata.creationTimestamp), sort: (c) => -Date.parse(c.metadata.creationTimestamp ?? '0') },
  ];
  return (
    <section class="view">
      <ViewHeader title="Config & Secrets" filter={filter} onFilter={setFilter} live={cms.synced && !cms.error} />
      <h2>ConfigMaps <span class="count">{rows.length}</span></h2>
      <ErrorNote error={cms.error} />
      <DataTable
        rows={rows}
        columns={columns}
        rowKey={(c) => `${c.metadata.namespace}/${c.metadata.name}`}
        text={(c) => `${c.metadata.name} ${c.metadata.namespace}`}
        filter={filter}
        noun="configmaps"
        href={(c) => hrefOf(objectRoute(R.configmaps, c), router.location.ns)}
        onOpen={(h) => router.navigate(h)}
        actions={(c) => <DeleteButton type={R.configmaps} obj={c} />}
        empty={cms.synced ? 'No ConfigMaps.' : 'Loading…'}
      />
      <h2>Secrets</h2>
      <p class="hint">Values stay on the server until you reveal them on a Secret's page.</p>
      <GenericTable type={R.secrets} filter={filter} />
    </section>
  );
}
