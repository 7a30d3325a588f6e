// Short messages about what an action did (or why the API refused it), shown in a corner for a few seconds.

export interface Toast {
  id: number;
  kind: 'ok' | 'error';
  text: string;
}

type Listener = (t: Toast[]) => void;

export class Toasts {
  private list: Toast[] = [];
  private next = 1;
  private readonly listeners = new Set<Listener>();

  get items(): Toast[] {
    return this.list;
  }

  ok(text: string): void {
    this.push('ok', text);
  }

  error(e: unknown): void {
    this.push('error', e instanceof Error ? e.message : String(e));
  }

  dismiss(id: number): void {
    this.list = this.list.filter((t) => t.id !== id);
    this.emit();
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private push(kind: Toast['kind'], text: string): void {
    const t = { id: this.next++, kind, text };
    this.list = [...this.list.slice(-4), t];
    this.emit();
    setTimeout(() => this.dismiss(t.id), kind === 'error' ? 10_000 : 4_000);
  }

  private emit(): void {
    for (const l of this.listeners) l(this.list);
  }
}
