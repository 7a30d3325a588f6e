// The one table every list uses: sortable columns, a filter, keyboard (j/k or arrows to move, Enter to open), and
// windowed rendering past a few hundred rows, so a 1,000-pod list costs a screenful of DOM rows, whatever the rate
// of watch events.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

export interface Column<T> {
  key: string;
  title: string;
  cell: (row: T) => ComponentChildren;
  /** The value to sort by (default: none, the column can't be sorted). */
  sort?: (row: T) => string | number;
  /** Left out on narrow screens. */
  optional?: boolean;
  className?: string;
}

interface Props<T> {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  /** The text the filter searches. */
  text: (row: T) => string;
  filter?: string;
  /** Opens a row (click on its first cell's link, Enter). */
  href?: (row: T) => string;
  onOpen?: (href: string) => void;
  actions?: (row: T) => ComponentChildren;
  empty: ComponentChildren;
  /** What the rows are ("pods"), for the count line and tests. */
  noun: string;
  initialSort?: string;
  rowClass?: (row: T) => string | undefined;
}

const ROW_HEIGHT = 34;
/** One collator for every comparison: String.localeCompare with options builds one per call, 100x slower. */
const collator = new Intl.Collator(undefined, { numeric: true });
const WINDOW_FROM = 200;
const OVERSCAN = 20;

export function DataTable<T>(p: Props<T>) {
  const [sortKey, setSortKey] = useState<string | undefined>(p.initialSort ?? p.columns.find((c) => c.sort)?.key);
  const [desc, setDesc] = useState(false);
  const [selected, setSelected] = useState(-1);
  const [scroll, setScroll] = useState({ top: 0, height: 600 });
  const box = useRef<HTMLDivElement>(null);

  const rows = useMemo(() => {
    const f = p.filter?.trim().toLowerCase();
    const matched = f ? p.rows.filter((r) => f.split(/\s+/).every((w) => p.text(r).toLowerCase().includes(w))) : [...p.rows];
    const col = p.columns.find((c) => c.key === sortKey);
    if (col?.sort) {
      const by = col.sort;
      matched.sort((a, b) => {
        const x = by(a);
        const y = by(b);
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
        return desc ? -c : c;
      });
    }
    return matched;
  }, [p.rows, p.filter, sortKey, desc, p.columns]);

  const windowed = rows.length > WINDOW_FROM;
  const first = windowed ? Math.max(0, Math.floor(scroll.top / ROW_HEIGHT) - OVERSCAN) : 0;
  const last = windowed ? Math.min(rows.length, Math.ceil((scroll.top + scroll.height) / ROW_HEIGHT) + OVERSCAN) : rows.length;

  useEffect(() => {
    const el = box.current;
    if (!el || !windowed) return undefined;
    const update = () => setScroll({ top: el.scrollTop, height: el.clientHeight });
    update();
    el.addEventListener('scroll', update, { passive: true });
    window.addEventListener('resize', update);
    return () => {
      el.removeEventListener('scroll', update);
      window.removeEventListener('resize', update);
    };
  }, [windowed]);

  const sortBy = (key: string) => {
    if (key === sortKey) setDesc(!desc);
    else {
      setSortKey(key);
      setDesc(false);
    }
  };

  const onKey = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).closest('input,textarea,select,button')) return;
    if (e.key === 'j' || e.key === 'ArrowDown') setSelected((s) => Math.min(rows.length - 1, s + 1));
    else if (e.key === 'k' || e.key === 'ArrowUp') setSelected((s) => Math.max(0, s - 1));
    else if (e.key === 'Enter' && selected >= 0 && p.href && rows[selected]) p.onOpen?.(p.href(rows[selected] as T));
    else return;
    e.preventDefault();
  };

  useEffect(() => {
    if (selected < 0 || !box.current) return;
    box.current.querySelector('tr.selected')?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  return (
    <div class={`table-box${windowed ? ' windowed' : ''}`} ref={box} tabIndex={0} onKeyDown={onKey} data-rows={rows.length} data-noun={p.noun}>
      <table class="data">
        <thead>
          <tr>
            {p.columns.map((c) => (
              <th key={c.key} class={`${c.optional ? 'opt ' : ''}${c.className ?? ''}`} aria-sort={sortKey === c.key ? (desc ? 'descending' : 'ascending') : undefined}>
                {c.sort ? <button type="button" class="sort" onClick={() => sortBy(c.key)}>{c.title}{sortKey === c.key ? (desc ? ' ▾' : ' ▴') : ''}</button> : c.title}
              </th>
            ))}
            {p.actions ? <th class="actions"><span class="sr-only">Actions</span></th> : null}
          </tr>
        </thead>
        <tbody>
          {first > 0 ? <tr class="spacer" style={{ height: `${first * ROW_HEIGHT}px` }} /> : null}
          {rows.slice(first, last).map((r, i) => {
            const k = p.rowKey(r);
            const cls = [p.rowClass?.(r), first + i === selected ? 'selected' : ''].filter(Boolean).join(' ');
            return (
              <tr key={k} data-key={k} class={cls || undefined}>
                {p.columns.map((c) => <td key={c.key} class={`${c.optional ? 'opt ' : ''}${c.className ?? ''}`}>{c.cell(r)}</td>)}
                {p.actions ? <td class="actions">{p.actions(r)}</td> : null}
              </tr>
            );
          })}
          {last < rows.length ? <tr class="spacer" style={{ height: `${(rows.length - last) * ROW_HEIGHT}px` }} /> : null}
        </tbody>
      </table>
      {rows.length === 0 ? <p class="empty">{p.filter && p.rows.length ? `No ${p.noun} match "${p.filter}".` : p.empty}</p> : null}
    </div>
  );
}
