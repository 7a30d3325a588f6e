// The meta.k8s.io Table kubectl asks for: column definitions and one row per object, with the object attached as
// kubectl wants it (none, its metadata, or the whole object).
import type { KubeObject } from '../../lib/api/types.js';
import { tableColumns, tableRow, type Printer } from './columns.js';

export { humanDuration } from '../../lib/api/duration.js';
export { tableColumns, tableRow, type Printer, type TableColumnDefinition } from './columns.js';

export interface TableOptions {
  now: Date;
  includeObject: 'None' | 'Metadata' | 'Object';
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  tableVersion?: string;
  /** Leave out column definitions (every watch event after the first). */
  noHeaders?: boolean;
}

export function buildTable(kind: { printer: Printer }, objects: KubeObject[], o: TableOptions): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  if (o.resourceVersion) metadata.resourceVersion = o.resourceVersion;
  if (o.continue) metadata.continue = o.continue;
  if (o.remainingItemCount !== undefined) metadata.remainingItemCount = o.remainingItemCount;
  const apiVersion = `meta.k8s.io/${o.tableVersion === 'v1beta1' ? 'v1beta1' : 'v1'}`;
  return {
    kind: 'Table',
    apiVersion,
    metadata,
    columnDefinitions: o.noHeaders ? null : tableColumns(kind.printer),
    rows: objects.map((obj) => {
      const row: Record<string, unknown> = { cells: tableRow(kind.printer, obj, o.now) };
      if (o.includeObject === 'Object') row.object = obj;
      else if (o.includeObject === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata };
      return row;
    }),
  };
}
