// The table of a custom resource (kubectl get): Name, then the version's additionalPrinterColumns, each a simple JSON
// path evaluated on the object (`.spec.replicas`, `.status.conditions[0].type`, `.spec.items[*].name`); a date column
// shows the time since, as Kubernetes' table convertor does. A version without columns shows Name and Age.
import type { KubeObject } from '../../lib/api/types.js';
import { age } from '../../lib/api/duration.js';
import { AGE, NAME, type Cell, type Column, type Printer } from '../printers/columns.js';

export interface ColumnDefinition {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

type Step = { key: string } | { index: number } | { all: true };

/** `.a.b[0].c[*]` as steps; undefined when it isn't a path this reads. */
export function parsePath(path: string): Step[] | undefined {
  const p = path.trim().replace(/^\{(.*)\}$/, '$1');
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_$-]+|\*)|\[(\d+|\*)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let i = 0;
  while (i < p.length) {
    re.lastIndex = i;
    const m = re.exec(p);
    if (!m) return undefined;
    if (m[1] !== undefined) steps.push(m[1] === '*' ? { all: true } : { key: m[1] });
    else if (m[2] !== undefined) steps.push(m[2] === '*' ? { all: true } : { index: Number(m[2]) });
    else steps.push({ key: (m[3] ?? m[4]) as string });
    i = re.lastIndex;
  }
  return steps;
}

/** Every value the path reaches in obj. */
export function evaluate(obj: unknown, steps: Step[]): unknown[] {
  let cur: unknown[] = [obj];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if ('key' in s) {
        if (v && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, s.key)) next.push((v as Record<string, unknown>)[s.key]);
      } else if ('index' in s) {
        if (Array.isArray(v) && s.index < v.length) next.push(v[s.index]);
      } else if (Array.isArray(v)) next.push(...v);
      else if (v && typeof v === 'object') next.push(...Object.values(v));
    }
    cur = next;
  }
  return cur;
}

function cell(values: unknown[], type: string, now: Date): Cell {
  if (!values.length || values[0] === null || values[0] === undefined) return null as unknown as Cell;
  if (values.length > 1) return values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(' ');
  const v = values[0];
  if (type === 'date' && typeof v === 'string') return age(v, now);
  if (type === 'integer' || type === 'number') return typeof v === 'number' ? v : String(v);
  if (type === 'boolean') return typeof v === 'boolean' ? v : String(v);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The printer of one version of a custom resource. */
export function customPrinter(defs: ColumnDefinition[]): Printer {
  if (!defs.length) return { columns: [NAME, AGE], row: (o, now) => [o.metadata.name ?? '', age(o.metadata.creationTimestamp, now)] };
  const cols = defs.map((d) => ({ d, steps: parsePath(d.jsonPath) ?? [] }));
  const columns: Column[] = [NAME, ...cols.map(({ d }): Column => [d.name, d.type, d.priority ?? 0, d.description ?? '', d.format ?? ''])];
  return {
    columns,
    row: (o: KubeObject, now: Date) => [o.metadata.name ?? '', ...cols.map(({ d, steps }) => cell(evaluate(o, steps), d.type, now))],
  };
}
