// Go's text/tabwriter, the one way flotctl aligns text as kubectl does: cells end at tabs, a column spans only the
// consecutive lines that have a cell in it, the last cell of a line is never padded, widths count runes.
// kubectl's printers use minwidth 6 and padding 3; its describers minwidth 0 and padding 2. A watch keeps widths
// between flushes (`remembered`), so later rows stay aligned with the ones printed before.
export interface TabOptions {
  minwidth: number;
  padding: number;
  /** Column widths carried from one flush to the next; updated in place. */
  remembered?: number[];
}

const runes = (s: string) => (/[^\x00-\x7f]/.test(s) ? [...s].length : s.length);

export function tabFormat(text: string, o: TabOptions): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  let out = '';
  const emit = (widths: number[], from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const cells = lines[i] as string[];
      out += cells.map((c, j) => (j < widths.length && j < cells.length - 1 ? c + ' '.repeat(Math.max((widths[j] as number) - runes(c), 0)) : c)).join('');
      if (i < lines.length - 1) out += '\n';
    }
  };
  const block = (widths: number[], line0: number, line1: number) => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= (lines[t] as string[]).length - 1) continue;
      emit(widths, line0, t);
      line0 = t;
      let width = o.minwidth;
      for (; t < line1 && column < (lines[t] as string[]).length - 1; t++) width = Math.max(width, runes((lines[t] as string[])[column] as string) + o.padding);
      if (o.remembered) {
        const r = o.remembered[column];
        if (r === undefined || r < width) o.remembered[column] = width;
        else width = r;
      }
      block([...widths, width], line0, t);
      line0 = t;
    }
    emit(widths, line0, line1);
  };
  block([], 0, lines.length);
  return out;
}

/** A table as kubectl's printers align it: one line per row. */
export const tabwrite = (rows: string[][]): string => tabFormat(rows.map((r) => r.join('\t')).join('\n') + '\n', { minwidth: 6, padding: 3 });

/** kubectl's streaming tab writer: text goes out at each flush, aligned with what was flushed before it. */
export class TabWriter {
  private buf = '';
  private remembered: number[] = [];
  constructor(private readonly out: (s: string) => void) {}

  write(s: string): void {
    this.buf += s;
  }

  /** Forgets the remembered widths (kubectl does this between the tables of different kinds). */
  reset(): void {
    this.remembered = [];
  }

  flush(): void {
    if (!this.buf) return;
    const text = this.buf;
    this.buf = '';
    this.out(tabFormat(text, { minwidth: 6, padding: 3, remembered: this.remembered }));
  }
}
