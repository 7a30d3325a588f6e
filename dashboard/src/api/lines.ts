// A watch stream is newline-delimited JSON, but network chunks end anywhere: this joins the pieces into whole lines.

export class LineSplitter {
  private rest = '';

  /** The complete lines in this chunk (with what was left from the last one); keeps the unfinished tail. */
  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    return lines.filter((l) => l.trim() !== '');
  }

  /** Whatever is left once the stream ends (a last line without a newline). */
  flush(): string[] {
    const last = this.rest.trim();
    this.rest = '';
    return last ? [last] : [];
  }
}
