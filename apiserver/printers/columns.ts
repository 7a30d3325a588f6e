// Server-side printing: what a kind's table columns are (names, types and -o wide priorities as Kubernetes prints
// them) and how one object becomes one row of cells. Each kind's printer is in its kind file
// (apiserver/registry/kinds/); the cells they share are here.
import type { KubeObject, LabelSelector } from '../../lib/api/types.js';
import { labelSelectorFromObject, labelSelectorToString } from '../../lib/api/selectors/index.js';
import { age } from '../../lib/api/duration.js';

export { age } from '../../lib/api/duration.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export type Cell = string | number | boolean;
/** [name, type, priority (1: -o wide only), description, format] */
export type Column = [name: string, type: string, priority: number, description: string, format?: string];

export interface Printer {
  columns: Column[];
  row(obj: KubeObject, now: Date): Cell[];
}

export const NAME: Column = ['Name', 'string', 0, 'Name must be unique within a namespace.', 'name'];
export const AGE: Column = ['Age', 'string', 0, 'Time since the object was created.'];
export const none = (v: string | undefined | null) => (v ? v : '<none>');
export const selectorString = (s: LabelSelector | undefined) => {
  if (!s) return '<none>';
  try {
    return none(labelSelectorToString(labelSelectorFromObject(s)));
  } catch {
    return '<invalid>';
  }
};
export const mapSelector = (m: Record<string, string> | undefined) => (m && Object.keys(m).length ? Object.entries(m).map(([k, v]) => `${k}=${v}`).sort().join(',') : '<none>');
type Container = { name?: string; image?: string };
/** The containers of a workload's pod template. */
export const containers = (o: KubeObject) => ((o.spec?.template?.spec?.containers ?? []) as Container[]);

/** Name and age: what a kind without columns of its own prints. */
export const DEFAULT_PRINTER: Printer = { columns: [NAME, AGE], row: (o, now) => [o.metadata.name ?? '', age(o.metadata.creationTimestamp, now)] };

export function tableColumns(printer: Printer): TableColumnDefinition[] {
  return printer.columns.map(([name, type, priority, description, format]) => ({ name, type, format: format ?? '', description, priority }));
}

export function tableRow(printer: Printer, obj: KubeObject, now: Date): Cell[] {
  return printer.row(obj, now);
}
